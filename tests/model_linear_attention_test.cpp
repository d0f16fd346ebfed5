// Tests of model/linear_attention, model/icl_prompts and model/icl_training (spec
// ahn2023-linear-attention.md 1.1-1.3, 3.2):
//  - the analytic gradient against an INDEPENDENT forward-mode autodiff (Eigen AutoDiffScalar)
//    of a naive forward pass written from the paper's formula Z + (1/n) P Z M act(Z^T Q Z)
//    with explicit loops, for the three parameterizations, both activations and L = 1..4;
//  - the exact Hessian-vector product against central differences of the gradient and against
//    a nested-autodiff Hessian of the naive pass; the diagonal against products with e_i;
//  - bit-identical loss and gradient for 1, 2 and 3 threads;
//  - the code parameterization against linear_transformer.py's per-token update (spec 1.2);
//    the last layer's P block has gradient exactly 0;
//  - the prompt laws' second and fourth moments against their closed forms;
//  - the optimizers against hand-written torch updates, clipping, step decay, divergence.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <unsupported/Eigen/AutoDiff>
#include <vector>

#include "model/icl_prompts.hpp"
#include "model/icl_training.hpp"
#include "model/linear_attention.hpp"
#include "model/rng.hpp"

namespace {

using namespace attnbound::model;
using namespace attnbound::model::icl;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ------------------------------------------------------------ naive reference (independent)

// Full P_l, Q_l from theta by the header's conventions, for any scalar type.
// `cst(x)` makes the constant x of type T (for Eigen's AutoDiffScalar with every derivative
// vector sized: constants with empty derivative vectors give wrong derivatives in Eigen 3.4's
// AutoDiff when mixed into expressions).
template <class T, class K>
void naive_weights(const lsa_model& m, const std::vector<T>& th, int l, std::vector<std::vector<T>>& P,
                   std::vector<std::vector<T>>& Q, const K& cst) {
  const int d = m.d, D = d + 1;
  P.assign(D, std::vector<T>(D, cst(0.0)));
  Q.assign(D, std::vector<T>(D, cst(0.0)));
  if (m.par == parameterization::full) {
    const int o = l * 2 * D * D;
    for (int j = 0; j < D; ++j)
      for (int i = 0; i < D; ++i) P[i][j] = th[o + i + j * D], Q[i][j] = th[o + D * D + i + j * D];
  } else if (m.par == parameterization::code) {
    const int o = l * 2 * d * d;
    for (int j = 0; j < d; ++j)
      for (int i = 0; i < d; ++i) P[i][j] = th[o + i + j * d], Q[j][i] = th[o + d * d + i + j * d];  // Q_full = [[Q^T,0],[0,0]]
    P[d][d] = cst(1.0);
  } else {
    const int o = l * d * d;
    for (int j = 0; j < d; ++j)
      for (int i = 0; i < d; ++i) Q[i][j] = -th[o + i + j * d];
    P[d][d] = cst(1.0);
  }
}

// f = mean_b ([Z_L]_{d,n} + y_q)^2 with Z_{l+1} = Z_l + (1/n) P Z M act(Z^T Q Z), literally.
template <class T, class K>
T naive_loss(const lsa_model& m, const std::vector<T>& th, const prompt_batch& batch, const K& cst) {
  const int d = m.d, D = d + 1, n = batch.n, N = n + 1;
  T total = cst(0.0);
  for (int b = 0; b < batch.B; ++b) {
    std::vector<std::vector<T>> Z(D, std::vector<T>(N, cst(0.0)));
    for (int i = 0; i < D; ++i)
      for (int j = 0; j < N; ++j) Z[i][j] = cst(batch.Z(i, static_cast<Index>(b) * N + j));
    for (int l = 0; l < m.L; ++l) {
      std::vector<std::vector<T>> P, Q;
      naive_weights(m, th, l, P, Q, cst);
      // S = Z^T Q Z, (n+1) x (n+1)
      std::vector<std::vector<T>> QZ(D, std::vector<T>(N, cst(0.0))), S(N, std::vector<T>(N, cst(0.0)));
      for (int i = 0; i < D; ++i)
        for (int j = 0; j < N; ++j)
          for (int k = 0; k < D; ++k) QZ[i][j] = QZ[i][j] + Q[i][k] * Z[k][j];
      for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
          for (int k = 0; k < D; ++k) S[i][j] = S[i][j] + Z[k][i] * QZ[k][j];
          if (m.act == attention::relu && !(S[i][j] > 0.0)) S[i][j] = cst(0.0);
        }
      // ZM = Z with the query column zeroed; W = ZM act(S); Z += (1/n) P W
      std::vector<std::vector<T>> W(D, std::vector<T>(N, cst(0.0)));
      for (int i = 0; i < D; ++i)
        for (int j = 0; j < N; ++j)
          for (int k = 0; k < N; ++k) {
            const T zm = k < n ? Z[i][k] : cst(0.0);
            W[i][j] = W[i][j] + zm * S[k][j];
          }
      std::vector<std::vector<T>> Zn = Z;
      for (int i = 0; i < D; ++i)
        for (int j = 0; j < N; ++j) {
          T acc = cst(0.0);
          for (int k = 0; k < D; ++k) acc = acc + P[i][k] * W[k][j];
          Zn[i][j] = Z[i][j] + acc / double(n);
        }
      Z = Zn;
    }
    const T r = Z[d][n] + cst(batch.y_query(b));
    total = total + r * r;
  }
  return total / double(batch.B);
}

