// Property-based checks (rapidcheck) of Arda, Cayci & Eryilmaz 2026, "Finite-Time Analysis of
// Gradient Descent for Shallow Transformers" (arXiv 2601.16514); mathematics in
// spec/arda2026-shallow-transformer-projgd.md sections 1-4.
//
// Every property draws small integers and scales them to reals (rho = k/4, delta = k/1000 or
// 1 - k/1000, n = 2^k + j, ...), so shrinking stays meaningful; it draws the seed of its model
// streams (model::make_rng(seed, "...")) from rapidcheck, and logs its configuration with RC_LOG,
// so a failure prints everything needed to replay it. CI runs with RC_PARAMS=seed=20260123.
//
// Verdict rule for inequalities: measured <= the *lower* end of the bound's MPFI enclosure
// (claims::arda2026::certify); strict monotonicity: upper end of one enclosure < lower end of
// the other. Runs outside an event (E_U, E_app) are tagged (RC_TAG), not judged.
//
// What was found false while writing these (asserted here in their true form):
//  - B_lin is NOT decreasing in m from m = 2 to m = 4 when delta' is close to 1 and rho is
//    small (e.g. d = 1, delta' = 0.99, rho = 1/4): B_U0 = sqrt(d) + sqrt(2 log(m/(2 delta')))
//    jumps from ~sqrt(d) to ~sqrt(d) + 1.2. It is strictly decreasing for every even m >= 4
//    (asserted for m >= 4; the brief asked for m >= 8).
//  - B_app_safe is NOT decreasing in m for unequal transport radii (nu_w > nu_c = nu_u),
//    e.g. d = 1, nu = (1, 1, 3), delta' = 0.99, n = 100, delta = 0.05: B_app_safe(m=4) >
//    B_app_safe(m=2), again through B_U0's log m. With nu_c = nu_u = nu_w (bound_setup's
//    domain) it is strictly decreasing (asserted).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "bounds/arda2026/lemma1_gradient.hpp"
#include "bounds/arda2026/all_terms.hpp"
#include "bounds/arda2026/required_width.hpp"
#include "bounds/common/scalar.hpp"
#include "claims/arda2026/common.hpp"
#include "model/projgd.hpp"
#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

namespace ab = attnbound::bounds::arda2026;
namespace cl = attnbound::claims::arda2026;
namespace md = attnbound::model;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using md::transformer_params;

// ------------------------------------------------------------------------------ helpers

/// The seed of every model stream of one property run.
std::uint64_t draw_seed() { return *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32); }

/// A categorical choice uniform in [0, k) at every size (gen::inRange scales its range with
/// rapidcheck's size, so a plain inRange(0, 2) is always 0 in the first half of the tests).
/// Shrinks toward 0.
int choose(int k) { return *rc::gen::resize(100, rc::gen::inRange(0, k)); }

/// A probability (delta, delta') k/1000 or 1 - k/1000, k in [1, 999]: values near 1, where
/// B_U0 = sqrt d + sqrt(2 log(m/(2 delta'))) is smallest and E_U fails most, are drawn as often
/// as values near 0 (inRange favours small k at small sizes).
double draw_probability() {
  const bool near_one = choose(2) == 1;
  const int k = *rc::gen::inRange(1, 1000);
  return near_one ? (1000 - k) / 1000.0 : k / 1000.0;
}

struct sizes {
  int d = 1, m = 2, T = 1, n = 1;
};

/// d in [1, dmax], even m in [2, 2 mhmax], T in [1, Tmax], n in [1, nmax] (inRange is [a, b)).
sizes draw_sizes(int dmax, int mhmax, int Tmax, int nmax) {
  sizes z;
  z.d = *rc::gen::inRange(1, dmax + 1);
  z.m = 2 * *rc::gen::inRange(1, mhmax + 1);
  z.T = *rc::gen::inRange(1, Tmax + 1);
  z.n = *rc::gen::inRange(1, nmax + 1);
  return z;
}

const char* token_kind_name(int kind) {
  switch (kind) {
    case 0:
      return "clipped-gaussian";
    case 1:
      return "antipodal";
    default:
      return "unit-norm";
  }
}

/// Tokens in X (max_t ||X_t|| <= 1): 0 clipped Gaussian (spec 5.1), 1 antipodal (spec 4.9a's
/// hard data, ||M||_op reaches 1), 2 Gaussian directions normalized to norm exactly 1.
md::sequence_data make_data(const sizes& z, int kind, md::rng_t& rng) {
  md::sequence_data data;
  data.d = z.d, data.T = z.T, data.n = z.n;
  if (kind == 1) {
    data.X = md::antipodal_tokens(z.d, z.T, z.n, rng);
  } else {
    data.X = md::clipped_gaussian_tokens(z.d, z.T, z.n, rng);
    if (kind == 2) {
      for (Index t = 0; t < data.X.cols(); ++t) {
        auto x = data.X.col(t);
        const double nx = x.norm();
        if (nx > 0)
          x /= nx;
        else
          x(0) = 1;
      }
    }
  }
  data.y = VectorXd::Zero(z.n);
  return data;
}

