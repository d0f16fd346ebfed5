// One-layer linear self-attention (Ahn et al. 2023a; spec 2.1, 2.2; properties P1, P2).
//
// Notation: n context pairs (x_i, y_i = <x_i, w>), query x_q, S = (1/n) sum_i x_i x_i^T,
// Sigma = E[x x^T] = U diag(lambda) U^T, T = tr Sigma, w independent with E[w w^T] = I.
// Loss convention (spec 1.1): f = E([Z_1]_{d+1,n+1} + y_q)^2 -- NO 1/2 factor ([ZFB]'s and the
// [VO] code's 1/2 are dropped everywhere in bounds/ahn2023).
// Code parameterization: y_hat = x_q^T C (1/n) sum_i y_i x_i with C = -Q (Q the d x d block).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "bounds/ahn2023/matrix.hpp"

namespace attnbound::bounds::ahn2023 {

namespace detail {
inline void require_n(int n, const char* what) {
  if (n < 1) throw std::domain_error(std::string(what) + ": n must be >= 1");
}
template <class S>
S sum_of(const std::vector<S>& v) {
  S t(0);
  for (const auto& x : v) t += x;
  return t;
}
}  // namespace detail

/// Theorem 1 [exact statement; loss value derived, spec 2.1]: Gaussian x ~ N(0, Sigma) with
/// eigenvalues lambda, w ~ N(0, I):  f* = sum_i lambda_i (lambda_i + T) / ((n+1) lambda_i + T).
template <class S>
S theorem1_loss(const std::vector<S>& lambda, int n) {
  detail::require_n(n, "theorem1_loss");
  if (lambda.empty()) throw std::domain_error("theorem1_loss: no eigenvalues");
  const S T = detail::sum_of(lambda);
  S f(0);
  for (const auto& l : lambda) f += l * (l + T) / ((n + 1) * l + T);
  return f;
}

/// Theorem 1, Sigma = I_d: f* = d (d+1) / (n + d + 1).
template <class S>
S theorem1_isotropic_loss(int d, int n) {
  detail::require_n(n, "theorem1_isotropic_loss");
  if (d < 1) throw std::domain_error("theorem1_isotropic_loss: d must be >= 1");
  return S(d) * (d + 1) / (n + d + 1);
}

/// Theorem 1: eigenvalues of Gamma_n^{-1}, Gamma_n = (n+1)/n Sigma + T/n I:
/// 1 / ((n+1)/n lambda_i + T/n) = n / ((n+1) lambda_i + T). Q_0 = -U diag(these) U^T.
template <class S>
std::vector<S> theorem1_gamma_inverse(const std::vector<S>& lambda, int n) {
  detail::require_n(n, "theorem1_gamma_inverse");
  const S T = detail::sum_of(lambda);
  std::vector<S> g;
  g.reserve(lambda.size());
  for (const auto& l : lambda) g.push_back(S(n) / ((n + 1) * l + T));
  return g;
}

/// Second and fourth moments of the covariate law (spec 2.2): Sigma = E[x x^T],
/// K4 = E[|x|^2 x x^T]. They are all the one-layer loss depends on.
template <class S>
struct covariate_moments {
  matrix<S> Sigma, K4;
};

/// x ~ N(0, Sigma): K4 = 2 Sigma^2 + tr(Sigma) Sigma (Isserlis).
template <class S>
covariate_moments<S> gaussian_moments(const matrix<S>& Sigma) {
  const matrix<S> Sigma2 = mul(Sigma, Sigma);
  return {Sigma, S(2) * Sigma2 + Sigma.trace() * Sigma};
}

/// x ~ Unif(S^{d-1}): Sigma = I/d, K4 = E[x x^T] = I/d (|x| = 1).
template <class S>
covariate_moments<S> sphere_moments(int d) {
  if (d < 1) throw std::domain_error("sphere_moments: d must be >= 1");
  const S c = S(1) / d;
  return {scaled_identity<S>(d, c), scaled_identity<S>(d, c)};
}

/// x = r u, u ~ Unif(S^{d-1}), r^2 ~ Gamma(shape k, scale theta) (spec 1.3, Setting 3 is
/// (k, theta) = (0.1, 10); (d/2, 2) is N(0, I)): Sigma = (k theta / d) I,
/// K4 = E[r^4] / d I = (k (k+1) theta^2 / d) I.
template <class S>
covariate_moments<S> radial_gamma_moments(int d, S k, S theta) {
  if (d < 1) throw std::domain_error("radial_gamma_moments: d must be >= 1");
  return {scaled_identity<S>(d, k * theta / d), scaled_identity<S>(d, k * (k + 1) * theta * theta / d)};
}

/// x ~ U(-a, a)^d ([VO]: a = 1 in the paper, 1/2 in the code): Sigma = (a^2/3) I,
/// K4 = (E x_i^4 + (d-1) (E x_i^2)^2) I = (a^4/5 + (d-1) a^4/9) I.
template <class S>
covariate_moments<S> cube_moments(int d, S a) {
  if (d < 1) throw std::domain_error("cube_moments: d must be >= 1");
  const S a2 = a * a, a4 = a2 * a2;
  return {scaled_identity<S>(d, a2 / 3), scaled_identity<S>(d, a4 / 5 + (d - 1) * a4 / 9)};
}

/// The one-layer optimum for any i.i.d. covariate law (spec 2.2 [derived]).
template <class S>
struct one_layer_optimum {
  matrix<S> G;       // E[S^2] = K4/n + (n-1)/n Sigma^2
  matrix<S> C_star;  // Sigma G^{-1}  (code: Q* = -C*)
  S loss;            // f* = tr Sigma - tr(G^{-1} Sigma^3)
};

/// G = E[S^2] = K4/n + (n-1)/n Sigma^2 (the n diagonal terms of S^2 give K4, the n(n-1)
/// others Sigma^2).
template <class S>
matrix<S> second_moment_of_S(const covariate_moments<S>& mom, int n) {
  detail::require_n(n, "second_moment_of_S");
  return mom.K4 / S(n) + (S(n - 1) / n) * mul(mom.Sigma, mom.Sigma);
}

template <class S>
one_layer_optimum<S> one_layer_optimum_for(const covariate_moments<S>& mom, int n) {
  one_layer_optimum<S> o;
  o.G = second_moment_of_S(mom, n);
  const matrix<S> Gi = spd_inverse(o.G);
  o.C_star = mul(mom.Sigma, Gi);
  const matrix<S> Sigma2 = mul(mom.Sigma, mom.Sigma);
  o.loss = mom.Sigma.trace() - mul(mul(Gi, Sigma2), mom.Sigma).trace();
  return o;
}

/// P1 from first principles: y_hat - y_q = x_q^T (C S - I) w, so with E[w w^T] = I and x_q
/// independent of S,  f(C) = E tr((C S - I)^T Sigma (C S - I))
///                        = tr Sigma - 2 tr(C Sigma^2) + tr(C^T Sigma C G).
template <class S>
S one_layer_quadratic_loss(const matrix<S>& C, const covariate_moments<S>& mom, int n) {
  const matrix<S> G = second_moment_of_S(mom, n);
  const matrix<S>& Sig = mom.Sigma;
  const matrix<S> Ct = C.transpose();
  return Sig.trace() - S(2) * mul(C, mul(Sig, Sig)).trace() + mul(mul(Ct, Sig), mul(C, G)).trace();
}

/// P1 in completed-square form: f(C) = f* + tr((C - C*)^T Sigma (C - C*) G) >= f*.
template <class S>
S one_layer_quadratic_loss_centered(const matrix<S>& C, const covariate_moments<S>& mom, int n) {
  const auto o = one_layer_optimum_for(mom, n);
  const matrix<S> D = C - o.C_star;
  const matrix<S> Dt = D.transpose();
  return o.loss + mul(mul(Dt, mom.Sigma), mul(D, o.G)).trace();
}

/// Radial family x = r u (spec 2.2), s = E r^2 / d, m4 = E r^4 (Sigma = s I, K4 = m4/d I):
/// f* = d s (m4 - d s^2) / (m4 + (n-1) d s^2).
template <class S>
S radial_loss(int d, int n, S s, S m4) {
  detail::require_n(n, "radial_loss");
  const S ds2 = d * s * s;
  return d * s * (m4 - ds2) / (m4 + (n - 1) * ds2);
}

/// Radial family: the coefficient q of Q* = q I (code parameterization),
/// q = -s / (m4/(n d) + (n-1) s^2 / n) = -n d s / (m4 + (n-1) d s^2).
template <class S>
S radial_q_star(int d, int n, S s, S m4) {
  detail::require_n(n, "radial_q_star");
  return -(S(n) * d * s) / (m4 + (n - 1) * d * s * s);
}

}  // namespace attnbound::bounds::ahn2023