using AD = Eigen::AutoDiffScalar<VectorXd>;

VectorXd naive_gradient(const lsa_model& m, const VectorXd& theta, const prompt_batch& batch, double* f) {
  const int p = static_cast<int>(theta.size());
  std::vector<AD> th(p);
  for (int i = 0; i < p; ++i) th[i] = AD(theta(i), p, i);
  AD out = naive_loss(m, th, batch, [p](double x) { return AD(x, VectorXd::Zero(p)); });
  if (f) *f = out.value();
  return out.derivatives();
}

using ADVec = Eigen::Matrix<AD, Eigen::Dynamic, 1>;
using AD2 = Eigen::AutoDiffScalar<ADVec>;

MatrixXd naive_hessian(const lsa_model& m, const VectorXd& theta, const prompt_batch& batch) {
  const int p = static_cast<int>(theta.size());
  std::vector<AD2> th(p);
  for (int i = 0; i < p; ++i) {
    th[i].value() = AD(theta(i), p, i);
    th[i].derivatives().resize(p);
    for (int j = 0; j < p; ++j) th[i].derivatives()(j) = AD(i == j ? 1.0 : 0.0, VectorXd::Zero(p));
  }
  auto k = [p](double x) {
    AD2 c;
    c.value() = AD(x, VectorXd::Zero(p));
    c.derivatives().resize(p);
    for (int j = 0; j < p; ++j) c.derivatives()(j) = AD(0.0, VectorXd::Zero(p));
    return c;
  };
  AD2 out = naive_loss(m, th, batch, k);
  MatrixXd H(p, p);
  for (int i = 0; i < p; ++i) H.row(i) = out.derivatives()(i).derivatives().transpose();
  return H;
}

prompt_batch small_batch(int d, int n, int B, std::uint64_t seed, covariate_law law = covariate_law::gaussian) {
  prompt_options o;
  o.d = d, o.n = n, o.law = law;
  rng_t rng = make_rng(seed, "lsa-test-batch", {static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(n)});
  return draw_prompts(o, B, rng);
}

// Parameters of moderate size (so every layer matters), entries N(0, s^2).
VectorXd random_theta(const lsa_model& m, double s, std::uint64_t seed) {
  rng_t rng = make_rng(seed, "lsa-test-theta", {static_cast<std::uint64_t>(m.L)});
  return initial_parameters(m, rng, s);
}

