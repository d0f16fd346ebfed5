// Results JSON (the source of truth; reports/report.hpp renders it). Schema
// "attnbound.results/2" (docs/results-schema.md):
//   { schema, attnbound_version, profile, seed, jobs, started_utc, wall_seconds,
//     libraries: {eigen, boost, mpfr, mpfi, compiler},
//     summary: {holds, violated, inconclusive, vacuous, total},
//     claims: [ {id, paper, theorem, kind, status, statement, params, verdict,
//                bound_name, bound, measured_name, measured, tightness_median,
//                tightness_worst, summary, worst, details, seconds,
//                figures: [{id, title, xlabel, ylabel, logx, logy, notes: [string],
//                           series: [{label, style: points|line, x, y, lo?, hi?}]}],
//                bounds: [{name, value}], statistics: [{name, value, band}],
//                error? } ] }
// figures, bounds and statistics are optional per claim (older files); when present they
// are validated like the rest.
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

/// Reads and validates a results file (schema, required keys and their types, figures,
/// tracked bounds and statistics); claims::bad_input with one line naming the problem.
nlohmann::json read_results(const std::string& path);

}  // namespace attnbound::reports
