// Tests of model/signal_noise, model/sign_attention and model/sign_training (Li et al. 2024,
// spec li2024-signgd-two-layer-transformer.md sections 1, 2, 4.1):
//  - the analytic gradient against an INDEPENDENT forward-mode autodiff (Eigen AutoDiffScalar)
//    of the literal formula f = F_{+1} - F_{-1}, F_j = (1/m_v) sum_l 1^T W_{V,j} X
//    softmax(X^T W_K^T W_Q x^(l)), evaluated with DENSE X and explicit loops, every block;
//  - f against the spec's equivalent form via v and s_la; the forward values and tracked scalars;
//  - the logistic loss at |y f| = 800 (no inf/NaN);
//  - the data law: disjoint supports disjoint and ascending, coordinate frequencies uniform,
//    untouched_coordinates against brute force, bad input;
//  - SignGD keeps untouched coordinates bit-identical; Adam(0, 0, 0) == SignGD bit for bit
//    (also where g^2 underflows); GD decreases the loss for a small step;
//  - the spec 4.1 laws (magnitudes from bounds/li2024/per_step_laws.hpp, directions from the
//    tracked scalars) at every step with disjoint supports, and their violation when supports
//    overlap (the check can fail).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>
#include <unsupported/Eigen/AutoDiff>
#include <vector>

#include "bounds/li2024/per_step_laws.hpp"
#include "model/rng.hpp"
#include "model/sign_attention.hpp"
#include "model/sign_training.hpp"
#include "model/signal_noise.hpp"
#include "tests/li2024_law_oracle.hpp"

