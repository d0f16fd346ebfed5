// Theorem 1 (ProjGD) and Proposition 1 (ProjSGD) of Arda et al. 2026 in explicit form.
// The paper hides its constants in "<~"; this is the reconstruction of spec 4.9/4.9a
// (projected subgradient near initialization), re-derived step by step in NOTES.md
// section 4. Every function here is [reconstructed]. On E_U and E_app, for
// eta = eta_factor / sqrt(tau):
//   min_s L(phi_s) <= (1/tau) sum_s L(phi_s)
//                  <= ||nu||^2 / (4 eta tau) + eta r_max^2 G^2 + r_max e        (rhs_best)
//   L(phi-bar)     <= 4 rhs_best + 6 B_lin^2                                    (rhs_avg)
// with e = B_lin + B_app_safe + eps_CoF + eps_pool.
#pragma once

#include "bounds/arda2026/lemma3_linearization.hpp"
#include "bounds/arda2026/lemma5_approximation.hpp"

namespace attnbound::bounds::arda2026 {

/// |f(X; phi)| <= C_f = sigma0 rho_c + L1 R_theta on Omega_rho (f = 0 at init).
template <class Scalar>
Scalar C_f(const config<Scalar>& c) {
  return c.sigma.sigma0 * c.rho_c + L1(c) * R_theta(c);
}

/// ||grad_phi f||^2 <= G^2 = sigma0^2 + (1 + rho_c/sqrt m)^2 L1^2 on Omega_rho.
template <class Scalar>
Scalar G2(const config<Scalar>& c) {
  using std::sqrt;
  const Scalar cmax = 1 + c.rho_c / sqrt(c.m);
  const Scalar l1 = L1(c);
  return c.sigma.sigma0 * c.sigma.sigma0 + cmax * cmax * l1 * l1;
}

/// |y_j| <= C_y = sigma0 nu_c + sigma1 nu_u + sigma1 nu_w + eps_pool
/// (E_U ||M U|| <= ||M||_F <= 1; the tightening of spec 4.9a, NOTES.md section 4.1).
template <class Scalar>
Scalar C_y(const config<Scalar>& c) {
  const auto& s = c.sigma;
  return s.sigma0 * c.nu_c + s.sigma1 * c.nu_u + s.sigma1 * c.nu_w + eps_pool(c);
}

/// r_max = C_f + C_y bounds every residual |f(X_j; phi) - y_j| on Omega_rho.
template <class Scalar>
Scalar r_max(const config<Scalar>& c) {
  return C_f(c) + C_y(c);
}

/// Trivial bound: L(phi) <= r_max^2 for every phi in Omega_rho. A bound above it is vacuous.
template <class Scalar>
Scalar trivial_loss_bound(const config<Scalar>& c) {
  const Scalar r = r_max(c);
  return r * r;
}

/// Feature drift ("change of feature"), eps_CoF <= (2/sqrt m)(2 L1 rho_c R_theta + L2 R_theta^2).
template <class Scalar>
Scalar eps_CoF(const config<Scalar>& c) {
  using std::sqrt;
  const Scalar r = R_theta(c);
  return 2 / sqrt(c.m) * (2 * L1(c) * c.rho_c * r + L2(c) * r * r);
}

/// e = B_lin + B_app_safe + eps_CoF + eps_pool: |<grad f_j(phi), phi - phi~> - r_j| <= e.
template <class Scalar>
Scalar key_identity_error(const config<Scalar>& c) {
  return B_lin(c) + B_app_safe(c) + eps_CoF(c) + eps_pool(c);
}

/// Step size eta = eta_factor / sqrt(tau).
template <class Scalar>
Scalar eta(const config<Scalar>& c) {
  using std::sqrt;
  return c.eta_factor / sqrt(c.tau);
}

/// Min-iterate (and running-average-loss) bound of Theorem 1; also Proposition 1's bound on
/// E[min_s L(phi_s) | phi_0] for ProjSGD with batch 1.
template <class Scalar>
Scalar rhs_best(const config<Scalar>& c) {
  const Scalar nu2 = c.nu_c * c.nu_c + c.nu_u * c.nu_u + c.nu_w * c.nu_w;
  const Scalar h = eta(c);
  const Scalar r = r_max(c);
  return nu2 / (4 * h * c.tau) + h * r * r * G2(c) + r * key_identity_error(c);
}

/// Average-iterate bound: L(phi-bar) <= 4 rhs_best + 6 B_lin^2 (convexity of L_lin).
template <class Scalar>
Scalar rhs_avg(const config<Scalar>& c) {
  const Scalar bl = B_lin(c);
  return 4 * rhs_best(c) + 6 * bl * bl;
}

}  // namespace attnbound::bounds::arda2026
