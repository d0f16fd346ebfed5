// Shared by the lavie2024 claim tests: one claim run through the runner (as `attnbound run`, the
// machine-dependent "seconds" removed), the claim by id, and the checks every small run must pass.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "claims/claim.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace attnbound::test::lavie2024 {

inline nlohmann::json run(const claims::claim& c, const std::vector<std::string>& overrides, std::uint64_t seed, int jobs = 1) {
  claims::check_options opt;
  opt.seed = seed;
  opt.jobs = jobs;
  auto r = claims::run_claim(c, overrides, opt).at("claims").at(0);
  r.erase("seconds");
  return r;
}

inline const claims::claim& claim_named(const std::string& id) {
  const claims::claim* c = claims::find_claim(id);
  if (!c) throw std::runtime_error("no claim " + id);
  return *c;
}

/// A small run that must hold: no error, verdict holds, figures and tracked statistics, every
/// number finite, "reconstructed" in the summary, and the same JSON with --jobs 2. Returns the run.
inline nlohmann::json expect_holds_for_any_jobs(const claims::claim& c, const std::vector<std::string>& overrides, std::uint64_t seed) {
  const auto a = run(c, overrides, seed, 1);
  EXPECT_FALSE(a.contains("error")) << a.dump(2);
  EXPECT_EQ(a.at("verdict"), "holds") << a.at("summary");
  EXPECT_FALSE(a.at("figures").empty());
  EXPECT_FALSE(a.at("statistics").empty());
  EXPECT_NE(a.at("summary").get<std::string>().find("reconstructed"), std::string::npos);
  expect_finite_numbers(a, c.info.id);
  EXPECT_EQ(a.dump(), run(c, overrides, seed, 2).dump());
  return a;
}

}  // namespace attnbound::test::lavie2024
