// Activation constants sigma-bar = (sigma0, sigma1, sigma2) with |sigma| <= sigma0,
// |sigma'| <= sigma1, |sigma''| <= sigma2 (Arda et al. 2026, assumption 2).
#pragma once

#include <cmath>

namespace attnbound::bounds {

template <class Scalar>
struct activation_constants {
  Scalar sigma0, sigma1, sigma2;
};

/// tanh: sigma0 = sigma1 = 1, sigma2 = max |tanh''| = 4/(3 sqrt 3), attained where
/// tanh^2 = 1/3. [exact] Computed in the working precision of Scalar.
template <class Scalar>
activation_constants<Scalar> tanh_constants() {
  using std::sqrt;
  const Scalar three(3);
  return {Scalar(1), Scalar(1), Scalar(4) / (three * sqrt(three))};
}

}  // namespace attnbound::bounds
