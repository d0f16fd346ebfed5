// The convergence and generalization claims of Li et al. 2024 (claims/li2024/generalization.hpp):
// their measurements against hand-computed values, their verdict rules in every direction (a wrong
// band or a bound shifted above the measurement is reported violated through the same check
// function the claims use), tiny runs of the three claims (a verdict, finite numbers, identical for
// --jobs 1 and 2) and bad parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bounds/li2024/convergence.hpp"
#include "bounds/li2024/test_loss.hpp"
#include "claims/li2024/claims.hpp"
#include "claims/li2024/generalization.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace ac = attnbound::claims;
namespace li = attnbound::claims::li2024;
namespace ml = attnbound::model::li2024;
namespace bl = attnbound::bounds::li2024;

namespace {

// A small setting whose SignGD run reaches Stage IV well within 600 steps (d 2000, n 6, s 20).
li::setting small_setting() {
  li::setting s;
  s.law.d = 2000, s.law.s = 20, s.law.sigma_p = 1, s.law.mu_norm = 1;
  s.n = 6, s.m_k = 5, s.m_v = 5, s.sigma0 = 0.01, s.eta = 1e-3, s.steps = 600, s.seeds = 1, s.test_points = 200;
  return s;
}

const std::vector<std::string>& small_overrides() {
  static const std::vector<std::string> o = {"d=2000", "n=6", "s=20", "m_k=5", "m_v=5", "seeds=2", "test_points=100"};
  return o;
}

std::vector<std::string> with(std::vector<std::string> extra) {
  auto v = small_overrides();
  v.insert(v.end(), extra.begin(), extra.end());
  return v;
}

nlohmann::json run(const ac::claim& c, const std::vector<std::string>& overrides, int jobs = 1) {
  ac::check_options opt;
  opt.seed = 11;
  opt.jobs = jobs;
  auto r = ac::run_claim(c, overrides, opt).at("claims").at(0);
  r.erase("seconds");
  return r;
}

// One seed of li2024.linear-convergence measured by hand with the claim's own pieces.
li::convergence_seed measure_convergence_seed(const li::setting& s, const li::convergence_rule& rule, int adam_steps) {
  const auto rep = li::draw_replicate(s, 3, "test/linear-convergence", 0);
  ml::train_options o;
  o.eta = s.eta, o.steps = s.steps;
  const auto tr = li::record_trajectory(s, rep, o, 1, 0);
  std::vector<double> loss(static_cast<std::size_t>(s.steps) + 1);
  for (const auto& p : tr.points) loss[static_cast<std::size_t>(p.t)] = p.train_loss;
  ml::train_options a;
  a.opt = ml::optimizer::adam, a.eta = s.eta, a.steps = adam_steps;
  std::vector<double> adam(static_cast<std::size_t>(adam_steps) + 1);
  ml::train(rep.W0, s.law, rep.train, a, [&](int t, const ml::attention_params&, const ml::loss_and_gradient& g) {
    adam[static_cast<std::size_t>(t)] = g.loss;
    return true;
  });
  const auto [lo, hi] = li::noise_l1_range(rep.train);
  const auto band = bl::log_loss_slope_band<double>(s.eta, lo, hi);
  li::convergence_seed c;
  c.T4 = li::measure_stage_times(tr).T4;
  c.band_lo = band.lo, c.band_hi = band.hi, c.adam_steps = adam_steps;
  c.signgd = li::fit_log_loss_slope(loss, c.T4, s.steps, rule.loss_floor);
  const int mid = (c.T4 + adam_steps) / 2;
  c.adam_first = li::fit_log_loss_slope(adam, c.T4, mid, rule.loss_floor);
  c.adam_second = li::fit_log_loss_slope(adam, mid, adam_steps, rule.loss_floor);
  return c;
}

}  // namespace

// ---- measurements -----------------------------------------------------------------------------

