// Bit-identical results of the batched Transformer kernels for any thread count and any
// instruction set (transformer_workspace::threads, kernel_isa): losses, gradients, forward
// values, the linearized model, weighted gradients and whole ProjGD / ProjSGD trajectories
// must be equal to the last bit at 1, 2 and 3 threads and for every ISA the CPU has.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <vector>

#include "claims/parallel.hpp"
#include "model/projgd.hpp"
#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Bitwise equality (EXPECT_EQ on doubles would accept 0 == -0 and reject NaN == NaN).
bool same_bits(const double* a, const double* b, Index n) {
  return std::memcmp(a, b, static_cast<std::size_t>(n) * sizeof(double)) == 0;
}
bool same_bits(const VectorXd& a, const VectorXd& b) {
  return a.size() == b.size() && same_bits(a.data(), b.data(), a.size());
}
bool same_bits(const transformer_params& a, const transformer_params& b) {
  return a.c.size() == b.c.size() && a.U.size() == b.U.size() && a.W.size() == b.W.size() &&
         same_bits(a.c.data(), b.c.data(), a.c.size()) &&
         same_bits(a.U.data(), b.U.data(), a.U.size()) &&
         same_bits(a.W.data(), b.W.data(), a.W.size());
}

struct problem {
  sequence_data data;
  transformer_params phi0, phi;
};

// d = 5, T = 7 and m = 20 (three head blocks, the last one partly used) exercise every
// remainder; n = 301 gives 10 chunks of unequal size.
problem make_problem(int d, int T, int n, int m, std::uint64_t seed) {
  rng_t rng = make_rng(seed, "test-threads");
  problem p;
  p.data.d = d, p.data.T = T, p.data.n = n;
  p.data.X = clipped_gaussian_tokens(d, T, n, rng);
  p.data.y.resize(n);
  for (int j = 0; j < n; ++j) p.data.y(j) = 0.5 * standard_normal(rng);
  p.phi0 = symmetric_init(d, m, rng);
  p.phi = p.phi0;
  const double s = 0.3 / std::sqrt(double(m));
  for (Index k = 0; k < p.phi.c.size(); ++k) p.phi.c(k) += s * standard_normal(rng);
  for (Index k = 0; k < p.phi.U.size(); ++k) p.phi.U.data()[k] += s * standard_normal(rng);
  for (Index k = 0; k < p.phi.W.size(); ++k) p.phi.W.data()[k] += s * standard_normal(rng);
  return p;
}

// Everything the batched functions compute, at one thread count.
struct outputs {
  double L_full = 0, L_sub = 0, L_only = 0;
  transformer_params g_full, g_sub, g_weighted;
  VectorXd f, f_lin, f_dir;
};

outputs compute_all(const problem& p, int threads) {
  transformer_workspace ws;
  ws.threads = threads;
  outputs o;
  o.L_full = loss_and_gradient(p.phi, p.data, {}, o.g_full, ws);
  std::vector<int> idx;
  for (int j = p.data.n - 1; j >= 0; j -= 3) idx.push_back(j);  // a sub-batch, out of order
  o.L_sub = loss_and_gradient(p.phi, p.data, idx, o.g_sub, ws);
  o.L_only = loss(p.phi, p.data, ws);
  forward(p.phi, p.data, o.f, ws);
  forward_linearized(p.phi0, p.phi, p.data, o.f_lin, ws);
  directional_derivative(p.phi, p.phi0, p.data, o.f_dir, ws);
  VectorXd w(p.data.n);
  for (int j = 0; j < p.data.n; ++j) w(j) = std::sin(1.0 + j);
  o.g_weighted = transformer_params::zeros(p.phi.d(), p.phi.m());
  accumulate_weighted_gradient(p.phi, p.data, {}, w, o.g_weighted, ws);
  return o;
}

void expect_same(const outputs& a, const outputs& b, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_TRUE(same_bits(&a.L_full, &b.L_full, 1));
  EXPECT_TRUE(same_bits(&a.L_sub, &b.L_sub, 1));
  EXPECT_TRUE(same_bits(&a.L_only, &b.L_only, 1));
  EXPECT_TRUE(same_bits(a.g_full, b.g_full));
  EXPECT_TRUE(same_bits(a.g_sub, b.g_sub));
  EXPECT_TRUE(same_bits(a.g_weighted, b.g_weighted));
  EXPECT_TRUE(same_bits(a.f, b.f));
  EXPECT_TRUE(same_bits(a.f_lin, b.f_lin));
  EXPECT_TRUE(same_bits(a.f_dir, b.f_dir));
}

