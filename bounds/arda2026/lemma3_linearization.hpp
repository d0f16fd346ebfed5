// Lemma 3 (Arda et al. 2026): uniform linearization error on Omega_rho, on E_U. [exact]
//   sup_j |f(X_j; phi) - f_lin(X_j; phi)| <= B_lin.
#pragma once

#include "bounds/arda2026/lemma2_smoothness.hpp"

namespace attnbound::bounds::arda2026 {

/// R_theta = sqrt(rho_u^2 + rho_w^2), the (U, W) radius of a head's ball times sqrt(m).
template <class Scalar>
Scalar R_theta(const config<Scalar>& c) {
  using std::sqrt;
  return sqrt(c.rho_u * c.rho_u + c.rho_w * c.rho_w);
}

/// B_{lin,m}(delta') = (L1 rho_c sqrt(rho_w^2 + rho_u^2) + L2 (rho_w^2 + rho_u^2)) / sqrt(m). [exact]
template <class Scalar>
Scalar B_lin(const config<Scalar>& c) {
  using std::sqrt;
  const Scalar r = R_theta(c);
  return (L1(c) * c.rho_c * r + L2(c) * r * r) / sqrt(c.m);
}

}  // namespace attnbound::bounds::arda2026
