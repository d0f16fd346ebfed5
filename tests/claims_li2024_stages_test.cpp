// The li2024 training-dynamics claims (li2024.exact-laws, li2024.four-stages) at a tiny scale:
// each holds on a small configuration; each check can fail (a deliberately wrong law or
// closed-form T1 fed through the same check is reported violated, and the exact-laws negative
// control on overlapping supports fails); results are identical for --jobs 1 and 2; bad
// parameters are bad input. Plus the shared pieces of claims/li2024/common.hpp: read_setting's
// checks, replicate streams, and measure_stage_times on hand-built trajectories.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "claims/claim.hpp"
#include "claims/li2024/common.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace ac = attnbound::claims;
namespace li = attnbound::claims::li2024;
namespace ml = attnbound::model::li2024;
using attnbound::test::expect_finite_numbers;

namespace {

// Small settings. exact-laws: any disjoint setting. four-stages: a separated-stages setting
// (eta sqrt(s) / sigma0 = 0.13: a query/key noise moves by 0.13 of its initial size per step)
// with ||mu|| = 0.3, at a seed (12) where every part holds in both replicates. The parts are
// sensitive to the draw at this size (at seeds 11, 13 the weighted vote dips below zero for a
// few steps after T3, a finding the claim reports), and the spec's own setting (eta = 1e-3)
// breaks the order and the Stage IV band; neither is the place to show the "holds" path.
const std::vector<std::string> laws_small = {"d=1000", "n=8", "s=20", "steps=30", "seeds=2", "control_d=200", "control_seeds=1"};
const std::vector<std::string> stages_small = {"d=1000", "n=8", "s=40", "m_k=6", "m_v=6", "eta=0.0002", "mu_norm=0.3",
                                               "steps=900", "seeds=2", "contrast_eta=0"};
constexpr std::uint64_t stages_seed = 12;

nlohmann::json run(const char* id, std::vector<std::string> overrides, int jobs = 1, std::uint64_t seed = stages_seed) {
  ac::check_options opt;
  opt.seed = seed;
  opt.jobs = jobs;
  const ac::claim* c = ac::find_claim(id);
  EXPECT_NE(c, nullptr) << id;
  return ac::run_claim(*c, overrides, opt).at("claims").at(0);
}

std::vector<std::string> with(std::vector<std::string> v, const std::string& kv) {
  v.push_back(kv);
  return v;
}

void expect_complete(const nlohmann::json& r, const char* id) {
  EXPECT_FALSE(r.contains("error")) << r.dump();
  EXPECT_EQ(r.at("status"), "reconstructed");
  EXPECT_FALSE(r.at("worst").empty());
  EXPECT_FALSE(r.at("figures").empty());
  EXPECT_FALSE(r.at("bounds").empty());
  EXPECT_FALSE(r.at("statistics").empty());
  expect_finite_numbers(r.at("details"), id);
}

// A trajectory point with the given signals and noise (m_k = 1, n = 1) and softmax s21.
li::trajectory_point point(int t, double value_signal, double value_noise, double qs, double ks, double qn, double kn,
                           double s21 = 0.5) {
  li::trajectory_point p;
  p.t = t;
  auto& ts = p.tracked;
  ts.query_signal = Eigen::VectorXd::Constant(1, qs);
  ts.key_signal = Eigen::VectorXd::Constant(1, ks);
  ts.query_noise = Eigen::MatrixXd::Constant(1, 1, qn);
  ts.key_noise = Eigen::MatrixXd::Constant(1, 1, kn);
  ml::forward_values f;
  f.value_signal = value_signal, f.value_noise = value_noise, f.s21 = s21, f.s22 = 1 - s21, f.s11 = f.s12 = 0.5;
  ts.samples = {f};
  ts.value_signal = value_signal;
  return p;
}

}  // namespace

