// Plots of the claims' figures (schema "attnbound.results/2", claims/figure.hpp), drawn by
// gnuplot (Debian gnuplot-nox, pngcairo terminal) from a generated script with the data
// inline, so a researcher can re-render any plot from its .gp file alone.
//   points series: median markers with CI error bars and a shaded CI band;
//   line series:   a curve (dashed when it is a bound: role "bound" or "bound" in its label).
// Non-finite values (JSON null), and non-positive values on a log axis, are left out and
// counted in a note; a figure without one finite point is "no data", never an error.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

/// What became of one figure of one claim.
struct rendered_figure {
  enum class state { drawn, no_data, no_gnuplot, failed };
  state st = state::no_data;
  std::string stem;                // file stem "<claim-id>--<figure-id>" under plots/
  std::string png;                 // the PNG bytes (drawn only)
  int width = 960, height = 560;   // its size in pixels
  std::string message;             // why it is not drawn (no_data, no_gnuplot, failed)
  std::vector<std::string> notes;  // the figure's notes, then notes about omitted values
};

/// Every figure of a results document, per claim and in the document's order.
struct plot_set {
  bool gnuplot_found = true;
  std::vector<std::vector<rendered_figure>> claims;  // claims[i][k]: figure k of claim i
  int drawn() const;
};

/// Safe file stem for a claim id and figure id ([A-Za-z0-9._-], others become '_').
std::string figure_stem(const std::string& claim_id, const std::string& figure_id);

/// The gnuplot script of one figure, data inline; `outfile` defaults to "<stem>.png" and can
/// be set before it runs (gnuplot -e "outfile='...'" stem.gp). Empty when the figure has no
/// finite data point. `omitted` receives how many values were left out, `height` the PNG's
/// height in pixels (960 wide; taller when the key below the plot needs more rows).
std::string gnuplot_script(const nlohmann::json& figure, const std::string& stem, int* omitted = nullptr,
                           int* height = nullptr);

/// Writes plots/<stem>.gp and plots/<stem>.png for every figure of `results` under `dir`
/// (each atomically), running gnuplot processes in parallel. `gnuplot` is the program to
/// run (looked up on PATH when it has no '/'). Never throws for a plotting failure: it is
/// recorded in the returned set (and printed on stderr); throws claims::bad_input only
/// when the directory cannot be written.
plot_set render_plots(const nlohmann::json& results, const std::string& dir,
                      const std::string& gnuplot = "gnuplot");

}  // namespace attnbound::reports