double uniform01(md::rng_t& rng) {
  boost::random::uniform_01<double> u;
  return u(rng);
}

/// Standard normal entries in every block.
transformer_params gaussian_like(const transformer_params& like, md::rng_t& rng) {
  transformer_params p = transformer_params::zeros(like.d(), like.m());
  for (Index i = 0; i < p.c.size(); ++i) p.c(i) = md::standard_normal(rng);
  for (Index i = 0; i < p.U.size(); ++i) p.U.data()[i] = md::standard_normal(rng);
  for (Index i = 0; i < p.W.size(); ++i) p.W.data()[i] = md::standard_normal(rng);
  return p;
}

/// Rescales each head's c-, U- and W-block of `dir` to norm factor * rho_x / sqrt(m), where
/// factor is 1 (boundary of Omega_rho in every block) or an independent U(0,1) draw per block
/// (interior). A zero block gets a fixed unit direction. c keeps its sign unless c_positive.
void scale_blocks(transformer_params& dir, const md::radii& rho, bool boundary, bool c_positive,
                  md::rng_t& rng) {
  const int d = dir.d(), m = dir.m();
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  auto factor = [&] { return boundary ? 1.0 : uniform01(rng); };
  for (int i = 0; i < m; ++i) {
    const double rc = rho.c * s * factor();
    dir.c(i) = (c_positive || dir.c(i) >= 0) ? rc : -rc;
    auto u = dir.U.col(i);
    const double ru = rho.u * s * factor(), nu = u.norm();
    if (nu > 0)
      u *= ru / nu;
    else {
      u.setZero();
      u(0) = ru;
    }
    auto w = dir.W.middleRows(static_cast<Index>(i) * d, d);
    const double rw = rho.w * s * factor(), nw = w.norm();
    if (nw > 0)
      w *= rw / nw;
    else {
      w.setZero();
      w(0, 0) = rw;
    }
  }
}

/// phi0 + a random direction scaled blockwise into Omega_rho (boundary or interior).
transformer_params random_point(const transformer_params& phi0, const md::radii& rho, bool boundary,
                                md::rng_t& rng) {
  transformer_params dir = gaussian_like(phi0, rng);
  scale_blocks(dir, rho, boundary, false, rng);
  transformer_params phi = phi0;
  phi.axpy(1.0, dir);
  return phi;
}

double distance(const transformer_params& a, const transformer_params& b) {
  transformer_params diff = a;
  diff.axpy(-1.0, b);
  return std::sqrt(diff.squared_norm());
}

cl::bound_setup setup_for(const sizes& z, double rho, double delta_prime) {
  cl::bound_setup s;
  s.d = z.d, s.m = z.m, s.n = z.n;
  s.rho = rho, s.delta_prime = delta_prime;
  return s;
}

// ------------------------------------------------------------------ 1. Lemma 3 on E_U

// For phi in Omega_rho, on E_U(delta'): sup_j |f(X_j; phi) - f_lin(X_j; phi)| <= B_lin.
// phi: random direction on the boundary of Omega_rho (each head block at rho/sqrt m), a random
// interior point, or the authors' adversarial direction (each head along its batch gradient).
RC_GTEST_PROP(Arda2026PropertyLemma3, LinearizationErrorWithinBLinOnEventU, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(6, 8, 12, 30);
  const int rho_k = *rc::gen::inRange(1, 41);
  const double delta_prime = draw_probability();
  const int kind = choose(3);
  const int mode = choose(3);  // 0 boundary, 1 interior, 2 adversarial boundary
  const double rho = rho_k / 4.0;
  static const char* modes[] = {"boundary-random", "interior-random", "boundary-adversarial"};
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " rho=" << rho << " delta'=" << delta_prime << " tokens=" << token_kind_name(kind)
           << " point=" << modes[mode] << "\n";

  auto rng = md::make_rng(seed, "arda2026.property.lemma3");
  const md::sequence_data data = make_data(z, kind, rng);
  const transformer_params phi0 = md::symmetric_init(z.d, z.m, rng);
  const md::radii radii{rho, rho, rho};
  md::transformer_workspace ws;
  transformer_params phi;
  if (mode == 2) {
    transformer_params dir = transformer_params::zeros(z.d, z.m);
    VectorXd w(z.n);
    for (int j = 0; j < z.n; ++j) w(j) = md::rademacher(rng);
    md::accumulate_weighted_gradient(phi0, data, {}, w, dir, ws);
    scale_blocks(dir, radii, true, true, rng);
    phi = phi0;
    phi.axpy(1.0, dir);
  } else {
    phi = random_point(phi0, radii, mode == 0, rng);
  }
  RC_ASSERT(md::in_ball(phi, phi0, radii));

  const cl::bound_setup s = setup_for(z, rho, delta_prime);
  const auto b_u0 = cl::certify(s, [](const auto& c) { return ab::B_U0(c); });
  const auto b_lin = cl::certify(s, [](const auto& c) { return ab::B_lin(c); });
  const double max_u0 = cl::max_U0_norm(phi0);
  const bool event_u = max_u0 <= b_u0.check;
  RC_TAG(event_u ? "E_U held" : "E_U failed (not judged)");
  if (!event_u) return;

  VectorXd f, f_lin;
  md::forward(phi, data, f, ws);
  md::forward_linearized(phi0, phi, data, f_lin, ws);
  const double err = (f - f_lin).cwiseAbs().maxCoeff();
  RC_LOG() << "max_i ||U_i0|| = " << max_u0 << " <= B_U0 = " << b_u0.check
           << "; sup_j |f - f_lin| = " << err << ", B_lin (lower end) = " << b_lin.check << "\n";
  RC_ASSERT(std::isfinite(err));
  RC_ASSERT(err <= b_lin.check);
}