namespace {

namespace bl = attnbound::bounds::li2024;
using namespace attnbound::model;
using namespace attnbound::model::li2024;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using attnbound::test::li2024::bit_equal;
using attnbound::test::li2024::law_violation;
using attnbound::test::li2024::preconditions_hold;
using attnbound::test::li2024::problem;
using attnbound::test::li2024::sgn0;

problem make_problem(int d, int s, int n, int m_k, int m_v, double sigma0, bool disjoint, std::uint64_t seed,
                     double sigma_p = 1.0, double mu_norm = 1.0) {
  problem p;
  p.law.d = d, p.law.s = s, p.law.sigma_p = sigma_p, p.law.mu_norm = mu_norm;
  rng_t rd = make_rng(seed, "li2024.test.data");
  p.data = draw_samples(p.law, n, disjoint, rd);
  rng_t ri = make_rng(seed, "li2024.test.init");
  p.W0 = initial_parameters(d, m_k, m_v, sigma0, ri);
  return p;
}

VectorXd dense(const signal_noise_law& law, const sparse_vector& x) {
  VectorXd v = VectorXd::Zero(law.d);
  for (std::size_t j = 0; j < x.index.size(); ++j) v[x.index[j]] = x.value[j];
  return v;
}

MatrixXd dense_X(const signal_noise_law& law, const signal_noise_sample& x) {
  MatrixXd X(law.d, 2);
  X.col(0) = VectorXd::Zero(law.d);
  X(0, 0) = x.y * law.mu_norm;
  X.col(1) = dense(law, x.xi);
  return X;
}

// ---------------------------------------------------------------- autodiff of the literal formula

using AD = Eigen::AutoDiffScalar<VectorXd>;

// L_S of the literal formula with dense X and explicit loops; theta = (W_Q, W_K, W_{V,+1},
// W_{V,-1}) column-major. Every constant carries a sized zero derivative vector (Eigen 3.4's
// AutoDiff mishandles empty ones mixed into expressions).
AD literal_loss(const problem& pr, const attention_params& W, std::vector<AD>* f_out = nullptr) {
  const int d = pr.law.d, m_k = static_cast<int>(W.WQ.rows()), m_v = static_cast<int>(W.WVp.rows());
  const int P = 2 * m_k * d + 2 * m_v * d;
  auto cst = [P](double x) { return AD(x, VectorXd::Zero(P)); };
  std::vector<AD> th(P);
  int o = 0;
  for (const MatrixXd* M : {&W.WQ, &W.WK, &W.WVp, &W.WVm})
    for (Index k = 0; k < M->size(); ++k, ++o) th[o] = AD(M->data()[k], P, o);
  auto WQ = [&](int s, int k) -> const AD& { return th[s + k * m_k]; };
  auto WK = [&](int s, int k) -> const AD& { return th[m_k * d + s + k * m_k]; };
  auto WV = [&](int j, int r, int k) -> const AD& { return th[2 * m_k * d + j * m_v * d + r + k * m_v]; };

  AD loss = cst(0);
  for (const auto& x : pr.data) {
    const MatrixXd X = dense_X(pr.law, x);
    AD F[2] = {cst(0), cst(0)};  // F_{+1}, F_{-1}
    for (int l = 0; l < 2; ++l) {
      std::vector<AD> h(m_k, cst(0));  // W_Q x^(l)
      for (int s = 0; s < m_k; ++s)
        for (int k = 0; k < d; ++k) h[s] += WQ(s, k) * X(k, l);
      AD z[2] = {cst(0), cst(0)};  // X^T W_K^T (W_Q x^(l))
      for (int a = 0; a < 2; ++a)
        for (int s = 0; s < m_k; ++s) {
          AD kk = cst(0);
          for (int k = 0; k < d; ++k) kk += WK(s, k) * X(k, a);
          z[a] += kk * h[s];
        }
      const AD e0 = exp(z[0]), e1 = exp(z[1]);
      const AD p[2] = {e0 / (e0 + e1), e1 / (e0 + e1)};
      for (int j = 0; j < 2; ++j)
        for (int r = 0; r < m_v; ++r)
          for (int a = 0; a < 2; ++a) {
            AD wx = cst(0);
            for (int k = 0; k < d; ++k) wx += WV(j, r, k) * X(k, a);
            F[j] += wx * p[a] / static_cast<double>(m_v);
          }
    }
    const AD f = F[0] - F[1];
    if (f_out) f_out->push_back(f);
    loss += log(cst(1) + exp(-x.y * f));
  }
  return loss / static_cast<double>(pr.data.size());
}

double max_abs(const MatrixXd& M) { return M.size() ? M.cwiseAbs().maxCoeff() : 0.0; }

TEST(Li2024Gradient, MatchesAutodiffOfLiteralFormulaEveryBlock) {
  // Overlapping supports (d = 9, s = 3, n = 4) and disjoint ones (n = 2); sigma0 large enough
  // for non-trivial softmaxes.
  struct cfg {
    int n;
    bool disjoint;
    double sigma0, sigma_p, mu_norm;
    std::uint64_t seed;
  };
  for (const cfg& c : {cfg{4, false, 0.7, 1.0, 1.0, 1}, cfg{4, false, 1.1, 0.8, 1.3, 2}, cfg{2, true, 0.9, 1.2, 0.6, 3},
                      cfg{5, false, 0.4, 1.5, 2.0, 4}}) {
    const problem pr = make_problem(9, 3, c.n, 3, 2, c.sigma0, c.disjoint, c.seed, c.sigma_p, c.mu_norm);
    const loss_and_gradient lg = gradient(pr.W0, pr.law, pr.data);
    const AD L = literal_loss(pr, pr.W0);
    EXPECT_NEAR(lg.loss, L.value(), 1e-14 * std::max(1.0, std::abs(L.value())));
    const VectorXd& g = L.derivatives();
    Index o = 0;
    for (const auto& [mine, name] : {std::pair{&lg.grad.WQ, "W_Q"}, std::pair{&lg.grad.WK, "W_K"},
                                     std::pair{&lg.grad.WVp, "W_V+"}, std::pair{&lg.grad.WVm, "W_V-"}}) {
      const MatrixXd ref = Eigen::Map<const MatrixXd>(g.data() + o, mine->rows(), mine->cols());
      o += mine->size();
      ASSERT_GT(max_abs(ref), 1e-6) << name << " seed " << c.seed;  // a non-trivial comparison
      EXPECT_LE(max_abs(*mine - ref), 1e-13 * std::max(1.0, max_abs(ref))) << name << " seed " << c.seed;
    }
  }
}

// ---------------------------------------------------------------- forward values

TEST(Li2024Forward, EqualsSpecFormViaVAndSoftmaxAndTrackedScalars) {
  const problem pr = make_problem(12, 4, 5, 4, 3, 0.8, false, 11, 1.1, 1.4);
  std::vector<AD> f_lit;
  literal_loss(pr, pr.W0, &f_lit);
  const attention_params& W = pr.W0;
  const VectorXd v = W.WVp.colwise().mean().transpose() - W.WVm.colwise().mean().transpose();
  const VectorXd mu = VectorXd::Unit(pr.law.d, 0) * pr.law.mu_norm;
  const tracked_scalars tr = track(W, pr.law, pr.data);
  EXPECT_NEAR(tr.value_signal, v.dot(mu), 1e-15);
  EXPECT_LE((tr.query_signal - W.WQ * mu).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LE((tr.key_signal - W.WK * mu).cwiseAbs().maxCoeff(), 1e-15);
  for (std::size_t i = 0; i < pr.data.size(); ++i) {
    const auto& x = pr.data[i];
    const MatrixXd X = dense_X(pr.law, x);
    const MatrixXd Z = (W.WQ * X).transpose() * (W.WK * X);  // z_la = sum_s <w_Q,s, x^(l)> <w_K,s, x^(a)>
    double S[2][2];
    for (int l = 0; l < 2; ++l) {
      const double e0 = std::exp(Z(l, 0)), e1 = std::exp(Z(l, 1));
      S[l][0] = e0 / (e0 + e1), S[l][1] = e1 / (e0 + e1);
    }
    double f = 0;
    for (int l = 0; l < 2; ++l) f += S[l][0] * v.dot(X.col(0)) + S[l][1] * v.dot(X.col(1));
    const forward_values fv = forward(W, pr.law, x);
    EXPECT_NEAR(fv.f, f, 1e-14 * std::max(1.0, std::abs(f))) << i;
    EXPECT_NEAR(fv.f, f_lit[i].value(), 1e-14 * std::max(1.0, std::abs(f))) << i;
    EXPECT_NEAR(fv.s11, S[0][0], 1e-15);
    EXPECT_NEAR(fv.s12, S[0][1], 1e-15);
    EXPECT_NEAR(fv.s21, S[1][0], 1e-15);
    EXPECT_NEAR(fv.s22, S[1][1], 1e-15);
    EXPECT_NEAR(fv.s11 + fv.s12, 1.0, 1e-15);
    EXPECT_NEAR(fv.s21 + fv.s22, 1.0, 1e-15);
    const VectorXd yxi = x.y * X.col(1);
    EXPECT_NEAR(fv.value_noise, v.dot(yxi), 1e-14);
    EXPECT_NEAR(fv.value_signal, v.dot(mu), 1e-15);
    EXPECT_NEAR(fv.loss_derivative, -1 / (1 + std::exp(x.y * f)), 1e-15);
    // track() holds the same forward values and <w, y xi>.
    EXPECT_EQ(tr.samples[i].f, fv.f);
    EXPECT_EQ(tr.samples[i].s21, fv.s21);
    EXPECT_LE((tr.query_noise.col(static_cast<Index>(i)) - W.WQ * yxi).cwiseAbs().maxCoeff(), 1e-14);
    EXPECT_LE((tr.key_noise.col(static_cast<Index>(i)) - W.WK * yxi).cwiseAbs().maxCoeff(), 1e-14);
  }
}

TEST(Li2024Forward, LogisticLossIsStableAtLargeMargins) {
  // W_Q = W_K = 0: every softmax entry is 1/2, f = <v, y mu> + <v, xi>; only v_0 is nonzero so
  // y f = ||mu|| v_0 for every sample.
  problem pr = make_problem(13, 3, 4, 2, 2, 0.0, true, 5);
  for (const double margin : {800.0, -800.0}) {
    attention_params W = pr.W0;
    W.WVp.col(0).setConstant(margin);
    const double L = logistic_loss(W, pr.law, pr.data);
    const loss_and_gradient lg = gradient(W, pr.law, pr.data);
    ASSERT_TRUE(std::isfinite(L)) << margin;
    EXPECT_EQ(L, margin > 0 ? 0.0 : 800.0);  // log1p(e^-800) underflows to 0; 800 + log1p(e^-800)
    EXPECT_EQ(lg.loss, L);
    for (const MatrixXd* G : {&lg.grad.WQ, &lg.grad.WK, &lg.grad.WVp, &lg.grad.WVm})
      EXPECT_TRUE(G->allFinite()) << margin;
    for (const auto& x : pr.data) {
      const forward_values fv = forward(W, pr.law, x);
      EXPECT_EQ(x.y * fv.f, margin);
      EXPECT_EQ(fv.loss_derivative, margin > 0 ? -0.0 : -1.0);
    }
    // The value gradient at y f = -800: dL/dW_{V,+1}[r, 0] = (1/n) sum_i l' (s11 + s21) ||mu|| / m_v = -1/2.
    if (margin < 0) {
      EXPECT_DOUBLE_EQ(lg.grad.WVp(0, 0), -0.5);
    }
  }
}

// ---------------------------------------------------------------- data law

TEST(Li2024Data, DisjointSupportsAreDisjointAscendingAndInRange) {
  for (const bool full : {false, true}) {
    signal_noise_law law;
    law.d = full ? 61 : 200, law.s = 6, law.sigma_p = 0.5;
    const int n = full ? 10 : 20;  // full: n s = d - 1, every coordinate used
    rng_t rng = make_rng(7, "li2024.test.disjoint");
    const auto data = draw_samples(law, n, true, rng);
    ASSERT_EQ(static_cast<int>(data.size()), n);
    std::set<int> seen;
    for (const auto& x : data) {
      EXPECT_TRUE(x.y == 1 || x.y == -1);
      ASSERT_EQ(static_cast<int>(x.xi.index.size()), law.s);
      ASSERT_EQ(x.xi.value.size(), x.xi.index.size());
      EXPECT_TRUE(std::is_sorted(x.xi.index.begin(), x.xi.index.end()));
      for (int k : x.xi.index) {
        EXPECT_GE(k, 1);
        EXPECT_LT(k, law.d);
        EXPECT_TRUE(seen.insert(k).second) << "coordinate " << k << " in two supports";
      }
    }
    const auto untouched = untouched_coordinates(law, data);
    EXPECT_EQ(static_cast<int>(untouched.size()), law.d - 1 - n * law.s);
    for (int k : untouched) EXPECT_EQ(seen.count(k), 0u);
    EXPECT_TRUE(std::is_sorted(untouched.begin(), untouched.end()));
  }
  // Reproducible from the seed.
  signal_noise_law law;
  law.d = 100, law.s = 5;
  rng_t a = make_rng(3, "x"), b = make_rng(3, "x");
  const auto da = draw_samples(law, 8, true, a), db = draw_samples(law, 8, true, b);
  for (std::size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].y, db[i].y);
    EXPECT_EQ(da[i].xi.index, db[i].xi.index);
    EXPECT_EQ(da[i].xi.value, db[i].xi.value);
  }
}

