// Configuration of Arda, Cayci & Eryilmaz 2026, "Finite-Time Analysis of Gradient Descent
// for Shallow Transformers" (arXiv 2601.16514). Paper notation throughout bounds/arda2026:
//   d tokens' dimension, m heads (even), n training samples, tau ProjGD/ProjSGD steps,
//   delta (Lemma 5's failure probability), delta' (Definition 1's), rho = (rho_c, rho_u,
//   rho_w) projection radii, nu-bar = (nu_c, nu_u, nu_w) transport-map sup norms.
// The sequence length T appears nowhere: no bound of this paper takes T.
#pragma once

#include "bounds/common/activation.hpp"

namespace attnbound::bounds::arda2026 {

template <class Scalar>
struct config {
  Scalar d = 8, m = 64, n = 4000, tau = 4000;
  Scalar delta = Scalar(1) / 20, delta_prime = Scalar(1) / 20;
  Scalar rho_c = 3, rho_u = 3, rho_w = 3;
  Scalar nu_c = 3, nu_u = 3, nu_w = 3;
  /// step size eta = eta_factor / sqrt(tau): 1 in the paper's text, 1.75 in the authors' code.
  Scalar eta_factor = 1;
  /// Teacher labels as a Monte Carlo average over a pool of `pool` initial draws (spec 5.1);
  /// 0 means exact labels y = f~(X). delta_pool is the pool's failure probability (4.9a).
  Scalar pool = 0, delta_pool = Scalar(1) / 1000;
  activation_constants<Scalar> sigma = tanh_constants<Scalar>();
};

}  // namespace attnbound::bounds::arda2026
