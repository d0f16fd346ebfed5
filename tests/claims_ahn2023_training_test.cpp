// The training claims P9-P15 of the linear-attention papers (claims/ahn2023/p9..p15): their
// statistics helpers against hand-computed values, the comparison verdict rule in both
// directions, and tiny runs of every claim (a verdict, no error, independent of --jobs).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "claims/ahn2023/training_runs.hpp"
#include "claims/ahn2023/training_stats.hpp"
#include "claims/claim.hpp"
#include "claims/runner.hpp"
#include "model/rng.hpp"

namespace ac = attnbound::claims;
namespace ah = attnbound::claims::ahn2023;
namespace icl = attnbound::model::icl;

TEST(Ahn2023TrainingStats, KurtosisAndSkewnessByHand) {
  // {1..5}: mean 3, m2 = 10/5 = 2, m4 = 34/5 = 6.8, kurtosis 6.8/4 = 1.7.
  EXPECT_DOUBLE_EQ(ah::kurtosis({1, 2, 3, 4, 5}), 1.7);
  // {0, 0, 3}: mean 1, m2 = 6/3 = 2, m3 = 6/3 = 2, skewness 2 / 2^1.5.
  EXPECT_NEAR(ah::skewness({0, 0, 3}), 1 / std::sqrt(2.0), 1e-15);
  // Two values: m4 / m2^2 = 1.
  EXPECT_DOUBLE_EQ(ah::kurtosis({-1, 1}), 1.0);
  EXPECT_THROW(ah::kurtosis({2, 2, 2}), std::invalid_argument);
}

TEST(Ahn2023TrainingStats, LowerMedianIsTorchMedian) {
  EXPECT_EQ(ah::lower_median({4, 1, 3, 2}), 2);  // torch.median: no averaging
  EXPECT_EQ(ah::lower_median({5, 1, 3}), 3);
  EXPECT_EQ(ah::lower_median({7}), 7);
}

TEST(Ahn2023TrainingStats, RobustConditionNumberCountsStructuralZeros) {
  Eigen::VectorXd h(5);
  h << 0, 0, 1, -4, 2;  // |h| sorted 0 0 1 2 4: lower median 1, max 4
  EXPECT_DOUBLE_EQ(ah::robust_condition_number(h), 4.0);
  Eigen::VectorXd z(4);
  z << 0, 0, 0.5, 3;  // lower median 0 (the one-layer case of spec 1.2): infinite
  EXPECT_TRUE(std::isinf(ah::robust_condition_number(z)));
}

TEST(Ahn2023TrainingStats, PearsonByHand) {
  // x = (1,2,3), y = (2,4,7): sxy = 5, sxx = 2, syy = 38/3.
  EXPECT_NEAR(ah::pearson({1, 2, 3}, {2, 4, 7}), 5 / std::sqrt(2 * 38.0 / 3), 1e-14);
  EXPECT_NEAR(ah::pearson({1, 2, 3}, {3, 2, 1}), -1, 1e-15);
}

TEST(Ahn2023TrainingStats, DirectionalSmoothnessIsTheSecondDirectionalDerivative) {
  icl::lsa_model m;
  m.L = 2;
  icl::prompt_options p;
  p.n = 6;
  auto rng = attnbound::model::make_rng(3, "test/ds");
  const auto theta = icl::initial_parameters(m, rng, 0.3);
  const auto batch = icl::draw_prompts(p, 40, rng);
  Eigen::VectorXd dir(theta.size());
  for (int i = 0; i < dir.size(); ++i) dir[i] = attnbound::model::standard_normal(rng);
  const Eigen::VectorXd u = dir / dir.norm();
  const auto a = ah::directional_smoothness(m, theta, theta + 0.01 * dir, batch);
  const auto b = ah::directional_smoothness(m, theta, theta + 5.0 * dir, batch);
  EXPECT_DOUBLE_EQ(a.ds, b.ds);  // only the direction matters
  const double h = 1e-3;
  const double fd = (icl::loss(m, theta + h * u, batch) - 2 * icl::loss(m, theta, batch) + icl::loss(m, theta - h * u, batch)) / (h * h);
  EXPECT_NEAR(a.ds, fd, 1e-4 * std::max(1.0, std::abs(fd)));
  Eigen::VectorXd g;
  icl::loss_and_gradient(m, theta, batch, g);
  EXPECT_DOUBLE_EQ(a.grad_norm, g.norm());
}

