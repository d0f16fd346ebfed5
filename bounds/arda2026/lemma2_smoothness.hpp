// Lemma 2 (Arda et al. 2026): on E_U, theta_i -> h(X; theta_i) is L1-Lipschitz and
// L2-smooth on Omega_rho, uniformly in the sequence length T. [exact]
#pragma once

#include "bounds/arda2026/definition1_event_u.hpp"

namespace attnbound::bounds::arda2026 {

/// L_{1,m}(delta') = sigma1 sqrt(1 + B_U^2). [exact]
template <class Scalar>
Scalar L1(const config<Scalar>& c) {
  using std::sqrt;
  const Scalar b = B_U(c);
  return c.sigma.sigma1 * sqrt(1 + b * b);
}

/// L_{2,m}(delta') = sigma2 (1 + B_U^2) + 8 sigma1 sqrt(1 + B_U^2). [exact]
template <class Scalar>
Scalar L2(const config<Scalar>& c) {
  using std::sqrt;
  const Scalar b2 = 1 + B_U(c) * B_U(c);
  return c.sigma.sigma2 * b2 + 8 * c.sigma.sigma1 * sqrt(b2);
}

}  // namespace attnbound::bounds::arda2026