double rel_err(const VectorXd& a, const VectorXd& b) { return (a - b).norm() / std::max(1e-300, b.norm()); }

const parameterization kPars[] = {parameterization::full, parameterization::code, parameterization::sparse};
const attention kActs[] = {attention::linear, attention::relu};

// ------------------------------------------------------------ gradient

TEST(ModelLinearAttention, ParameterCountsAndPackRoundTrip) {
  EXPECT_EQ(parameter_count({5, 3, parameterization::code, attention::linear}), 150);  // spec 1.2
  EXPECT_EQ(parameter_count({5, 3, parameterization::full, attention::linear}), 216);
  EXPECT_EQ(parameter_count({5, 3, parameterization::sparse, attention::linear}), 75);
  for (auto par : kPars) {
    lsa_model m{3, 2, par, attention::linear};
    const VectorXd theta = random_theta(m, 0.3, 1);
    const auto layers = unpack(m, theta);
    ASSERT_EQ(layers.size(), 2u);
    EXPECT_EQ(pack(m, layers), theta);
    if (par != parameterization::full) {
      EXPECT_EQ(layers[0].P(3, 3), 1.0);
      EXPECT_EQ(layers[0].Q.row(3).norm() + layers[0].Q.col(3).norm(), 0.0);
      auto bad = layers;
      bad[1].P(3, 3) = 0.5;
      EXPECT_THROW(pack(m, bad), std::invalid_argument);
    }
  }
  // code: Q_full = [[Q^T, 0], [0, 0]]; sparse: Q_full = -[[A, 0], [0, 0]]
  lsa_model code{2, 1, parameterization::code, attention::linear};
  VectorXd th(8);
  th << 1, 2, 3, 4, 5, 6, 7, 8;
  const auto lw = unpack(code, th);
  EXPECT_EQ(lw[0].P(1, 0), 2.0);
  EXPECT_EQ(lw[0].Q(0, 1), 6.0);  // theta's Q block (1,0) = 6 lands at Q_full(0,1)
  lsa_model sp{2, 1, parameterization::sparse, attention::linear};
  EXPECT_EQ(unpack(sp, th.head(4))[0].Q(1, 0), -2.0);
}

TEST(ModelLinearAttention, GradientMatchesIndependentAutoDiff) {
  for (auto par : kPars)
    for (auto act : kActs)
      for (int L = 1; L <= 4; ++L) {
        SCOPED_TRACE(::testing::Message() << "par " << int(par) << " act " << int(act) << " L " << L);
        lsa_model m{3, L, par, act};
        const prompt_batch batch = small_batch(3, 5, 4, 10 + L);
        const VectorXd theta = random_theta(m, 0.4, 20 + L + 7 * int(par) + 31 * int(act));
        VectorXd g;
        const double f = loss_and_gradient(m, theta, batch, g);
        double f_ref;
        const VectorXd g_ref = naive_gradient(m, theta, batch, &f_ref);
        EXPECT_NEAR(f, f_ref, 1e-13 * std::max(1.0, std::abs(f_ref)));
        EXPECT_NEAR(loss(m, theta, batch), f, 1e-15 * std::max(1.0, std::abs(f)));
        EXPECT_LT(rel_err(g, g_ref), 1e-12);
        EXPECT_GT(g.norm(), 1e-6);
      }
}

TEST(ModelLinearAttention, PredictAndForwardTokensAgree) {
  lsa_model m{4, 3, parameterization::code, attention::linear};
  const prompt_batch batch = small_batch(4, 6, 5, 3);
  const VectorXd theta = random_theta(m, 0.3, 4);
  const VectorXd yhat = predict(m, theta, batch);
  double f = 0;
  for (int b = 0; b < batch.B; ++b) {
    const MatrixXd ZL = forward_tokens(m, theta, batch, b);
    EXPECT_EQ(yhat(b), -ZL(4, 6));
    f += std::pow(yhat(b) - batch.y_query(b), 2);
  }
  EXPECT_NEAR(loss(m, theta, batch), f / batch.B, 1e-14 * f);
}