// --------------------------------------------------------- 2. Lemma 1 gradient bounds on E_U

// On E_U and phi in Omega_rho, with arbitrary labels y in [-3, 3]:
//   ||grad_W L_n(phi)||_F <= 2 (C_f + max|y|) sigma1 (1 + rho_c/sqrt m) B_U,
//   ||grad_W f_j||_F <= sigma1 (1 + rho_c/sqrt m) B_U (Lemma 1 with ||M||_op <= 1; no T),
//   ||grad_phi f_j||^2 <= G2 and |f_j| <= C_f for every sample j.
RC_GTEST_PROP(Arda2026PropertyLemma1, GradientBoundsOnEventU, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(6, 8, 12, 30);
  const int rho_k = *rc::gen::inRange(1, 41);
  const double delta_prime = draw_probability();
  const int kind = choose(3);
  const bool boundary = choose(2) == 1;
  const double rho = rho_k / 4.0;
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " rho=" << rho << " delta'=" << delta_prime << " tokens=" << token_kind_name(kind)
           << " point=" << (boundary ? "boundary" : "interior") << "\n";

  auto rng = md::make_rng(seed, "arda2026.property.lemma1");
  md::sequence_data data = make_data(z, kind, rng);
  for (int j = 0; j < z.n; ++j) data.y(j) = -3.0 + 6.0 * uniform01(rng);
  const double max_y = data.y.cwiseAbs().maxCoeff();
  const transformer_params phi0 = md::symmetric_init(z.d, z.m, rng);
  const md::radii radii{rho, rho, rho};
  const transformer_params phi = random_point(phi0, radii, boundary, rng);

  const cl::bound_setup s = setup_for(z, rho, delta_prime);
  const auto b_u0 = cl::certify(s, [](const auto& c) { return ab::B_U0(c); });
  const bool event_u = cl::max_U0_norm(phi0) <= b_u0.check;
  RC_TAG(event_u ? "E_U held" : "E_U failed (not judged)");
  if (!event_u) return;

  const auto grad_w_loss_bound = cl::certify(s, [max_y](const auto& c) {
    return ab::grad_W_loss_bound(c, std::decay_t<decltype(c.m)>(max_y));
  });
  const auto grad_w_f_bound = cl::certify(s, [](const auto& c) { return ab::grad_W_f_bound(c); });
  const auto g2 = cl::certify(s, [](const auto& c) { return ab::G2(c); });
  const auto c_f = cl::certify(s, [](const auto& c) { return ab::C_f(c); });

  md::transformer_workspace ws;
  transformer_params grad;
  md::loss_and_gradient(phi, data, {}, grad, ws);
  const double gw_loss = grad.W.norm();
  RC_LOG() << "||grad_W L_n||_F = " << gw_loss
           << ", bound (lower end) = " << grad_w_loss_bound.check << " (max|y| = " << max_y
           << ")\n";
  RC_ASSERT(gw_loss <= grad_w_loss_bound.check);

  for (int j = 0; j < z.n; ++j) {
    md::gradient_one(phi, data, j, grad, ws);
    const double f = md::forward_one(phi, data, j, ws);
    const double sq = grad.squared_norm(), gw = grad.W.norm();
    if (!(sq <= g2.check && gw <= grad_w_f_bound.check && std::abs(f) <= c_f.check))
      RC_LOG() << "sample " << j << ": ||grad f||^2 = " << sq << " (G2 = " << g2.check
               << "), ||grad_W f||_F = " << gw << " (bound " << grad_w_f_bound.check
               << "), |f| = " << std::abs(f) << " (C_f = " << c_f.check << ")\n";
    RC_ASSERT(sq <= g2.check);
    RC_ASSERT(gw <= grad_w_f_bound.check);
    RC_ASSERT(std::abs(f) <= c_f.check);
  }
}

