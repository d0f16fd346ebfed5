// CI regression of claims against a stored baseline (design.md, "CLI contract":
// `attnbound baseline --in results.json --out FILE`, `attnbound check --baseline FILE`).
//
// A baseline keeps, per claim, its verdict, every deterministic bound value as a decimal
// string of `digits` significant digits, and every tracked statistic with the band its
// claim declared. A regression is
//   - verdict:   a claim that held and now does not;
//   - bound:     a bound whose value moved by more than half a unit in its last stored
//                digit (bounds are deterministic: any such move is a code change);
//   - statistic: a measured statistic that moved by more than its declared band;
//   - missing:   a claim, bound or statistic of the baseline that the new run lacks
//                (only for claims the new run's --claims glob selects).
// Schema "attnbound.baseline/1" (docs/results-schema.md, "Baseline").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

inline constexpr const char* baseline_schema = "attnbound.baseline/1";
inline constexpr int baseline_bound_digits = 12;

/// The baseline of a (validated) results document.
nlohmann::json make_baseline(const nlohmann::json& results);

/// Reads and validates a baseline file; claims::bad_input (one line) when it is
/// unreadable, truncated, not JSON or not of this schema.
nlohmann::json read_baseline(const std::string& path);

struct regression {
  std::string claim;
  std::string kind;  // verdict | bound | statistic | missing
  std::string name;  // the bound's or statistic's name; "verdict"; or what is missing
  std::string old_value, new_value;
  std::string rule;  // why it counts: "held before", "|change| > band 0.02", ...
};

/// Compares a results document with a baseline. Throws claims::bad_input when the two come
/// from different profiles or seeds (nothing would be comparable).
std::vector<regression> compare_to_baseline(const nlohmann::json& baseline,
                                            const nlohmann::json& results);

nlohmann::json to_json(const regression& r);

}  // namespace attnbound::reports
