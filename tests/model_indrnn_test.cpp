// Tests of model/indrnn: forward pass, BPTT gradients against an independent automatic
// differentiation (Eigen's forward-mode AutoDiff over a naive scalar recurrence) and finite
// differences, symmetric initialization, streaming prediction, blocking over samples.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <tuple>
#include <unsupported/Eigen/AutoDiff>
#include <vector>

#include "model/indrnn.hpp"
#include "model/rng.hpp"

namespace {

using namespace attnbound::model;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Unclipped N(0, s^2) tokens (the AR data are not norm-clipped either) and N(0,1) labels.
sequence_data random_data(int d, int T, int n, double s, rng_t& rng) {
  sequence_data data;
  data.d = d, data.T = T, data.n = n;
  data.X.resize(d, static_cast<Index>(T) * n);
  for (Index k = 0; k < data.X.size(); ++k) data.X.data()[k] = s * standard_normal(rng);
  data.y.resize(n);
  for (int j = 0; j < n; ++j) data.y(j) = standard_normal(rng);
  return data;
}

// Symmetric init moved off the symmetric point, so that f != 0 and every gradient entry moves.
indrnn_params random_params(int d, int m, double u_abs, double scale, rng_t& rng) {
  indrnn_params phi = indrnn_symmetric_init(d, m, u_abs, rng);
  for (Index k = 0; k < m; ++k) phi.c(k) += scale * standard_normal(rng);
  for (Index k = 0; k < m; ++k) phi.u(k) += scale * standard_normal(rng);
  for (Index k = 0; k < phi.W_in.size(); ++k) phi.W_in.data()[k] += scale * standard_normal(rng);
  return phi;
}

// Parameters as one vector: c, u, then W_in column-major.
VectorXd flatten(const indrnn_params& p) {
  VectorXd v(p.c.size() + p.u.size() + p.W_in.size());
  v << p.c, p.u, p.W_in.reshaped();
  return v;
}

indrnn_params unflatten(const VectorXd& v, int d, int m) {
  indrnn_params p = indrnn_params::zeros(d, m);
  p.c = v.head(m);
  p.u = v.segment(m, m);
  p.W_in.reshaped() = v.tail(static_cast<Index>(d) * m);
  return p;
}

double rel_err(const VectorXd& a, const VectorXd& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

// ---- independent reference: the recurrence written over scalars, one neuron at a time,
// differentiated by forward-mode AutoDiff (no BPTT anywhere).
using AD = Eigen::AutoDiffScalar<VectorXd>;

AD naive_f(const VectorXd& theta, int d, int m, const MatrixXd& X) {
  const Index nv = theta.size();
  const int T = static_cast<int>(X.cols());
  auto var = [&](Index k) { return AD(theta(k), static_cast<int>(nv), static_cast<int>(k)); };
  AD f(0.0, VectorXd::Zero(nv));
  for (int i = 0; i < m; ++i) {
    const AD c = var(i), u = var(m + i);
    AD h(0.0, VectorXd::Zero(nv));  // h_0 = 0
    for (int t = 0; t < T; ++t) {
      AD z = u * h;
      for (int k = 0; k < d; ++k) z += var(2 * m + static_cast<Index>(k) * m + i) * X(k, t);
      h = tanh(z);
    }
    f += c * h;
  }
  return f / std::sqrt(static_cast<double>(m));
}

TEST(ModelIndRNN, GradientMatchesAutoDiff) {
  rng_t rng = make_rng(21, "test-indrnn-autodiff");
  indrnn_workspace ws;
  indrnn_params grad;
  int checked = 0;
  for (int d : {1, 3, 5})
    for (int T : {1, 2, 9})
      for (int m : {2, 4})
        for (double u_abs : {0.5, 1.5}) {
          const sequence_data data = random_data(d, T, 2, 0.7, rng);
          const indrnn_params phi = random_params(d, m, u_abs, 0.3, rng);
          const VectorXd theta = flatten(phi);
          for (int j = 0; j < data.n; ++j) {
            const AD ref = naive_f(theta, d, m, MatrixXd(data.sample(j)));
            EXPECT_NEAR(forward_one(phi, data, j, ws), ref.value(), 1e-13 * (1 + std::abs(ref.value())));
            gradient_one(phi, data, j, grad, ws);
            EXPECT_LT(rel_err(flatten(grad), ref.derivatives()), 1e-12)
                << "d=" << d << " T=" << T << " m=" << m << " |u|=" << u_abs << " j=" << j;
            ++checked;
          }
        }
  EXPECT_EQ(checked, 72);
}

// Long sequences with |u| = 1.5: the regime of the claims, where the u-gradient is a sum of
// many products. AutoDiff again (T = 64).
TEST(ModelIndRNN, LongSequenceGradientMatchesAutoDiff) {
  rng_t rng = make_rng(22, "test-indrnn-long");
  indrnn_workspace ws;
  indrnn_params grad;
  const int d = 3, m = 4, T = 64;
  const sequence_data data = random_data(d, T, 2, 0.3, rng);
  const indrnn_params phi = random_params(d, m, 1.5, 0.05, rng);
  for (int j = 0; j < data.n; ++j) {
    const AD ref = naive_f(flatten(phi), d, m, MatrixXd(data.sample(j)));
    gradient_one(phi, data, j, grad, ws);
    EXPECT_LT(rel_err(flatten(grad), ref.derivatives()), 1e-11);
    EXPECT_LT(rel_err(grad.u, ref.derivatives().segment(m, m)), 1e-11);
  }
}

TEST(ModelIndRNN, LossGradientMatchesFiniteDifferences) {
  rng_t rng = make_rng(23, "test-indrnn-fd");
  indrnn_workspace ws;
  for (auto [d, T, m, n] : {std::tuple{3, 4, 4, 5}, std::tuple{1, 1, 2, 3}, std::tuple{5, 12, 6, 4},
                            std::tuple{2, 1500, 2, 3}}) {  // T = 1500: one sample per block
    const sequence_data data = random_data(d, T, n, 0.5, rng);
    const indrnn_params phi = random_params(d, m, 1.5, 0.2, rng);
    indrnn_params grad;
    const double L = loss_and_gradient(phi, data, {}, grad, ws);
    EXPECT_NEAR(L, loss(phi, data, ws), 1e-14 * (1 + L));
    const VectorXd g = flatten(grad), theta = flatten(phi);
    const double h = 1e-6;
    VectorXd fd(theta.size());
    for (Index k = 0; k < theta.size(); ++k) {
      VectorXd tp = theta, tm = theta;
      tp(k) += h;
      tm(k) -= h;
      fd(k) = (loss(unflatten(tp, d, m), data, ws) - loss(unflatten(tm, d, m), data, ws)) / (2 * h);
    }
    EXPECT_LT(rel_err(g, fd), 1e-7) << "d=" << d << " T=" << T << " m=" << m;
  }
}

// loss_and_gradient over an index list equals the weighted sum of per-sample gradients.
TEST(ModelIndRNN, MinibatchGradientIsTheAverageOfSampleGradients) {
  rng_t rng = make_rng(24, "test-indrnn-batch");
  indrnn_workspace ws;
  const int d = 3, T = 7, m = 4;
  const sequence_data data = random_data(d, T, 6, 0.6, rng);
  const indrnn_params phi = random_params(d, m, 0.5, 0.3, rng);
  const std::vector<int> idx = {4, 1, 4};
  indrnn_params grad, g1, expect = indrnn_params::zeros(d, m);
  const double L = loss_and_gradient(phi, data, idx, grad, ws);
  double expect_L = 0;
  for (int j : idx) {
    const double r = forward_one(phi, data, j, ws) - data.y(j);
    expect_L += r * r / 3;
    gradient_one(phi, data, j, g1, ws);
    expect.axpy(2 * r / 3, g1);
  }
  EXPECT_NEAR(L, expect_L, 1e-14);
  EXPECT_LT(rel_err(flatten(grad), flatten(expect)), 1e-13);
}

// Blocking over samples: forward() on many samples of long windows equals forward_one.
TEST(ModelIndRNN, BlockedForwardEqualsPerSample) {
  rng_t rng = make_rng(25, "test-indrnn-block");
  indrnn_workspace ws, ws1;
  for (int T : {3, 700}) {  // 682 and 2 samples per block
    const sequence_data data = random_data(4, T, 1400 / T + 3, 0.5, rng);
    const indrnn_params phi = random_params(4, 6, 1.5, 0.1, rng);
    VectorXd f;
    forward(phi, data, f, ws);
    ASSERT_EQ(f.size(), data.n);
    for (int j = 0; j < data.n; ++j) EXPECT_EQ(f(j), forward_one(phi, data, j, ws1)) << "T=" << T << " j=" << j;
  }
}

TEST(ModelIndRNN, SymmetricInitGivesZeroOutputAndPairedNeurons) {
  rng_t rng = make_rng(26, "test-indrnn-init");
  const int d = 5, m = 8;
  rng_t a = make_rng(7, "init"), b = make_rng(7, "init");
  const indrnn_params hi = indrnn_symmetric_init(d, m, 1.5, a);
  const indrnn_params lo = indrnn_symmetric_init(d, m, 0.5, b);
  for (int i = 0; i < m; ++i) {
    EXPECT_EQ(std::abs(hi.u(i)), 1.5);
    EXPECT_EQ(std::abs(hi.c(i)), 1.0);
    EXPECT_EQ(lo.u(i), hi.u(i) / 3);  // same signs, other magnitude
    EXPECT_EQ(lo.c(i), hi.c(i));
  }
  EXPECT_EQ(lo.W_in, hi.W_in);
  for (int i = 0; i < m / 2; ++i) {
    EXPECT_EQ(hi.W_in.row(i), hi.W_in.row(i + m / 2));
    EXPECT_EQ(hi.u(i), hi.u(i + m / 2));
    EXPECT_EQ(hi.c(i), -hi.c(i + m / 2));
  }
  // Both signs of u occur over many draws (u_i = +-|u| uniformly).
  rng_t many = make_rng(8, "init-many");
  const indrnn_params big = indrnn_symmetric_init(d, 400, 1.5, many);
  const int positive = static_cast<int>((big.u.array() > 0).count());
  EXPECT_GT(positive, 140);
  EXPECT_LT(positive, 260);
  indrnn_workspace ws;
  const sequence_data data = random_data(d, 9, 4, 1.0, rng);
  for (int j = 0; j < data.n; ++j) EXPECT_EQ(forward_one(hi, data, j, ws), 0.0);
  EXPECT_THROW(indrnn_symmetric_init(d, 3, 1.5, rng), std::invalid_argument);
  EXPECT_THROW(indrnn_symmetric_init(d, 0, 1.5, rng), std::invalid_argument);
  EXPECT_THROW(indrnn_symmetric_init(0, 2, 1.5, rng), std::invalid_argument);
  EXPECT_THROW(indrnn_symmetric_init(d, 2, -1.0, rng), std::invalid_argument);
}

TEST(ModelIndRNN, StreamingPredictionEqualsBatchForward) {
  rng_t rng = make_rng(27, "test-indrnn-stream");
  indrnn_workspace ws;
  const int d = 4, m = 6, T = 50;
  const sequence_data data = random_data(d, T, 3, 0.8, rng);
  const indrnn_params phi = random_params(d, m, 1.5, 0.2, rng);
  indrnn_stream stream(phi);
  for (int j = 0; j < data.n; ++j) {
    stream.reset();
    for (int t = 0; t < T; ++t) stream.step(data.sample(j).col(t).data());
    EXPECT_NEAR(stream.prediction(), forward_one(phi, data, j, ws), 1e-14);
  }
}

// The vectorized activation agrees with std::tanh to a few ulp everywhere, saturates without
// overflow and is odd.
TEST(ModelIndRNN, ActivationMatchesStdTanh) {
  double worst = 0;
  for (int k = -400000; k <= 400000; ++k) {
    const double x = k * 5e-5;  // [-20, 20]
    worst = std::max(worst, std::abs(indrnn_tanh(x) - std::tanh(x)));
    ASSERT_EQ(indrnn_tanh(-x), -indrnn_tanh(x));
  }
  EXPECT_LT(worst, 8 * std::numeric_limits<double>::epsilon());
  for (double x : {1e-300, 1e-20, 1e-8, 1e-3})
    EXPECT_NEAR(indrnn_tanh(x), std::tanh(x), 4e-16) << x;
  EXPECT_EQ(indrnn_tanh(0.0), 0.0);
  EXPECT_EQ(indrnn_tanh(800.0), 1.0);
  EXPECT_EQ(indrnn_tanh(-1e308), -1.0);
}

// The batched functions give bit-identical results for every thread count and every kernel
// ISA (one neuron per vector lane, fixed sample partition, ordered reduction). n = 1000 gives
// 32 chunks; d = 8 (unrolled kernel) and d = 3 (generic), m = 10 (a partly filled block).
TEST(ModelIndRNN, BatchedResultsAreBitIdenticalAcrossThreadsAndIsa) {
  rng_t rng = make_rng(29, "test-indrnn-threads");
  const kernel_isa initial = active_kernel_isa();
  for (int d : {8, 3}) {
    const sequence_data data = random_data(d, 5, 1000, 0.7, rng);
    const indrnn_params phi = random_params(d, 10, 1.5, 0.2, rng);
    const std::vector<int> idx = {999, 3, 3, 512, 0};
    indrnn_workspace ref_ws;
    indrnn_params ref_grad, ref_mb_grad;
    VectorXd ref_f;
    const double ref_L = loss_and_gradient(phi, data, {}, ref_grad, ref_ws);
    const double ref_mb = loss_and_gradient(phi, data, idx, ref_mb_grad, ref_ws);
    forward(phi, data, ref_f, ref_ws);
    int runs = 0;
    for (kernel_isa isa : {kernel_isa::generic, kernel_isa::avx2, kernel_isa::avx512}) {
      if (!use_kernel_isa(isa)) continue;
      for (int threads : {1, 2, 3}) {
        indrnn_workspace ws;
        ws.threads = threads;
        indrnn_params grad, mb_grad;
        VectorXd f;
        EXPECT_EQ(loss_and_gradient(phi, data, {}, grad, ws), ref_L);
        EXPECT_EQ(loss_and_gradient(phi, data, idx, mb_grad, ws), ref_mb);
        EXPECT_EQ(loss(phi, data, ws), ref_L);
        forward(phi, data, f, ws);
        EXPECT_EQ(f, ref_f);
        EXPECT_EQ(flatten(grad), flatten(ref_grad)) << kernel_isa_name(isa) << " threads=" << threads;
        EXPECT_EQ(flatten(mb_grad), flatten(ref_mb_grad)) << kernel_isa_name(isa) << " threads=" << threads;
        for (int j : {0, 517, 999}) EXPECT_EQ(forward_one(phi, data, j, ws), ref_f(j));
        ++runs;
      }
    }
    EXPECT_GE(runs, 3);
    ASSERT_TRUE(use_kernel_isa(initial));
  }
}

TEST(ModelIndRNN, RejectsMismatchedShapes) {
  rng_t rng = make_rng(28, "test-indrnn-shapes");
  indrnn_workspace ws;
  indrnn_params grad;
  const sequence_data data = random_data(3, 4, 2, 1.0, rng);
  const indrnn_params phi = random_params(4, 2, 1.5, 0.1, rng);  // d = 4 != 3
  EXPECT_THROW(forward_one(phi, data, 0, ws), std::invalid_argument);
  EXPECT_THROW(loss_and_gradient(phi, data, {}, grad, ws), std::invalid_argument);
  const indrnn_params ok = random_params(3, 2, 1.5, 0.1, rng);
  EXPECT_THROW(forward_one(ok, data, 2, ws), std::invalid_argument);
  EXPECT_THROW(loss_and_gradient(ok, data, {0, 5}, grad, ws), std::invalid_argument);
}

}  // namespace