TEST(Li2024Data, UntouchedCoordinatesMatchBruteForce) {
  signal_noise_law law;
  law.d = 30, law.s = 4;
  rng_t rng = make_rng(9, "li2024.test.untouched");
  const auto data = draw_samples(law, 6, false, rng);
  std::vector<int> expect;
  for (int k = 1; k < law.d; ++k) {
    bool hit = false;
    for (const auto& x : data) hit = hit || std::count(x.xi.index.begin(), x.xi.index.end(), k) > 0;
    if (!hit) expect.push_back(k);
  }
  EXPECT_EQ(untouched_coordinates(law, data), expect);
  EXPECT_FALSE(expect.empty());
}

TEST(Li2024Data, CoordinateFrequenciesAndLabelsAreUniform) {
  // Every coordinate 1..d-1 is in a support with probability s/(d-1), in both modes; labels
  // are +-1 with probability 1/2; values have mean 0 and variance sigma_p^2. Counts within
  // 5 standard deviations (fixed seed: deterministic).
  signal_noise_law law;
  law.d = 13, law.s = 3, law.sigma_p = 2.0;
  for (const bool disjoint : {false, true}) {
    rng_t rng = make_rng(21, "li2024.test.uniform");
    const int reps = 1500, n = 4;
    std::vector<int> count(law.d, 0);
    int positive = 0;
    double sum = 0, sumsq = 0;
    for (int r = 0; r < reps; ++r)
      for (const auto& x : draw_samples(law, n, disjoint, rng)) {
        positive += x.y > 0;
        for (std::size_t j = 0; j < x.xi.index.size(); ++j) {
          ++count[x.xi.index[j]];
          sum += x.xi.value[j], sumsq += x.xi.value[j] * x.xi.value[j];
        }
      }
    EXPECT_EQ(count[0], 0);
    const double trials = reps * n, p = double(law.s) / (law.d - 1);
    for (int k = 1; k < law.d; ++k)
      EXPECT_NEAR(count[k], trials * p, 5 * std::sqrt(trials * p * (1 - p))) << "k=" << k << " disjoint=" << disjoint;
    EXPECT_NEAR(positive, trials / 2, 5 * std::sqrt(trials / 4));
    const double N = trials * law.s;
    EXPECT_NEAR(sum / N, 0.0, 5 * law.sigma_p / std::sqrt(N));
    EXPECT_NEAR(sumsq / N, 4.0, 5 * 4.0 * std::sqrt(2.0 / N));
  }
}

