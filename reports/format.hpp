// Small text helpers shared by the Markdown, HTML and JUnit renderings of a results
// document (schema "attnbound.results/2", docs/results-schema.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

/// A JSON number with `digits` significant digits; "-" for null (a non-finite value).
std::string number_text(const nlohmann::json& v, int digits = 4);

/// Every value of a number as it round-trips (for machine readers: JUnit properties).
std::string exact_text(const nlohmann::json& v);

/// The worst configuration without its bookkeeping keys: "m=64, replicate=3, direction=+".
std::string configuration_text(const nlohmann::json& worst);

/// The seed that replays a claim's worst case: worst.seed, else the run's --seed.
std::string replay_seed(const nlohmann::json& claim, const nlohmann::json& results);

/// `attnbound run <id> --seed S -p key=value ...`: re-runs the claim as it ran.
std::string replay_command(const nlohmann::json& claim, const nlohmann::json& results);

/// "arda2026" for "arda2026.lemma3.linearization".
std::string paper_prefix(const std::string& claim_id);

/// RFC 4648 base64 (Boost.Archive's base64_from_binary, padded).
std::string base64(const std::string& bytes);

/// Removes characters XML 1.0 cannot carry (C0 controls other than tab, newline, return).
std::string xml_safe(const std::string& s);

}  // namespace attnbound::reports
