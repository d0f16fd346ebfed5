// Shallow Transformer kernels at the paper's configuration (d = 8, T = 16, n = 4000; spec 5.1)
// for widths m = 8 .. 256 and 1 or 2 threads (second argument):
//   forward         f(X_j; phi) for all n samples
//   gradient        L_n(phi) and grad L_n(phi) (one pass)
//   projgd_step     one ProjGD step: full gradient, update, projection onto Omega_rho
//   projsgd_step    one ProjSGD step: one sample's gradient, update, projection
// Counters: samples/s, and GFLOP/s by the operation count in flops_per_sample() (a multiply
// and an add count 2, exp and tanh count 1 each; the real instruction count is higher).
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

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
BENCHMARK(BM_projsgd_step)->ArgName("m")->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