// ------------------------------------------------------------------------- 3. Structural

// Symmetric initialization: heads i and i + m/2 share (U, W) with c of opposite sign, |c| = 1,
// so f(X; phi0) = 0 on every input (up to rounding of the sum over heads).
RC_GTEST_PROP(Arda2026PropertyStructural, SymmetricInitOutputsZero, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(6, 8, 12, 30);
  const int kind = choose(3);
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " tokens=" << token_kind_name(kind) << "\n";
  auto rng = md::make_rng(seed, "arda2026.property.symmetric-init");
  const md::sequence_data data = make_data(z, kind, rng);
  const transformer_params phi0 = md::symmetric_init(z.d, z.m, rng);
  const int half = z.m / 2;
  for (int i = 0; i < half; ++i) {
    RC_ASSERT(std::abs(phi0.c(i)) == 1.0);
    RC_ASSERT(phi0.c(i + half) == -phi0.c(i));
    RC_ASSERT(phi0.U.col(i) == phi0.U.col(i + half));
    RC_ASSERT(phi0.W.middleRows(static_cast<Index>(i) * z.d, z.d) ==
              phi0.W.middleRows(static_cast<Index>(i + half) * z.d, z.d));
  }
  md::transformer_workspace ws;
  VectorXd f;
  md::forward(phi0, data, f, ws);
  const double max_f = f.cwiseAbs().maxCoeff();
  RC_LOG() << "max_j |f(X_j; phi0)| = " << max_f << "\n";
  RC_ASSERT(max_f <= 1e-13 * z.m);
}

// Projection onto Omega_rho: output in the ball, idempotent, non-expansive, and the nearest
// point (variational inequality <x - Px, z - Px> <= 0 for z in Omega_rho).
RC_GTEST_PROP(Arda2026PropertyStructural, ProjectionInBallIdempotentNonExpansive, ()) {
  const std::uint64_t seed = draw_seed();
  const int d = *rc::gen::inRange(1, 7), m = 2 * *rc::gen::inRange(1, 9);
  const int rc_k = *rc::gen::inRange(0, 41), ru_k = *rc::gen::inRange(0, 41),
            rw_k = *rc::gen::inRange(0, 41);
  const int sx_k = *rc::gen::inRange(-3, 4), sy_k = *rc::gen::inRange(-3, 4);  // scale 10^k
  const md::radii rho{rc_k / 4.0, ru_k / 4.0, rw_k / 4.0};
  RC_LOG() << "seed=" << seed << " d=" << d << " m=" << m << " rho=(" << rho.c << "," << rho.u
           << "," << rho.w << ") scale_x=1e" << sx_k << " scale_y=1e" << sy_k << "\n";
  auto rng = md::make_rng(seed, "arda2026.property.projection");
  const transformer_params phi0 = md::symmetric_init(d, m, rng);
  auto perturbed = [&](int k) {
    transformer_params x = phi0;
    x.axpy(std::pow(10.0, k), gaussian_like(phi0, rng));
    return x;
  };
  const transformer_params x = perturbed(sx_k), y = perturbed(sy_k);
  transformer_params px = x, py = y;
  md::project(px, phi0, rho);
  md::project(py, phi0, rho);
  RC_ASSERT(md::in_ball(px, phi0, rho));
  RC_ASSERT(md::in_ball(py, phi0, rho));

  const double scale = 1 + std::sqrt(x.squared_norm()) + std::sqrt(y.squared_norm());
  transformer_params ppx = px;
  md::project(ppx, phi0, rho);
  const double idem = distance(ppx, px);
  RC_LOG() << "||P(Px) - Px|| = " << idem << "\n";
  RC_ASSERT(idem <= 1e-13 * scale);

  const double dp = distance(px, py), dxy = distance(x, y);
  RC_LOG() << "||Px - Py|| = " << dp << ", ||x - y|| = " << dxy << "\n";
  RC_ASSERT(dp <= dxy + 1e-13 * scale);

  // Nearest point: <x - Px, zp - Px> <= 0 for a point zp of Omega_rho (product of balls).
  const transformer_params zp = random_point(phi0, rho, uniform01(rng) < 0.5, rng);
  transformer_params r = x, v = zp;
  r.axpy(-1.0, px);
  v.axpy(-1.0, px);
  const double vi = r.dot(v);
  RC_LOG() << "<x - Px, z - Px> = " << vi << "\n";
  RC_ASSERT(vi <= 1e-12 * scale * (1 + std::sqrt(v.squared_norm())));
}

