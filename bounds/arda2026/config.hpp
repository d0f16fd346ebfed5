// Configuration of Arda, Cayci & Eryilmaz 2026, "Finite-Time Analysis of Gradient Descent
// for Shallow Transformers" (arXiv 2601.16514). Paper notation throughout bounds/arda2026:
//   d tokens' dimension, m heads (even), n training samples, tau ProjGD/ProjSGD steps,
//   delta (Lemma 5's failure probability), delta' (Definition 1's), rho = (rho_c, rho_u,
//   rho_w) projection radii, nu-bar = (nu_c, nu_u, nu_w) transport-map sup norms.
// The sequence length T appears nowhere: no bound of this paper takes T.
#pragma once

#include <string>
#include <type_traits>

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

/// A config from decimal strings: get(key) returns the text of each key named as in the CLI
/// (d, m, n, tau, delta, delta_prime, rho_c, rho_u, rho_w, nu_c, nu_u, nu_w, eta_factor, pool,
/// delta_pool). Multiprecision types parse the decimal exactly (an interval encloses it).
/// Create MP configs inside a precision_guard: the sigma constants take the current precision.
template <class Scalar, class Get>
config<Scalar> config_from_decimals(Get&& get) {
  auto v = [&](const char* key) {
    const std::string text = get(key);
    if constexpr (std::is_same_v<Scalar, double>) return std::stod(text);
    else return Scalar(text);
  };
  config<Scalar> c;
  c.d = v("d"), c.m = v("m"), c.n = v("n"), c.tau = v("tau");
  c.delta = v("delta"), c.delta_prime = v("delta_prime");
  c.rho_c = v("rho_c"), c.rho_u = v("rho_u"), c.rho_w = v("rho_w");
  c.nu_c = v("nu_c"), c.nu_u = v("nu_u"), c.nu_w = v("nu_w");
  c.eta_factor = v("eta_factor"), c.pool = v("pool"), c.delta_pool = v("delta_pool");
  return c;
}

}  // namespace attnbound::bounds::arda2026
