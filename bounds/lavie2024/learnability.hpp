// Learnability bounds from irrep dimensions (spec lavie2024-transformer-gp-limit.md 2.4)
// [reconstructed; the paper's constants are unknown]. For a unit target in an eigenspace of the
// isotypic component lambda with eigenvalue eta and total degeneracy M >= f^lambda:
//   M eta <= Tr(P_lambda T) <= Tr T, so the EK learnability eta/(eta + sigma^2/P) is at most
//   Tr T / (Tr T + f^lambda sigma^2 / P)                                   (trace bound)
//   and the eigenlearning learnabilities sum to P - delta/kappa <= P, the M degenerate modes
//   sharing one value, so L <= P/M <= P/f^lambda                         (conservation bound).
// Scalar: double, mp_real, mp_interval (domain checks on the enclosure's ends).
#pragma once

#include <stdexcept>
#include <string>

#include "bounds/common/domain.hpp"
#include "bounds/common/scalar.hpp"

namespace attnbound::bounds::lavie2024 {


/// Tr T / (Tr T + f^lambda sigma^2 / P): upper bound on the EK learnability of any target in the
/// isotypic component lambda (spec 2.4 (i)).
template <class S>
S trace_bound(const S& trace_T, const S& f_lambda, const S& sigma2, const S& P) {
  const char* what = "trace_bound";
  require_positive(trace_T, what, "Tr T");
  require_positive(f_lambda, what, "f^lambda");
  require_nonnegative(sigma2, what, "sigma^2");
  require_positive(P, what, "P");
  return trace_T / (trace_T + f_lambda * sigma2 / P);
}

/// P / M: upper bound on the eigenlearning learnability of a mode whose eigenvalue has
/// degeneracy M (use M = f^lambda for the bound in terms of the irrep; spec 2.4 (ii)). Can
/// exceed 1, where it says nothing.
template <class S>
S conservation_bound(const S& P, const S& degeneracy) {
  const char* what = "conservation_bound";
  require_positive(P, what, "P");
  require_positive(degeneracy, what, "the degeneracy M");
  return P / degeneracy;
}

/// EK learnability eta / (eta + sigma^2 / P) of a mode with eigenvalue eta (spec 2.4, 3).
template <class S>
S ek_learnability(const S& eta, const S& sigma2, const S& P) {
  const char* what = "ek_learnability";
  require_nonnegative(eta, what, "eta");
  require_nonnegative(sigma2, what, "sigma^2");
  require_positive(P, what, "P");
  if (!(upper(eta) > 0) && !(upper(sigma2) > 0))
    throw std::domain_error("ek_learnability: eta and sigma^2 both 0 (0/0)");
  return eta / (eta + sigma2 / P);
}

/// eta_max f^lambda / Tr T in (0, 1]: how much of the trace bound the top eigenvalue of lambda
/// uses (spec 2.4 "tightness"; (L-1)/(2(L+1)) for candidate A, V = 2, [L-1,1]).
template <class S>
S tightness_ratio(const S& eta_max, const S& f_lambda, const S& trace_T) {
  const char* what = "tightness_ratio";
  require_nonnegative(eta_max, what, "eta_max");
  require_positive(f_lambda, what, "f^lambda");
  require_positive(trace_T, what, "Tr T");
  return eta_max * f_lambda / trace_T;
}

/// sigma^2 f^mu L^k / k!: the leading-order sample size P at which a target in (L-k, mu), mu |- k,
/// becomes learnable for a kernel with Tr T = 1 (spec 2.4 scaling law; f^(L-k,mu) ~ f^mu L^k/k!).
template <class S>
S scaling_law_samples(const S& sigma2, const S& f_mu, int k, int L) {
  const char* what = "scaling_law_samples";
  require_nonnegative(sigma2, what, "sigma^2");
  require_positive(f_mu, what, "f^mu");
  if (k < 0) throw std::domain_error("scaling_law_samples: k must be >= 0");
  if (L < 1) throw std::domain_error("scaling_law_samples: L must be >= 1");
  S r = sigma2 * f_mu;
  for (int j = 1; j <= k; ++j) r = r * S(L) / S(j);
  return r;
}

}  // namespace attnbound::bounds::lavie2024