// linear_transformer.py (spec 1.2), per layer and token j (query included), sums over the n
// context tokens of the layer's input:
//   x_j <- x_j + (1/n) sum_i (x_j^T Q x_i) P x_i,   y_j <- y_j + (1/n) sum_i (x_j^T Q x_i) y_i.
TEST(ModelLinearAttention, CodeParameterizationIsTheOfficialPerTokenUpdate) {
  const int d = 3, n = 7, L = 3;
  lsa_model m{d, L, parameterization::code, attention::linear};
  const prompt_batch batch = small_batch(d, n, 3, 5);
  const VectorXd theta = random_theta(m, 0.3, 6);
  for (int b = 0; b < batch.B; ++b) {
    MatrixXd X = batch.Z.block(0, b * (n + 1), d, n + 1);
    VectorXd y = batch.Z.row(d).segment(b * (n + 1), n + 1).transpose();
    for (int l = 0; l < L; ++l) {
      const Eigen::Map<const MatrixXd> P(theta.data() + l * 2 * d * d, d, d), Q(theta.data() + l * 2 * d * d + d * d, d, d);
      MatrixXd Xn = X;
      VectorXd yn = y;
      for (int j = 0; j <= n; ++j)
        for (int i = 0; i < n; ++i) {
          const double s = X.col(j).dot(Q * X.col(i));
          Xn.col(j) += s * (P * X.col(i)) / n;
          yn(j) += s * y(i) / n;
        }
      X = Xn, y = yn;
    }
    const MatrixXd ZL = forward_tokens(m, theta, batch, b);
    EXPECT_LT((ZL.topRows(d) - X).norm(), 1e-13 * X.norm());
    EXPECT_LT((ZL.row(d).transpose() - y).norm(), 1e-13 * y.norm());
  }
}

TEST(ModelLinearAttention, LastLayerPBlockHasExactlyZeroGradient) {
  for (auto act : kActs)
    for (int L = 1; L <= 3; ++L) {
      const int d = 4;
      lsa_model m{d, L, parameterization::code, act};
      const prompt_batch batch = small_batch(d, 9, 40, 7);
      const VectorXd theta = random_theta(m, 0.3, 8);
      VectorXd g;
      loss_and_gradient(m, theta, batch, g);
      const Index last_P = static_cast<Index>(L - 1) * 2 * d * d;
      EXPECT_EQ(g.segment(last_P, d * d).cwiseAbs().maxCoeff(), 0.0);
      EXPECT_GT(g.segment(last_P + d * d, d * d).norm(), 0.0);
      const VectorXd hdiag = hessian_diagonal(m, theta, batch);
      EXPECT_EQ(hdiag.segment(last_P, d * d).cwiseAbs().maxCoeff(), 0.0);
    }
}

TEST(ModelLinearAttention, BitIdenticalForAnyThreadCount) {
  for (auto act : kActs) {
    lsa_model m{5, 3, parameterization::code, act};
    const prompt_batch batch = small_batch(5, 20, 1000, 9);
    const VectorXd theta = random_theta(m, 0.2, 10);
    VectorXd g1, g2, g3;
    const double f1 = loss_and_gradient(m, theta, batch, g1, 1);
    const double f2 = loss_and_gradient(m, theta, batch, g2, 2);
    const double f3 = loss_and_gradient(m, theta, batch, g3, 3);
    EXPECT_EQ(f1, f2);
    EXPECT_EQ(f1, f3);
    EXPECT_EQ(g1, g2);
    EXPECT_EQ(g1, g3);
    EXPECT_EQ(loss(m, theta, batch, 1), loss(m, theta, batch, 3));
    const VectorXd v = random_theta(m, 1.0, 11);
    EXPECT_EQ(hessian_vector(m, theta, batch, v, 1), hessian_vector(m, theta, batch, v, 2));
    const prompt_batch small = small_batch(5, 20, 100, 12);
    EXPECT_EQ(hessian_diagonal(m, theta, small, 1), hessian_diagonal(m, theta, small, 3));
  }
}

