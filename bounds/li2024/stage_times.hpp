// Stage times of SignGD in the reconstructed two-layer Transformer of Li et al. 2024 (spec
// li2024-signgd-two-layer-transformer.md section 4.2) [reconstructed]. T_1 is exact for the
// reconstructed model under the per-step laws of section 4.1 (disjoint training supports); the
// stage scales are ORDERS only (the paper's constants are [unknown]); the pair alignment time
// and the epsilon time are the spec's continuous-time estimates. Derivations: NOTES.md.
// Notation: eta step size, xi_l1 = ||xi_i||_1, mu_l1 = ||mu||_1, A_i = <v,mu> - <v,y_i xi_i>,
// s sparsity, m_k query/key neurons, m_v value neurons, n samples, sigma0 initial scale.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "bounds/common/domain.hpp"
#include "bounds/common/scalar.hpp"
#include "bounds/li2024/per_step_laws.hpp"

namespace attnbound::bounds::li2024 {

namespace detail {
inline void require_count(long k, long min, const char* what, const char* name) {
  if (k < min)
    throw std::domain_error(std::string(what) + ": " + name + " must be >= " + std::to_string(min));
}
/// floor(q) for q >= 0 as a long; for mp_interval both ends must have the same floor.
template <class S>
long floor_to_long(const S& q, const char* what) {
  using std::floor;
  const auto a = floor(lower(q)), b = floor(upper(q));
  if (!(a == b)) throw std::domain_error(std::string(what) + ": T_1 not decided at this precision");
  if (!(a >= 0) || !(a < 9.0e18))  // NaN, or beyond long
    throw std::domain_error(std::string(what) + ": step count not representable");
  if constexpr (std::is_same_v<S, double>) return static_cast<long>(a);
  else return static_cast<long>(a.template convert_to<double>());
}
}  // namespace detail

/// T_1 (spec 4.2, exact under the laws of 4.1): the first t >= 0 with A_i^(t) < 0 for every i,
/// A_i^(t) = A_i^(0) - 2 eta t (||xi_i||_1 - ||mu||_1). Per sample t_i = 0 if A_i^(0) < 0, else
/// floor(A_i^(0) / (2 eta (||xi_i||_1 - ||mu||_1))) + 1 (strict: A_i^(t) = 0 is not yet < 0);
/// T_1 = max_i t_i. std::domain_error if some ||xi_i||_1 <= ||mu||_1 (A_i never turns negative),
/// eta <= 0, the lists differ in length or are empty, or (mp_interval) the answer is not decided
/// by the enclosures ("T_1 not decided at this precision").
template <class S>
long stage1_end(const std::vector<S>& A0, const std::vector<S>& xi_l1, const S& mu_l1, const S& eta) {
  const char* what = "stage1_end";
  if (A0.size() != xi_l1.size()) throw std::domain_error("stage1_end: A0 and xi_l1 differ in length");
  if (A0.empty()) throw std::domain_error("stage1_end: no samples");
  require_positive(eta, what, "eta");
  require_nonnegative(mu_l1, what, "||mu||_1");
  long T1 = 0;
  for (std::size_t i = 0; i < A0.size(); ++i) {
    const S gap = xi_l1[i] - mu_l1;
    if (!(lower(gap) > 0)) {
      if (upper(gap) > 0)
        throw std::domain_error("stage1_end: ||xi_i||_1 > ||mu||_1 not decided at this precision");
      throw std::domain_error("stage1_end: ||xi_" + std::to_string(i) +
                              "||_1 <= ||mu||_1, A_i never turns negative");
    }
    if (upper(A0[i]) < 0) continue;  // t_i = 0
    if (!(lower(A0[i]) >= 0)) {
      if (upper(A0[i]) >= 0) throw std::domain_error("stage1_end: T_1 not decided at this precision");
      throw std::domain_error("stage1_end: A_i^(0) is not a number");
    }
    const long t = detail::floor_to_long(S(A0[i] / value_noise_increment(eta, gap)), what) + 1;
    if (t > T1) T1 = t;
  }
  return T1;
}

/// Stage I scale sigma0 / (eta sqrt(s m_v)) (ORDER only, up to sqrt(log n); spec 4.2).
template <class S>
S stage1_scale(const S& sigma0, const S& eta, int s, int m_v) {
  using std::sqrt;
  require_nonnegative(sigma0, "stage1_scale", "sigma0");
  require_positive(eta, "stage1_scale", "eta");
  detail::require_count(s, 1, "stage1_scale", "s");
  detail::require_count(m_v, 1, "stage1_scale", "m_v");
  return sigma0 / (eta * sqrt(S(s) * m_v));
}

/// Stage II scale sigma0 sqrt(log(m_k n)) / (eta sqrt s) (ORDER only; T_2 - T_1 ~ this, spec 4.2).
template <class S>
S stage2_scale(const S& sigma0, const S& eta, int s, int m_k, int n) {
  using std::log;
  using std::sqrt;
  require_nonnegative(sigma0, "stage2_scale", "sigma0");
  require_positive(eta, "stage2_scale", "eta");
  detail::require_count(s, 1, "stage2_scale", "s");
  detail::require_count(m_k, 1, "stage2_scale", "m_k");
  detail::require_count(n, 1, "stage2_scale", "n");
  return sigma0 * sqrt(log(S(m_k) * n)) / (eta * sqrt(S(s)));
}

/// Stage III scale sigma0 sqrt(log m_k) / eta (ORDER only; T_3 - T_2 ~ this, spec 4.2).
template <class S>
S stage3_scale(const S& sigma0, const S& eta, int m_k) {
  using std::log;
  using std::sqrt;
  require_nonnegative(sigma0, "stage3_scale", "sigma0");
  require_positive(eta, "stage3_scale", "eta");
  detail::require_count(m_k, 1, "stage3_scale", "m_k");
  return sigma0 * sqrt(log(S(m_k))) / eta;
}

/// Stage II pair alignment (spec 4.2): a (query noise q0, key noise k0) pair whose signs
/// disagree moves toward each other at speed eta ||xi_i||_1 each, so the smaller one crosses 0
/// after min(|q0|, |k0|) / (eta ||xi_i||_1) steps; 0 if sgn q0 = sgn k0 (sgn(0) = 0). For
/// mp_interval with an undecided sign of q0 k0 the result is the hull of both cases.
template <class S>
S pair_alignment_time(const S& q0, const S& k0, const S& eta, const S& xi_l1) {
  using std::abs;
  require_positive(eta, "pair_alignment_time", "eta");
  require_positive(xi_l1, "pair_alignment_time", "||xi_i||_1");
  const S prod = q0 * k0;
  if (lower(prod) > 0) return S(0);  // same nonzero sign
  const S aq = abs(q0), ak = abs(k0);
  S m;
  if constexpr (std::is_same_v<S, mp_interval>) {
    using std::min;
    m = mp_interval(min(lower(aq), lower(ak)), min(upper(aq), upper(ak)));
  } else {
    m = aq < ak ? aq : ak;
  }
  const S t = m / qk_noise_step(eta, xi_l1);
  if constexpr (std::is_same_v<S, mp_interval>) {
    if (upper(prod) > 0) return mp_interval(mp_real(0), upper(t));  // sign of q0 k0 undecided
  }
  return t;
}

/// T_eps ~ T_4 + log(1/eps) / (c 2 eta min_i ||xi_i||_1), c in [1, 2] (spec 4.3): the steps to
/// L_S <= eps once log L_S falls at slope c 2 eta min||xi||_1 after Stage IV (estimate).
template <class S>
S epsilon_time(const S& T4, const S& epsilon, const S& eta, const S& min_xi_l1, const S& c) {
  using std::log;
  const char* what = "epsilon_time";
  require_nonnegative(T4, what, "T_4");
  require_positive(epsilon, what, "epsilon");
  require_positive(eta, what, "eta");
  require_positive(min_xi_l1, what, "min ||xi_i||_1");
  if (!(lower(c) >= 1) || !(upper(c) <= 2))
    throw std::domain_error("epsilon_time: c must lie in [1, 2]");
  return T4 + log(1 / epsilon) / (c * value_noise_increment(eta, min_xi_l1));
}

}  // namespace attnbound::bounds::li2024
