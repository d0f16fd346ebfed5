// The deterministic-identity claims P1-P8 of the linear-attention papers (ahn2023.*,
// vonoswald2023.*, zhang2024.*): each runs end to end at a tiny scale and holds; each check can
// fail: a deliberately wrong closed form (a perturbed Q*, C*, step, training length) run through
// the same claim is reported as violated, and the reference computations behind the exact
// identities disagree with the model when they are fed a wrong formula.
#include <gtest/gtest.h>

#include <cmath>

#include "claims/ahn2023/identity_common.hpp"
#include "claims/ahn2023/identity_references.hpp"
#include "claims/claim.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace ac = attnbound::claims;
using attnbound::test::expect_finite_numbers;
namespace ah = attnbound::claims::ahn2023;
namespace icl = attnbound::model::icl;
namespace md = attnbound::model;

namespace {

struct tiny_case {
  const char* id;
  std::vector<std::string> overrides;
};

const std::vector<tiny_case>& cases() {
  static const std::vector<tiny_case> c = {
      {"ahn2023.one-layer-quadratic", {"random_C=1", "batches=8", "B=400", "exact_B=32"}},
      {"ahn2023.theorem1", {"batches=16", "B=400", "directions=1", "step=0.6"}},
      {"vonoswald2023.one-step", {"prompts=4", "max_layers=3"}},
      {"ahn2023.lemma1", {"prompts=3", "max_layers=4"}},
      {"zhang2024.test-length", {"M_list=5,20,100", "c_list=2", "c_M=50", "batches=8", "B=300"}},
      {"ahn2023.multistep-gd", {"n_list=20", "scan=-0.3,0.3", "batches=8", "B=500"}},
      {"ahn2023.invariances", {"B=24", "draws=1"}},
      {"ahn2023.theorem5", {"scan=-0.3,0,0.3", "batches=8", "B=400"}},
  };
  return c;
}

nlohmann::json run(const char* id, std::vector<std::string> overrides, int jobs = 1) {
  ac::check_options opt;
  opt.seed = 7;
  opt.jobs = jobs;
  const ac::claim* c = ac::find_claim(id);
  EXPECT_NE(c, nullptr) << id;
  return ac::run_claim(*c, overrides, opt).at("claims").at(0);
}

}  // namespace

TEST(ClaimsAhn2023Identities, TinyRunsHold) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    const auto r = run(c.id, c.overrides);
    EXPECT_FALSE(r.contains("error")) << r.dump();
    EXPECT_EQ(r.at("verdict"), "holds") << r.at("summary");
    EXPECT_TRUE(r.at("status") == "exact" || r.at("status") == "derived") << r.at("status");
    EXPECT_FALSE(r.at("worst").empty());
    EXPECT_FALSE(r.at("figures").empty());
    EXPECT_FALSE(r.at("bounds").empty() && r.at("statistics").empty());
    expect_finite_numbers(r.at("details"), c.id);
  }
}

// The same claims, fed a wrong closed form, say "violated".
TEST(ClaimsAhn2023Identities, WrongClosedFormsAreDetected) {
  struct wrong {
    const char* id;
    std::vector<std::string> overrides;
  };
  const std::vector<wrong> w = {
      {"ahn2023.one-layer-quadratic", {"random_C=1", "batches=8", "B=400", "exact_B=32", "perturb=0.4"}},
      {"ahn2023.theorem1", {"batches=16", "B=400", "directions=1", "step=0.6", "q_scale=1.2"}},
      {"zhang2024.test-length", {"M_list=5,20,100", "c_list=2", "c_M=50", "batches=8", "B=300", "N_formula=30"}},
      {"ahn2023.multistep-gd", {"n_list=20", "scan=-0.3,0.3", "batches=8", "B=500", "step_scale=1.3"}},
      {"ahn2023.theorem5", {"scan=-0.3,0,0.3", "batches=8", "B=400", "q_scale=1.2"}},
  };
  for (const auto& c : w) {
    SCOPED_TRACE(c.id);
    const auto r = run(c.id, c.overrides);
    EXPECT_EQ(r.at("verdict"), "violated") << r.at("summary");
  }
}

TEST(ClaimsAhn2023Identities, ResultsDoNotDependOnJobs) {
  for (const char* id : {"ahn2023.one-layer-quadratic", "zhang2024.test-length"}) {
    const auto& c = *std::find_if(cases().begin(), cases().end(), [&](const tiny_case& t) { return t.id == std::string(id); });
    auto a = run(id, c.overrides, 1), b = run(id, c.overrides, 2);
    a.erase("seconds");
    b.erase("seconds");
    EXPECT_EQ(a.dump(), b.dump()) << id;
  }
}