// Softmax attention (spec section 1, Remarks 4-5), for T up to 256 and logits up to ~1e4 and
// beyond: after forward_one, ws.Z holds the weights alpha (>= 0, sum 1, equal to an
// independent stable softmax of X^T W_i q), ws.A = X alpha with ||a|| <= 1, and
// M = sum_t alpha_t x_t x_t^T - mu mu^T (computed here) has ||M||_F <= tr M <= 1; after
// gradient_one, ws.MU's columns are M_i U_i.
RC_GTEST_PROP(Arda2026PropertyStructural, SoftmaxWeightsAndCovarianceBounded, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(6, 8, 256, 3);
  const int kind = choose(3);
  const int logit_k = *rc::gen::inRange(0, 5);  // W scaled by 10^k: logits up to ~ 10^k ||W||
  const double scale = std::pow(10.0, logit_k);
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " tokens=" << token_kind_name(kind) << " W scale=1e" << logit_k << "\n";
  auto rng = md::make_rng(seed, "arda2026.property.softmax");
  const md::sequence_data data = make_data(z, kind, rng);
  transformer_params phi = md::symmetric_init(z.d, z.m, rng);
  phi.W *= scale;
  md::transformer_workspace ws;
  transformer_params grad;
  double max_logit = 0;
  for (int j = 0; j < z.n; ++j) {
    const auto X = data.sample(j);
    const VectorXd q = data.query(j);
    const double f = md::forward_one(phi, data, j, ws);
    RC_ASSERT(std::isfinite(f));
    const MatrixXd alpha_all = ws.Z, A = ws.A;
    std::vector<MatrixXd> Ms(z.m);
    for (int i = 0; i < z.m; ++i) {
      const VectorXd alpha = alpha_all.col(i);
      RC_ASSERT(alpha.allFinite());
      RC_ASSERT(alpha.minCoeff() >= 0.0);
      RC_ASSERT(std::abs(alpha.sum() - 1.0) <= 1e-12);
      // independent stable softmax of the logits X^T W_i q
      const VectorXd logits =
          X.transpose() * (phi.W.middleRows(static_cast<Index>(i) * z.d, z.d) * q);
      max_logit = std::max(max_logit, logits.cwiseAbs().maxCoeff());
      VectorXd e = (logits.array() - logits.maxCoeff()).exp();
      e /= e.sum();
      RC_ASSERT((e - alpha).cwiseAbs().maxCoeff() <= 1e-9);
      // a = X alpha, ||a|| <= 1
      const VectorXd mu = X * alpha;
      RC_ASSERT((A.col(i) - mu).cwiseAbs().maxCoeff() <= 1e-12);
      RC_ASSERT(A.col(i).norm() <= 1.0 + 1e-12);
      // M = sum_t alpha_t x_t x_t^T - mu mu^T, PSD with trace <= 1, so ||M||_F <= 1
      MatrixXd M = -mu * mu.transpose();
      for (int t = 0; t < z.T; ++t) M += alpha(t) * X.col(t) * X.col(t).transpose();
      const double fro = M.norm(), tr = M.trace();
      if (!(fro <= 1.0 + 1e-12 && tr <= 1.0 + 1e-12))
        RC_LOG() << "sample " << j << " head " << i << ": ||M||_F = " << fro << ", tr M = " << tr
                 << "\n";
      RC_ASSERT(tr <= 1.0 + 1e-12);
      RC_ASSERT(fro <= 1.0 + 1e-12);
      Ms[i] = M;
    }
    md::gradient_one(phi, data, j, grad, ws);
    for (int i = 0; i < z.m; ++i) {
      const VectorXd mu_i = Ms[i] * phi.U.col(i);
      RC_ASSERT((ws.MU.col(i) - mu_i).norm() <= 1e-10 * (1 + phi.U.col(i).norm()));
    }
  }
  RC_LOG() << "max |logit| = " << max_logit << "\n";
  RC_CLASSIFY(max_logit > 1e3, "max |logit| > 1e3");
}

// ------------------------------------------------------------------------- 4. Transport