TEST(Li2024Generalization, LogLossSlopeOfAnExactExponentialStopsAtTheFloor) {
  std::vector<double> loss;
  for (int t = 0; t <= 100; ++t) loss.push_back(std::exp(-0.25 * t));
  const auto f = li::fit_log_loss_slope(loss, 10, 100, std::exp(-0.25 * 60.5));
  EXPECT_EQ(f.from, 10);
  EXPECT_EQ(f.to, 60);  // exp(-0.25 * 61) is below the floor
  EXPECT_EQ(f.points, 51);
  EXPECT_NEAR(f.slope, -0.25, 1e-12);
  EXPECT_TRUE(std::isnan(li::fit_log_loss_slope(loss, -1, 100, 0).slope));  // T_4 not reached
  EXPECT_TRUE(std::isnan(li::fit_log_loss_slope(loss, 100, 100, 0).slope));  // one point
}

TEST(Li2024Generalization, ZeroModelHasLossLog2AndUntouchedCountsAreExact) {
  auto s = small_setting();
  const auto rep = li::draw_replicate(s, 5, "test/points", 0);
  ml::attention_params W = rep.W0;
  W.WVp.setZero(), W.WVm.setZero();  // v = 0: f = 0 on every point
  const auto pl = li::evaluate_points(W, s.law, rep.test);
  ASSERT_EQ(pl.loss.size(), rep.test.size());
  for (double l : pl.loss) EXPECT_DOUBLE_EQ(l, std::log(2.0));
  EXPECT_DOUBLE_EQ(pl.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(li::value_signal(W, s.law), 0.0);
  EXPECT_DOUBLE_EQ(li::mean_value_noise(W, rep.train), 0.0);
  // Disjoint supports touch exactly n s coordinates; v^(0)_k has variance 2 sigma0^2 / m_v.
  const auto u = li::untouched_value_summary(rep.W0, s.law, rep.train);
  EXPECT_EQ(u.touched, s.n * s.law.s);
  EXPECT_NEAR(u.mean_v0_sq, 2 * s.sigma0 * s.sigma0 / s.m_v, 0.1 * 2 * s.sigma0 * s.sigma0 / s.m_v);
  // v_k by hand.
  EXPECT_DOUBLE_EQ(li::value_coordinate(rep.W0, 7), rep.W0.WVp.col(7).mean() - rep.W0.WVm.col(7).mean());
}

// ---- verdict rules ----------------------------------------------------------------------------

TEST(Li2024Generalization, ConvergenceCheckHoldsAndAWrongBandIsViolated) {
  const auto s = small_setting();
  li::convergence_rule rule;
  const auto c = measure_convergence_seed(s, rule, 600);
  ASSERT_GE(c.T4, 0);
  ASSERT_GE(c.signgd.points, rule.min_window);
  EXPECT_EQ(li::judge_linear_convergence({c}, rule).v, ac::verdict::holds);
  // The band of a four times larger step size on the same data: the measured slope lies above it.
  auto wrong = c;
  const double min_l1 = -c.band_hi / (2 * s.eta), max_l1 = -c.band_lo / (4 * s.eta);
  const auto b4 = bl::log_loss_slope_band<double>(4 * s.eta, min_l1, max_l1);
  wrong.band_lo = b4.lo, wrong.band_hi = b4.hi;
  ASSERT_GT(c.signgd.slope, wrong.band_hi);
  const auto j = li::judge_linear_convergence({c, wrong}, rule);
  EXPECT_EQ(j.v, ac::verdict::violated);
  EXPECT_EQ(j.inside, 1);
  EXPECT_EQ(j.outside.size(), 1u);
  // A band that is too steep at the other end (slopes shallower than measured) is violated too.
  auto shallow = c;
  shallow.band_lo = c.signgd.slope / 4, shallow.band_hi = c.signgd.slope / 8;
  EXPECT_EQ(li::judge_linear_convergence({shallow}, rule).v, ac::verdict::violated);
  // Stage IV not reached: inconclusive, never holds.
  auto early = c;
  early.T4 = -1;
  EXPECT_EQ(li::judge_linear_convergence({early}, rule).v, ac::verdict::inconclusive);
  // A linear-rate "Adam" (equal slopes in both halves) is not sublinear: violated.
  auto linear = c;
  linear.adam_second.slope = linear.adam_first.slope;
  EXPECT_FALSE(li::read_adam(linear, rule).sublinear);
  EXPECT_EQ(li::judge_linear_convergence({linear}, rule).v, ac::verdict::violated);
}

TEST(Li2024Generalization, AdamPowerLawRatioMatchesAnExactPowerLaw) {
  li::convergence_seed c;
  c.T4 = 100, c.band_hi = -1;
  std::vector<double> loss;
  for (int t = 0; t <= 600; ++t) loss.push_back(std::pow(std::max(t, 1), -1.3));
  c.adam_first = li::fit_log_loss_slope(loss, 100, 350, 0);
  c.adam_second = li::fit_log_loss_slope(loss, 350, 600, 0);
  li::convergence_rule rule;
  const auto a = li::read_adam(c, rule);
  ASSERT_TRUE(a.judged);
  EXPECT_NEAR(a.power_law_ratio, std::log(600.0 / 350) / std::log(350.0 / 100), 1e-12);
  EXPECT_NEAR(a.ratio, a.power_law_ratio, 0.03);  // least squares vs mean slope of log t
  EXPECT_TRUE(a.sublinear);
}

TEST(Li2024Generalization, TestLossBoundCheckFlagsABoundAboveTheMeasurement) {
  auto seed = [](int r, double mean, double half, double bound) {
    li::generalization_seed g;
    g.replicate = r, g.T_eps = 50, g.test_mean = mean, g.test_low = mean - half, g.test_high = mean + half, g.bound = bound;
    return g;
  };
  std::vector<li::generalization_seed> ok, shifted, one;
  for (int r = 0; r < 8; ++r) {
    ok.push_back(seed(r, 0.6, 0.01, 0.4));
    shifted.push_back(seed(r, 0.6, 0.01, 0.62));  // the bound above every interval
    one.push_back(seed(r, 0.6, 0.01, r == 3 ? 0.62 : 0.4));
  }
  EXPECT_EQ(li::judge_test_loss_bound(ok).v, ac::verdict::holds);
  const auto js = li::judge_test_loss_bound(shifted);
  EXPECT_EQ(js.v, ac::verdict::violated);
  EXPECT_EQ(js.violations.size(), 8u);
  const auto j1 = li::judge_test_loss_bound(one);  // one crossing in 8 is within the 2.5% miss rate
  EXPECT_EQ(j1.v, ac::verdict::holds);
  ASSERT_EQ(j1.violations.size(), 1u);
  EXPECT_EQ(j1.violations[0], 3);
  auto none = ok;
  for (auto& g : none) g.T_eps = -1;
  EXPECT_EQ(li::judge_test_loss_bound(none).v, ac::verdict::inconclusive);
}

TEST(Li2024Generalization, TestLossBoundOnARealRunHoldsAndFailsWhenShifted) {
  // One SignGD run to T_eps at the small setting, measured with the claim's pieces.
  auto s = small_setting();
  const auto rep = li::draw_replicate(s, 9, "test/poor-generalization", 0);
  ml::train_options o;
  o.eta = s.eta, o.steps = 400;
  ml::attention_params W_eps;
  int T_eps = -1;
  ml::train(rep.W0, s.law, rep.train, o, [&](int t, const ml::attention_params& W, const ml::loss_and_gradient& g) {
    if (T_eps < 0 && g.loss <= 1e-3) T_eps = t, W_eps = W;
    return T_eps < 0;
  });
  ASSERT_GE(T_eps, 0);
  const auto pl = li::evaluate_points(W_eps, s.law, rep.test);
  const auto ci = attnbound::stats::t_interval(pl.loss);
  const auto u = li::untouched_value_summary(rep.W0, s.law, rep.train);
  li::generalization_seed g;
  g.T_eps = T_eps, g.test_mean = ci.mean, g.test_low = ci.low, g.test_high = ci.high;
  g.bound = bl::test_loss_lower_bound<double>(bl::support_miss_probability<double>(s.law.d, s.law.s, u.touched),
                                              li::value_signal(W_eps, s.law), s.law.sigma_p, s.law.s, u.mean_v0_sq);
  EXPECT_GT(g.bound, 0);
  EXPECT_EQ(li::judge_test_loss_bound({g}).v, ac::verdict::holds);
  auto shifted = g;
  shifted.bound = g.test_high + 0.05;
  EXPECT_EQ(li::judge_test_loss_bound({shifted}).v, ac::verdict::violated);
}

TEST(Li2024Generalization, OrderedComparisonInEveryDirection) {
  EXPECT_EQ(li::judge_ordered({0.3, 0.2, 0.4, 6}), ac::verdict::holds);
  EXPECT_EQ(li::judge_ordered({-0.3, -0.4, -0.2, 6}), ac::verdict::violated);
  EXPECT_EQ(li::judge_ordered({0.01, -0.1, 0.12, 6}), ac::verdict::inconclusive);
  EXPECT_EQ(li::judge_ordered({0.3, std::nan(""), 0.4, 1}), ac::verdict::inconclusive);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::holds, ac::verdict::inconclusive}), ac::verdict::inconclusive);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::inconclusive, ac::verdict::violated}), ac::verdict::violated);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::holds}), ac::verdict::holds);
}

