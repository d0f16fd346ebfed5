// Property-based checks (rapidcheck) of the deterministic identities of the linear-attention
// papers (spec ahn2023-linear-attention.md section 4, P1, P3, P4, P7): [AHN-a] Lemma 1, the
// [VO] construction, the rescaling invariance, the last layer's P block, the one-layer
// quadratic identity and its closed form. Random configurations: d in 1..8, n in 1..40,
// L in 1..5, covariance (identity, random diagonal spectrum, randomly rotated spectrum with
// eigenvalues 2^(k/4), |k| <= 8), and the seed of the model streams. Every property logs its
// configuration (RC_LOG) so a failure prints what is needed to replay it; CI runs with
// RC_PARAMS=seed=20260123.
//
// "To rounding": model and reference agree to max|difference| <= tol * max(1, max|reference|)
// with tol = 1e-12 for the forward-pass identities (each token is a sum of at most n terms per
// layer, L <= 5 layers of steps that do not expand) and 1e-11 for losses of random full
// parameters (their values can reach 1e3-1e6, rounding grows with them).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "bounds/ahn2023/one_layer.hpp"
#include "claims/ahn2023/identity_common.hpp"
#include "claims/ahn2023/identity_references.hpp"
#include "model/icl_prompts.hpp"
#include "model/linear_attention.hpp"
#include "model/rng.hpp"

namespace {

namespace ab = attnbound::bounds::ahn2023;
namespace ah = attnbound::claims::ahn2023;
namespace icl = attnbound::model::icl;
namespace md = attnbound::model;
using Eigen::MatrixXd;
using Eigen::VectorXd;

std::uint64_t draw_seed() { return *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32); }

/// Uniform in [0, k) at every size (inRange scales its range with rapidcheck's size).
int choose(int k) { return *rc::gen::resize(100, rc::gen::inRange(0, k)); }

double uniform01(md::rng_t& rng) { return boost::random::uniform_01<double>()(rng); }

struct config {
  int d = 1, n = 1, L = 1, cov = 0;
  std::uint64_t seed = 0;
};

config draw_config() {
  config c;
  c.d = *rc::gen::inRange(1, 9);
  c.n = *rc::gen::inRange(1, 41);
  c.L = *rc::gen::inRange(1, 6);
  c.cov = choose(3);  // 0 identity, 1 diagonal spectrum, 2 rotated spectrum
  c.seed = draw_seed();
  RC_LOG() << "d=" << c.d << " n=" << c.n << " L=" << c.L << " cov=" << c.cov << " seed=" << c.seed << "\n";
  return c;
}

/// Gaussian covariates with the configuration's covariance (eigenvalues 2^(k/4), |k| <= 8).
ah::law_case draw_law(const config& c, md::rng_t& rng) {
  if (c.cov == 0) return ah::gaussian_law(c.d, c.n, std::vector<double>(c.d, 1.0));
  std::vector<double> lambda;
  for (int i = 0; i < c.d; ++i) {
    boost::random::uniform_int_distribution<int> k(-8, 8);
    lambda.push_back(std::pow(2.0, k(rng) / 4.0));
  }
  bool iso = std::all_of(lambda.begin(), lambda.end(), [](double l) { return l == 1.0; });
  if (iso) lambda[0] = 2.0;  // keep the case anisotropic
  return c.cov == 1 ? ah::gaussian_law(c.d, c.n, lambda, MatrixXd::Identity(c.d, c.d))
                    : ah::gaussian_law(c.d, c.n, lambda, ah::random_rotation(c.d, rng));
}

MatrixXd gaussian_matrix(int r, int c, double sd, md::rng_t& rng) {
  MatrixXd M(r, c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i) M(i, j) = sd * md::standard_normal(rng);
  return M;
}

/// A step size eta with eta * lambda_max(S_b) <= u < 2 for every prompt of the batch (lambda_max
/// <= tr S), so repeated GD steps do not expand.
double stable_step(const icl::prompt_batch& batch, double u) {
  double t = 0;
  for (int b = 0; b < batch.B; ++b) {
    const ah::prompt_view p = ah::view_prompt(batch, b);
    t = std::max(t, p.X.squaredNorm() / batch.n);
  }
  return u / std::max(t, 1e-300);
}

}  // namespace

