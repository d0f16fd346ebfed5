// Required width (Arda et al. 2026 section 4.12) [reconstructed: the paper states only
// "width scales logarithmically with n"; NOTES.md section 5].
#pragma once

#include <cstdint>
#include <optional>

#include "bounds/arda2026/theorem1_projgd.hpp"

namespace attnbound::bounds::arda2026 {

/// m_app: the smallest even m with B_app <= epsilon. Exact algebra on Lemma 5:
///   B_app <= eps  <=>  m >= 8 (s0 nu_c + s1 nu_u + s1 nu_w)^2 log(2n/delta) / eps^2.
template <class Scalar>
Scalar m_app(const config<Scalar>& c, const Scalar& epsilon) {
  using std::ceil;
  using std::log;
  const auto& s = c.sigma;
  const Scalar k = s.sigma0 * c.nu_c + s.sigma1 * c.nu_u + s.sigma1 * c.nu_w;
  const Scalar x = 8 * k * k * log(2 * c.n / c.delta) / (epsilon * epsilon);
  return 2 * ceil(x / 2);
}

/// m_thm: the smallest even m for which rhs_best (Theorem 1, explicit form) <= epsilon at the
/// configuration's tau. Solved numerically, since L1 and L2 depend on m: doubling until
/// feasible, then bisection over even m between the last infeasible and the first feasible
/// power of two (rhs_best is decreasing there; tests check rhs_best(m_thm - 2) > epsilon).
/// Empty when no m <= 2^max_log2 works: the tau-term ||nu||^2/(4 eta tau) + eta r_max^2 G^2
/// grows like log^2 m, so for small epsilon no width suffices at this tau.
template <class Scalar>
std::optional<Scalar> m_thm(config<Scalar> c, const Scalar& epsilon, int max_log2 = 100) {
  auto feasible = [&](const Scalar& m) {
    c.m = m;
    return rhs_best(c) <= epsilon;
  };
  Scalar hi = 2;
  int k = 1;
  while (!feasible(hi)) {
    if (++k > max_log2) return std::nullopt;
    hi *= 2;
  }
  if (k == 1) return hi;
  Scalar lo = hi / 2;  // infeasible, even
  while (hi - lo > 2) {
    Scalar mid = lo + 2 * floor((hi - lo) / 4);
    if (mid == lo) mid += 2;
    (feasible(mid) ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace attnbound::bounds::arda2026
