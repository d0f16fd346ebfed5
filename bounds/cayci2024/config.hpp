// Configuration of the recurrent constant of Cayci & Eryilmaz 2024 ("Convergence of Gradient
// Descent for Recurrent Neural Networks: A Nonasymptotic Analysis", arXiv 2402.12241) for the
// IndRNN of Arda et al. 2026 section 6.2: h_t = sigma(W_in x_t + u (.) h_{t-1}), h_0 = 0,
// f = m^(-1/2) sum_i c_i h_{T,i}, parameters in the per-neuron ball of radii rho/sqrt m around
// the initialization (|c_i0| = 1). All of it is [reconstructed]: NOTES.md.
#pragma once

#include "bounds/common/activation.hpp"

namespace attnbound::bounds::cayci2024 {

template <class Scalar>
struct config {
  long long T = 16;    // sequence length (number of recurrent steps)
  Scalar m = 64;       // neurons
  Scalar u_max = Scalar(3) / 2;  // max_i |u_i^(0)|: the initialization's recurrent weights
  Scalar rho_u = 3, rho_c = 3;   // |u_i - u_i0| <= rho_u/sqrt m, |c_i - c_i0| <= rho_c/sqrt m
  activation_constants<Scalar> sigma = tanh_constants<Scalar>();
};

}  // namespace attnbound::bounds::cayci2024
