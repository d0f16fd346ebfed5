// Signal-to-noise ratios and rate ratios of GD and SignGD in the reconstructed model of Li et al.
// 2024 (spec li2024-signgd-two-layer-transformer.md sections 1 and 4.6) [reconstructed]. The
// paper's own SNR definition is [unknown]: both candidates are given. Derivations: NOTES.md.
// Noise: s coordinates of [d] \ {1}, each N(0, sigma_p^2); mu = ||mu|| e_1, so ||mu||_1 = ||mu||.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

#include <boost/math/constants/constants.hpp>

#include "bounds/common/scalar.hpp"

namespace attnbound::bounds::li2024 {

namespace detail {
template <class S>
void require_noise(const S& sigma_p, int s, const char* what) {
  if (!(lower(sigma_p) > 0)) throw std::domain_error(std::string(what) + ": sigma_p must be > 0");
  if (s < 1) throw std::domain_error(std::string(what) + ": s must be >= 1");
}
template <class S>
void require_signal(const S& mu_norm, const char* what) {
  if (!(lower(mu_norm) >= 0)) throw std::domain_error(std::string(what) + ": ||mu|| must be >= 0");
}
}  // namespace detail

/// E ||xi||_1 = s sigma_p sqrt(2/pi) (E|N(0, sigma^2)| = sigma sqrt(2/pi)).
template <class S>
S expected_xi_l1(const S& sigma_p, int s) {
  using std::sqrt;
  detail::require_noise(sigma_p, s, "expected_xi_l1");
  return S(s) * sigma_p * sqrt(2 / boost::math::constants::pi<S>());
}

/// E ||xi||_2^2 = s sigma_p^2.
template <class S>
S expected_xi_l2sq(const S& sigma_p, int s) {
  detail::require_noise(sigma_p, s, "expected_xi_l2sq");
  return S(s) * sigma_p * sigma_p;
}

/// l2 SNR ||mu|| / (sigma_p sqrt s) (the usual choice in this literature).
template <class S>
S snr_l2(const S& mu_norm, const S& sigma_p, int s) {
  using std::sqrt;
  detail::require_noise(sigma_p, s, "snr_l2");
  detail::require_signal(mu_norm, "snr_l2");
  return mu_norm / (sigma_p * sqrt(S(s)));
}

/// l1 SNR ||mu||_1 / E||xi||_1 = ||mu|| / (s sigma_p sqrt(2/pi)) (what governs SignGD, spec 4.6).
template <class S>
S snr_l1(const S& mu_norm, const S& sigma_p, int s) {
  detail::require_signal(mu_norm, "snr_l1");
  return mu_norm / expected_xi_l1(sigma_p, s);
}

/// GD: (value-signal rate) / (one sample's value-noise rate) = n ||mu||^2 / E||xi||^2
/// = n ||mu||^2 / (s sigma_p^2) = n snr_l2^2 (spec 4.6; balanced early phase, disjoint supports).
template <class S>
S gd_signal_noise_ratio(int n, const S& mu_norm, const S& sigma_p, int s) {
  if (n < 1) throw std::domain_error("gd_signal_noise_ratio: n must be >= 1");
  detail::require_signal(mu_norm, "gd_signal_noise_ratio");
  return S(n) * mu_norm * mu_norm / expected_xi_l2sq(sigma_p, s);
}

/// SignGD: 2 eta ||mu||_1 / (2 eta E||xi||_1) = snr_l1 (spec 4.1, 4.6): no factor n.
template <class S>
S signgd_signal_noise_ratio(const S& mu_norm, const S& sigma_p, int s) {
  return snr_l1(mu_norm, sigma_p, s);
}

}  // namespace attnbound::bounds::li2024
