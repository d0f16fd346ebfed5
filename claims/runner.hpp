// Runs claims and assembles the results document (reports/results.hpp has its schema).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "claims/claim.hpp"

namespace attnbound::claims {

struct check_options {
  bool full_profile = false;
  std::string claims_glob = "*";
  std::uint64_t seed = 20260123;
  int jobs = 1;
  progress_fn progress;
};

/// Runs every claim whose id matches the glob; bad_input when none does.
nlohmann::json run_check(const check_options& opt);

/// Runs one claim with parameter overrides (`attnbound run`).
nlohmann::json run_claim(const claim& c, const std::vector<std::string>& overrides,
                         const check_options& opt);

/// 0 when no claim is violated or errored, 1 otherwise.
int exit_code(const nlohmann::json& results);

}  // namespace attnbound::claims