// ------------------------------------------------------------ Hessian

TEST(ModelLinearAttention, HessianVectorMatchesFiniteDifferencesOfTheGradient) {
  for (auto par : kPars)
    for (auto act : kActs) {
      SCOPED_TRACE(::testing::Message() << "par " << int(par) << " act " << int(act));
      lsa_model m{3, 3, par, act};
      const prompt_batch batch = small_batch(3, 6, 20, 12);
      const VectorXd theta = random_theta(m, 0.4, 13), v = random_theta(m, 1.0, 14);
      const VectorXd hv = hessian_vector(m, theta, batch, v);
      const double h = 1e-5;
      VectorXd gp, gm;
      loss_and_gradient(m, theta + h * v, batch, gp);
      loss_and_gradient(m, theta - h * v, batch, gm);
      const VectorXd fd = (gp - gm) / (2 * h);
      // central differences: O(h^2) truncation + O(eps/h) rounding; ReLU kinks are not crossed
      // at this h for these draws (else the error would be O(1)).
      EXPECT_LT(rel_err(hv, fd), 1e-6);
    }
}

TEST(ModelLinearAttention, HessianMatchesNestedAutoDiffOnATinyCase) {
  for (auto par : kPars)
    for (auto act : kActs) {
      SCOPED_TRACE(::testing::Message() << "par " << int(par) << " act " << int(act));
      lsa_model m{2, 2, par, act};
      const prompt_batch batch = small_batch(2, 3, 2, 15);
      const VectorXd theta = random_theta(m, 0.5, 16);
      const MatrixXd H = naive_hessian(m, theta, batch);
      EXPECT_LT((H - H.transpose()).norm(), 1e-12 * H.norm());
      const int p = static_cast<int>(theta.size());
      for (int i = 0; i < p; ++i) {
        const VectorXd e = VectorXd::Unit(p, i);
        EXPECT_LT((hessian_vector(m, theta, batch, e) - H.col(i)).norm(), 1e-12 * std::max(1.0, H.norm()));
      }
      EXPECT_LT((hessian_diagonal(m, theta, batch) - H.diagonal()).norm(), 1e-12 * std::max(1.0, H.norm()));
    }
}

// The diagonal (value passes once per prompt, tangents from the coordinate's layer on) equals
// the products with the unit vectors.
TEST(ModelLinearAttention, HessianDiagonalMatchesUnitVectorProducts) {
  for (auto par : kPars)
    for (auto act : kActs) {
      SCOPED_TRACE(::testing::Message() << "par " << int(par) << " act " << int(act));
      lsa_model m{3, 3, par, act};
      const prompt_batch batch = small_batch(3, 6, 30, 17);
      const VectorXd theta = random_theta(m, 0.4, 18);
      const VectorXd diag = hessian_diagonal(m, theta, batch, 2);
      const Index p = theta.size();
      VectorXd ref(p);
      for (Index i = 0; i < p; ++i) ref(i) = hessian_vector(m, theta, batch, VectorXd::Unit(p, i))(i);
      EXPECT_LT((diag - ref).cwiseAbs().maxCoeff(), 1e-12 * ref.cwiseAbs().maxCoeff());
      EXPECT_GT(ref.cwiseAbs().maxCoeff(), 1e-3);
    }
}

// ------------------------------------------------------------ prompts

struct moment_check {
  MatrixXd second, fourth;  // E x x^T, E |x|^2 x x^T
};

