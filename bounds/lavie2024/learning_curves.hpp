// Learning-curve predictions of kernel (GP mean) regression from the operator's spectrum (spec
// lavie2024-transformer-gp-limit.md section 3) [reconstructed as the paper's; the formulas are the
// standard eigenlearning / Canatar-Bordelon-Pehlevan and equivalent-kernel ones]. Eigenvalues are
// those of T (measure-normalised), ridge delta = GP noise sigma^2 in the unnormalised Gram
// convention K(X,X) + delta I, P samples, label-noise variance eps2:
//   eigenlearning: kappa > 0 with sum_i lambda_i/(lambda_i + kappa) + delta/kappa = P,
//                  L_i = lambda_i/(lambda_i + kappa), E0 = P / (P - sum_i L_i^2),
//                  test = E0 (sum_i (1 - L_i)^2 g_i^2 + eps2), train = (delta/(P kappa))^2 test;
//   EK:            the kappa -> delta/P limit with E0 = 1 (kappa >= delta/P always, so EK
//                  over-estimates learnability and under-estimates the test error).
// Modes come in groups of equal eigenvalue (an isotypic eigenspace) with a multiplicity and the
// target's weight sum g_i^2 over the group. Scalar: double or mp_real.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnbound::bounds::lavie2024 {

template <class S>
struct mode_group {
  S eigenvalue;     // lambda_i of T (>= 0)
  S multiplicity;   // number of modes with this eigenvalue (>= 0)
  S target_weight;  // sum of g_i^2 over the group (>= 0)
};

template <class S>
struct curve_prediction {
  S kappa;
  S e0;
  S test_mse;
  S train_mse;
  std::vector<S> learnability;  // per group: lambda/(lambda + kappa)
};

namespace detail {

template <class S>
void check_groups(const std::vector<mode_group<S>>& groups, const S& delta, const S& P, const char* what) {
  auto finite_nonneg = [](const S& x) { return x >= 0 && x < std::numeric_limits<S>::infinity(); };
  if (!(P > 0) || !(P < std::numeric_limits<S>::infinity()))
    throw std::domain_error(std::string(what) + ": P must be a finite number > 0");
  if (!finite_nonneg(delta)) throw std::domain_error(std::string(what) + ": the ridge delta must be finite and >= 0");
  for (const auto& g : groups)
    if (!finite_nonneg(g.eigenvalue) || !finite_nonneg(g.multiplicity) || !finite_nonneg(g.target_weight))
      throw std::domain_error(std::string(what) +
                              ": eigenvalues, multiplicities and target weights must be finite and >= 0");
}

/// sum_i m_i lambda_i / (lambda_i + kappa) + delta/kappa - P (decreasing in kappa > 0).
template <class S>
S ridge_residual(const std::vector<mode_group<S>>& groups, const S& delta, const S& P, const S& kappa) {
  S sum = delta / kappa - P;
  for (const auto& g : groups)
    if (g.eigenvalue > 0) sum += g.multiplicity * g.eigenvalue / (g.eigenvalue + kappa);
  return sum;
}

}  // namespace detail

