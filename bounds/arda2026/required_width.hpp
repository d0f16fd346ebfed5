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
/// configuration's tau. Solved numerically, since L1 and L2 depend on m. rhs_best is U-shaped
/// in m (NOTES.md section 5.2: the tau-term grows like log^2 m, the rest falls like
/// polylog(m)/sqrt m), so its feasible set is an interval:
///   1. doubling until a power of two is feasible, then bisection over even m between the last
///      infeasible and the first feasible power of two;
///   2. when no power of two <= 2^max_log2 is feasible, a golden-section search for the
///      minimizer of rhs_best over log m; if that is feasible, bisection below it (NOTES C6).
/// Empty when even the minimum of rhs_best exceeds epsilon: no width suffices at this tau.
template <class Scalar>
std::optional<Scalar> m_thm(config<Scalar> c, const Scalar& epsilon, int max_log2 = 100) {
  using std::exp;
  using std::floor;
  using std::log;
  using std::sqrt;
  auto even = [](const Scalar& x) { return 2 * floor(x / 2); };
  auto rhs = [&](const Scalar& m) {
    c.m = m;
    return rhs_best(c);
  };
  auto smallest_feasible_above = [&](Scalar lo, Scalar hi) {  // lo infeasible, hi feasible, both even
    while (hi - lo > 2) {
      Scalar mid = lo + 2 * floor((hi - lo) / 4);
      if (mid == lo) mid += 2;
      (rhs(mid) <= epsilon ? hi : lo) = mid;
    }
    return hi;
  };
  Scalar hi = 2;
  for (int k = 1; k <= max_log2; ++k, hi *= 2) {
    if (rhs(hi) <= epsilon) return k == 1 ? hi : smallest_feasible_above(hi / 2, hi);
  }
  // No power of two is feasible: look for the bottom of the U.
  const Scalar golden = (sqrt(Scalar(5)) - 1) / 2;
  Scalar a = log(Scalar(2)), b = max_log2 * log(Scalar(2));
  Scalar x1 = b - golden * (b - a), x2 = a + golden * (b - a);
  Scalar f1 = rhs(even(exp(x1))), f2 = rhs(even(exp(x2)));
  for (int it = 0; it < 200 && b - a > Scalar(1e-12); ++it) {
    if (f1 <= f2) {
      b = x2, x2 = x1, f2 = f1, x1 = b - golden * (b - a), f1 = rhs(even(exp(x1)));
    } else {
      a = x1, x1 = x2, f1 = f2, x2 = a + golden * (b - a), f2 = rhs(even(exp(x2)));
    }
  }
  const Scalar m_star = even(exp((a + b) / 2));
  if (m_star < 2 || rhs(m_star) > epsilon) return std::nullopt;
  Scalar lo = 2;
  while (lo * 2 < m_star) lo *= 2;  // the largest power of two below m_star: infeasible
  return smallest_feasible_above(lo, m_star);
}

}  // namespace attnbound::bounds::arda2026
