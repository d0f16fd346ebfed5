// Multi-step GD with scalar steps as a sparse L-layer linear transformer (spec 2.4, P6)
// [derived; MC-verified in the spec]. Sparse layers P_l = [[0,0],[0,1]], Q_l = -[[A_l,0],[0,0]]
// with A_l = a_l I are L steps of GD from w_0 = 0 (Lemma 1 of Ahn et al. 2023a), so with
// x, w ~ N(0, I) and p(mu) = prod_l (1 - a_l mu):
//   f(a_0..a_{L-1}) = E tr p(S)^2 = sum_k c_k m_k,   p(mu)^2 = sum_k c_k mu^k,
//   m_k = E tr S^k, S = W/n, W ~ Wishart_d(n, I).
// Over all real steps, with p(0) = 1 and the Hankel matrix H_ij = m_{i+j} (i, j = 0..L):
//   min f = 1 / (H^{-1})_00,  optimal coefficients p = H^{-1} e_0 / (H^{-1})_00,
// and the optimal steps a_l are the reciprocals of the roots of p (step order is irrelevant).
// Loss without 1/2. Only m_0..m_4 are implemented here (L <= 2): m_5, m_6 are not in the spec.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "bounds/ahn2023/matrix.hpp"

namespace attnbound::bounds::ahn2023 {

/// m_k = E tr S^k = E tr W^k / n^k, W ~ Wishart_d(n, I), k = 0..4 (spec 2.4):
///   E tr W^0 = d, E tr W = n d, E tr W^2 = n d (n + d + 1),
///   E tr W^3 = n d (n^2 + 3nd + d^2 + 3n + 3d + 4),
///   E tr W^4 = n d (n^3 + 6n^2 d + 6n d^2 + d^3 + 6n^2 + 17nd + 6d^2 + 21n + 21d + 20).
template <class S>
S wishart_trace_moment(int k, int d, int n) {
  if (d < 1 || n < 1) throw std::domain_error("wishart_trace_moment: d and n must be >= 1");
  const S N(n), D(d);
  S t;
  switch (k) {
    case 0: return D;
    case 1: t = N * D; break;
    case 2: t = N * D * (N + D + 1); break;
    case 3: t = N * D * (N * N + 3 * N * D + D * D + 3 * N + 3 * D + 4); break;
    case 4:
      t = N * D *
          (N * N * N + 6 * N * N * D + 6 * N * D * D + D * D * D + 6 * N * N + 17 * N * D +
           6 * D * D + 21 * N + 21 * D + 20);
      break;
    default:
      throw std::domain_error("wishart_trace_moment: k = " + std::to_string(k) +
                              " (only k = 0..4 are known in closed form here)");
  }
  for (int i = 0; i < k; ++i) t /= N;
  return t;
}

template <class S>
struct multistep_optimum {
  S loss;
  std::vector<S> steps;  // a_l, ascending
};

/// H_ij = m_{i+j}, i, j = 0..L (L <= 2).
template <class S>
matrix<S> wishart_hankel(int d, int n, int L) {
  if (L < 0 || L > 2) throw std::domain_error("wishart_hankel: L must be 0, 1 or 2");
  matrix<S> H(L + 1, L + 1);
  for (int i = 0; i <= L; ++i)
    for (int j = 0; j <= L; ++j) H(i, j) = wishart_trace_moment<S>(i + j, d, n);
  return H;
}

/// The optimal coefficients (1, p_1, .., p_L) of p(mu) = sum_j p_j mu^j with p(0) = 1.
template <class S>
std::vector<S> multistep_optimal_polynomial(int d, int n, int L) {
  const matrix<S> Hi = spd_inverse(wishart_hankel<S>(d, n, L));
  std::vector<S> p;
  for (int j = 0; j <= L; ++j) p.push_back(Hi(j, 0) / Hi(0, 0));
  return p;
}

/// min over real steps of E tr p(S)^2 and the steps, for L = 1, 2 (spec 2.4). Throws
/// std::domain_error for other L (L >= 3 needs m_5, m_6).
template <class S>
multistep_optimum<S> multistep_gd_optimum(int d, int n, int L) {
  if (L < 1 || L > 2)
    throw std::domain_error("multistep_gd_optimum: L = " + std::to_string(L) +
                            " (only L = 1, 2: L >= 3 needs the Wishart moments m_5, m_6)");
  const matrix<S> Hi = spd_inverse(wishart_hankel<S>(d, n, L));
  multistep_optimum<S> o;
  o.loss = 1 / Hi(0, 0);
  const S p1 = Hi(1, 0) / Hi(0, 0);
  if (L == 1) {
    o.steps = {-p1};  // p(mu) = 1 - a mu
    return o;
  }
  // p(mu) = 1 + p1 mu + p2 mu^2 = (1 - a mu)(1 - b mu): a + b = -p1, a b = p2, so a, b are the
  // roots of t^2 + p1 t + p2 (real and positive for a Hankel matrix of a positive measure).
  using std::sqrt;
  const S p2 = Hi(2, 0) / Hi(0, 0);
  const S disc = p1 * p1 - 4 * p2;
  const S r = sqrt(disc);
  o.steps = {(-p1 - r) / 2, (-p1 + r) / 2};
  return o;
}

/// E tr p(S)^2 for given steps (0 <= L <= 2; L = 0 gives m_0 = d, predicting 0).
template <class S>
S multistep_gd_loss(int d, int n, const std::vector<S>& steps) {
  if (steps.size() > 2)
    throw std::domain_error("multistep_gd_loss: at most 2 steps (L >= 3 needs m_5, m_6)");
  std::vector<S> p{S(1)};  // coefficients of prod (1 - a_l mu)
  for (const auto& a : steps) {
    std::vector<S> q(p.size() + 1, S(0));
    for (std::size_t j = 0; j < p.size(); ++j) {
      q[j] += p[j];
      q[j + 1] -= a * p[j];
    }
    p = q;
  }
  S f(0);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = 0; j < p.size(); ++j)
      f += p[i] * p[j] * wishart_trace_moment<S>(static_cast<int>(i + j), d, n);
  return f;
}

}  // namespace attnbound::bounds::ahn2023
