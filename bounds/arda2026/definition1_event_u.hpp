// Definition 1 (Arda et al. 2026): the event E_{U,m}(delta') on the initial second-layer
// weights, P(E_U) >= 1 - delta', from Gaussian concentration of ||U||_2 (1-Lipschitz,
// E||U|| <= sqrt d) and a union bound over the m/2 distinct draws. [exact]
#pragma once

#include "bounds/arda2026/config.hpp"

namespace attnbound::bounds::arda2026 {

/// B_U0 = sqrt(d) + sqrt(2 log(m / (2 delta'))): on E_U, max_i ||U_i^(0)|| <= B_U0. [exact]
template <class Scalar>
Scalar B_U0(const config<Scalar>& c) {
  using std::log;
  using std::sqrt;
  return sqrt(c.d) + sqrt(2 * log(c.m / (2 * c.delta_prime)));
}

/// B_{U,m}(delta') = B_U0 + rho_u / sqrt(m): on E_U, ||U_i|| <= B_U for all U_i in Omega_rho. [exact]
template <class Scalar>
Scalar B_U(const config<Scalar>& c) {
  using std::sqrt;
  return B_U0(c) + c.rho_u / sqrt(c.m);
}

}  // namespace attnbound::bounds::arda2026
