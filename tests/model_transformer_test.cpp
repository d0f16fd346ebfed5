// Tests of model/transformer: forward pass, Lemma 1 gradients (against an independent
// automatic differentiation and finite differences), symmetric initialization, projection
// onto Omega_rho, softmax stability and the linearized model (Definition 3).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <tuple>
#include <unsupported/Eigen/AutoDiff>
#include <utility>
#include <vector>

#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

sequence_data random_data(int d, int T, int n, rng_t& rng) {
  sequence_data data;
  data.d = d;
  data.T = T;
  data.n = n;
  data.X = clipped_gaussian_tokens(d, T, n, rng);
  data.y.resize(n);
  for (int j = 0; j < n; ++j) data.y(j) = standard_normal(rng);
  return data;
}

// Pure N(0,1) noise shaped like parameters.
transformer_params noise(int d, int m, rng_t& rng) {
  transformer_params p = transformer_params::zeros(d, m);
  for (Index k = 0; k < p.c.size(); ++k) p.c(k) = standard_normal(rng);
  for (Index k = 0; k < p.U.size(); ++k) p.U.data()[k] = standard_normal(rng);
  for (Index k = 0; k < p.W.size(); ++k) p.W.data()[k] = standard_normal(rng);
  return p;
}

// Symmetric init moved off the symmetric point by N(0, scale^2) noise in every entry.
transformer_params random_params(int d, int m, double scale, rng_t& rng) {
  transformer_params phi = symmetric_init(d, m, rng);
  phi.axpy(scale, noise(d, m, rng));
  return phi;
}

// Parameters as one vector: c, then U and W column-major.
VectorXd flatten(const transformer_params& p) {
  VectorXd v(p.c.size() + p.U.size() + p.W.size());
  v << p.c, p.U.reshaped(), p.W.reshaped();
  return v;
}

transformer_params unflatten(const VectorXd& v, int d, int m) {
  transformer_params p = transformer_params::zeros(d, m);
  p.c = v.head(m);
  p.U.reshaped() = v.segment(m, static_cast<Index>(d) * m);
  p.W.reshaped() = v.tail(static_cast<Index>(d) * d * m);
  return p;
}

