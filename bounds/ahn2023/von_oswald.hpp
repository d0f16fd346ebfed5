// von Oswald et al. 2023 ([VO], spec 2.5, P3) [exact construction]: one linear self-attention
// step with
//   W_K = W_Q = [[I_x, 0], [0, 0]],  W_V = [[0, 0], [W_0, -I_y]],  P = (eta/N) I
// maps every token e_j = (x_j, y_j) to (x_j, y_j - Delta W x_j), Delta W = -eta grad L(W_0),
// L(W) = 1/(2N) sum_i |W x_i - y_i|^2 -- one GD step, read out as the negated query slot.
// In [AHN] form this is P = [[0,0],[0,1]], Q = -eta [[I,0],[0,0]] (A = eta I), so the trained
// isotropic Gaussian optimum (Theorem 1) is the construction with eta* = n/(n+d+1) [derived].
// Loss without 1/2 (the [VO] code's losses carry 1/2; the optimal step does not depend on it).
#pragma once

#include <stdexcept>

#include "bounds/ahn2023/matrix.hpp"
#include "bounds/ahn2023/one_layer.hpp"

namespace attnbound::bounds::ahn2023 {

/// eta* = n / (n + d + 1) for x, w ~ N(0, I) (= -Q* of Theorem 1).
template <class S>
S vo_optimal_step(int d, int n) {
  if (d < 1 || n < 1) throw std::domain_error("vo_optimal_step: d and n must be >= 1");
  return S(n) / (n + d + 1);
}

/// eta* for any law with isotropic moments Sigma = s I, K4 = (m4/d) I (radial laws, the [VO]
/// cube U(-a,a)^d with s = a^2/3, m4 = d (a^4/5 + (d-1) a^4/9)): eta* = -radial_q_star.
/// [VO] cube a = 1, d = n = 10: 50/33; code default a = 1/2: 200/33 (spec 2.2 table).
template <class S>
S vo_optimal_step_radial(int d, int n, S s, S m4) {
  return -radial_q_star<S>(d, n, s, m4);
}

/// The [VO] weights for tokens (x, y) in R^{n_x + n_y}, N context tokens.
template <class S>
struct vo_weights {
  matrix<S> W_K, W_Q, W_V, P;
};

/// W_0: n_y x n_x initial linear model (0 in [AHN]/[ZFB]); eta: GD step size; N: context size.
template <class S>
vo_weights<S> vo_one_step_weights(const matrix<S>& W0, S eta, int N) {
  if (N < 1) throw std::domain_error("vo_one_step_weights: N must be >= 1");
  const Eigen::Index nx = W0.cols(), ny = W0.rows(), D = nx + ny;
  vo_weights<S> w;
  w.W_K = matrix<S>::Zero(D, D);
  w.W_K.topLeftCorner(nx, nx) = matrix<S>::Identity(nx, nx);
  w.W_Q = w.W_K;
  w.W_V = matrix<S>::Zero(D, D);
  w.W_V.bottomLeftCorner(ny, nx) = W0;
  w.W_V.bottomRightCorner(ny, ny) = -matrix<S>::Identity(ny, ny);
  w.P = scaled_identity<S>(static_cast<int>(D), eta / N);
  return w;
}

}  // namespace attnbound::bounds::ahn2023
