// A claim: one checkable statement of a paper (id, theorem, kind, parameter domain), the
// experiment that measures it, and the verdict rule of its kind (design.md, "Claims and
// verdicts"). Claims join bounds/ (closed forms) and model/ (experiments).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "claims/figure.hpp"
#include "claims/params.hpp"

namespace attnbound::claims {

enum class verdict { holds, violated, inconclusive, vacuous };
std::string to_string(verdict v);

/// Several parts of one claim together: violated if any part is violated, holds if every part
/// holds, otherwise (an inconclusive or vacuous part, or no part) inconclusive.
verdict combine_verdicts(const std::vector<verdict>& parts);

/// What a claim is: shown by `attnbound list`, carried into every output.
struct claim_info {
  std::string id;         // "arda2026.lemma3.linearization"
  std::string paper;      // "Arda, Cayci & Eryilmaz 2026 (arXiv 2601.16514)"
  std::string theorem;    // "Lemma 3"
  std::string kind;       // inequality-on-event | probabilistic | scaling | invariance | comparison | closed-form
  std::string status;     // "exact" or "reconstructed" (the bound's constants)
  std::string statement;  // the claim as the theorem reads
};

/// Progress sink: (what, done, total). Implemented by the CLI (stderr, only on a terminal).
using progress_fn = std::function<void(const std::string&, int, int)>;

struct run_context {
  param_values params;
  bool full_profile = false;
  std::uint64_t seed = 20260123;
  int jobs = 1;
  progress_fn progress;  // may be empty
};

/// The outcome of one claim. `details` holds the claim's tables (per configuration values,
/// slopes, rates); `worst` the configuration and seed of the worst case, to replay it.
struct claim_result {
  verdict v = verdict::inconclusive;
  std::string bound_name;      // e.g. "B_lin (Lemma 3)"
  double bound = 0;            // the reported bound (upper end of its enclosure)
  std::string measured_name;   // e.g. "max_j |f - f_lin| (worst run)"
  double measured = 0;
  double tightness_median = -1, tightness_worst = -1;  // measured/bound, when meaningful
  std::string summary;         // one line a reader can act on
  nlohmann::json worst = nlohmann::json::object();
  nlohmann::json details = nlohmann::json::object();
  std::vector<figure> figures;                 // drawn by reports/ (gnuplot)
  std::vector<tracked_bound> bounds;           // compared exactly against a baseline
  std::vector<tracked_statistic> statistics;   // compared within their bands
};

struct claim {
  claim_info info;
  std::vector<param_spec> params;
  std::function<claim_result(const run_context&)> run;
  /// Rough peak memory (bytes) of a run with these parameters; runs above the limit are
  /// refused before they start.
  std::function<double(const param_values&)> estimate_bytes;
};

/// Every claim, in a stable order.
const std::vector<claim>& registry();
const claim* find_claim(const std::string& id);

/// Glob match with '*' and '?' (for --claims).
bool glob_match(const std::string& pattern, const std::string& text);

/// Memory refusal threshold for one run.
inline constexpr double max_run_bytes = 8.0 * 1024 * 1024 * 1024;

}  // namespace attnbound::claims
