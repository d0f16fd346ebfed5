// Lemma 1 (Arda et al. 2026) turned into a T-free bound on the attention-gradient norm
// [reconstructed, NOTES.md section 6]. With grad_{W_i} f = m^(-1/2) c_i sigma'(U_i^T a_i)
// (M_i U_i) q^T and ||M_i||_op <= ||M_i||_F <= 1 for every T (Remark 5):
//   ||grad_W L_n(phi)||_F <= 2 r sigma1 (1 + rho_c/sqrt m) B_U    on Omega_rho and E_U,
// where r >= max_j |f(X_j; phi) - y_j|, e.g. r = C_f + max_j |y_j|. No T appears.
#pragma once

#include "bounds/arda2026/theorem1_projgd.hpp"

namespace attnbound::bounds::arda2026 {

/// sup over Omega_rho of ||grad_W f(X; phi)||_F = sigma1 (1 + rho_c/sqrt m) B_U, uniformly in T.
template <class Scalar>
Scalar grad_W_f_bound(const config<Scalar>& c) {
  using std::sqrt;
  return c.sigma.sigma1 * (1 + c.rho_c / sqrt(c.m)) * B_U(c);
}

/// ||grad_W L_n(phi)||_F <= 2 (C_f + max_abs_label) grad_W_f_bound (MSE without 1/2).
template <class Scalar>
Scalar grad_W_loss_bound(const config<Scalar>& c, const Scalar& max_abs_label) {
  return 2 * (C_f(c) + max_abs_label) * grad_W_f_bound(c);
}

}  // namespace attnbound::bounds::arda2026
