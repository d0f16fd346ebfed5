// Shallow Transformer kernels at the paper's configuration (d = 8, T = 16, n = 4000; spec 5.1)
// for widths m = 8 .. 256 and 1 or 2 threads (second argument):
//   forward         f(X_j; phi) for all n samples
//   gradient        L_n(phi) and grad L_n(phi) (one pass)
//   projgd_step     one ProjGD step: full gradient, update, projection onto Omega_rho
//   projsgd_step    one ProjSGD step: one sample's gradient, update, projection
//   teacher_labels  spec 5.1's Monte Carlo labels (n = 4000, pool P = 1024): model/teacher_student's
//                   teacher_labels (the draws as heads of the batched kernel's
//                   directional_derivative), 1 and 2 threads
//   Lsa*            the ahn2023 linear-attention model at the training claims' size (B = 1000
//                   prompts, d = 5, n = 20, L = 3, code parameterization): loss and gradient
//                   (linear and ReLU attention, 1 and 2 threads), one Hessian-vector product,
//                   the Hessian diagonal (150 entries)
//   long_T          Transformer and IndRNN gradients at m = 64, n = 4000 over T (the recurrent
//                   claims' sizes: T up to 128 in rnn-contrast, L + 1 = 97 in ar-lag); the
//                   IndRNN also with 2 threads
// Counters: samples/s, and GFLOP/s by the operation count in flops_per_sample() (a multiply
// and an add count 2, exp and tanh count 1 each; the real instruction count is higher).
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "model/icl_prompts.hpp"
#include "model/indrnn.hpp"
#include "model/linear_attention.hpp"
#include "model/projgd.hpp"
#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;

constexpr int kD = 8, kT = 16, kN = 4000;

// Flops per sample and head: forward = W q (2d^2) + logits (2Td) + softmax (5T: max, subtract,
// exp, sum, scale) + a (2Td) + U.a (2d) + tanh and c h (3); the gradient adds X^T U (2Td),
// alpha X^T U (T), M U (2Td + 2d), tanh' and coefficients (4), grad c, U (2 + 2d) and the
// rank-1 W update (d + 2d^2).
double flops_per_sample(int m, bool gradient) {
  const double d = kD, T = kT;
  double f = 2 * d * d + 4 * T * d + 5 * T + 2 * d + 3;
  if (gradient) f += 4 * T * d + T + 2 * d + 4 + 2 + 2 * d + d + 2 * d * d;
  return f * m;
}

struct setup {
  sequence_data data;
  transformer_params phi0, phi;
};

// Data as in the paper (clipped Gaussian tokens), labels N(0,1): speed does not depend on them.
const setup& get_setup(int m) {
  static std::map<int, setup> cache;
  auto it = cache.find(m);
  if (it != cache.end()) return it->second;
  setup s;
  rng_t rng = make_rng(7, "bench-model", {static_cast<std::uint64_t>(m)});
  s.data.d = kD, s.data.T = kT, s.data.n = kN;
  s.data.X = clipped_gaussian_tokens(kD, kT, kN, rng);
  s.data.y.resize(kN);
  for (int j = 0; j < kN; ++j) s.data.y(j) = standard_normal(rng);
  s.phi0 = symmetric_init(kD, m, rng);
  s.phi = s.phi0;  // a point off the symmetric init, inside Omega_rho
  for (int i = 0; i < m; ++i) s.phi.c(i) += 0.1 * standard_normal(rng) / std::sqrt(double(m));
  return cache.emplace(m, std::move(s)).first->second;
}