TEST(Li2024Data, BadInputThrows) {
  signal_noise_law law;
  law.d = 20, law.s = 5;
  rng_t rng = make_rng(1, "x");
  EXPECT_THROW(draw_samples(law, 4, true, rng), std::invalid_argument);  // 20 > 19
  EXPECT_NO_THROW(draw_samples(law, 4, false, rng));
  law.s = 20;
  EXPECT_THROW(draw_samples(law, 1, false, rng), std::invalid_argument);
  law.s = 0;
  EXPECT_THROW(draw_samples(law, 1, false, rng), std::invalid_argument);
  law.s = 3, law.sigma_p = -1;
  EXPECT_THROW(draw_samples(law, 1, false, rng), std::invalid_argument);

  problem pr = make_problem(10, 2, 3, 2, 2, 0.1, true, 1);
  train_options o;
  o.eta = 0;
  EXPECT_THROW(train(pr.W0, pr.law, pr.data, o), std::invalid_argument);
  o.eta = 1e-3, o.opt = optimizer::adam, o.beta2 = 1;
  EXPECT_THROW(train(pr.W0, pr.law, pr.data, o), std::invalid_argument);
  attention_params bad = pr.W0;
  bad.WK.resize(2, 9);
  EXPECT_THROW(gradient(bad, pr.law, pr.data), std::invalid_argument);
  auto data = pr.data;
  data[0].xi.index[0] = 10;  // out of [1, d-1]
  EXPECT_THROW(gradient(pr.W0, pr.law, data), std::invalid_argument);
  EXPECT_THROW(forward(pr.W0, pr.law, data[0]), std::invalid_argument);
  data = pr.data;
  data[1].y = 0;
  EXPECT_THROW(forward(pr.W0, pr.law, data[1]), std::invalid_argument);
  EXPECT_THROW(track(pr.W0, pr.law, data), std::invalid_argument);
  EXPECT_NO_THROW(forward(pr.W0, pr.law, pr.data[1]));
}

