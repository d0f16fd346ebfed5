// Every output of a run, rendered from its results document (the source of truth):
//   DIR/results.json, DIR/report.md, DIR/report.html (self-contained), DIR/junit.xml and
//   DIR/plots/<claim-id>--<figure-id>.{png,gp}
// each written to a temporary file and renamed (reports/results.hpp, write_file_atomically).
// `attnbound check --out DIR` and `attnbound report --in results.json --out DIR` call it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

struct report_options {
  std::string gnuplot = "gnuplot";  // program that draws the plots (looked up on PATH)
};

/// Writes the report files. A missing gnuplot or a plot that fails leaves the report
/// without that plot, says so in it and on stderr, and is not an error. Throws
/// claims::bad_input (one line) when DIR cannot be created or written.
void write_report(const nlohmann::json& results, const std::string& dir);
void write_report(const nlohmann::json& results, const std::string& dir, const report_options& options);

}  // namespace attnbound::reports