TEST(ClaimsLi2024Stages, ExactLawsHoldOnDisjointSupportsAndTheControlFails) {
  const auto r = run("li2024.exact-laws", laws_small);
  expect_complete(r, "li2024.exact-laws");
  EXPECT_EQ(r.at("verdict"), "holds") << r.at("summary");
  EXPECT_GT(r.at("details").at("checks").get<long>(), 0);
  EXPECT_EQ(r.at("details").at("failures").get<long>(), 0);
  EXPECT_LE(r.at("measured").get<double>(), 1.0);
  // The same checks on overlapping supports fail (the check can fail on real data).
  const auto& control = r.at("details").at("negative_control");
  EXPECT_GT(control.at("checks").get<long>(), 0);
  EXPECT_GT(control.at("failed_fraction").get<double>(), 0.1) << control.dump();
}

TEST(ClaimsLi2024Stages, ExactLawsDetectAWrongIncrement) {
  // A law off by 1e-6 relative (~1e-8 absolute here) is 1e5 times the rounding tolerance.
  const auto r = run("li2024.exact-laws", with(laws_small, "law_factor=1.000001"));
  EXPECT_EQ(r.at("verdict"), "violated") << r.at("summary");
  EXPECT_GT(r.at("details").at("failures").get<long>(), 0);
  EXPECT_TRUE(r.at("worst").contains("quantity"));
  EXPECT_TRUE(r.at("worst").contains("t"));
  EXPECT_GT(r.at("worst").at("error_over_tolerance").get<double>(), 1.0);
  // Reversed direction laws (right magnitudes, wrong signs) are direction failures of every quantity.
  const auto rev = run("li2024.exact-laws", with(laws_small, "law_factor=-1"));
  EXPECT_EQ(rev.at("verdict"), "violated");
  for (const auto& q : rev.at("details").at("per_quantity")) {
    EXPECT_EQ(q.at("direction_failures").get<long>(), q.at("checks").get<long>()) << q.dump();
    EXPECT_EQ(q.at("magnitude_failures").get<long>(), 0) << q.dump();
  }
}

TEST(ClaimsLi2024Stages, FourStagesHoldInTheSeparatedRegime) {
  const auto r = run("li2024.four-stages", stages_small);
  expect_complete(r, "li2024.four-stages");
  EXPECT_EQ(r.at("verdict"), "holds") << r.at("summary");
  for (const auto& run : r.at("details").at("runs")) {
    EXPECT_EQ(run.at("T1"), run.at("T1_closed_form"));
    EXPECT_LE(run.at("T1").get<int>(), run.at("T2").get<int>());
    EXPECT_LE(run.at("T2").get<int>(), run.at("T3").get<int>());
    EXPECT_GE(run.at("T4").get<int>(), 0);
    // Adam keeps the misaligned query noise misaligned, SignGD flips all of it.
    EXPECT_EQ(run.at("signgd_stay").at("still_misaligned_at_end").get<double>(), 0.0);
    EXPECT_GT(run.at("adam").at("still_misaligned_at_end").get<double>(), 0.5);
  }
}

TEST(ClaimsLi2024Stages, FourStagesDetectAWrongClosedFormT1) {
  auto shorter = stages_small;
  shorter[7] = "steps=60";  // T1 is a few steps; the other parts may then be inconclusive, a violation still wins
  for (const char* off : {"t1_offset=1", "t1_offset=-1"}) {
    const auto r = run("li2024.four-stages", with(shorter, off));
    EXPECT_EQ(r.at("verdict"), "violated") << off << ": " << r.at("summary");
    EXPECT_NE(r.at("worst").at("what").get<std::string>().find("T1 equals the closed form"), std::string::npos) << r.at("worst").dump();
  }
}

TEST(ClaimsLi2024Stages, ResultsAreIdenticalForOneAndTwoJobs) {
  auto strip = [](nlohmann::json j) {
    j.erase("seconds");
    return j;
  };
  EXPECT_EQ(strip(run("li2024.exact-laws", laws_small, 1)), strip(run("li2024.exact-laws", laws_small, 2)));
  // With a contrast setting too: the parallel loop mixes runs of different lengths.
  auto s = stages_small;
  s[7] = "steps=300";
  s[9] = "contrast_eta=0.0005";
  s.push_back("contrast_steps=200");
  EXPECT_EQ(strip(run("li2024.four-stages", s, 1)), strip(run("li2024.four-stages", s, 2)));
}

