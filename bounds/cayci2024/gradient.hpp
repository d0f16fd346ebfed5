// Gradient-norm bounds of the IndRNN with respect to its recurrent weights u
// [reconstructed, spec 4.13, NOTES.md section 2]. On the ball around the initialization:
//   ||grad_u f(X; phi)||_2 <= sigma0 sigma1 (1 + rho_c/sqrt m) Lambda_T,
//   ||grad_u L_n(phi)||_2  <= 2 r sigma0 sigma1 (1 + rho_c/sqrt m) Lambda_T,
// where r >= sqrt(L_n(phi)) (the root-mean-square residual; L_n is the MSE without 1/2).
// Below the cutoff (alpha < 1) both are T-free; beyond it (alpha > 1) they grow like alpha^T.
#pragma once

#include "bounds/cayci2024/recurrent_constant.hpp"

namespace attnbound::bounds::cayci2024 {

/// sup over the ball of ||grad_u f||_2, for every input with h_0 = 0 (NOTES.md 2.1-2.2).
template <class Scalar>
Scalar grad_u_f_bound(const config<Scalar>& c) {
  using std::sqrt;
  return c.sigma.sigma0 * c.sigma.sigma1 * (1 + c.rho_c / sqrt(c.m)) * Lambda_T(c);
}

/// ||grad_u L_n||_2 <= 2 r grad_u_f_bound, r >= sqrt(L_n) (NOTES.md 2.3).
template <class Scalar>
Scalar grad_u_loss_bound(const config<Scalar>& c, const Scalar& r) {
  return 2 * r * grad_u_f_bound(c);
}

}  // namespace attnbound::bounds::cayci2024