// Eq. (10): phi~ = transport(phi0, v) with sup|v_c| <= nu_c, sup||v_u|| <= nu_u,
// sup||v_w||_F <= nu_w lies in Omega_rho whenever rho >= nu componentwise.
// (Lemma 5's approximation inequality is probabilistic, not a deterministic property: it is
// the claim arda2026.lemma5.approximation's job, with a binomial test.)
RC_GTEST_PROP(Arda2026PropertyTransport, TransportedParametersInBall, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(6, 8, 12, 30);
  const int kind = choose(3);
  const int R = *rc::gen::inRange(1, std::min(z.n, 16) + 1);
  const int nc_k = *rc::gen::inRange(0, 41), nu_k = *rc::gen::inRange(0, 41),
            nw_k = *rc::gen::inRange(0, 41);
  const int ec_k = *rc::gen::inRange(0, 9), eu_k = *rc::gen::inRange(0, 9),
            ew_k = *rc::gen::inRange(0, 9);  // rho_x = nu_x + e_x / 4
  const bool full_norm = choose(2) == 1;
  const bool uniform_w = choose(2) == 1;
  const double nu_c = nc_k / 4.0, nu_u = nu_k / 4.0, nu_w = nw_k / 4.0;
  const md::radii rho{nu_c + ec_k / 4.0, nu_u + eu_k / 4.0, nu_w + ew_k / 4.0};
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " R=" << R << " nu=(" << nu_c << "," << nu_u << "," << nu_w << ") rho=(" << rho.c
           << "," << rho.u << "," << rho.w << ") full_norm=" << full_norm
           << " weights=" << (uniform_w ? "uniform" : "random-signs")
           << " tokens=" << token_kind_name(kind) << "\n";
  auto rng = md::make_rng(seed, "arda2026.property.transport");
  const md::sequence_data data = make_data(z, kind, rng);
  const auto v = md::make_transport_map(
      data, R, uniform_w ? md::mixture_weights::uniform : md::mixture_weights::random_signs, nu_c,
      nu_u, nu_w, full_norm, rng);
  const transformer_params phi0 = md::symmetric_init(z.d, z.m, rng);
  const transformer_params phi_t = md::transport(phi0, v);
  RC_ASSERT(md::in_ball(phi_t, phi0, rho));
}

// ------------------------------------------------------------------ 5. Bound monotonicity
// No bound of this paper takes the sequence length T: bounds::arda2026::config has no T member
// (see config.hpp), so T-independence of every bound holds by construction.

struct bound_draw {
  cl::bound_setup s;
  long long m_half = 1;
};

/// A configuration of the bound formulas over wide ranges (they are closed forms, so cheap):
/// d in [1, 64], even m = 2 (2^a + b) up to ~2^21, n = 2^k + j, tau = 2^k + j, delta, delta' =
/// k/1000 or 1 - k/1000, rho = nu = k/4 (bound_setup's single radius), eta_factor = k/4, pool 0 or
/// 2^k.
bound_draw draw_bound_setup() {
  bound_draw b;
  cl::bound_setup& s = b.s;
  s.d = *rc::gen::inRange(1, 65);
  const int ma = *rc::gen::inRange(0, 20);
  b.m_half = (1LL << ma) + *rc::gen::inRange<long long>(0, 1LL << ma);
  s.m = 2 * b.m_half;
  const int na = *rc::gen::inRange(0, 21);
  s.n = (1LL << na) + *rc::gen::inRange<long long>(0, 1LL << na);
  const int ta = *rc::gen::inRange(0, 21);
  s.tau = (1LL << ta) + *rc::gen::inRange<long long>(0, 1LL << ta);
  s.delta = draw_probability();
  s.delta_prime = draw_probability();
  s.rho = *rc::gen::inRange(1, 41) / 4.0;
  s.nu = s.rho;
  s.eta_factor = *rc::gen::inRange(1, 9) / 4.0;
  const int pool_k = *rc::gen::inRange(0, 17);
  s.pool = pool_k == 0 ? 0 : (1LL << pool_k);
  return b;
}

void log_setup(const cl::bound_setup& s) {
  RC_LOG() << "d=" << s.d << " m=" << s.m << " n=" << s.n << " tau=" << s.tau
           << " delta=" << s.delta << " delta'=" << s.delta_prime << " rho=nu=" << s.rho
           << " eta_factor=" << s.eta_factor << " pool=" << s.pool << "\n";
}

/// Strict certified comparison a < b: upper end of a's enclosure below the lower end of b's.
bool certainly_less(const cl::certified& a, const cl::certified& b) { return a.report < b.check; }

// B_app (Lemma 5, literal) and B_app_safe: strictly decreasing in m (m -> m + 2) and strictly
// increasing in n (n -> n + 1), for nu_c = nu_u = nu_w.
RC_GTEST_PROP(Arda2026PropertyBoundsMonotone, BAppDecreasingInMIncreasingInN, ()) {
  const bound_draw b = draw_bound_setup();
  log_setup(b.s);
  cl::bound_setup s_m2 = b.s, s_n1 = b.s;
  s_m2.m += 2;
  s_n1.n += 1;
  auto app = [](const auto& c) { return ab::B_app(c); };
  auto safe = [](const auto& c) { return ab::B_app_safe(c); };
  const auto a = cl::certify(b.s, app), a_m2 = cl::certify(s_m2, app),
             a_n1 = cl::certify(s_n1, app);
  const auto f = cl::certify(b.s, safe), f_m2 = cl::certify(s_m2, safe),
             f_n1 = cl::certify(s_n1, safe);
  RC_LOG() << "B_app: " << a.report << " (m+2: " << a_m2.report << ", n+1: " << a_n1.report
           << "); B_app_safe: " << f.report << " (m+2: " << f_m2.report << ", n+1: " << f_n1.report
           << ")\n";
  RC_ASSERT(certainly_less(a_m2, a));
  RC_ASSERT(certainly_less(a, a_n1));
  RC_ASSERT(certainly_less(f_m2, f));
  RC_ASSERT(certainly_less(f, f_n1));
}

