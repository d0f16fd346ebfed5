// Baseline regression rules (reports/baseline.hpp): each kind of regression is caught,
// an unchanged run is clean, and malformed baselines are refused.
#include "reports/baseline.hpp"

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "claims/params.hpp"

namespace ar = attnbound::reports;

namespace {

nlohmann::json results_doc() {
  return nlohmann::json::parse(R"json({
    "schema": "attnbound.results/2", "profile": "quick", "seed": 7, "claims_glob": "*",
    "summary": {"holds": 1, "violated": 0, "inconclusive": 1, "vacuous": 0, "total": 2},
    "claims": [
      {"id": "p.a", "verdict": "holds",
       "bounds": [{"name": "B(m=8)", "value": 0.123456789012345}, {"name": "B(m=16)", "value": 1234.5678901234}],
       "statistics": [{"name": "slope", "value": -0.48, "band": 0.05}]},
      {"id": "p.b", "verdict": "inconclusive", "bounds": [], "statistics": []}
    ]})json");
}

std::vector<ar::regression> compare(const nlohmann::json& base, const nlohmann::json& now) {
  return ar::compare_to_baseline(base, now);
}

}  // namespace

TEST(Baseline, UnchangedRunHasNoRegression) {
  const auto r = results_doc();
  EXPECT_TRUE(compare(ar::make_baseline(r), r).empty());
}

TEST(Baseline, StoresBoundsAsDecimalsOfTheStatedDigits) {
  const auto b = ar::make_baseline(results_doc());
  EXPECT_EQ(b.at("schema"), ar::baseline_schema);
  EXPECT_EQ(b.at("claims")[0].at("bounds")[0].at("value"), "1.23456789012e-01");
}

TEST(Baseline, VerdictThatHeldAndNoLongerDoesIsARegression) {
  const auto r = results_doc();
  auto now = r;
  now["claims"][0]["verdict"] = "inconclusive";
  const auto regs = compare(ar::make_baseline(r), now);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].kind, "verdict");
  EXPECT_EQ(regs[0].old_value, "holds");
  EXPECT_EQ(regs[0].new_value, "inconclusive");
  // A claim that did not hold before may change without a regression.
  auto now2 = r;
  now2["claims"][1]["verdict"] = "vacuous";
  EXPECT_TRUE(compare(ar::make_baseline(r), now2).empty());
}

TEST(Baseline, BoundMovedBeyondItsStoredDigitsIsARegression) {
  const auto r = results_doc();
  const auto base = ar::make_baseline(r);
  // 12 digits of 1234.5678901234 are 1234.56789012: the new value may lie within half a
  // unit (5e-9) of that stored decimal; 1234.5678901244 does (4.4e-9), ...01234 + 2e-8 does not.
  auto within = r;
  within["claims"][0]["bounds"][1]["value"] = 1234.5678901234 + 1e-9;
  EXPECT_TRUE(compare(base, within).empty());
  auto beyond = r;
  beyond["claims"][0]["bounds"][1]["value"] = 1234.5678901234 + 2e-8;
  const auto regs = compare(base, beyond);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].kind, "bound");
  EXPECT_EQ(regs[0].name, "B(m=16)");
  EXPECT_EQ(regs[0].old_value, "1.23456789012e+03");
}

TEST(Baseline, StatisticOutsideItsBandIsARegression) {
  const auto r = results_doc();
  const auto base = ar::make_baseline(r);
  auto inside = r;
  inside["claims"][0]["statistics"][0]["value"] = -0.44;
  EXPECT_TRUE(compare(base, inside).empty());
  auto outside = r;
  outside["claims"][0]["statistics"][0]["value"] = -0.40;
  const auto regs = compare(base, outside);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].kind, "statistic");
}

TEST(Baseline, MissingClaimBoundOrStatisticIsARegression) {
  const auto r = results_doc();
  const auto base = ar::make_baseline(r);
  auto no_stat = r;
  no_stat["claims"][0]["statistics"] = nlohmann::json::array();
  no_stat["claims"][0]["bounds"].erase(0);
  EXPECT_EQ(compare(base, no_stat).size(), 2u);
  auto no_claim = r;
  no_claim["claims"].erase(1);
  ASSERT_EQ(compare(base, no_claim).size(), 1u);
  // A run restricted by --claims does not miss the claims it did not select.
  no_claim["claims_glob"] = "p.a";
  EXPECT_TRUE(compare(base, no_claim).empty());
}

TEST(Baseline, DifferentProfileOrSeedIsBadInput) {
  const auto r = results_doc();
  auto other = r;
  other["seed"] = 8;
  EXPECT_THROW(compare(ar::make_baseline(r), other), attnbound::claims::bad_input);
  other = r;
  other["profile"] = "full";
  EXPECT_THROW(compare(ar::make_baseline(r), other), attnbound::claims::bad_input);
}

TEST(Baseline, ReadRefusesMalformedFiles) {
  const std::string path = ::testing::TempDir() + "attnbound_baseline_test.json";
  auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  const std::string good = ar::make_baseline(results_doc()).dump();
  write(good);
  EXPECT_NO_THROW(ar::read_baseline(path));
  write(good.substr(0, good.size() / 2));  // truncated
  EXPECT_THROW(ar::read_baseline(path), attnbound::claims::bad_input);
  auto j = nlohmann::json::parse(good);
  j["schema"] = "attnbound.baseline/0";
  write(j.dump());
  EXPECT_THROW(ar::read_baseline(path), attnbound::claims::bad_input);
  j = nlohmann::json::parse(good);
  j["claims"][0]["bounds"][0]["value"] = "0.12x";
  write(j.dump());
  EXPECT_THROW(ar::read_baseline(path), attnbound::claims::bad_input);
  j = nlohmann::json::parse(good);
  j["claims"][0]["statistics"][0]["band"] = -1;
  write(j.dump());
  EXPECT_THROW(ar::read_baseline(path), attnbound::claims::bad_input);
  EXPECT_THROW(ar::read_baseline(path + ".does-not-exist"), attnbound::claims::bad_input);
  std::remove(path.c_str());
}
