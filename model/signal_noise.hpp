// The signal-noise patch data of Li et al. 2024 (spec li2024-signgd-two-layer-transformer.md
// section 1, [reconstructed] after Zou et al. 2023b): y ~ Unif{+-1}, X = [y mu, xi] (L = 2
// tokens), mu = ||mu|| e_1, and xi s-sparse: s coordinates of [d] \ {1} (0-based: 1..d-1)
// chosen uniformly, each N(0, sigma_p^2), all others 0, so xi is orthogonal to mu.
// Notation as in the spec: d dimension, n samples, s sparsity, sigma_p noise scale.
#pragma once

#include <vector>

#include "model/rng.hpp"

namespace attnbound::model::li2024 {

struct signal_noise_law {
  int d = 10000;
  int s = 50;             // noise sparsity (coordinates per noise patch)
  double sigma_p = 1.0;   // noise standard deviation on the support
  double mu_norm = 1.0;   // ||mu||_2 = ||mu||_1 (mu = mu_norm e_1)
};

/// An s-sparse vector: 0-based coordinates (ascending, all >= 1) and values.
struct sparse_vector {
  std::vector<int> index;
  std::vector<double> value;
  double l1() const;      // sum |value|
  double l2sq() const;    // sum value^2
};

struct signal_noise_sample {
  double y = 1;           // label +-1
  sparse_vector xi;       // the noise token x^(2); the signal token is x^(1) = y mu
};

/// n i.i.d. samples. With `disjoint` the n supports are drawn without replacement from one
/// another (n s <= d - 1 required; std::invalid_argument otherwise): the condition under which
/// the spec's section 4.1 laws are exact. Without it, every support is drawn independently.
std::vector<signal_noise_sample> draw_samples(const signal_noise_law& law, int n, bool disjoint, rng_t& rng);

/// Coordinates (>= 1) touched by no sample's support, ascending.
std::vector<int> untouched_coordinates(const signal_noise_law& law, const std::vector<signal_noise_sample>& samples);

}  // namespace attnbound::model::li2024
