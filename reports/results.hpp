// Results JSON (the source of truth) and the Markdown table derived from it.
// Schema "attnbound.results/2" (docs/results-schema.md):
//   { schema, attnbound_version, profile, seed, jobs, started_utc, wall_seconds,
//     libraries: {eigen, boost, mpfr, mpfi, compiler},
//     summary: {holds, violated, inconclusive, vacuous, total},
//     claims: [ {id, paper, theorem, kind, status, statement, params, verdict,
//                bound_name, bound, measured_name, measured, tightness_median,
//                tightness_worst, summary, worst, details, seconds,
//                figures: [{id, title, xlabel, ylabel, logx, logy, notes: [string],
//                           series: [{label, style: points|line, x, y, lo?, hi?}]}],
//                bounds: [{name, value}], statistics: [{name, value, band}] } ] }
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

inline constexpr const char* results_schema = "attnbound.results/2";

/// Versions of the libraries the binary was built with.
nlohmann::json library_versions();

/// Writes `content` to `path` through a temporary file in the same directory and a rename,
/// so an interrupted run never leaves half a file. Throws claims::bad_input when the
/// directory is not writable.
void write_file_atomically(const std::string& path, const std::string& content);

/// Markdown table: claim, theorem, bound, measured, verdict, exact/reconstructed, worst
/// configuration and seed; then one short section per claim.
std::string markdown_report(const nlohmann::json& results);

/// Reads and validates a results file (schema and required keys); claims::bad_input on error.
nlohmann::json read_results(const std::string& path);

}  // namespace attnbound::reports