// B_lin (Lemma 3): strictly decreasing in m for every even m >= 4. (The brief asked m >= 8;
// m = 2 -> 4 can increase, see the TEST below.) B_U itself is not monotone in m.
RC_GTEST_PROP(Arda2026PropertyBoundsMonotone, BLinDecreasingInMFromFour, ()) {
  bound_draw b = draw_bound_setup();
  if (b.s.m < 4) b.s.m = 4;
  log_setup(b.s);
  cl::bound_setup s2 = b.s;
  s2.m += 2;
  auto lin = [](const auto& c) { return ab::B_lin(c); };
  const auto x = cl::certify(b.s, lin), x2 = cl::certify(s2, lin);
  RC_LOG() << "B_lin(m) = " << x.report << ", B_lin(m+2) = " << x2.report << "\n";
  RC_ASSERT(certainly_less(x2, x));
}

// rhs_best (Theorem 1, explicit form): strictly decreasing in tau (eta = eta_factor/sqrt tau):
// ||nu||^2/(4 eta tau) and eta r_max^2 G^2 both fall like tau^(-1/2); the rest has no tau.
// rhs_avg = 4 rhs_best + 6 B_lin^2 likewise.
RC_GTEST_PROP(Arda2026PropertyBoundsMonotone, RhsBestDecreasingInTau, ()) {
  const bound_draw b = draw_bound_setup();
  log_setup(b.s);
  cl::bound_setup s2 = b.s;
  s2.tau += 1;
  auto best = [](const auto& c) { return ab::rhs_best(c); };
  auto avg = [](const auto& c) { return ab::rhs_avg(c); };
  const auto r = cl::certify(b.s, best), r2 = cl::certify(s2, best);
  const auto v = cl::certify(b.s, avg), v2 = cl::certify(s2, avg);
  RC_LOG() << "rhs_best(tau) = " << r.report << ", rhs_best(tau+1) = " << r2.report << "\n";
  RC_ASSERT(certainly_less(r2, r));
  RC_ASSERT(certainly_less(v2, v));
}

// m_app (section 4.12): non-decreasing in n; even, and the smallest even m with B_app <= eps.
RC_GTEST_PROP(Arda2026PropertyBoundsMonotone, MAppNonDecreasingInN, ()) {
  const bound_draw b = draw_bound_setup();
  const int eps_k = *rc::gen::inRange(1, 1001);
  log_setup(b.s);
  RC_LOG() << "epsilon=" << eps_k / 100.0 << "\n";
  attnbound::precision_guard guard(30);
  const attnbound::mp_real eps = attnbound::mp_real(eps_k) / 100;
  cl::bound_setup s1 = b.s, s2 = b.s;
  s1.n += 1;
  s2.n *= 2;
  const auto m0 = ab::m_app(b.s.as<attnbound::mp_real>(), eps);
  const auto m1 = ab::m_app(s1.as<attnbound::mp_real>(), eps);
  const auto m2 = ab::m_app(s2.as<attnbound::mp_real>(), eps);
  RC_LOG() << "m_app(n) = " << m0 << ", m_app(n+1) = " << m1 << ", m_app(2n) = " << m2 << "\n";
  RC_ASSERT(m1 >= m0);
  RC_ASSERT(m2 >= m1);
  RC_ASSERT(m0 >= 2);
  RC_ASSERT(fmod(m0, 2) == 0);
  auto c = b.s.as<attnbound::mp_real>();
  c.m = m0;
  RC_ASSERT(ab::B_app(c) <= eps * (1 + attnbound::mp_real(1e-25)));
  if (m0 > 2) {
    c.m = m0 - 2;
    RC_ASSERT(ab::B_app(c) > eps);
  }
}

// The two non-monotonicities found while writing the properties above, as true statements.
TEST(Arda2026PropertyBoundsMonotone, BLinIncreasesFromMTwoToFourAtLargeDeltaPrime) {
  cl::bound_setup s;
  s.d = 1, s.m = 2, s.delta_prime = 0.99, s.rho = 0.25, s.nu = 0.25;
  cl::bound_setup s4 = s;
  s4.m = 4;
  auto lin = [](const auto& c) { return ab::B_lin(c); };
  EXPECT_LT(cl::certify(s, lin).report, cl::certify(s4, lin).check);
}