TEST(ModelThreads, BatchedResultsBitIdenticalForAnyThreadCount) {
  for (auto [d, T, n, m] : {std::tuple{5, 7, 301, 20}, std::tuple{8, 16, 700, 16}, std::tuple{3, 1, 40, 2}}) {
    const problem p = make_problem(d, T, n, m, 1);
    const outputs one = compute_all(p, 1);
    // Sanity: the values are real computations, not zeros.
    EXPECT_GT(one.L_full, 0.0);
    EXPECT_GT(one.g_full.squared_norm(), 0.0);
    EXPECT_GT(one.g_weighted.squared_norm(), 0.0);
    expect_same(one, compute_all(p, 2), "2 threads");
    expect_same(one, compute_all(p, 3), "3 threads");
    EXPECT_EQ(one.L_full, one.L_only);  // same chunks, same order
  }
}

TEST(ModelThreads, BatchedResultsBitIdenticalForEveryInstructionSet) {
  const problem p = make_problem(5, 7, 301, 20, 2);
  const kernel_isa initial = active_kernel_isa();
  ASSERT_TRUE(use_kernel_isa(kernel_isa::generic));
  const outputs ref = compute_all(p, 2);
  int compared = 0;
  for (kernel_isa isa : {kernel_isa::avx2, kernel_isa::avx512}) {
    if (!use_kernel_isa(isa)) continue;  // the CPU lacks it
    expect_same(ref, compute_all(p, 2), kernel_isa_name(isa));
    ++compared;
  }
  use_kernel_isa(initial);
  RecordProperty("isas_compared_with_generic", compared);
}

// The batched kernels against a plain evaluation with libm's exp and tanh: the lane-wise exp
// and tanh are accurate to a few ulp, so values agree to ~1e-14 even at huge logits.
TEST(ModelThreads, KernelMatchesPlainLibmEvaluation) {
  for (double scale : {1.0, 30.0, 1e4}) {
    problem p = make_problem(4, 9, 50, 10, 3);
    p.phi.W *= scale;
    transformer_workspace ws;
    VectorXd f;
    forward(p.phi, p.data, f, ws);
    const int d = 4, m = 10;
    for (int j = 0; j < p.data.n; ++j) {
      const MatrixXd X = p.data.sample(j);
      const VectorXd q = p.data.query(j);
      double sum = 0;
      for (int i = 0; i < m; ++i) {
        const VectorXd z = X.transpose() * (p.phi.W.middleRows(i * d, d) * q);
        VectorXd e = (z.array() - z.maxCoeff()).exp();
        e /= e.sum();
        sum += p.phi.c(i) * std::tanh(p.phi.U.col(i).dot(X * e));
      }
      const double expect = sum / std::sqrt(double(m));
      EXPECT_NEAR(f(j), expect, 1e-14 * (1 + std::abs(expect))) << "scale " << scale;
      EXPECT_EQ(f(j), forward_one(p.phi, p.data, j, ws));  // per-sample path = batched path
    }
  }
}