void counters(benchmark::State& state, double samples, double flops) {
  state.counters["samples/s"] = benchmark::Counter(samples, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_forward(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const setup& s = get_setup(m);
  transformer_workspace ws;
  ws.threads = static_cast<int>(state.range(1));
  Eigen::VectorXd f;
  for (auto _ : state) {
    forward(s.phi, s.data, f, ws);
    benchmark::DoNotOptimize(f.data());
  }
  counters(state, kN, kN * flops_per_sample(m, false));
}

void BM_gradient(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const setup& s = get_setup(m);
  transformer_workspace ws;
  ws.threads = static_cast<int>(state.range(1));
  transformer_params grad;
  for (auto _ : state) benchmark::DoNotOptimize(loss_and_gradient(s.phi, s.data, {}, grad, ws));
  counters(state, kN, kN * flops_per_sample(m, true));
}

void BM_projgd_step(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const setup& s = get_setup(m);
  transformer_workspace ws;
  ws.threads = static_cast<int>(state.range(1));
  projgd_options opt;  // eta = 1/sqrt(4000), rho = 3
  transformer_params phi = s.phi, grad;
  const std::vector<int> all;
  for (auto _ : state) benchmark::DoNotOptimize(projgd_step(phi, s.phi0, s.data, all, opt, grad, ws));
  counters(state, kN, kN * flops_per_sample(m, true));
}

void BM_projsgd_step(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const setup& s = get_setup(m);
  transformer_workspace ws;
  projgd_options opt;
  opt.batch = 1;
  transformer_params phi = s.phi, grad;
  std::vector<int> one(1, 0);
  rng_t rng = make_rng(3, "bench-projsgd");
  boost::random::uniform_int_distribution<int> uniform(0, kN - 1);
  for (auto _ : state) {
    one[0] = uniform(rng);
    benchmark::DoNotOptimize(projgd_step(phi, s.phi0, s.data, one, opt, grad, ws));
  }
  counters(state, 1, flops_per_sample(m, true));
}

// The gradient on one thread with each instruction set (results are bit-identical).
void BM_gradient_isa(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const auto isa = static_cast<kernel_isa>(state.range(1));
  const kernel_isa saved = active_kernel_isa();
  if (!use_kernel_isa(isa)) {
    state.SkipWithError("the CPU lacks this instruction set");
    return;
  }
  state.SetLabel(kernel_isa_name(isa));
  const setup& s = get_setup(m);
  transformer_workspace ws;
  transformer_params grad;
  for (auto _ : state) benchmark::DoNotOptimize(loss_and_gradient(s.phi, s.data, {}, grad, ws));
  use_kernel_isa(saved);
  counters(state, kN, kN * flops_per_sample(m, true));
}

// Data for the T sweep (d = 8, n = 4000; labels N(0,1)).
const sequence_data& long_data(int T) {
  static std::map<int, sequence_data> cache;
  auto it = cache.find(T);
  if (it != cache.end()) return it->second;
  sequence_data data;
  rng_t rng = make_rng(9, "bench-long-T", {static_cast<std::uint64_t>(T)});
  data.d = kD, data.T = T, data.n = kN;
  data.X = clipped_gaussian_tokens(kD, T, kN, rng);
  data.y.resize(kN);
  for (int j = 0; j < kN; ++j) data.y(j) = standard_normal(rng);
  return cache.emplace(T, std::move(data)).first->second;
}

void BM_transformer_gradient_T(benchmark::State& state) {
  const int m = 64, T = static_cast<int>(state.range(0));
  const sequence_data& data = long_data(T);
  rng_t rng = make_rng(10, "bench-long-T-init");
  const transformer_params phi = symmetric_init(kD, m, rng);
  transformer_workspace ws;
  transformer_params grad;
  for (auto _ : state) benchmark::DoNotOptimize(loss_and_gradient(phi, data, {}, grad, ws));
  state.counters["samples/s"] = benchmark::Counter(kN, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_indrnn_gradient_T(benchmark::State& state) {
  const int m = 64, T = static_cast<int>(state.range(0));
  const int threads = state.range(1) > 0 ? static_cast<int>(state.range(1)) : 1;
  const sequence_data& data = long_data(T);
  rng_t rng = make_rng(10, "bench-long-T-init");
  const indrnn_params phi = indrnn_symmetric_init(kD, m, 1.5, rng);
  indrnn_workspace ws;
  ws.threads = threads;
  indrnn_params grad;
  for (auto _ : state) benchmark::DoNotOptimize(loss_and_gradient(phi, data, {}, grad, ws));
  state.counters["samples/s"] = benchmark::Counter(kN, benchmark::Counter::kIsIterationInvariantRate);
}

// The transport-map teacher of spec 5.1 on the paper's data (R = 16 anchors, nu = 3).
struct teacher_setup {
  sequence_data data;
  transport_map v;
};
const teacher_setup& get_teacher() {
  static const teacher_setup t = [] {
    teacher_setup s;
    rng_t rng = make_rng(11, "bench-teacher");
    s.data.d = kD, s.data.T = kT, s.data.n = kN;
    s.data.X = clipped_gaussian_tokens(kD, kT, kN, rng);
    s.v = make_transport_map(s.data, 16, mixture_weights::random_signs, 3, 3, 3, false, rng);
    return s;
  }();
  return t;
}

void BM_teacher_labels(benchmark::State& state) {
  const int P = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const teacher_setup& t = get_teacher();
  for (auto _ : state) {
    rng_t rng = make_rng(12, "bench-teacher-pool");
    benchmark::DoNotOptimize(teacher_labels(t.v, t.data, P, rng, threads));
  }
  state.counters["pairs/s"] = benchmark::Counter(double(P) * kN, benchmark::Counter::kIsIterationInvariantRate);
}


// ahn2023 LSA model, Setting 1 at the size of the training claims: B = 1000, d = 5, n = 20.
struct lsa_setup {
  icl::prompt_batch batch;
  Eigen::VectorXd theta, v;
};
const lsa_setup& get_lsa(int L) {
  static std::map<int, lsa_setup> cache;
  auto it = cache.find(L);
  if (it != cache.end()) return it->second;
  lsa_setup s;
  rng_t rng = make_rng(13, "bench-lsa", {static_cast<std::uint64_t>(L)});
  icl::prompt_options o;
  s.batch = icl::draw_prompts(o, 1000, rng);
  const icl::lsa_model m{5, L, icl::parameterization::code, icl::attention::linear};
  s.theta = icl::initial_parameters(m, rng, 0.2);
  s.v = icl::initial_parameters(m, rng, 1.0);
  return cache.emplace(L, std::move(s)).first->second;
}

// args: L, threads, relu (0/1)
void BM_LsaGradient(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const icl::lsa_model m{5, L, icl::parameterization::code,
                         state.range(2) ? icl::attention::relu : icl::attention::linear};
  const lsa_setup& s = get_lsa(L);
  Eigen::VectorXd g;
  for (auto _ : state) {
    benchmark::DoNotOptimize(icl::loss_and_gradient(m, s.theta, s.batch, g, threads));
    benchmark::DoNotOptimize(g.data());
  }
  state.counters["prompts/s"] = benchmark::Counter(1000.0, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LsaHessianVector(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const icl::lsa_model m{5, L, icl::parameterization::code, icl::attention::linear};
  const lsa_setup& s = get_lsa(L);
  for (auto _ : state) benchmark::DoNotOptimize(icl::hessian_vector(m, s.theta, s.batch, s.v, threads));
}

void BM_LsaHessianDiagonal(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const icl::lsa_model m{5, L, icl::parameterization::code, icl::attention::linear};
  const lsa_setup& s = get_lsa(L);
  for (auto _ : state) benchmark::DoNotOptimize(icl::hessian_diagonal(m, s.theta, s.batch, threads));
}

void widths_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "threads"});
  for (int threads : {1, 2})
    for (int m : {8, 16, 32, 64, 128, 256}) b->Args({m, threads});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_forward)->Apply(widths_threads);
BENCHMARK(BM_gradient)->Apply(widths_threads);
BENCHMARK(BM_projgd_step)->Apply(widths_threads);
BENCHMARK(BM_gradient_isa)->ArgNames({"m", "isa"})->ArgsProduct({{8, 64, 256}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_teacher_labels)->ArgNames({"P", "threads"})->Args({1024, 1})->Args({1024, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_transformer_gradient_T)->ArgName("T")->Arg(16)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_indrnn_gradient_T)->ArgNames({"T", "threads"})->ArgsProduct({{16, 128}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LsaGradient)->ArgNames({"L", "threads", "relu"})->Args({3, 1, 0})->Args({3, 2, 0})->Args({3, 1, 1})->Args({6, 1, 0})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LsaHessianVector)->ArgNames({"L", "threads"})->Args({3, 1})->Args({3, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LsaHessianDiagonal)->ArgNames({"L", "threads"})->Args({3, 1})->Args({3, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_projsgd_step)->ArgName("m")->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