// ---------------------------------------------------------------- training

TEST(Li2024Training, SignGDKeepsUntouchedCoordinatesBitIdentical) {
  const problem pr = make_problem(60, 4, 5, 3, 3, 0.05, false, 13);
  const auto untouched = untouched_coordinates(pr.law, pr.data);
  ASSERT_GT(untouched.size(), 20u);
  train_options o;
  o.opt = optimizer::signgd, o.eta = 1e-2, o.steps = 8;
  int observed = 0;
  attention_params W1;
  const train_result res = train(pr.W0, pr.law, pr.data, o, [&](int t, const attention_params& W, const loss_and_gradient& g) {
    EXPECT_EQ(t, observed++);
    if (t == 1) W1 = W;
    if (t < o.steps) {
      EXPECT_EQ(g.grad.WQ.cols(), pr.law.d);
      for (int k : untouched)
        for (const MatrixXd* G : {&g.grad.WQ, &g.grad.WK, &g.grad.WVp, &g.grad.WVm})
          EXPECT_TRUE((G->col(k).array() == 0).all()) << "t=" << t << " k=" << k;
    } else {
      EXPECT_EQ(g.grad.WQ.size(), 0);
      EXPECT_EQ(g.loss, logistic_loss(W, pr.law, pr.data));
    }
    return true;
  });
  EXPECT_EQ(observed, o.steps + 1);
  EXPECT_EQ(res.steps, o.steps);
  EXPECT_FALSE(res.stopped_early);
  for (int k : untouched) {
    EXPECT_TRUE(bit_equal(res.W.WQ.col(k), pr.W0.WQ.col(k))) << k;
    EXPECT_TRUE(bit_equal(res.W.WK.col(k), pr.W0.WK.col(k))) << k;
    EXPECT_TRUE(bit_equal(res.W.WVp.col(k), pr.W0.WVp.col(k))) << k;
    EXPECT_TRUE(bit_equal(res.W.WVm.col(k), pr.W0.WVm.col(k))) << k;
  }
  // Every touched value coordinate moved in the first step (its gradient is nonzero).
  for (const auto& x : pr.data)
    for (int k : x.xi.index) EXPECT_GT((W1.WVp.col(k) - pr.W0.WVp.col(k)).cwiseAbs().minCoeff(), 0.0) << k;
}