// The kernel's tanh, read through the model itself: d = T = m = 1, W = 0 (alpha = 1), U = c = 1,
// so f(X) = tanh(x) exactly as the kernel evaluates it. Odd to the last bit (tanh(-x) = -tanh(x))
// and within 8 ulp of std::tanh on [-400, 400], in every ISA. Regression: the sign mask was
// built as splat(-0.0) = 0.0 + -0.0 = +0.0 (empty), so negative x went through e^(2|x|), not
// odd to the bit and with overflowing exponent bits below x = -354.
TEST(ModelThreads, KernelTanhIsOddAndAccurate) {
  const int half = 40000, n = 2 * half + 1;  // x_j = (j - half) / 100: x_{n-1-j} = -x_j exactly
  sequence_data data;
  data.d = 1, data.T = 1, data.n = n;
  data.X.resize(1, n);
  for (int j = 0; j < n; ++j) data.X(0, j) = (j - half) * 0.01;
  data.y = VectorXd::Zero(n);
  transformer_params phi = transformer_params::zeros(1, 1);
  phi.c(0) = 1.0;
  phi.U(0, 0) = 1.0;
  const kernel_isa initial = active_kernel_isa();
  int isas = 0;
  for (kernel_isa isa : {kernel_isa::generic, kernel_isa::avx2, kernel_isa::avx512}) {
    if (!use_kernel_isa(isa)) continue;
    ++isas;
    transformer_workspace ws;
    VectorXd f;
    forward(phi, data, f, ws);
    double worst = 0;
    for (int j = 0; j < n; ++j) {
      const double x = data.X(0, j);
      ASSERT_TRUE(std::isfinite(f(j))) << kernel_isa_name(isa) << " x = " << x;
      ASSERT_EQ(f(n - 1 - j), -f(j)) << kernel_isa_name(isa) << " x = " << x;
      worst = std::max(worst, std::abs(f(j) - std::tanh(x)));
    }
    EXPECT_LT(worst, 8 * std::numeric_limits<double>::epsilon()) << kernel_isa_name(isa);
    EXPECT_EQ(f(0), -1.0) << kernel_isa_name(isa);  // x = -400
    EXPECT_EQ(f(n - 1), 1.0) << kernel_isa_name(isa);
  }
  use_kernel_isa(initial);
  EXPECT_GE(isas, 1);
  // Tiny arguments: relative accuracy (the per-sample path, forward_one).
  transformer_workspace ws;
  for (double x : {1e-300, 1e-20, 1e-8, 1e-3}) {
    data.X(0, 0) = x;
    EXPECT_NEAR(forward_one(phi, data, 0, ws), std::tanh(x), 4e-16 * x) << x;
    data.X(0, 0) = -x;
    EXPECT_NEAR(forward_one(phi, data, 0, ws), -std::tanh(x), 4e-16 * x) << -x;
  }
}

// <grad f(phi0), delta> against the flattened per-sample gradient, and forward_linearized =
// f(phi0) + that term.
TEST(ModelThreads, DirectionalDerivativeIsGradientDotDirection) {
  const problem p = make_problem(5, 6, 40, 12, 6);
  transformer_workspace ws;
  transformer_params delta = p.phi;
  delta.axpy(-1.0, p.phi0);
  delta.c *= 3.0;  // not just phi - phi0
  VectorXd dd, f0, f_lin;
  directional_derivative(p.phi0, delta, p.data, dd, ws);
  forward(p.phi0, p.data, f0, ws);
  transformer_params phi = p.phi0;
  phi.axpy(1.0, delta);
  forward_linearized(p.phi0, phi, p.data, f_lin, ws);
  transformer_params g;
  for (int j = 0; j < p.data.n; ++j) {
    gradient_one(p.phi0, p.data, j, g, ws);
    const double expect = g.dot(delta);
    EXPECT_NEAR(dd(j), expect, 1e-13 * (1 + std::abs(expect)));
    EXPECT_NEAR(f_lin(j), f0(j) + dd(j), 1e-14 * (1 + std::abs(f_lin(j))));
  }
  EXPECT_GT(dd.cwiseAbs().maxCoeff(), 1e-3);
}

// Spec 5.1's Monte Carlo teacher label through the batched kernel: the pool's draws as heads
// with c = 1 and direction v(draw) give sqrt(P) times teacher_labels (same draws, same order).
TEST(ModelThreads, DirectionalDerivativeGivesTeacherLabels) {
  const problem p = make_problem(4, 5, 30, 2, 7);
  rng_t rng = make_rng(7, "test-threads-pool");
  const transport_map v = make_transport_map(p.data, 3, mixture_weights::random_signs, 3, 3, 3, false, rng);
  const int d = 4, P = 50;
  rng_t draws = make_rng(8, "test-threads-draws");
  rng_t draws_copy = draws;
  const VectorXd y = teacher_labels(v, p.data, P, draws_copy);
  transformer_params pool = transformer_params::zeros(d, P), dir = transformer_params::zeros(d, P);
  Eigen::VectorXd U(d), vu;
  MatrixXd W(d, d), vw;
  double vc = 0;
  for (int k = 0; k < P; ++k) {  // teacher_labels' draw order: U_k, then W_k row-major
    for (int r = 0; r < d; ++r) U(r) = standard_normal(draws);
    for (int r = 0; r < d; ++r)
      for (int c = 0; c < d; ++c) W(r, c) = standard_normal(draws);
    v.evaluate(U, W, vc, vu, vw);
    pool.c(k) = 1.0;
    pool.U.col(k) = U;
    pool.W.middleRows(k * d, d) = W;
    dir.c(k) = vc;
    dir.U.col(k) = vu;
    dir.W.middleRows(k * d, d) = vw;
  }
  transformer_workspace ws;
  ws.threads = 2;
  VectorXd dd;
  directional_derivative(pool, dir, p.data, dd, ws);
  for (int j = 0; j < p.data.n; ++j)
    EXPECT_NEAR(dd(j) / std::sqrt(double(P)), y(j), 1e-13 * (1 + std::abs(y(j))));
}

