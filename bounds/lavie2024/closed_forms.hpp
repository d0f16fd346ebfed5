// Closed-form spectra of the kernel operator T = K / V^L on [V]^L, uniform i.i.d. tokens (spec
// lavie2024-transformer-gp-limit.md 2.3) [reconstructed; verified in NOTES.md section 3 and by
// tests/reference/lavie2024_reference.py against full-space diagonalisation].
// Candidate A at V = 2 (K_A = h B / (L V^3), so the spec's table times 1/V^3 = 1/8):
//   [L]    : L/2, r_+, r_-  with r_+- = (s +- sqrt(s^2 - 4p))/2, s = (L^3 + 3L - 2)/(4L), p = L(L-1)/8
//   [L-1,1]: L/4 and (L-2)/(4L), multiplicity L - 1 each
//   all other eigenvalues 0,  all values times 1/8.
// Candidate D (K_D = (h + L)(B + L + 2h)/(8L)): the [L-2,2] and [L-2,1,1] eigenvalue 1/(2 V^2 L)
// with multiplicity f^lambda V(V-1)/2 resp. f^lambda (V-1)(V-2)/2 (derived in NOTES.md 3.2).
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "bounds/common/scalar.hpp"
#include "bounds/lavie2024/young.hpp"

namespace attnbound::bounds::lavie2024 {

template <class S>
struct eigen_entry {
  S value;
  long multiplicity;
  partition irrep;
  std::string label;
};

namespace detail {

/// An exact rational in the Scalar (double: the nearest double of p/q up to one rounding of
/// each of p, q and of the division; mp_real/mp_interval: p and q exact, one rounding / enclosure).
template <class S>
S to_scalar(const rational& r) {
  const big_int p = numerator(r), q = denominator(r);
  if constexpr (std::is_same_v<S, double>) {
    return p.template convert_to<double>() / q.template convert_to<double>();
  } else {
    return S(p.str()) / S(q.str());
  }
}

inline void check_a_v2(int L, const char* what) {
  if (L < 2) throw std::domain_error(std::string(what) + ": L must be >= 2");
  if (L > 100000) throw std::domain_error(std::string(what) + ": L must be <= 100000");
}

/// s and p of the [L] quadratic (the spec's normalisation, without the 1/8).
inline rational a_v2_s(int L) { return rational(big_int(L) * L * L + 3 * L - 2, 4 * L); }
inline rational a_v2_p(int L) { return rational(big_int(L) * (L - 1), 8); }

inline big_int binomial(int n, int k) {
  if (k < 0 || k > n) return 0;
  big_int r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

}  // namespace detail

/// All nonzero eigenvalues of T for candidate A at V = 2 (spec 2.3 table times 1/8), with their
/// multiplicity on [2]^L, the irrep and a label; L >= 2 (at L = 2 the [L-1,1] value (L-2)/(4L) is 0
/// and is left out).
template <class S>
std::vector<eigen_entry<S>> kernel_A_V2_spectrum(int L) {
  using std::sqrt;
  detail::check_a_v2(L, "kernel_A_V2_spectrum");
  const S eighth = S(1) / S(8);
  const S s = detail::to_scalar<S>(detail::a_v2_s(L)), p = detail::to_scalar<S>(detail::a_v2_p(L));
  const S root = sqrt(s * s - 4 * p);  // s^2 - 4p > 0 for L >= 2 (NOTES.md 3.1)
  const S r_plus = (s + root) / 2;
  const S r_minus = 2 * p / (s + root);  // = (s - root)/2 without cancellation
  const partition top{L}, standard{L - 1, 1};
  std::vector<eigen_entry<S>> out;
  out.push_back({S(L) / 2 * eighth, 1, top, "[L]: L/2"});
  out.push_back({r_plus * eighth, 1, top, "[L]: r_+"});
  out.push_back({r_minus * eighth, 1, top, "[L]: r_-"});
  out.push_back({S(L) / 4 * eighth, L - 1, standard, "[L-1,1]: L/4"});
  if (L > 2) out.push_back({S(L - 2) / (4 * S(L)) * eighth, L - 1, standard, "[L-1,1]: (L-2)/(4L)"});
  return out;
}

/// sum over the eigenvalues of T within the isotypic component lambda of eigenvalue^k times
/// multiplicity (candidate A, V = 2, k >= 1), exact: r_+^k + r_-^k by Newton's identity
/// q_k = s q_{k-1} - p q_{k-2} (q_0 = 2, q_1 = s); 0 for irreps other than [L], [L-1,1].
inline rational kernel_A_V2_power_sum(int L, const partition& lambda, int k) {
  detail::check_a_v2(L, "kernel_A_V2_power_sum");
  if (k < 1) throw std::domain_error("kernel_A_V2_power_sum: k must be >= 1");
  if (!is_partition(lambda) || size(lambda) != L) throw std::domain_error("kernel_A_V2_power_sum: lambda must be a partition of L");
  const rational eighth(1, 8);
  auto pw = [](const rational& x, int e) {
    rational r = 1;
    for (int i = 0; i < e; ++i) r *= x;
    return r;
  };
  if (lambda == partition{L}) {
    const rational s = detail::a_v2_s(L), p = detail::a_v2_p(L);
    rational q_prev = 2, q = s;  // q_0, q_1
    for (int j = 2; j <= k; ++j) {
      const rational next = s * q - p * q_prev;
      q_prev = q;
      q = next;
    }
    return (pw(rational(L, 2), k) + q) * pw(eighth, k);
  }
  if (lambda == partition{L - 1, 1})
    return rational(L - 1) * (pw(rational(L, 4), k) + pw(rational(L - 2, 4 * L), k)) * pw(eighth, k);
  return 0;
}

/// The (L+1) x (L+1) matrix of T on the [L] component of candidate A at V = 2 in the basis of
/// histogram-class indicators (class k = number of tokens equal to 1): T 1_{k'} = sum_k M[k][k'] 1_k,
///   M[k][k'] = (1/2^L) (1/(8L)) (k C(L-1,k'-1) + (L-k) C(L-1,k')) (k k' + (L-k)(L-k'))
/// (spec 2.3; the first factor is sum_{x' in class k'} h(x,x'), the second B). Exact.
inline std::vector<std::vector<rational>> kernel_A_V2_symmetric_block(int L) {
  detail::check_a_v2(L, "kernel_A_V2_symmetric_block");
  if (L > 2000) throw std::domain_error("kernel_A_V2_symmetric_block: L must be <= 2000");
  const rational scale = rational(big_int(1), big_int(1) << L) * rational(1, 8 * L);
  std::vector<std::vector<rational>> M(L + 1, std::vector<rational>(L + 1));
  for (int k = 0; k <= L; ++k)
    for (int kp = 0; kp <= L; ++kp) {
      const big_int h_sum = big_int(k) * detail::binomial(L - 1, kp - 1) + big_int(L - k) * detail::binomial(L - 1, kp);
      const big_int b = big_int(k) * kp + big_int(L - k) * (L - kp);
      M[k][kp] = scale * rational(h_sum * b);
    }
  return M;
}

/// The eigenvalue of T on the [L-2,2] and [L-2,1,1] components for candidate D: 1/(2 V^2 L)
/// (spec 2.3; L >= 4, V >= 2; [L-2,1,1] needs V >= 3 to be present on [V]^L).
template <class S>
S kernel_D_two_row_eigenvalue(int V, int L) {
  if (L < 4) throw std::domain_error("kernel_D_two_row_eigenvalue: L must be >= 4");
  if (V < 2) throw std::domain_error("kernel_D_two_row_eigenvalue: V must be >= 2");
  return S(1) / (S(2) * S(V) * S(V) * S(L));
}

/// Multiplicity of that eigenvalue on [V]^L (NOTES.md 3.2, derived): f^lambda V(V-1)/2 for
/// [L-2,2] and f^lambda (V-1)(V-2)/2 for [L-2,1,1] (the copies of lambda in the degree-2 part of
/// the product basis); every other eigenvalue of these two components is 0. L >= 4, V >= 2.
inline big_int kernel_D_two_row_multiplicity(int V, const partition& lambda) {
  const int L = size(lambda);
  if (L < 4) throw std::domain_error("kernel_D_two_row_multiplicity: L must be >= 4");
  if (V < 2) throw std::domain_error("kernel_D_two_row_multiplicity: V must be >= 2");
  if (lambda == partition{L - 2, 2}) return irrep_dimension(lambda) * (V * (V - 1) / 2);
  if (lambda == partition{L - 2, 1, 1}) return irrep_dimension(lambda) * ((V - 1) * (V - 2) / 2);
  throw std::domain_error("kernel_D_two_row_multiplicity: lambda must be [L-2,2] or [L-2,1,1]");
}

}  // namespace attnbound::bounds::lavie2024
