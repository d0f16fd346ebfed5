// Linear convergence of SignGD after Stage IV in the reconstructed model of Li et al. 2024 (spec
// li2024-signgd-two-layer-transformer.md section 4.3) [reconstructed]: the slope per step of
// log L_S lies in [-4 eta max_i ||xi_i||_1, -2 eta min_i ||xi_i||_1]. Assumptions (NOTES.md):
// disjoint supports (each margin's noise part grows by 2 eta ||xi_i||_1 per step), the noise-token
// weight s_{i,12} + s_{i,22} in [1, 2] changes slowly, the signal term is negligible
// (||mu||_1 << ||xi_i||_1) and the margins are large (l(z) ~ e^{-z}). The paper's rate constant
// is [unknown].
#pragma once

#include <stdexcept>

#include "bounds/common/scalar.hpp"
#include "bounds/li2024/per_step_laws.hpp"

namespace attnbound::bounds::li2024 {

template <class S>
struct rate_band {
  S lo, hi;  // slope of log L_S per step: lo <= slope <= hi (both negative)
};

/// [-4 eta max||xi||_1, -2 eta min||xi||_1] (spec 4.3, SignGD). std::domain_error unless
/// eta > 0 and 0 < min_xi_l1 <= max_xi_l1.
template <class S>
rate_band<S> log_loss_slope_band(const S& eta, const S& min_xi_l1, const S& max_xi_l1) {
  if (!(lower(eta) > 0)) throw std::domain_error("log_loss_slope_band: eta must be > 0");
  if (!(lower(min_xi_l1) > 0)) throw std::domain_error("log_loss_slope_band: min ||xi_i||_1 must be > 0");
  if (!(lower(min_xi_l1) <= upper(max_xi_l1)))
    throw std::domain_error("log_loss_slope_band: min ||xi_i||_1 must be <= max ||xi_i||_1");
  return {S(-2 * value_noise_increment(eta, max_xi_l1)), S(-value_noise_increment(eta, min_xi_l1))};
}

}  // namespace attnbound::bounds::li2024