TEST(Li2024Training, ObserverStopsEarly) {
  const problem pr = make_problem(30, 3, 4, 2, 2, 0.1, true, 2);
  train_options o;
  o.steps = 10;
  std::vector<attention_params> seen;
  const train_result res = train(pr.W0, pr.law, pr.data, o, [&](int t, const attention_params& W, const loss_and_gradient&) {
    seen.push_back(W);
    return t < 3;
  });
  EXPECT_TRUE(res.stopped_early);
  EXPECT_EQ(res.steps, 3);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(bit_equal(seen[0], pr.W0));
  EXPECT_TRUE(bit_equal(seen[3], res.W));
}

std::vector<attention_params> iterates(const problem& pr, const attention_params& W0, const train_options& o) {
  std::vector<attention_params> out;
  train(W0, pr.law, pr.data, o, [&](int, const attention_params& W, const loss_and_gradient&) {
    out.push_back(W);
    return true;
  });
  return out;
}

TEST(Li2024Training, AdamWithZeroBetasAndEpsIsSignGDBitForBit) {
  const problem pr = make_problem(40, 3, 6, 3, 2, 0.3, false, 17);
  train_options sg, ad;
  sg.opt = optimizer::signgd, sg.eta = 3e-3, sg.steps = 12;
  ad = sg;
  ad.opt = optimizer::adam, ad.beta1 = 0, ad.beta2 = 0, ad.eps = 0;
  const auto a = iterates(pr, pr.W0, sg), b = iterates(pr, pr.W0, ad);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t t = 0; t < a.size(); ++t) EXPECT_TRUE(bit_equal(a[t], b[t])) << "t=" << t;
  EXPECT_FALSE(bit_equal(a.front(), a.back()));

  // Where l' ~ e^-690 the gradient entries are ~1e-300 and g^2 underflows to 0: the update is
  // still exactly sgn(g).
  attention_params W = pr.W0;
  W.WVp.col(0).setConstant(690.0);
  W.WVm.col(0).setZero();
  const loss_and_gradient lg = gradient(W, pr.law, pr.data);
  const double gmax = lg.grad.WK.cwiseAbs().maxCoeff();
  ASSERT_GT(gmax, 0.0);
  ASSERT_LT(gmax, 1e-160);
  const auto c = iterates(pr, W, sg), e = iterates(pr, W, ad);
  for (std::size_t t = 0; t < c.size(); ++t) EXPECT_TRUE(bit_equal(c[t], e[t])) << "tiny g, t=" << t;
  EXPECT_FALSE(bit_equal(c.front().WK, c.back().WK));

  // Standard Adam differs from SignGD (the comparison is not vacuous).
  train_options std_adam = sg;
  std_adam.opt = optimizer::adam;
  EXPECT_FALSE(bit_equal(iterates(pr, pr.W0, std_adam).back(), a.back()));
}

TEST(Li2024Training, AdamFirstStepIsEtaSignForStandardBetas) {
  // Bias-corrected Adam's first step is eta g/(|g| + eps): within eps/|g| of eta sgn(g).
  const problem pr = make_problem(40, 3, 6, 3, 2, 0.3, false, 19);
  train_options o;
  o.opt = optimizer::adam, o.eta = 1e-3, o.steps = 1;
  const loss_and_gradient lg = gradient(pr.W0, pr.law, pr.data);
  const train_result r = train(pr.W0, pr.law, pr.data, o);
  for (Index k = 0; k < lg.grad.WQ.size(); ++k) {
    const double g = lg.grad.WQ.data()[k];
    EXPECT_NEAR(r.W.WQ.data()[k] - pr.W0.WQ.data()[k], -o.eta * g / (std::abs(g) + o.eps), 1e-15);
  }
}

