// Lemma 5 (Arda et al. 2026): approximation error of the transported random-features model,
//   sup_j |f_lin(X_j; phi~) - f~(X_j; v)| <= B_app  with probability >= 1 - delta.
// The paper's proof has a gap (spec 4.9a): Hoeffding needs every summand in
// +-(sigma0 nu_c + sigma1 nu_u + sigma1 nu_w), but ||phi_w||_F = |sigma'| ||M U|| ||q|| is only
// bounded by sigma1 ||U|| with Gaussian U. B_app_safe is the justified replacement on E_U;
// derivations in bounds/arda2026/NOTES.md.
#pragma once

#include <boost/math/constants/constants.hpp>

#include "bounds/arda2026/definition1_event_u.hpp"

namespace attnbound::bounds::arda2026 {

/// The paper's literal constant (proof gap): B_app = 2 (s0 nu_c + s1 nu_u + s1 nu_w)
/// sqrt(2 log(2n/delta) / m). [exact as printed]
template <class Scalar>
Scalar B_app(const config<Scalar>& c) {
  using std::log;
  using std::sqrt;
  const auto& s = c.sigma;
  return 2 * (s.sigma0 * c.nu_c + s.sigma1 * c.nu_u + s.sigma1 * c.nu_w) *
         sqrt(2 * log(2 * c.n / c.delta) / c.m);
}

/// Justified replacement on E_U (spec 4.9a) [reconstructed, NOTES.md section 2]: truncate the
/// w-feature at ||U|| <= B_U0 and add the truncation bias,
///   B_app_safe = 2 (s0 nu_c + s1 nu_u + s1 nu_w B_U0) sqrt(2 log(2n/delta)/m)
///              + 2 s1 nu_w (B_U0 + sqrt(pi/2)) delta' / m.
template <class Scalar>
Scalar B_app_safe(const config<Scalar>& c) {
  using std::log;
  using std::sqrt;
  const auto& s = c.sigma;
  const Scalar b0 = B_U0(c);
  const Scalar half_pi = boost::math::constants::half_pi<Scalar>();
  return 2 * (s.sigma0 * c.nu_c + s.sigma1 * c.nu_u + s.sigma1 * c.nu_w * b0) *
             sqrt(2 * log(2 * c.n / c.delta) / c.m) +
         2 * s.sigma1 * c.nu_w * (b0 + sqrt(half_pi)) * c.delta_prime / c.m;
}

/// Monte Carlo error of teacher labels averaged over an i.i.d. pool of P initial draws
/// (spec 4.9a) [reconstructed, NOTES.md section 3]: with probability >= 1 - 2 delta_pool,
///   max_j |y_j - f~(X_j)| <= K_P sqrt(2 log(2n/delta_pool)/P)
///                          + s1 nu_w (B_P + sqrt(pi/2)) delta_pool / P,
/// K_P = s0 nu_c + s1 nu_u + s1 nu_w B_P, B_P = sqrt(d) + sqrt(2 log(P/delta_pool)).
/// Zero when labels are exact (pool == 0).
template <class Scalar>
Scalar eps_pool(const config<Scalar>& c) {
  using std::log;
  using std::sqrt;
  if (c.pool == 0) return Scalar(0);
  const auto& s = c.sigma;
  const Scalar bp = sqrt(c.d) + sqrt(2 * log(c.pool / c.delta_pool));
  const Scalar kp = s.sigma0 * c.nu_c + s.sigma1 * c.nu_u + s.sigma1 * c.nu_w * bp;
  const Scalar half_pi = boost::math::constants::half_pi<Scalar>();
  return kp * sqrt(2 * log(2 * c.n / c.delta_pool) / c.pool) +
         s.sigma1 * c.nu_w * (bp + sqrt(half_pi)) * c.delta_pool / c.pool;
}

}  // namespace attnbound::bounds::arda2026