// Sample means of x x^T and |x|^2 x x^T over all tokens, each entry within 5 standard errors
// (estimated from the same draws) of the closed form.
void check_moments(const prompt_options& o, int B, const moment_check& truth, std::uint64_t seed) {
  rng_t rng = make_rng(seed, "lsa-test-moments");
  const prompt_batch pb = draw_prompts(o, B, rng);
  const int d = o.d, N = static_cast<int>(pb.Z.cols());
  MatrixXd s2 = MatrixXd::Zero(d, d), q2 = s2, s4 = s2, q4 = s2;
  for (int c = 0; c < N; ++c) {
    const VectorXd x = pb.Z.col(c).head(d);
    const MatrixXd xx = x * x.transpose(), x4 = x.squaredNorm() * xx;
    s2 += xx, q2 += xx.cwiseProduct(xx), s4 += x4, q4 += x4.cwiseProduct(x4);
  }
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) {
      const double m2 = s2(i, j) / N, se2 = std::sqrt((q2(i, j) / N - m2 * m2) / N);
      const double m4 = s4(i, j) / N, se4 = std::sqrt((q4(i, j) / N - m4 * m4) / N);
      EXPECT_LT(std::abs(m2 - truth.second(i, j)), 5 * se2 + 1e-15) << "E xx^T (" << i << "," << j << ")";
      EXPECT_LT(std::abs(m4 - truth.fourth(i, j)), 5 * se4 + 1e-15) << "E|x|^2 xx^T (" << i << "," << j << ")";
    }
}

TEST(ModelIclPrompts, CovariateLawMomentsMatchClosedForms) {
  const int d = 4, n = 19, B = 10000;  // 2e5 covariates
  const MatrixXd I = MatrixXd::Identity(d, d);
  prompt_options o;
  o.d = d, o.n = n;
  {  // Gaussian, Sigma = S S^T: E xx^T = Sigma, E|x|^2 xx^T = tr(Sigma) Sigma + 2 Sigma^2
    o.law = covariate_law::gaussian;
    o.sigma_sqrt = MatrixXd::Identity(d, d);
    o.sigma_sqrt(0, 0) = 2.0, o.sigma_sqrt(1, 0) = 0.5, o.sigma_sqrt(3, 3) = 0.25;
    const MatrixXd S = o.sigma_sqrt * o.sigma_sqrt.transpose();
    check_moments(o, B, {S, S.trace() * S + 2 * S * S}, 1);
    o.sigma_sqrt.resize(0, 0);
    check_moments(o, B, {I, (d + 2.0) * I}, 2);
  }
  {  // sphere: E xx^T = I/d = E|x|^2 xx^T, and |x| = 1
    o.law = covariate_law::sphere;
    check_moments(o, B, {I / d, I / d}, 3);
    rng_t rng = make_rng(4, "lsa-test-sphere");
    const prompt_batch pb = draw_prompts(o, 500, rng);
    for (Index c = 0; c < pb.Z.cols(); ++c) ASSERT_NEAR(pb.Z.col(c).head(d).norm(), 1.0, 4e-16);
  }
  {  // radial gamma: E r^2 = k theta, E r^4 = k (k + 1) theta^2
    o.law = covariate_law::radial_gamma;
    for (auto [k, th] : {std::pair{0.1, 10.0}, std::pair{2.5, 2.0}}) {
      o.gamma_shape = k, o.gamma_scale = th;
      check_moments(o, B, {k * th / d * I, k * (k + 1) * th * th / d * I}, 5);
    }
  }
  {  // cube U(-a, a)^d: E x_i^2 = a^2/3, E x_i^4 = a^4/5
    o.law = covariate_law::cube;
    const double a = 1.5;
    o.cube_half_width = a;
    const double v = a * a / 3;
    check_moments(o, B, {v * I, (a * a * a * a / 5 + (d - 1) * v * v) * I}, 6);
  }
}

