// The recurrent constant of an IndRNN [reconstructed, spec 4.13, NOTES.md section 1]:
//   alpha = sigma1 max_i (|u_i^(0)| + rho_u/sqrt m),   Lambda_T = sum_{k=0}^{T-1} alpha^k,
// which bounds sum_k prod_{j>k} |sigma'(z_j) u_i| over every parameter of the ball. Regimes:
//   alpha < 1: Lambda_T <= 1/(1 - alpha) for every T (below the cutoff: T-free),
//   alpha = 1: Lambda_T = T (linear),
//   alpha > 1: Lambda_T = (alpha^T - 1)/(alpha - 1) ~ alpha^T (exponential in T).
#pragma once

#include <stdexcept>
#include <type_traits>

#include "bounds/cayci2024/config.hpp"
#include "bounds/common/scalar.hpp"

namespace attnbound::bounds::cayci2024 {

/// alpha = sigma1 max_i(|u_i0| + rho_u/sqrt m): the largest |sigma'(z) u_i| on the ball.
template <class Scalar>
Scalar alpha(const config<Scalar>& c) {
  using std::sqrt;
  return c.sigma.sigma1 * (c.u_max + c.rho_u / sqrt(c.m));
}

/// Lambda_T(a) = sum_{k=0}^{T-1} a^k for a >= 0, by Horner's rule (Lambda <- 1 + a Lambda,
/// T-1 times): one formula for every regime, including a = 1 and intervals that contain 1,
/// and monotone in a, so an interval a gives a tight enclosure. T >= 1.
template <class Scalar>
Scalar geometric_sum(const Scalar& a, long long T) {
  if (T < 1) throw std::invalid_argument("geometric_sum: T must be >= 1");
  Scalar s(1);
  for (long long k = 1; k < T; ++k) s = 1 + a * s;
  return s;
}

template <class Scalar>
Scalar Lambda_T(const config<Scalar>& c) {
  return geometric_sum(alpha(c), c.T);
}

/// The regime of a: -1 (a < 1, contracting), 0 (a = 1; for an interval: it contains 1, so the
/// regime is not decided), +1 (a > 1, exponential).
template <class Scalar>
int regime(const Scalar& a) {
  if constexpr (std::is_same_v<Scalar, mp_interval>) {
    if (upper(a) < 1) return -1;
    if (lower(a) > 1) return 1;
    return 0;
  } else {
    return a < 1 ? -1 : (a > 1 ? 1 : 0);
  }
}

}  // namespace attnbound::bounds::cayci2024