TEST(ClaimsLi2024Stages, BadParametersAreBadInput) {
  // Disjoint supports need n s <= d - 1.
  EXPECT_THROW(run("li2024.exact-laws", {"d=100", "n=10", "s=10"}), ac::bad_input);
  EXPECT_THROW(run("li2024.four-stages", {"d=100", "n=10", "s=10", "contrast_eta=0"}), ac::bad_input);
  // s > d - 1 even without disjointness; a control smaller than the support.
  EXPECT_THROW(run("li2024.exact-laws", {"d=10", "n=1", "s=10", "disjoint=0"}), ac::bad_input);
  EXPECT_THROW(run("li2024.exact-laws", with(laws_small, "control_d=20")), ac::bad_input);
  // Out-of-domain and malformed values.
  EXPECT_THROW(run("li2024.four-stages", {"eta=0"}), ac::bad_input);
  EXPECT_THROW(run("li2024.four-stages", {"disjoint=2"}), ac::bad_input);
  EXPECT_THROW(run("li2024.exact-laws", {"sigma0=nan"}), ac::bad_input);
  EXPECT_THROW(run("li2024.exact-laws", {"steps=1.5"}), ac::bad_input);
}

TEST(ClaimsLi2024Common, ReplicatesAreReproducibleAndDisjoint) {
  li::setting s;
  s.law.d = 500, s.law.s = 10, s.n = 6, s.m_k = 3, s.m_v = 2, s.test_points = 7;
  const auto a = li::draw_replicate(s, 5, "li2024.test", 2), b = li::draw_replicate(s, 5, "li2024.test", 2);
  const auto c = li::draw_replicate(s, 5, "li2024.test", 3);
  EXPECT_EQ(a.W0.WQ, b.W0.WQ);
  EXPECT_EQ(a.train[0].xi.value, b.train[0].xi.value);
  EXPECT_NE(a.W0.WQ, c.W0.WQ);
  EXPECT_EQ(a.test.size(), 7u);
  std::vector<int> seen(s.law.d, 0);
  for (const auto& x : a.train)
    for (int k : x.xi.index) EXPECT_EQ(seen[k]++, 0) << "coordinate " << k << " in two supports";
}

TEST(ClaimsLi2024Common, StageTimesOnHandBuiltTrajectories) {
  // t:        0      1      2      3      4      5
  // A:        +      +      -      -      -      -      -> T1 = 2
  // q/k noise disagree until 3                            -> T2 = 3
  // query signal sign: +, -, -, +, +, +  (last change at 3) -> T3 = 3
  // noise has the query-signal sign from 4                 -> T4 = 4
  // s21 below 1e-2 from 5                                  -> 5
  li::trajectory tr;
  tr.points = {point(0, 1.0, 0.5, 0.1, -0.1, 0.2, -0.3), point(1, 1.0, 0.9, -0.1, 0.1, 0.2, -0.1),
               point(2, 1.0, 1.2, -0.1, 0.1, -0.2, 0.1), point(3, 1.0, 1.5, 0.1, -0.1, -0.2, -0.1),
               point(4, 1.0, 1.8, 0.1, -0.1, 0.3, 0.2), point(5, 1.0, 2.1, 0.2, -0.2, 0.4, 0.3, 1e-3)};
  auto st = li::measure_stage_times(tr);
  EXPECT_EQ(st.T1, 2);
  EXPECT_EQ(st.T2, 3);
  EXPECT_EQ(st.T3, 3);
  EXPECT_EQ(st.T4, 4);
  EXPECT_EQ(st.stage4_s21_time, 5);
  // A sign change at the final point: the signals have not settled within the run.
  tr.points.back().tracked.query_signal(0) = -0.2;
  st = li::measure_stage_times(tr);
  EXPECT_EQ(st.T3, -1);
  // Events that never happen are -1.
  li::trajectory none;
  none.points = {point(0, 1.0, 0.5, 0.1, -0.1, 0.2, -0.3), point(1, 1.0, 0.6, 0.1, -0.1, 0.2, -0.3)};
  st = li::measure_stage_times(none);
  EXPECT_EQ(st.T1, -1);
  EXPECT_EQ(st.T2, -1);
  EXPECT_EQ(st.T3, 0);
  EXPECT_EQ(st.T4, -1);
  EXPECT_EQ(st.stage4_s21_time, -1);
}