TEST(Ahn2023TrainingStats, ComparisonVerdictFlipsWithTheOrdering) {
  const std::vector<double> big{10, 12, 9, 11, 10.5}, small{1, 1.1, 0.9, 1.2, 1.0};
  const auto up = ah::paired_log_ratio(big, small), down = ah::paired_log_ratio(small, big);
  EXPECT_NEAR(up.estimate * down.estimate, 1, 1e-12);
  EXPECT_EQ(ah::compare_above(up.low, up.high, 2, true), ac::verdict::holds);
  EXPECT_EQ(ah::compare_above(down.low, down.high, 2, true), ac::verdict::violated);
  EXPECT_EQ(ah::compare_above(down.low, down.high, 2, false), ac::verdict::inconclusive);  // reduced scale
  EXPECT_EQ(ah::compare_above(0.5, 3, 2, true), ac::verdict::inconclusive);                 // straddles
  EXPECT_EQ(ah::compare_above(NAN, 3, 2, true), ac::verdict::inconclusive);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::holds, ac::verdict::holds}), ac::verdict::holds);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::holds, ac::verdict::inconclusive}), ac::verdict::inconclusive);
  EXPECT_EQ(ac::combine_verdicts({ac::verdict::inconclusive, ac::verdict::violated}), ac::verdict::violated);
  // Bootstrap ratio of kurtoses: heavy over light holds, the reverse is shown opposite.
  std::vector<double> heavy, light;
  auto rng = attnbound::model::make_rng(9, "test/kurt");
  for (int i = 0; i < 400; ++i) {
    const double z = attnbound::model::standard_normal(rng);
    light.push_back(z);
    heavy.push_back(z * z * z);  // kurtosis of Z^3 is 3465/225 = 15.4
  }
  const auto kh = ah::bootstrap_ratio(heavy, light, ah::kurtosis, 300, 1);
  const auto kl = ah::bootstrap_ratio(light, heavy, ah::kurtosis, 300, 1);
  EXPECT_EQ(ah::compare_above(kh.low, kh.high, 2, true), ac::verdict::holds);
  EXPECT_EQ(ah::compare_above(kl.low, kl.high, 2, true), ac::verdict::violated);
}

namespace {

struct tiny {
  const char* id;
  std::vector<std::string> overrides;
};

std::vector<tiny> tiny_cases() {
  const std::vector<std::string> shared = {"iterations=60", "batch=20", "seeds=2", "test_prompts=50", "eval_every=10"};
  auto with = [&](std::vector<std::string> extra) {
    auto v = shared;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  return {
      {"ahn2023.trained-one-layer", {"laws=1", "iterations=20", "decay_every=10", "batch=50", "seeds=2", "test_prompts=2000"}},
      {"ahn2023.adam-vs-sgd", with({"settings=1,2", "early=30"})},
      {"ahn2023.depth-gap", with({"Ls=2,3"})},
      {"ahn2023.heavy-tailed-noise", {"samples=40", "batch=10", "true_prompts=1000", "Ls=2", "resamples=100", "bins=10"}},
      {"ahn2023.directional-smoothness", with({"settings=1", "Ls=3", "hessian_prompts=10"})},
      {"ahn2023.robust-condition-number", with({"settings=1", "Ls=3", "hessian_prompts=10", "R_iterations=50"})},
      {"ahn2023.generalized-smoothness", with({"settings=1", "Ls=3", "hessian_prompts=10"})},
  };
}

}  // namespace

TEST(Ahn2023TrainingClaims, TinyRunsGiveAVerdict) {
  for (const auto& c : tiny_cases()) {
    SCOPED_TRACE(c.id);
    const ac::claim* claim = ac::find_claim(c.id);
    ASSERT_NE(claim, nullptr);
    ac::check_options opt;
    opt.seed = 7;
    const auto r = ac::run_claim(*claim, c.overrides, opt).at("claims").at(0);
    EXPECT_FALSE(r.contains("error")) << r.dump(2);
    const std::string v = r.at("verdict");
    EXPECT_TRUE(v == "holds" || v == "violated" || v == "inconclusive" || v == "vacuous");
    EXPECT_FALSE(r.at("summary").get<std::string>().empty());
    EXPECT_FALSE(r.at("figures").empty());
  }
}

TEST(Ahn2023TrainingClaims, ResultsDoNotDependOnJobsOrCache) {
  for (const char* id : {"ahn2023.adam-vs-sgd", "ahn2023.heavy-tailed-noise", "ahn2023.directional-smoothness"}) {
    const auto cases = tiny_cases();
    const auto& c = *std::find_if(cases.begin(), cases.end(), [&](const tiny& t) { return t.id == std::string(id); });
    ac::check_options one, two;
    one.seed = two.seed = 5;
    two.jobs = 2;
    ah::clear_training_cache();
    auto a = ac::run_claim(*ac::find_claim(id), c.overrides, one).at("claims").at(0);
    ah::clear_training_cache();
    auto b = ac::run_claim(*ac::find_claim(id), c.overrides, two).at("claims").at(0);
    auto cached = ac::run_claim(*ac::find_claim(id), c.overrides, two).at("claims").at(0);  // served by the cache
    for (auto* j : {&a, &b, &cached}) j->erase("seconds");
    EXPECT_EQ(a.dump(), b.dump()) << id;
    EXPECT_EQ(a.dump(), cached.dump()) << id;
  }
}

TEST(Ahn2023TrainingClaims, ShorterRunsArePrefixesOfLongerOnes) {
  ah::clear_training_cache();
  ac::run_context ctx;
  ctx.seed = 3;
  ah::run_spec s;
  s.s = ah::setting_s1();
  s.batch = 10, s.test_prompts = 20, s.eval_every = 10, s.seed = 3, s.iterations = 40;
  const auto short_run = ah::get_runs({s}, ctx, "test").at(0);
  ah::clear_training_cache();
  s.iterations = 80;
  ah::get_runs({s}, ctx, "test");
  s.iterations = 40;
  const auto prefix = ah::get_runs({s}, ctx, "test").at(0);  // cut from the cached 80-step run
  EXPECT_EQ(prefix->iterations, 40);
  EXPECT_EQ(prefix->test_loss, short_run->test_loss);
  EXPECT_EQ(prefix->eval_t, short_run->eval_t);
  EXPECT_EQ(prefix->snapshots.at(40), short_run->snapshots.at(40));
}