// [AHN-a] Lemma 1 (P4): the sparse L-layer forward pass is L steps of preconditioned GD with
// A_l^T (A_l non-symmetric), every token to rounding.
RC_GTEST_PROP(Ahn2023PropertyLemma1, SparseLayersArePreconditionedGD, ()) {
  const config c = draw_config();
  const int B = *rc::gen::inRange(1, 4);
  auto rng = md::make_rng(c.seed, "ahn2023.properties.lemma1");
  const auto law = draw_law(c, rng);
  const auto batch = icl::draw_prompts(law.data, B, rng);
  const double eta = stable_step(batch, 0.2 + 1.2 * uniform01(rng));
  std::vector<MatrixXd> A, At;
  for (int l = 0; l < c.L; ++l) {
    // ||A - eta I|| <= 0.3 eta / sqrt(d) ||E||: a perturbed, non-symmetric preconditioner
    A.push_back(eta * (MatrixXd::Identity(c.d, c.d) + 0.3 / std::sqrt(c.d) * gaussian_matrix(c.d, c.d, 1.0, rng)));
    At.push_back(A.back().transpose());
  }
  icl::lsa_model m;
  m.d = c.d, m.L = c.L, m.par = icl::parameterization::sparse;
  const VectorXd theta = ah::sparse_theta(m, A);
  for (int b = 0; b < B; ++b) {
    const ah::prompt_view pv = ah::view_prompt(batch, b);
    const double e = ah::scaled_max_error(icl::forward_tokens(m, theta, batch, b),
                                          ah::lemma1_expected_tokens(pv, ah::preconditioned_gd(pv, At)));
    RC_LOG() << "prompt " << b << " scaled error " << e << "\n";
    RC_ASSERT(e <= 1e-12);
  }
}

// [VO] (P3): L stacked copies of the one-step layer (full parameterization, P_A = eta W_V,
// Q_A = W_K^T W_Q, any W_0) map the tokens to L GD steps from W_0, every token to rounding.
RC_GTEST_PROP(Ahn2023PropertyVonOswald, StackedLayersAreGDSteps, ()) {
  const config c = draw_config();
  const int B = *rc::gen::inRange(1, 4);
  auto rng = md::make_rng(c.seed, "ahn2023.properties.vo");
  const auto law = draw_law(c, rng);
  icl::prompt_batch batch = icl::draw_prompts(law.data, B, rng);
  const double eta = stable_step(batch, 0.2 + 1.2 * uniform01(rng));
  const Eigen::RowVectorXd W0 = choose(2) == 0 ? Eigen::RowVectorXd::Zero(c.d) : Eigen::RowVectorXd(gaussian_matrix(1, c.d, 1.0, rng));
  icl::layer_weights layer;
  layer.P = MatrixXd::Zero(c.d + 1, c.d + 1);
  layer.P.block(c.d, 0, 1, c.d) = eta * W0;
  layer.P(c.d, c.d) = -eta;
  layer.Q = MatrixXd::Zero(c.d + 1, c.d + 1);
  layer.Q.topLeftCorner(c.d, c.d) = MatrixXd::Identity(c.d, c.d);
  icl::prompt_batch b0 = batch;
  for (int b = 0; b < B; ++b) {
    const Eigen::Index col = static_cast<Eigen::Index>(b) * (c.n + 1) + c.n;
    b0.Z(c.d, col) = -W0.dot(b0.Z.block(0, col, c.d, 1).col(0));
  }
  icl::lsa_model m;
  m.d = c.d, m.L = c.L, m.par = icl::parameterization::full;
  const VectorXd theta = icl::pack(m, std::vector<icl::layer_weights>(static_cast<std::size_t>(c.L), layer));
  for (int b = 0; b < B; ++b) {
    const double e = ah::scaled_max_error(icl::forward_tokens(m, theta, b0, b),
                                          ah::vo_expected_tokens(ah::view_prompt(batch, b), W0, eta, c.L));
    RC_LOG() << "prompt " << b << " scaled error " << e << "\n";
    RC_ASSERT(e <= 1e-12);
  }
}

// P7: f(g_l P_l, Q_l / g_l) = f(P_l, Q_l) in the full parameterization, per-layer g_l.
RC_GTEST_PROP(Ahn2023PropertyInvariance, RescalingLeavesTheLossUnchanged, ()) {
  const config c = draw_config();
  const int B = *rc::gen::inRange(1, 6);
  auto rng = md::make_rng(c.seed, "ahn2023.properties.rescaling");
  const auto law = draw_law(c, rng);
  const auto batch = icl::draw_prompts(law.data, B, rng);
  icl::lsa_model m;
  m.d = c.d, m.L = c.L, m.par = icl::parameterization::full;
  std::vector<icl::layer_weights> w(static_cast<std::size_t>(c.L));
  const double sd = 0.5 / (c.d + 1);
  for (auto& l : w) l.P = gaussian_matrix(c.d + 1, c.d + 1, sd, rng), l.Q = gaussian_matrix(c.d + 1, c.d + 1, sd, rng);
  auto ws = w;
  for (auto& l : ws) {
    const int k = *rc::gen::inRange(-8, 9);
    const double g = (k == 0 ? 1.5 : std::pow(2.0, k / 2.0) * 1.1) * (choose(2) ? -1.0 : 1.0);
    l.P *= g, l.Q /= g;
  }
  const double f0 = icl::loss(m, icl::pack(m, w), batch), f1 = icl::loss(m, icl::pack(m, ws), batch);
  RC_LOG() << "f0=" << f0 << " f1=" << f1 << "\n";
  RC_ASSERT(std::isfinite(f0));
  RC_ASSERT(std::abs(f1 - f0) <= 1e-11 * std::max(1.0, std::abs(f0)));
}