double rel_err(const VectorXd& a, const VectorXd& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

// ---- independent reference: f(X; phi) written naively over scalars, differentiated by
// Eigen's forward-mode AutoDiff. Per-head W_i as d x d, explicit token loops.
using AD = Eigen::AutoDiffScalar<VectorXd>;

AD naive_f(const VectorXd& theta, int d, int m, const MatrixXd& X) {
  const Index nv = theta.size();
  const int T = static_cast<int>(X.cols());
  auto var = [&](Index k) { return AD(theta(k), static_cast<int>(nv), static_cast<int>(k)); };
  const Index offU = m, offW = m + static_cast<Index>(d) * m, rowsW = static_cast<Index>(d) * m;
  AD f(0.0, VectorXd::Zero(nv));
  for (int i = 0; i < m; ++i) {
    std::vector<std::vector<AD>> Wi(d, std::vector<AD>(d));
    for (int r = 0; r < d; ++r)
      for (int k = 0; k < d; ++k) Wi[r][k] = var(offW + k * rowsW + static_cast<Index>(i) * d + r);
    std::vector<AD> z(T);
    for (int t = 0; t < T; ++t) {
      z[t] = AD(0.0, VectorXd::Zero(nv));
      for (int r = 0; r < d; ++r)
        for (int k = 0; k < d; ++k) z[t] += X(r, t) * Wi[r][k] * X(k, T - 1);
    }
    int tmax = 0;
    for (int t = 1; t < T; ++t)
      if (z[t].value() > z[tmax].value()) tmax = t;
    const AD zmax = z[tmax];
    std::vector<AD> e(T);
    AD sum(0.0, VectorXd::Zero(nv));
    for (int t = 0; t < T; ++t) {
      e[t] = exp(z[t] - zmax);
      sum += e[t];
    }
    AD pre(0.0, VectorXd::Zero(nv));
    for (int r = 0; r < d; ++r) {
      AD ar(0.0, VectorXd::Zero(nv));
      for (int t = 0; t < T; ++t) ar += (e[t] / sum) * X(r, t);
      pre += var(offU + static_cast<Index>(i) * d + r) * ar;
    }
    f += var(i) * tanh(pre);
  }
  return f / std::sqrt(static_cast<double>(m));
}

TEST(ModelTransformer, GradientMatchesAutoDiff) {
  rng_t rng = make_rng(11, "test-autodiff");
  transformer_workspace ws;
  transformer_params grad;
  int checked = 0;
  for (int d : {2, 3, 5})
    for (int T : {1, 3, 7})
      for (int m : {2, 4, 6}) {
        const sequence_data data = random_data(d, T, 3, rng);
        const transformer_params phi = random_params(d, m, 0.5, rng);
        const VectorXd theta = flatten(phi);
        for (int j = 0; j < data.n; ++j) {
          const AD ref = naive_f(theta, d, m, MatrixXd(data.sample(j)));
          const double f = forward_one(phi, data, j, ws);
          EXPECT_NEAR(f, ref.value(), 1e-12 * (1 + std::abs(ref.value())));
          gradient_one(phi, data, j, grad, ws);
          EXPECT_LT(rel_err(flatten(grad), ref.derivatives()), 1e-10)
              << "d=" << d << " T=" << T << " m=" << m << " j=" << j;
          ++checked;
        }
      }
  EXPECT_EQ(checked, 81);
}

TEST(ModelTransformer, LossGradientMatchesFiniteDifferences) {
  rng_t rng = make_rng(12, "test-fd");
  transformer_workspace ws;
  for (auto [d, T, m] : {std::tuple{3, 4, 4}, std::tuple{2, 1, 2}, std::tuple{5, 7, 6}}) {
    const sequence_data data = random_data(d, T, 5, rng);
    const transformer_params phi = random_params(d, m, 0.4, rng);
    transformer_params grad;
    loss_and_gradient(phi, data, {}, grad, ws);
    const VectorXd g = flatten(grad), theta = flatten(phi);
    const double h = 1e-6;
    VectorXd fd(theta.size());
    for (Index k = 0; k < theta.size(); ++k) {
      VectorXd tp = theta, tm = theta;
      tp(k) += h;
      tm(k) -= h;
      fd(k) = (loss(unflatten(tp, d, m), data, ws) - loss(unflatten(tm, d, m), data, ws)) / (2 * h);
    }
    EXPECT_LT((fd - g).cwiseAbs().maxCoeff() / g.cwiseAbs().maxCoeff(), 1e-6)
        << "d=" << d << " T=" << T << " m=" << m;
    EXPECT_LT(rel_err(fd, g), 1e-6);
  }
}

TEST(ModelTransformer, SingleIndexLossGradientIsTwoResidualTimesGradient) {
  rng_t rng = make_rng(13, "test-single");
  transformer_workspace ws;
  const sequence_data data = random_data(4, 5, 6, rng);
  const transformer_params phi = random_params(4, 6, 0.3, rng);
  transformer_params g_loss, g_f;
  for (int j = 0; j < data.n; ++j) {
    const double L = loss_and_gradient(phi, data, {j}, g_loss, ws);
    const double r = forward_one(phi, data, j, ws) - data.y(j);
    EXPECT_NEAR(L, r * r, 1e-14 * (1 + r * r));
    gradient_one(phi, data, j, g_f, ws);
    EXPECT_LT(rel_err(flatten(g_loss), 2 * r * flatten(g_f)), 1e-13);
  }
}

TEST(ModelTransformer, FullBatchLossAndWeightedGradientAgree) {
  rng_t rng = make_rng(14, "test-full");
  transformer_workspace ws;
  const sequence_data data = random_data(3, 4, 9, rng);
  const transformer_params phi = random_params(3, 4, 0.3, rng);
  transformer_params g_loss, g_sum = transformer_params::zeros(3, 4), g_f;
  const double L = loss_and_gradient(phi, data, {}, g_loss, ws);
  EXPECT_NEAR(L, loss(phi, data, ws), 1e-15);
  VectorXd f;
  forward(phi, data, f, ws);
  EXPECT_NEAR(L, (f - data.y).squaredNorm() / data.n, 1e-14);
  VectorXd manual = VectorXd::Zero(flatten(phi).size());
  for (int j = 0; j < data.n; ++j) {
    gradient_one(phi, data, j, g_f, ws);
    manual += 2 * (f(j) - data.y(j)) / data.n * flatten(g_f);
  }
  EXPECT_LT(rel_err(flatten(g_loss), manual), 1e-13);
  const VectorXd w = 2 * (f - data.y) / data.n;
  accumulate_weighted_gradient(phi, data, {}, w, g_sum, ws);
  EXPECT_LT(rel_err(flatten(g_sum), manual), 1e-13);
  // A subset with explicit weights; accumulation adds to what is there.
  accumulate_weighted_gradient(phi, data, {2, 5}, VectorXd::Constant(2, 1.0), g_sum, ws);
  gradient_one(phi, data, 2, g_f, ws);
  VectorXd expect = manual + flatten(g_f);
  gradient_one(phi, data, 5, g_f, ws);
  expect += flatten(g_f);
  EXPECT_LT(rel_err(flatten(g_sum), expect), 1e-13);
}

TEST(ModelTransformer, SymmetricInitGivesZeroOutput) {
  rng_t rng = make_rng(15, "test-init");
  transformer_workspace ws;
  for (int m : {2, 8, 64}) {
    const sequence_data data = random_data(5, 9, 20, rng);
    const transformer_params phi0 = symmetric_init(5, m, rng);
    VectorXd f;
    forward(phi0, data, f, ws);
    EXPECT_LT(f.cwiseAbs().maxCoeff(), 1e-14);
    // A non-symmetric point gives a non-zero output (the check can fail).
    transformer_params phi = phi0;
    phi.c(0) += 0.5;
    forward(phi, data, f, ws);
    EXPECT_GT(f.cwiseAbs().maxCoeff(), 1e-3);
  }
  for (int m : {1, 3, 7, 0, -2}) EXPECT_THROW(symmetric_init(3, m, rng), std::invalid_argument);
}

TEST(ModelTransformer, SymmetricInitDrawOrder) {
  const int d = 3, m = 4;
  rng_t rng = make_rng(16, "test-order"), ref = make_rng(16, "test-order");
  const transformer_params phi = symmetric_init(d, m, rng);
  for (int i = 0; i < m / 2; ++i) {
    for (int r = 0; r < d; ++r)
      for (int k = 0; k < d; ++k) EXPECT_EQ(phi.W(i * d + r, k), standard_normal(ref));
    for (int r = 0; r < d; ++r) EXPECT_EQ(phi.U(r, i), standard_normal(ref));
    EXPECT_EQ(phi.c(i), rademacher(ref));
    EXPECT_EQ(phi.c(i + m / 2), -phi.c(i));
    EXPECT_EQ(phi.U.col(i + m / 2), phi.U.col(i));
    EXPECT_EQ(phi.W.middleRows((i + m / 2) * d, d), phi.W.middleRows(i * d, d));
  }
}

TEST(ModelTransformer, ParamsAlgebra) {
  rng_t rng = make_rng(17, "test-algebra");
  const transformer_params a = random_params(3, 4, 1, rng), b = random_params(3, 4, 1, rng);
  EXPECT_NEAR(a.dot(b), flatten(a).dot(flatten(b)), 1e-12);
  EXPECT_NEAR(a.squared_norm(), flatten(a).squaredNorm(), 1e-12);
  transformer_params c = a;
  c.axpy(-0.5, b);
  EXPECT_LT(rel_err(flatten(c), flatten(a) - 0.5 * flatten(b)), 1e-15);
  EXPECT_EQ(transformer_params::zeros(3, 4).squared_norm(), 0.0);
  EXPECT_EQ(transformer_params::zeros(3, 4).W.rows(), 12);
}

// ---- projection onto Omega_rho

double dist(const transformer_params& a, const transformer_params& b) {
  return (flatten(a) - flatten(b)).norm();
}

TEST(ModelTransformer, ProjectionIsExactBlockwiseClipping) {
  rng_t rng = make_rng(18, "test-proj");
  const int d = 3, m = 6;
  const radii rho{3, 2, 1};
  const transformer_params phi0 = symmetric_init(d, m, rng);
  int inside_count = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const double scale = std::vector<double>{0.05, 0.3, 3.0}[trial % 3];  // near and far
    transformer_params a = phi0, b = phi0;
    a.axpy(scale, noise(d, m, rng));
    b.axpy(scale, noise(d, m, rng));
    transformer_params pa = a, pb = b;
    project(pa, phi0, rho);
    project(pb, phi0, rho);
    EXPECT_TRUE(in_ball(pa, phi0, rho));
    EXPECT_TRUE(in_ball(pb, phi0, rho));
    transformer_params ppa = pa;
    project(ppa, phi0, rho);
    EXPECT_LE(dist(ppa, pa), 1e-14 * (1 + std::sqrt(pa.squared_norm())));  // idempotent
    EXPECT_LE(dist(pa, pb), dist(a, b) * (1 + 1e-12));                     // non-expansive
    if (in_ball(a, phi0, rho, 0)) {
      EXPECT_EQ(flatten(pa), flatten(a));
      ++inside_count;
    } else {
      EXPECT_GT(dist(pa, a), 0.0);
    }
  }
  EXPECT_GT(inside_count, 5);
  // Exact radii on a far point: every block lands on its sphere, along the same direction.
  transformer_params far = phi0;
  far.c.array() += 100;
  far.U.array() -= 100;
  far.W.array() += 100;
  EXPECT_FALSE(in_ball(far, phi0, rho));
  project(far, phi0, rho);
  const double s = 1 / std::sqrt(double(m));
  for (int i = 0; i < m; ++i) {
    EXPECT_NEAR(far.c(i) - phi0.c(i), rho.c * s, 1e-14);
    EXPECT_NEAR((far.U.col(i) - phi0.U.col(i)).norm(), rho.u * s, 1e-14);
    EXPECT_NEAR((far.U.col(i) - phi0.U.col(i)).sum(), -std::sqrt(double(d)) * rho.u * s, 1e-13);
    EXPECT_NEAR((far.W.middleRows(i * d, d) - phi0.W.middleRows(i * d, d)).norm(), rho.w * s,
                1e-14);
  }
  // Identity strictly inside the ball.
  transformer_params inside = phi0;
  inside.c(1) += 0.5 * rho.c * s;
  inside.U(0, 2) += 0.5 * rho.u * s;
  inside.W(4, 1) -= 0.5 * rho.w * s;
  transformer_params p = inside;
  project(p, phi0, rho);
  EXPECT_EQ(flatten(p), flatten(inside));
}