/// The effective ridge kappa > 0 of eigenlearning (spec 3): the root of the decreasing residual
/// by bisection on log kappa between kappa_hi = (sum m lambda + delta)/P (residual <= 0) and
/// kappa_lo = delta/P (residual >= 0) or, for delta = 0, kappa_hi halved until the residual is
/// positive. delta = 0 needs P < #modes with lambda > 0 (else no root: std::domain_error).
template <class S>
S effective_ridge(const std::vector<mode_group<S>>& groups, const S& delta, const S& P) {
  using std::sqrt;
  detail::check_groups(groups, delta, P, "effective_ridge");
  S nonzero_modes = 0, weighted = 0;
  for (const auto& g : groups)
    if (g.eigenvalue > 0 && g.multiplicity > 0) {
      nonzero_modes += g.multiplicity;
      weighted += g.multiplicity * g.eigenvalue;
    }
  if (delta == 0 && !(P < nonzero_modes))
    throw std::domain_error("effective_ridge: delta = 0 needs P < the number of nonzero modes (no root kappa > 0)");
  S hi = (weighted + delta) / P;
  if (delta > 0 && weighted == 0) return delta / P;  // all eigenvalues 0: kappa = delta/P exactly
  S lo;
  if (delta > 0) {
    lo = delta / P;
  } else {
    lo = hi;
    int halvings = 0;
    do {
      lo /= 2;
      if (!(lo > 0) || ++halvings > 100000)
        throw std::domain_error("effective_ridge: no representable kappa > 0 solves the equation");
    } while (!(detail::ridge_residual(groups, delta, P, lo) > 0));
  }
  const S eps = std::numeric_limits<S>::epsilon();
  for (int it = 0; it < 100000; ++it) {
    if (hi <= lo * (1 + 4 * eps)) break;
    const S mid = sqrt(lo) * sqrt(hi);  // geometric mean without overflow
    if (!(mid > lo) || !(mid < hi)) break;
    if (detail::ridge_residual(groups, delta, P, mid) > 0) lo = mid;
    else hi = mid;
  }
  return sqrt(lo) * sqrt(hi);
}

namespace detail {
template <class S>
curve_prediction<S> predict_with_kappa(const std::vector<mode_group<S>>& groups, const S& delta, const S& eps2,
                                       const S& P, const S& kappa, bool with_e0) {
  curve_prediction<S> out{kappa, S(1), S(0), S(0), {}};
  S sum_l2 = 0, bias = 0;
  for (const auto& g : groups) {
    const S l = g.eigenvalue > 0 ? g.eigenvalue / (g.eigenvalue + kappa) : S(0);
    out.learnability.push_back(l);
    sum_l2 += g.multiplicity * l * l;
    bias += (1 - l) * (1 - l) * g.target_weight;
  }
  if (with_e0) out.e0 = P / (P - sum_l2);
  out.test_mse = out.e0 * (bias + eps2);
  const S r = delta / (P * kappa);
  out.train_mse = r * r * out.test_mse;
  return out;
}
}  // namespace detail

/// Eigenlearning prediction (spec 3): kappa, E0 = P/(P - sum m L_i^2), test and train MSE, and
/// the learnability of each group.
template <class S>
curve_prediction<S> eigenlearning(const std::vector<mode_group<S>>& groups, const S& delta, const S& eps2,
                                  const S& P) {
  if (!(eps2 >= 0) || !(eps2 < std::numeric_limits<S>::infinity()))
    throw std::domain_error("eigenlearning: the label-noise variance must be finite and >= 0");
  const S kappa = effective_ridge(groups, delta, P);
  return detail::predict_with_kappa(groups, delta, eps2, P, kappa, true);
}

/// Equivalent-kernel prediction (spec 3): kappa = delta/P, E0 = 1, test = sum (1 - L_i)^2 g_i^2 +
/// eps2 (bias + label noise); delta > 0. (train_mse is the same formula as above, equal to test_mse
/// here: the EK makes no separate train prediction.) EK test <= eigenlearning test.
template <class S>
curve_prediction<S> equivalent_kernel(const std::vector<mode_group<S>>& groups, const S& delta, const S& eps2,
                                      const S& P) {
  detail::check_groups(groups, delta, P, "equivalent_kernel");
  if (!(delta > 0)) throw std::domain_error("equivalent_kernel: the ridge delta must be > 0");
  if (!(eps2 >= 0) || !(eps2 < std::numeric_limits<S>::infinity()))
    throw std::domain_error("equivalent_kernel: the label-noise variance must be finite and >= 0");
  return detail::predict_with_kappa(groups, delta, eps2, P, delta / P, false);
}

}  // namespace attnbound::bounds::lavie2024
