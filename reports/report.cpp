#include "reports/report.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "claims/params.hpp"
#include "reports/html.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"
#include "reports/plots.hpp"
#include "reports/results.hpp"

namespace attnbound::reports {

void write_report(const nlohmann::json& results, const std::string& dir) { write_report(results, dir, {}); }

void write_report(const nlohmann::json& results, const std::string& dir, const report_options& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw claims::bad_input(fmt::format("cannot create output directory '{}'", dir));
  // Plots first (the HTML embeds them), then every text rendered before any is written.
  const plot_set plots = render_plots(results, dir, options.gnuplot);
  const std::string json = results.dump(2) + "\n";
  const std::string md = markdown_report(results, &plots);
  const std::string html = html_report(results, plots);
  const std::string junit = junit_report(results);
  const fs::path d(dir);
  write_file_atomically((d / "results.json").string(), json);
  write_file_atomically((d / "report.md").string(), md);
  write_file_atomically((d / "report.html").string(), html);
  write_file_atomically((d / "junit.xml").string(), junit);
}

}  // namespace attnbound::reports