// P7: the last layer's P block (code parameterization) has exactly zero gradient.
RC_GTEST_PROP(Ahn2023PropertyInvariance, LastLayerPBlockGradientIsZero, ()) {
  const config c = draw_config();
  const int B = *rc::gen::inRange(1, 6);
  auto rng = md::make_rng(c.seed, "ahn2023.properties.last-p");
  const auto law = draw_law(c, rng);
  const auto batch = icl::draw_prompts(law.data, B, rng);
  icl::lsa_model m;
  m.d = c.d, m.L = c.L, m.par = icl::parameterization::code;
  const VectorXd theta = icl::initial_parameters(m, rng, choose(2) ? 0.05 : 0.3);
  VectorXd g;
  icl::loss_and_gradient(m, theta, batch, g);
  // Layout (linear_attention.hpp): layer-major, P block then Q block, d x d each.
  const Eigen::Index d2 = static_cast<Eigen::Index>(c.d) * c.d, last_p = 2 * d2 * (c.L - 1);
  RC_ASSERT(g.size() == 2 * d2 * c.L);
  RC_ASSERT((g.segment(last_p, d2).array() == 0.0).all());
  RC_ASSERT(g.allFinite());
}

// P1 on a fixed batch: the one-layer loss (code parameterization) is exactly the batch's
// quadratic form in C, at a random C (to rounding of the terms' size).
RC_GTEST_PROP(Ahn2023PropertyQuadratic, OneLayerLossIsQuadraticInC, ()) {
  const config c = draw_config();
  const int B = *rc::gen::inRange(1, 9);
  auto rng = md::make_rng(c.seed, "ahn2023.properties.quadratic");
  const auto law = draw_law(c, rng);
  const auto batch = icl::draw_prompts(law.data, B, rng);
  const MatrixXd C = gaussian_matrix(c.d, c.d, 1.0 / c.d, rng);
  icl::lsa_model m;
  m.d = c.d, m.L = 1, m.par = icl::parameterization::code;
  const double f = icl::loss(m, ah::code_theta(m, {MatrixXd::Zero(c.d, c.d)}, {C}), batch);
  const auto q = ah::one_layer_empirical_quadratic(batch);
  RC_LOG() << "model " << f << " quadratic " << q.value(C) << "\n";
  RC_ASSERT(std::abs(f - q.value(C)) <= 1e-12 * q.magnitude(C));
}

// P1 closed form: one_layer_quadratic_loss (expanded) equals the completed-square form and is
// >= f*, for Gaussian (random covariance), sphere and radial-gamma moments and any C.
RC_GTEST_PROP(Ahn2023PropertyQuadratic, ClosedFormAtLeastOptimum, ()) {
  const config c = draw_config();
  auto rng = md::make_rng(c.seed, "ahn2023.properties.closed-form");
  const int which = choose(3);
  const auto mom = which == 0   ? draw_law(c, rng).mom
                   : which == 1 ? ab::sphere_moments<double>(c.d)
                                : ab::radial_gamma_moments<double>(c.d, 0.1 + 3 * uniform01(rng), 0.5 + 10 * uniform01(rng));
  const auto opt = ab::one_layer_optimum_for(mom, c.n);
  // C near C* (the cancellation-prone region) or far from it.
  const double scale = choose(2) ? 1e-3 : 1.0;
  const MatrixXd C = opt.C_star + scale * opt.C_star.norm() / c.d * gaussian_matrix(c.d, c.d, 1.0, rng);
  const double expanded = ab::one_layer_quadratic_loss<double>(C, mom, c.n);
  const double centered = ab::one_layer_quadratic_loss_centered<double>(C, mom, c.n);
  // Size of the expanded form's terms: tr Sigma + 2 |tr(C Sigma^2)| + tr(C^T Sigma C G).
  const double mag = mom.Sigma.trace() + 2 * std::abs((C * mom.Sigma * mom.Sigma).trace()) +
                     std::abs((C.transpose() * mom.Sigma * C * opt.G).trace());
  RC_LOG() << "law " << which << " expanded " << expanded << " centered " << centered << " f* " << opt.loss << "\n";
  RC_ASSERT(std::abs(expanded - centered) <= 1e-12 * mag);
  RC_ASSERT(centered >= opt.loss);
  RC_ASSERT(expanded >= opt.loss - 1e-12 * mag);
  RC_ASSERT(opt.loss >= 0.0);
  RC_ASSERT(opt.loss <= mom.Sigma.trace() * (1 + 1e-12));
}