TEST(ModelIclPrompts, LabelsTaskVectorAndQuery) {
  prompt_options o;
  o.d = 3, o.n = 4, o.query_scale = 2.5;
  o.w_sqrt = MatrixXd::Zero(3, 3);
  o.w_sqrt.diagonal() << 1.0, 2.0, 0.5;
  rng_t rng = make_rng(7, "lsa-test-labels");
  const prompt_batch pb = draw_prompts(o, 20000, rng);
  ASSERT_EQ(pb.Z.rows(), 4);
  ASSERT_EQ(pb.Z.cols(), 20000 * 5);
  double qnorm2 = 0;
  for (int b = 0; b < pb.B; ++b) {
    const VectorXd w = pb.w.col(b);
    for (int t = 0; t < 4; ++t) EXPECT_EQ(pb.Z(3, b * 5 + t), pb.Z.col(b * 5 + t).head(3).dot(w));
    EXPECT_EQ(pb.Z(3, b * 5 + 4), 0.0);
    EXPECT_EQ(pb.y_query(b), pb.Z.col(b * 5 + 4).head(3).dot(w));
    qnorm2 += pb.Z.col(b * 5 + 4).head(3).squaredNorm();
  }
  // E|x_q|^2 = c^2 d = 18.75 (sd of |x_q|^2 is c^2 sqrt(2d) = 15.3, s.e. 0.11)
  EXPECT_NEAR(qnorm2 / pb.B, 18.75, 0.55);
  // Cov(w*) = w_sqrt w_sqrt^T = diag(1, 4, 0.25), s.e. of the diagonal <= 4 sqrt(2/20000) = 0.04
  const MatrixXd C = pb.w * pb.w.transpose() / pb.B;
  EXPECT_NEAR(C(0, 0), 1.0, 0.05);
  EXPECT_NEAR(C(1, 1), 4.0, 0.2);
  EXPECT_NEAR(C(2, 2), 0.25, 0.0125);
  EXPECT_NEAR(C(0, 1), 0.0, 0.1);
  // same seed, same batch
  rng_t r1 = make_rng(8, "x"), r2 = make_rng(8, "x");
  EXPECT_EQ(draw_prompts(o, 3, r1).Z, draw_prompts(o, 3, r2).Z);
  o.d = 0;
  EXPECT_THROW(draw_prompts(o, 3, r1), std::invalid_argument);
}

// ------------------------------------------------------------ training

// A 2-parameter model (sparse, d = 1, L = 2): theta = (A_1, A_2).
struct toy {
  lsa_model m{1, 2, parameterization::sparse, attention::linear};
  prompt_options data;
  toy() { data.d = 1, data.n = 5; }
};

TEST(ModelIclTraining, MatchesHandWrittenTorchUpdates) {
  toy z;
  const VectorXd theta0 = (VectorXd(2) << 0.3, -0.2).finished();
  for (auto opt : {optimizer::sgdm, optimizer::adam}) {
    train_options o;
    o.opt = opt, o.lr = 0.05, o.iterations = 6, o.batch = 50, o.clip = 0, o.decay_every = 2, o.decay_gamma = 0.5;
    rng_t rng = make_rng(1, "lsa-test-train"), replay = rng;
    std::vector<VectorXd> seen;
    const train_result res = train_online(z.m, theta0, z.data, o, rng, [&](const step_view& s) {
      seen.push_back(s.next_theta);
    });
    ASSERT_EQ(res.iterations, 6);
    ASSERT_FALSE(res.diverged);
    VectorXd th = theta0, buf = VectorXd::Zero(2), sq = VectorXd::Zero(2), g;
    for (int t = 0; t < 6; ++t) {
      const prompt_batch pb = draw_prompts(z.data, 50, replay);
      loss_and_gradient(z.m, th, pb, g);
      const double lr = 0.05 * std::pow(0.5, t / 2);
      for (int i = 0; i < 2; ++i) {
        if (opt == optimizer::sgdm) {
          buf(i) = t == 0 ? g(i) : 0.9 * buf(i) + g(i);
          th(i) -= lr * buf(i);
        } else {
          buf(i) = 0.9 * buf(i) + 0.1 * g(i);
          sq(i) = 0.9 * sq(i) + 0.1 * g(i) * g(i);
          const double mhat = buf(i) / (1 - std::pow(0.9, t + 1)), vhat = sq(i) / (1 - std::pow(0.9, t + 1));
          th(i) -= lr * mhat / (std::sqrt(vhat) + 1e-8);
        }
      }
      EXPECT_LT((seen[t] - th).norm(), 1e-14) << "t = " << t;
    }
    EXPECT_EQ(res.theta, seen.back());
  }
}

