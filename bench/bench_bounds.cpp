// Bound evaluations of Arda et al. 2026 at the paper's configuration (d = 8, n = 4000,
// tau = 4000, rho = nu = 3, delta = delta' = 0.05) in MPFR (mp_real) and MPFI (mp_interval)
// at 50 and 100 significant digits: every term of `attnbound bound arda2026.theorem1`
// (theorem1_terms) and the Theorem 1 right-hand side alone (rhs_best).
#include <benchmark/benchmark.h>

#include "bounds/arda2026/all_terms.hpp"
#include "bounds/arda2026/theorem1_projgd.hpp"
#include "bounds/common/scalar.hpp"

namespace {

namespace ab = attnbound::bounds::arda2026;
using attnbound::mp_interval;
using attnbound::mp_real;
using attnbound::precision_guard;

template <class Scalar>
ab::config<Scalar> paper_config(long m) {
  ab::config<Scalar> c;  // created inside the caller's precision_guard
  c.d = 8, c.m = Scalar(m), c.n = 4000, c.tau = 4000;
  c.delta = Scalar("0.05"), c.delta_prime = Scalar("0.05");
  c.rho_c = c.rho_u = c.rho_w = 3;
  c.nu_c = c.nu_u = c.nu_w = 3;
  c.pool = 8192, c.delta_pool = Scalar("0.001");
  return c;
}

template <class Scalar>
void BM_theorem1_all_terms(benchmark::State& state) {
  precision_guard guard(static_cast<unsigned>(state.range(0)));
  const auto c = paper_config<Scalar>(256);
  for (auto _ : state) benchmark::DoNotOptimize(ab::theorem1_terms(c));
}

template <class Scalar>
void BM_theorem1_rhs_best(benchmark::State& state) {
  precision_guard guard(static_cast<unsigned>(state.range(0)));
  const auto c = paper_config<Scalar>(256);
  for (auto _ : state) benchmark::DoNotOptimize(ab::rhs_best(c));
}

BENCHMARK_TEMPLATE(BM_theorem1_all_terms, mp_real)->ArgName("digits")->Arg(50)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_theorem1_all_terms, mp_interval)->ArgName("digits")->Arg(50)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_theorem1_rhs_best, mp_real)->ArgName("digits")->Arg(50)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_theorem1_rhs_best, mp_interval)->ArgName("digits")->Arg(50)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
