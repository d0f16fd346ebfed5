// Zhang, Frei, Bartlett 2024 ([ZFB], spec 2.6, P5): the trained one-layer model (their
// Theorem 4.1, = Theorem 1 of Ahn et al. 2023a) trained on prompts of length N and tested on
// length M, x ~ N(0, Lambda), Lambda = diag(lambda), w ~ N(0, I), noiseless. It predicts
// y_hat = x_q^T Gamma^{-1} (1/M) sum_{i<=M} y_i x_i, Gamma = (N+1)/N Lambda + T/N I, T = tr Lambda.
// Exact error [derived in the spec and in NOTES.md; loss WITHOUT [ZFB]'s 1/2]:
//   R(N, M) = sum_i [lambda_i (lambda_i + T)^2 + (N^2/M) lambda_i^2 (lambda_i + T)]
//                   / ((N+1) lambda_i + T)^2.
// Corollary 4.3's bound [exact statement, symbols reconstructed] is this bounded term by term.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace attnbound::bounds::ahn2023 {

namespace detail {
inline void require_lengths(int N, int M, const char* what) {
  if (N < 1 || M < 1) throw std::domain_error(std::string(what) + ": N and M must be >= 1");
}
template <class S>
S trace_of(const std::vector<S>& lambda, const char* what) {
  if (lambda.empty()) throw std::domain_error(std::string(what) + ": no eigenvalues");
  S t(0);
  for (const auto& l : lambda) t += l;
  return t;
}
}  // namespace detail

/// R(N, M) (spec 2.6). R(N, N) = Theorem 1's f*.
template <class S>
S zfb_test_error(const std::vector<S>& lambda, int N, int M) {
  detail::require_lengths(N, M, "zfb_test_error");
  const S T = detail::trace_of(lambda, "zfb_test_error");
  const S r = S(N) * N / M;
  S R(0);
  for (const auto& l : lambda) {
    const S den = (N + 1) * l + T;
    R += (l * (l + T) * (l + T) + r * l * l * (l + T)) / (den * den);
  }
  return R;
}

/// lim_{M -> inf} R(N, M) = sum_i lambda_i (lambda_i + T)^2 / ((N+1) lambda_i + T)^2 = Theta(1/N^2).
template <class S>
S zfb_test_error_limit(const std::vector<S>& lambda, int N) {
  detail::require_lengths(N, 1, "zfb_test_error_limit");
  const S T = detail::trace_of(lambda, "zfb_test_error_limit");
  S R(0);
  for (const auto& l : lambda) {
    const S den = (N + 1) * l + T;
    R += l * (l + T) * (l + T) / (den * den);
  }
  return R;
}

/// Lambda = I_d: R = d (d+1) [(d+1) + N^2/M] / (N + d + 1)^2.
template <class S>
S zfb_isotropic_test_error(int d, int N, int M) {
  detail::require_lengths(N, M, "zfb_isotropic_test_error");
  if (d < 1) throw std::domain_error("zfb_isotropic_test_error: d must be >= 1");
  const S den = S(N + d + 1);
  return S(d) * (d + 1) * ((d + 1) + S(N) * N / M) / (den * den);
}

/// Corollary 4.3: R <= (d+1) tr(Lambda) / M
///                     + (tr Lambda + 2 d tr Lambda + tr(Lambda^{-1}) (tr Lambda)^2) / N^2.
template <class S>
S zfb_corollary43_bound(const std::vector<S>& lambda, int N, int M) {
  detail::require_lengths(N, M, "zfb_corollary43_bound");
  const S T = detail::trace_of(lambda, "zfb_corollary43_bound");
  const int d = static_cast<int>(lambda.size());
  S inv(0);
  for (const auto& l : lambda) inv += 1 / l;
  const S N2 = S(N) * N;
  return (d + 1) * T / M + (T + 2 * d * T + inv * T * T) / N2;
}

}  // namespace attnbound::bounds::ahn2023
