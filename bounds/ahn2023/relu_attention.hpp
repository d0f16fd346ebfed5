// Theorem 5 of Ahn et al. 2023a (spec 2.3, P8) [exact; formula confirmed by two secondary copies,
// the primary extraction is garbled]: one layer of ReLU attention P Z M relu(Z^T Q Z),
// x, w ~ N(0, I), last row of Q zero. A global minimizer is P_0 = [[0,0],[0,1]] and
//   Q_0 = -1 / ((1/2)(n-1)/n + (d+2)/n) [[I_d,0],[0,0]] = -2n/(n + 2d + 3) [[I_d,0],[0,0]].
// (Loss without 1/2, as everywhere in bounds/ahn2023; the minimizer does not depend on it.)
#pragma once

#include <stdexcept>

namespace attnbound::bounds::ahn2023 {

/// The scalar of Q_0 = theorem5_q0 * [[I,0],[0,0]]: -2n / (n + 2d + 3).
template <class S>
S theorem5_q0(int d, int n) {
  if (d < 1 || n < 1) throw std::domain_error("theorem5_q0: d and n must be >= 1");
  return -S(2 * n) / (n + 2 * d + 3);
}

}  // namespace attnbound::bounds::ahn2023