TEST(ModelIclTraining, FirstAdamStepIsSignAndClippingScalesTheStep) {
  toy z;
  const VectorXd theta0 = (VectorXd(2) << 0.3, -0.2).finished();
  train_options o;
  o.opt = optimizer::adam, o.lr = 0.01, o.iterations = 1, o.batch = 50, o.clip = 0;
  rng_t rng = make_rng(2, "lsa-test-train"), replay = rng;
  VectorXd g;
  loss_and_gradient(z.m, theta0, draw_prompts(z.data, 50, replay), g);
  train_result r = train_online(z.m, theta0, z.data, o, rng);
  for (int i = 0; i < 2; ++i)  // Adam's first step: lr g / (|g| + eps)
    EXPECT_NEAR(r.theta(i), theta0(i) - 0.01 * g(i) / (std::abs(g(i)) + 1e-8), 1e-16);
  // SGD (momentum 0) with clip c < ||g||: the step is lr c g / ||g||, of length lr c exactly;
  // raw_grad_norm reports ||g|| before clipping.
  o.opt = optimizer::sgdm, o.momentum = 0, o.lr = 0.1, o.clip = 1e-3 * g.norm();
  rng = make_rng(2, "lsa-test-train");
  double raw = -1;
  r = train_online(z.m, theta0, z.data, o, rng, [&](const step_view& s) { raw = s.raw_grad_norm; });
  EXPECT_DOUBLE_EQ(raw, g.norm());
  EXPECT_NEAR((r.theta - theta0).norm(), 0.1 * o.clip, 1e-15);
  EXPECT_LT((r.theta - (theta0 - 0.1 * o.clip * g / g.norm())).norm(), 1e-16);
}

TEST(ModelIclTraining, StopsOnDivergence) {
  toy z;
  train_options o;
  o.opt = optimizer::sgdm, o.iterations = 5, o.batch = 10;
  rng_t rng = make_rng(3, "lsa-test-train");
  const VectorXd huge = (VectorXd(2) << 1e200, -1e200).finished();
  const train_result r = train_online(z.m, huge, z.data, o, rng);
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.theta, huge);
}

TEST(ModelIclTraining, TrainingLowersTheLoss) {
  // Setting 1 shrunk (d = 3, n = 10, L = 2): Adam lr 0.02 for 200 steps of B = 200 lowers the
  // held-out loss well below its initial value ~ d + 1.
  lsa_model m{3, 2, parameterization::code, attention::linear};
  prompt_options data;
  data.d = 3, data.n = 10;
  rng_t init = make_rng(4, "lsa-test-init"), rng = make_rng(4, "lsa-test-data"), test_rng = make_rng(4, "lsa-test-heldout");
  const VectorXd theta0 = initial_parameters(m, init);
  const prompt_batch test = draw_prompts(data, 2000, test_rng);
  train_options o;
  o.iterations = 200, o.batch = 200, o.threads = 2;
  const train_result r = train_online(m, theta0, data, o, rng);
  EXPECT_FALSE(r.diverged);
  const double f0 = loss(m, theta0, test), f1 = loss(m, r.theta, test);
  EXPECT_GT(f0, 2.0);
  EXPECT_LT(f1, 0.5 * f0);
}

}  // namespace