TEST(Li2024Training, GDDecreasesTheLossForASmallStep) {
  const problem pr = make_problem(50, 4, 8, 3, 3, 0.5, false, 23);
  const loss_and_gradient lg = gradient(pr.W0, pr.law, pr.data);
  const double gsq = lg.grad.WQ.squaredNorm() + lg.grad.WK.squaredNorm() + lg.grad.WVp.squaredNorm() +
                     lg.grad.WVm.squaredNorm();
  ASSERT_GT(gsq, 0.0);
  for (const double eta : {1e-2, 1e-3}) {
    train_options o;
    o.opt = optimizer::gd, o.eta = eta, o.steps = 1;
    const train_result r = train(pr.W0, pr.law, pr.data, o);
    const double L1 = logistic_loss(r.W, pr.law, pr.data);
    EXPECT_LT(L1, lg.loss);
    // First-order decrease eta ||g||^2 to within 10 % (the step is small).
    EXPECT_NEAR((lg.loss - L1) / (eta * gsq), 1.0, 0.1) << eta;
    // GD moved W by exactly -eta g (to rounding).
    EXPECT_LE((r.W.WK - (pr.W0.WK - eta * lg.grad.WK)).cwiseAbs().maxCoeff(), 1e-15);
  }
}

// ---------------------------------------------------------------- spec 4.1 laws

double max_abs(const attention_params& W) {
  return std::max({max_abs(W.WQ), max_abs(W.WK), max_abs(W.WVp), max_abs(W.WVm)});
}

// Worst law violation over a SignGD run (every step), and whether the preconditions held throughout.
std::pair<double, bool> run_laws(const problem& pr, double eta, int steps) {
  train_options o;
  o.opt = optimizer::signgd, o.eta = eta, o.steps = steps;
  std::vector<tracked_scalars> tr;
  double Wmax = 0;
  train(pr.W0, pr.law, pr.data, o, [&](int, const attention_params& W, const loss_and_gradient&) {
    tr.push_back(track(W, pr.law, pr.data));
    Wmax = std::max(Wmax, max_abs(W));
    return true;
  });
  double worst = 0;
  bool pre = true;
  for (std::size_t t = 0; t + 1 < tr.size(); ++t) {
    pre = pre && preconditions_hold(tr[t]);
    worst = std::max(worst, law_violation(pr, eta, Wmax, tr[t], tr[t + 1]));
  }
  return {worst, pre};
}

TEST(Li2024Laws, ExactAtEveryStepWithDisjointSupports) {
  // Small disjoint configurations; sigma0 large enough that the softmaxes move, long enough
  // that A_i changes sign (Stage I ends) in the first one.
  struct cfg {
    int d, s, n, m_k, m_v;
    double sigma0, eta, sigma_p, mu_norm;
    int steps;
    std::uint64_t seed;
  };
  for (const cfg& c : {cfg{200, 8, 10, 4, 3, 0.05, 1e-3, 1.0, 1.0, 60, 31}, cfg{61, 3, 20, 3, 2, 0.3, 1e-2, 0.7, 0.5, 40, 32},
                      cfg{500, 20, 6, 5, 5, 0.01, 2e-3, 1.0, 2.0, 80, 33}}) {
    const problem pr = make_problem(c.d, c.s, c.n, c.m_k, c.m_v, c.sigma0, true, c.seed, c.sigma_p, c.mu_norm);
    const auto [worst, pre] = run_laws(pr, c.eta, c.steps);
    EXPECT_TRUE(pre) << "seed " << c.seed;
    EXPECT_LE(worst, 1.0) << "seed " << c.seed;
  }
}

TEST(Li2024Laws, ViolatedWhenSupportsOverlap) {
  // Same checker, supports drawn independently with heavy overlap (n s^2/(d-1) = 4.5): some step
  // breaks a law by far more than rounding, so the check above can fail.
  const problem pr = make_problem(9, 3, 4, 3, 2, 0.3, false, 41);
  const auto [worst, pre] = run_laws(pr, 1e-2, 30);
  EXPECT_TRUE(pre);
  EXPECT_GT(worst, 1e6);
}

}  // namespace
