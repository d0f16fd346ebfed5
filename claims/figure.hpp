// What a claim hands to the reports besides its verdict: the figures to draw (data only;
// reports/ draws them with gnuplot) and the values a stored baseline tracks for CI
// regression (design.md, "CLI contract": `check --baseline`).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnbound::stats {
struct slope_fit;
}

namespace attnbound::claims {

/// One curve of a figure. `points`: medians y with a CI lo..hi per x (error bars and a
/// shaded band); `line`: a curve y(x) such as a bound or a fitted power law.
struct series {
  std::string label;
  std::string style = "points";  // "points" | "line"
  std::vector<double> x, y, lo, hi;  // lo, hi empty for "line"
};

/// A plot: axes labelled with units, log scales where the claim is a power law, and notes
/// printed beside it (fitted slope with CI next to the predicted one).
struct figure {
  std::string id;  // file-name stem, unique within the claim: "loss-vs-m"
  std::string title;
  std::string xlabel, ylabel;
  bool logx = false, logy = false;
  std::vector<series> curves;
  std::vector<std::string> notes;
};

inline series points(std::string label, std::vector<double> x, std::vector<double> y,
                     std::vector<double> lo, std::vector<double> hi) {
  return {std::move(label), "points", std::move(x), std::move(y), std::move(lo), std::move(hi)};
}
inline series line(std::string label, std::vector<double> x, std::vector<double> y) {
  return {std::move(label), "line", std::move(x), std::move(y), {}, {}};
}

/// Medians of samples_per_x[k] at x[k] with their distribution-free 95% CIs
/// (stats::median_interval); x values with no finite sample are left out.
series median_points(std::string label, const std::vector<double>& x,
                     const std::vector<std::vector<double>>& samples_per_x);

/// The power law exp(intercept) x^slope (a log-log fit) evaluated at x.
series power_law(std::string label, const std::vector<double>& x, double slope, double intercept);

/// A fitted log-log law as a curve, labelled "fit[ (what)]: slope s [lo, hi]" with its CI.
series fitted_power_law(const std::vector<double>& x, const stats::slope_fit& fit, const std::string& what = "");

/// A deterministic bound value: a baseline flags any change beyond its stored precision.
struct tracked_bound {
  std::string name;
  double value = 0;
};

/// A measured statistic with the band its claim declares: a baseline flags a move of more
/// than `band` (absolute) from the stored value. The band is the statistic's sampling
/// scale (e.g. its CI half-width), so a regression means the experiment changed.
struct tracked_statistic {
  std::string name;
  double value = 0;
  double band = 0;
};

/// A fitted slope as a tracked statistic: its band is the CI half-width, at least 0.02 (a
/// slope that moves by less is not a change of the experiment's outcome).
tracked_statistic slope_statistic(std::string name, const stats::slope_fit& fit);

nlohmann::json to_json(const series& s);
nlohmann::json to_json(const figure& f);

}  // namespace attnbound::claims