// ---- softmax stability: alpha in the simplex, ||a|| <= 1 and ||M||_F <= 1 for any T
// (T = 4096 also exercises the token-chunked products of transformer.cpp).

TEST(ModelTransformer, SoftmaxStableForHugeLogits) {
  rng_t rng = make_rng(19, "test-softmax");
  transformer_workspace ws;
  transformer_params grad;
  const int d = 4, m = 4;
  // scale 1e4: |X^T W_i q| ~ 1e4; scale 1: spread-out weights (every token counts).
  for (auto [T, scale] : {std::pair{1, 1e4}, std::pair{64, 1e4}, std::pair{4096, 1e4},
                          std::pair{64, 1.0}, std::pair{4096, 1.0}}) {
    const sequence_data data = random_data(d, T, 2, rng);
    transformer_params phi = random_params(d, m, 0.5, rng);
    phi.W *= scale;
    for (int j = 0; j < data.n; ++j) {
      const MatrixXd X = data.sample(j);
      const VectorXd q = data.query(j);
      if (T > 1 && scale > 1) {
        double max_logit = 0;
        for (int i = 0; i < m; ++i)
          max_logit = std::max(
              max_logit, (X.transpose() * phi.W.middleRows(i * d, d) * q).cwiseAbs().maxCoeff());
        EXPECT_GT(max_logit, 1e3);
      }
      const double f = forward_one(phi, data, j, ws);
      EXPECT_TRUE(std::isfinite(f));
      ASSERT_TRUE(ws.Z.allFinite() && ws.A.allFinite());
      gradient_one(phi, data, j, grad, ws);
      ASSERT_TRUE(flatten(grad).allFinite());
      for (int i = 0; i < m; ++i) {
        const VectorXd alpha = ws.Z.col(i);
        EXPECT_NEAR(alpha.sum(), 1.0, 1e-12);
        EXPECT_GE(alpha.minCoeff(), 0.0);
        const VectorXd z = X.transpose() * (phi.W.middleRows(i * d, d) * q);  // naive logits
        VectorXd e = (z.array() - z.maxCoeff()).exp();
        e /= e.sum();
        EXPECT_LT((alpha - e).cwiseAbs().maxCoeff(), 1e-9);
        EXPECT_LE(ws.A.col(i).norm(), 1 + 1e-12);
        EXPECT_LT((ws.A.col(i) - X * alpha).norm(), 1e-12);
        // M = sum_t alpha_t X_t X_t^T - a a^T, formed explicitly.
        const VectorXd a = X * alpha;
        const MatrixXd M = X * alpha.asDiagonal() * X.transpose() - a * a.transpose();
        EXPECT_LE(M.norm(), 1 + 1e-12);
        EXPECT_LT((ws.MU.col(i) - M * phi.U.col(i)).norm(), 1e-10 * (1 + phi.U.col(i).norm()));
      }
    }
  }
}

