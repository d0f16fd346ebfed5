// The per-step laws of SignGD in the reconstructed two-layer Transformer of Li et al. 2024
// (spec li2024-signgd-two-layer-transformer.md section 4.1) [reconstructed, derived]: exact
// when the training noise supports are pairwise disjoint, mu = ||mu|| e_1, every l'_i != 0
// and no softmax entry is 0. Under SignGD every coordinate moves by exactly +-eta, and within
// one noise support every coordinate's gradient is a common factor times y_i xi_i[k], so an
// inner product with y_i xi_i moves by eta ||xi_i||_1 (twice that for the mean value vector
// v, which gets +eta from W_{V,+1} and -(-eta) from W_{V,-1} on every coordinate).
// Notation: eta step size, xi_l1 = ||xi_i||_1, mu_l1 = ||mu||_1, A_i = <v,mu> - <v,y_i xi_i>.
#pragma once

namespace attnbound::bounds::li2024 {

/// Delta <v, y_i xi_i> per step: 2 eta ||xi_i||_1 (mean value noise).
template <class S>
S value_noise_increment(const S& eta, const S& xi_l1) { return 2 * eta * xi_l1; }

/// Delta <v, mu> per step: 2 eta ||mu||_1 (mean value signal).
template <class S>
S value_signal_increment(const S& eta, const S& mu_l1) { return 2 * eta * mu_l1; }

/// |Delta <w_{Q,s}, y_i xi_i>| = |Delta <w_{K,s}, y_i xi_i>| = eta ||xi_i||_1 (query/key noise).
template <class S>
S qk_noise_step(const S& eta, const S& xi_l1) { return eta * xi_l1; }

/// |Delta <w_{Q,s}, mu>| = |Delta <w_{K,s}, mu>| = eta ||mu||_1 (query/key signal).
template <class S>
S qk_signal_step(const S& eta, const S& mu_l1) { return eta * mu_l1; }

/// A_i^(t) = A_i^(0) - 2 eta t (||xi_i||_1 - ||mu||_1): the two laws above combined.
template <class S>
S attention_margin_after(const S& A0, const S& eta, const S& xi_l1, const S& mu_l1, long t) {
  return A0 - 2 * eta * S(t) * (xi_l1 - mu_l1);
}

}  // namespace attnbound::bounds::li2024