TEST(Arda2026PropertyBoundsMonotone, BAppSafeIncreasesInMForUnequalNu) {
  cl::bound_setup s;
  s.d = 1, s.m = 2, s.n = 100, s.delta = 0.05, s.delta_prime = 0.99;
  cl::bound_setup s4 = s;
  s4.m = 4;
  auto safe = [](const auto& cfg) {
    auto c = cfg;  // nu = (1, 1, 3)
    c.nu_c = 1, c.nu_u = 1, c.nu_w = 3;
    return ab::B_app_safe(c);
  };
  EXPECT_LT(cl::certify(s, safe).report, cl::certify(s4, safe).check);
}

// ------------------------------------------------------------------ 6. ProjGD sanity (Thm 1)

// Tiny teacher-student problem (d <= 4, m <= 8, T <= 6, n <= 20, tau <= 50), ProjGD with
// eta = 1/sqrt(tau) onto Omega_rho, rho >= nu. Iterates stay in Omega_rho (best, average, last);
// on E_U and E_app: (1/tau) sum_s L(phi_s) and min_s L(phi_s) <= rhs_best, and
// L(phi-bar) <= rhs_avg (certified lower ends). The bound is vacuous here; a sanity property.
RC_GTEST_PROP(Arda2026PropertyProjGD, MinLossWithinRhsBestOnEvents, ()) {
  const std::uint64_t seed = draw_seed();
  const sizes z = draw_sizes(4, 4, 6, 20);
  const int tau = *rc::gen::inRange(1, 51);
  const int nu_k = *rc::gen::inRange(1, 13), extra_k = *rc::gen::inRange(0, 5);
  const int R = *rc::gen::inRange(1, std::min(z.n, 4) + 1);
  const int pool = 1 << *rc::gen::inRange(6, 11);
  const double delta = draw_probability(), delta_prime = draw_probability();
  const bool hard = choose(2) == 1;
  const double nu = nu_k / 4.0, rho = nu + extra_k / 4.0;
  RC_LOG() << "seed=" << seed << " d=" << z.d << " m=" << z.m << " T=" << z.T << " n=" << z.n
           << " tau=" << tau << " nu=" << nu << " rho=" << rho << " R=" << R << " pool=" << pool
           << " delta=" << delta << " delta'=" << delta_prime << " hard=" << hard << "\n";

  cl::teacher_options o;
  o.d = z.d, o.T = z.T, o.n = z.n, o.R = R, o.pool = pool, o.nu = nu, o.hard = hard;
  const cl::teacher_problem prob = cl::make_teacher_problem(o, seed, 0);
  auto rng = md::make_rng(seed, "arda2026.property.projgd.init");
  const transformer_params phi0 = md::symmetric_init(z.d, z.m, rng);

  cl::bound_setup s;
  s.d = z.d, s.m = z.m, s.n = z.n, s.tau = tau;
  s.delta = delta, s.delta_prime = delta_prime;
  s.rho = rho, s.nu = nu, s.eta_factor = 1, s.pool = pool;

  md::projgd_options opt;
  opt.tau = tau;
  opt.eta = 1.0 / std::sqrt(static_cast<double>(tau));
  opt.rho = {rho, rho, rho};
  md::transformer_workspace ws;
  const md::projgd_result res = md::train(phi0, prob.data, opt, ws);
  RC_ASSERT(md::in_ball(res.best, phi0, opt.rho));
  RC_ASSERT(md::in_ball(res.average, phi0, opt.rho));
  RC_ASSERT(md::in_ball(res.last, phi0, opt.rho));

  const bool event_u =
      cl::max_U0_norm(phi0) <= cl::certify(s, [](const auto& c) { return ab::B_U0(c); }).check;
  VectorXd f_lin;
  md::forward_linearized(phi0, md::transport(phi0, prob.teacher), prob.data, f_lin, ws);
  const double eps_app = (f_lin - prob.data.y).cwiseAbs().maxCoeff();
  const bool event_app = eps_app <= cl::certify(s, [](const auto& c) {
                                      return ab::B_app_safe(c) + ab::eps_pool(c);
                                    }).check;
  RC_TAG(event_u ? "E_U held" : "E_U failed", event_app ? "E_app held" : "E_app failed");
  if (!(event_u && event_app)) return;

  const auto best = cl::certify(s, [](const auto& c) { return ab::rhs_best(c); });
  const auto avg = cl::certify(s, [](const auto& c) { return ab::rhs_avg(c); });
  const auto trivial = cl::certify(s, [](const auto& c) { return ab::trivial_loss_bound(c); });
  RC_CLASSIFY(best.check > trivial.report, "rhs_best vacuous (> r_max^2)");
  RC_LOG() << "min_s L = " << res.min_loss << ", mean_s L = " << res.mean_loss
           << ", rhs_best = " << best.check << "; L(phi-bar) = " << res.average_iterate_loss
           << ", rhs_avg = " << avg.check << "\n";
  RC_ASSERT(res.min_loss <= best.check);
  RC_ASSERT(res.mean_loss <= best.check);
  RC_ASSERT(res.average_iterate_loss <= avg.check);
}

}  // namespace