// ---- tiny runs of the claims ------------------------------------------------------------------

TEST(Li2024Generalization, TinyRunsHoldWithFiniteNumbersAndDoNotDependOnJobs) {
  const auto claims = li::generalization_claims();
  ASSERT_EQ(claims.size(), 3u);
  const std::vector<std::vector<std::string>> overrides = {
      with({"steps=600", "adam_steps=600"}), with({"steps=400"}), {"d=2000", "n=10", "s=20", "m_k=5", "m_v=5", "seeds=3", "test_points=100", "steps=1000", "test_every=50"}};
  for (std::size_t k = 0; k < claims.size(); ++k) {
    SCOPED_TRACE(claims[k].info.id);
    const auto a = run(claims[k], overrides[k], 1);
    const auto b = run(claims[k], overrides[k], 2);
    EXPECT_FALSE(a.contains("error")) << a.dump(2);
    EXPECT_EQ(a.at("verdict"), "holds") << a.at("summary");
    EXPECT_FALSE(a.at("figures").empty());
    EXPECT_FALSE(a.at("statistics").empty());
    attnbound::test::expect_finite_numbers(a, claims[k].info.id);
    EXPECT_EQ(a.dump(), b.dump());
    if (claims[k].info.id == "li2024.not-solely-noise") {
      // The same check on the measured paired differences: GD - SignGD ("GD is worse") is violated.
      for (const auto& pc : a.at("details").at("per_configuration")) {
        std::vector<double> d, reversed;
        for (const auto& row : pc.at("per_seed")) d.push_back(row.at("signgd_minus_gd_test_loss")), reversed.push_back(-d.back());
        EXPECT_EQ(li::judge_ordered(attnbound::stats::t_interval(d)), ac::verdict::holds);
        EXPECT_EQ(li::judge_ordered(attnbound::stats::t_interval(reversed)), ac::verdict::violated);
      }
    }
  }
}

TEST(Li2024Generalization, BadParametersAreBadInput) {
  const auto claims = li::generalization_claims();
  for (const auto& c : claims) {
    SCOPED_TRACE(c.info.id);
    EXPECT_THROW(run(c, with({"n=200"})), ac::bad_input);  // disjoint supports need n s <= d - 1
    EXPECT_THROW(run(c, with({"eta=0"})), ac::bad_input);
    EXPECT_THROW(run(c, with({"nope=1"})), ac::bad_input);
  }
  EXPECT_THROW(run(claims[0], with({"steps=10", "min_window=20"})), ac::bad_input);
  EXPECT_THROW(run(claims[1], with({"epsilon=0.9"})), ac::bad_input);
  EXPECT_THROW(run(claims[1], with({"regime_s=400"})), ac::bad_input);  // n regime_s > d - 1
  EXPECT_THROW(run(claims[2], with({"eta_gd=nan"})), ac::bad_input);
}