TEST(ModelThreads, TrainingTrajectoryBitIdenticalForAnyThreadCount) {
  problem p = make_problem(6, 5, 257, 12, 4);
  rng_t rng = make_rng(4, "test-threads-teacher");
  const transport_map v = make_transport_map(p.data, 4, mixture_weights::random_signs, 3, 3, 3, false, rng);
  p.data.y = teacher_labels(v, p.data, 256, rng);
  for (int batch : {0, 1}) {
    projgd_options opt;
    opt.tau = 25;
    opt.eta = 0.5;  // large: the projection is active
    opt.batch = batch;
    opt.seed = 11;
    opt.eval_every = 3;
    opt.record_losses = true;
    std::vector<projgd_result> runs;
    for (int threads : {1, 2, 3}) {
      opt.threads = threads;
      transformer_workspace ws;
      runs.push_back(train(p.phi0, p.data, opt, ws));
      EXPECT_EQ(ws.threads, 1);  // restored
    }
    const projgd_result& a = runs[0];
    EXPECT_LT(a.min_loss, a.initial_loss);
    for (std::size_t k = 1; k < runs.size(); ++k) {
      SCOPED_TRACE(testing::Message() << "batch " << batch << ", threads " << k + 1);
      const projgd_result& b = runs[k];
      ASSERT_EQ(a.losses.size(), b.losses.size());
      EXPECT_TRUE(same_bits(a.losses.data(), b.losses.data(), static_cast<Index>(a.losses.size())));
      EXPECT_TRUE(same_bits(a.last, b.last));
      EXPECT_TRUE(same_bits(a.best, b.best));
      EXPECT_TRUE(same_bits(a.average, b.average));
      EXPECT_TRUE(same_bits(&a.average_iterate_loss, &b.average_iterate_loss, 1));
      EXPECT_TRUE(same_bits(&a.max_grad_norm, &b.max_grad_norm, 1));
      EXPECT_EQ(a.argmin, b.argmin);
    }
  }
}

TEST(ModelThreads, LongestFirstRunsEveryItemOnceLongestFirst) {
  const std::vector<double> cost = {1, 5, 3, 5, 0, 2};
  for (int jobs : {1, 2, 3}) {
    std::vector<int> hits(cost.size(), 0), started;
    std::mutex mu;
    attnbound::claims::parallel_for_longest_first(
        static_cast<int>(cost.size()), jobs, [&](int i) { return cost[i]; },
        [&](int i) {
          std::lock_guard<std::mutex> lock(mu);
          ++hits[i];
          started.push_back(i);
        });
    EXPECT_EQ(hits, std::vector<int>(cost.size(), 1));
    if (jobs == 1) {
      EXPECT_EQ(started, (std::vector<int>{1, 3, 2, 5, 0, 4}));
    }
  }
  EXPECT_EQ(attnbound::claims::threads_per_item(1, 2), 2);
  EXPECT_EQ(attnbound::claims::threads_per_item(3, 2), 1);
  EXPECT_EQ(attnbound::claims::threads_per_item(2, 7), 3);
  EXPECT_EQ(attnbound::claims::threads_per_item(0, 2), 2);
}

TEST(ModelThreads, RejectsBadThreadCountAndIndices) {
  const problem p = make_problem(3, 4, 20, 4, 5);
  transformer_workspace ws;
  projgd_options opt;
  opt.tau = 2;
  opt.threads = 0;
  EXPECT_THROW(train(p.phi0, p.data, opt, ws), std::invalid_argument);
  transformer_params g;
  EXPECT_THROW(loss_and_gradient(p.phi, p.data, {20}, g, ws), std::invalid_argument);
  EXPECT_THROW(loss_and_gradient(p.phi, p.data, {-1}, g, ws), std::invalid_argument);
}

}  // namespace