// The exact identities' references disagree with the model when the formula is wrong.
TEST(ClaimsAhn2023Identities, ReferencesDetectWrongFormulas) {
  auto rng = md::make_rng(3, "ahn2023.test.references");
  const int d = 4, n = 9;
  icl::prompt_options data;
  data.d = d, data.n = n;
  const auto batch = icl::draw_prompts(data, 3, rng);
  const ah::prompt_view pv = ah::view_prompt(batch, 1);

  // Lemma 1 with a non-symmetric A: the model matches A^T to rounding, not A.
  Eigen::MatrixXd A = 0.3 * Eigen::MatrixXd::Identity(d, d);
  A(0, 1) = 0.2;
  icl::lsa_model m;
  m.d = d, m.L = 2, m.par = icl::parameterization::sparse;
  const Eigen::MatrixXd Z = icl::forward_tokens(m, ah::sparse_theta(m, {A, A}), batch, 1);
  const Eigen::MatrixXd At = A.transpose();
  EXPECT_LT(ah::scaled_max_error(Z, ah::lemma1_expected_tokens(pv, ah::preconditioned_gd(pv, {At, At}))), 1e-13);
  EXPECT_GT(ah::scaled_max_error(Z, ah::lemma1_expected_tokens(pv, ah::preconditioned_gd(pv, {A, A}))), 1e-6);

  // [VO]: the sparse layer with A = eta I is one GD step with step eta, not 1.01 eta.
  icl::lsa_model m1 = m;
  m1.L = 1;
  const double eta = 0.7;
  const Eigen::MatrixXd Z1 = icl::forward_tokens(m1, ah::sparse_theta(m1, {eta * Eigen::MatrixXd::Identity(d, d)}), batch, 1);
  const Eigen::RowVectorXd W0 = Eigen::RowVectorXd::Zero(d);
  EXPECT_LT(ah::scaled_max_error(Z1, ah::vo_expected_tokens(pv, W0, eta, 1)), 1e-13);
  EXPECT_GT(ah::scaled_max_error(Z1, ah::vo_expected_tokens(pv, W0, 1.01 * eta, 1)), 1e-6);

  // P1: the model's one-layer loss is the batch's quadratic form in C, and C vs C^T matters.
  icl::lsa_model mc;
  mc.d = d, mc.L = 1, mc.par = icl::parameterization::code;
  Eigen::MatrixXd C = Eigen::MatrixXd::Identity(d, d);
  C(2, 0) = 0.5;
  const auto q = ah::one_layer_empirical_quadratic(batch);
  const double f = icl::loss(mc, ah::code_theta(mc, {Eigen::MatrixXd::Zero(d, d)}, {C}), batch);
  EXPECT_LT(std::abs(f - q.value(C)) / q.magnitude(C), 1e-14);
  EXPECT_GT(std::abs(f - q.value(C.transpose())) / q.magnitude(C), 1e-6);

  // Rescaling only P (not Q by 1/g) changes the loss: the invariance check has power.
  icl::lsa_model mf;
  mf.d = d, mf.L = 1, mf.par = icl::parameterization::full;
  const Eigen::VectorXd th = icl::initial_parameters(mf, rng, 0.3);
  auto layers = icl::unpack(mf, th);
  layers[0].P *= 2.0;
  EXPECT_GT(ah::relative_error(icl::loss(mf, icl::pack(mf, layers), batch), icl::loss(mf, th, batch)), 1e-6);
  layers[0].Q /= 2.0;
  EXPECT_LT(ah::relative_error(icl::loss(mf, icl::pack(mf, layers), batch), icl::loss(mf, th, batch)), 1e-13);
}

TEST(ClaimsAhn2023Identities, ZeroGradientTestRejectsAShiftedMean) {
  Eigen::MatrixXd g(3, 10);
  for (int k = 0; k < 10; ++k) g(0, k) = (k % 2 ? 1.0 : -1.0), g(1, k) = 5.0 + (k % 2 ? 1.0 : -1.0), g(2, k) = 0.0;
  const auto z = ah::test_zero_gradient(g, 0.99);
  EXPECT_EQ(z.exact_zero, 1);
  EXPECT_EQ(z.tested, 2);
  EXPECT_EQ(z.outside, 1);
  EXPECT_EQ(z.worst, 1);
  EXPECT_FALSE(z.holds());
}