// ---- linearized model (Definition 3)

TEST(ModelTransformer, LinearizedModelAtAndNearPhi0) {
  rng_t rng = make_rng(20, "test-lin");
  transformer_workspace ws;
  const int d = 4, T = 6, m = 8;
  const sequence_data data = random_data(d, T, 15, rng);
  // A non-symmetric phi0, so f(phi0) != 0 is exercised.
  const transformer_params phi0 = random_params(d, m, 0.3, rng);
  VectorXd f, f_lin;
  forward(phi0, data, f, ws);
  EXPECT_GT(f.cwiseAbs().maxCoeff(), 1e-3);
  forward_linearized(phi0, phi0, data, f_lin, ws);
  EXPECT_LT((f - f_lin).cwiseAbs().maxCoeff(), 1e-15);

  // f_lin(phi) = f(phi0) + <grad f(phi0), phi - phi0> exactly (affine in phi).
  const transformer_params phi = random_params(d, m, 0.3, rng);
  forward_linearized(phi0, phi, data, f_lin, ws);
  transformer_params g;
  const VectorXd delta = flatten(phi) - flatten(phi0);
  for (int j = 0; j < data.n; ++j) {
    gradient_one(phi0, data, j, g, ws);
    EXPECT_NEAR(f_lin(j), f(j) + flatten(g).dot(delta), 1e-12 * (1 + std::abs(f_lin(j))));
  }

  // |f - f_lin| = O(t^2) along a ray: the error drops by ~4 as t halves.
  VectorXd dir(delta.size());
  for (Index k = 0; k < dir.size(); ++k) dir(k) = standard_normal(rng);
  dir /= dir.norm();
  std::vector<double> err;
  for (double t = 0.2; t > 0.2 / 40; t /= 2) {
    const transformer_params pt = unflatten(flatten(phi0) + t * dir, d, m);
    forward(pt, data, f, ws);
    forward_linearized(phi0, pt, data, f_lin, ws);
    err.push_back((f - f_lin).cwiseAbs().maxCoeff());
  }
  for (size_t k = 1; k < err.size(); ++k) {
    const double ratio = err[k - 1] / err[k];
    EXPECT_GT(ratio, 3.5) << "k=" << k;
    EXPECT_LT(ratio, 4.5) << "k=" << k;
  }
}

}  // namespace
