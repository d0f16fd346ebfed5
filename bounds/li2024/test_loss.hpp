// Test-loss lower bound of SignGD in the reconstructed model of Li et al. 2024 (spec
// li2024-signgd-two-layer-transformer.md section 4.4) [reconstructed], as the suite computes it:
//   L_D(W^(t)) >= P_miss * log(1 + exp(-2 (<v^(t),mu>)_+ - 2 sigma_p sqrt(s mean_U (v^(0)_k)^2))),
// P_miss = C(d-1-touched, s) / C(d-1, s) the exact probability that a fresh test support misses
// the `touched` coordinates of the training supports, U the d-1-touched untouched noise coordinates.
// Exact steps (NOTES.md): sgn(0) = 0 keeps v on U at v^(0); softmax rows sum to 1 so
// y f <= 2 (<v,mu>)_+ + 2 |<v^(0), xi>|; Jensen for the convex decreasing g(u) = log(1 + e^{-a-2u})
// and E|z| <= sqrt(E z^2); E z^2 = sigma_p^2 s mean_U v0^2 for a support uniform on U; hitting
// test points contribute >= 0. The paper's own constant is [unknown].
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "bounds/common/scalar.hpp"

namespace attnbound::bounds::li2024 {

namespace detail {
inline void require_support(int d, int s, const char* what) {
  if (d < 2) throw std::domain_error(std::string(what) + ": d must be >= 2");
  if (s < 1 || s > d - 1) throw std::domain_error(std::string(what) + ": s must lie in [1, d-1]");
}
/// (x)_+ = max(x, 0); for mp_interval the exact image of the enclosure.
template <class S>
S positive_part(const S& x) {
  if (lower(x) >= 0) return x;
  if (upper(x) <= 0) return S(0);
  if constexpr (std::is_same_v<S, mp_interval>) return mp_interval(mp_real(0), upper(x));
  else return x;  // unreachable for double / mp_real (NaN is rejected by the callers)
}
}  // namespace detail

/// Exact P(a uniform s-subset of the d-1 noise coordinates misses `touched` given ones)
/// = C(d-1-touched, s) / C(d-1, s) = prod_{j<s} (d-1-touched-j) / (d-1-j) (no factorials, no
/// overflow); 0 when d-1-touched < s, 1 when touched = 0.
template <class S>
S support_miss_probability(int d, int s, int touched) {
  detail::require_support(d, s, "support_miss_probability");
  if (touched < 0 || touched > d - 1)
    throw std::domain_error("support_miss_probability: touched must lie in [0, d-1]");
  const long free = static_cast<long>(d) - 1 - touched;
  if (free < s) return S(0);
  S p(1);
  for (long j = 0; j < s; ++j) p *= S(free - j) / S(static_cast<long>(d) - 1 - j);
  return p;
}

/// The spec's union-bound factor 1 - n s^2 / (d-1) (a lower bound on the miss probability when the
/// training supports are disjoint); returned as is, also when negative (then it says nothing).
template <class S>
S support_miss_union_bound(int d, int n, int s) {
  detail::require_support(d, s, "support_miss_union_bound");
  if (n < 1) throw std::domain_error("support_miss_union_bound: n must be >= 1");
  return 1 - S(n) * s * s / (d - 1);
}

/// P_miss * log(1 + exp(-2 (value_signal)_+ - 2 sigma_p sqrt(s mean_v0_sq_untouched))) (spec 4.4),
/// value_signal = <v^(t), mu>. log1p(exp(-a)) with a >= 0: no overflow for any argument.
template <class S>
S test_loss_lower_bound(const S& miss_probability, const S& value_signal, const S& sigma_p, int s,
                        const S& mean_v0_sq_untouched) {
  using std::exp;
  using std::log1p;
  using std::sqrt;
  const char* what = "test_loss_lower_bound: ";
  if (!(lower(miss_probability) >= 0) || !(upper(miss_probability) <= 1))
    throw std::domain_error(std::string(what) + "miss probability must lie in [0, 1]");
  if (!(lower(sigma_p) >= 0)) throw std::domain_error(std::string(what) + "sigma_p must be >= 0");
  if (s < 1) throw std::domain_error(std::string(what) + "s must be >= 1");
  if (!(lower(mean_v0_sq_untouched) >= 0))
    throw std::domain_error(std::string(what) + "mean of v0^2 must be >= 0");
  using std::isfinite;
  if (!isfinite(lower(value_signal)) || !isfinite(upper(value_signal)))
    throw std::domain_error(std::string(what) + "value signal must be finite");
  const S a = 2 * detail::positive_part(value_signal) + 2 * sigma_p * sqrt(S(s) * mean_v0_sq_untouched);
  return miss_probability * log1p(exp(-a));
}

/// log 2: the loss of f = 0 (the value the lower bound approaches when the signal term is o(1)).
template <class S>
S log2_reference() {
  using std::log;
  return log(S(2));
}

}  // namespace attnbound::bounds::li2024
