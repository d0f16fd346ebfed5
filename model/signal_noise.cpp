// Signal-noise patch data of Li et al. 2024 (spec section 1, [reconstructed]).
#include "model/signal_noise.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace attnbound::model::li2024 {

double sparse_vector::l1() const {
  double a = 0;
  for (double x : value) a += std::abs(x);
  return a;
}

double sparse_vector::l2sq() const {
  double a = 0;
  for (double x : value) a += x * x;
  return a;
}

namespace {

void check_law(const signal_noise_law& law) {
  if (law.d < 2) throw std::invalid_argument("signal_noise_law: d must be >= 2");
  if (law.s < 1 || law.s > law.d - 1)
    throw std::invalid_argument("signal_noise_law: s must be in [1, d-1] (d = " + std::to_string(law.d) + ")");
  if (!std::isfinite(law.sigma_p) || law.sigma_p < 0)
    throw std::invalid_argument("signal_noise_law: sigma_p must be finite and >= 0");
  if (!std::isfinite(law.mu_norm) || law.mu_norm < 0)
    throw std::invalid_argument("signal_noise_law: mu_norm must be finite and >= 0");
}

}  // namespace

// Per sample, in this order from `rng`: the label y (Rademacher), the s support coordinates
// (a partial Fisher-Yates shuffle of the pool {1, ..., d-1}), then the s values N(0, sigma_p^2)
// in ascending coordinate order. With `disjoint` the pool is not restored between samples, so
// the supports are drawn without replacement from one another; otherwise the swaps are undone
// and every support is a fresh uniform s-subset.
std::vector<signal_noise_sample> draw_samples(const signal_noise_law& law, int n, bool disjoint, rng_t& rng) {
  check_law(law);
  if (n < 0) throw std::invalid_argument("draw_samples: n must be >= 0");
  if (disjoint && static_cast<long long>(n) * law.s > law.d - 1)
    throw std::invalid_argument("draw_samples: disjoint supports need n s <= d - 1 (n = " + std::to_string(n) +
                                ", s = " + std::to_string(law.s) + ", d = " + std::to_string(law.d) + ")");
  const int pool_size = law.d - 1;
  std::vector<int> pool(pool_size);
  std::iota(pool.begin(), pool.end(), 1);
  std::vector<std::pair<int, int>> swaps;  // (position, drawn position), to undo
  swaps.reserve(law.s);

  std::vector<signal_noise_sample> out(n);
  int next = 0;  // first pool position not yet used (disjoint: across samples)
  for (int i = 0; i < n; ++i) {
    signal_noise_sample& x = out[i];
    x.y = rademacher(rng);
    swaps.clear();
    for (int j = 0; j < law.s; ++j) {
      const int pos = next + j;
      boost::random::uniform_int_distribution<int> pick(pos, pool_size - 1);
      const int q = pick(rng);
      std::swap(pool[pos], pool[q]);
      swaps.emplace_back(pos, q);
    }
    x.xi.index.assign(pool.begin() + next, pool.begin() + next + law.s);
    std::sort(x.xi.index.begin(), x.xi.index.end());
    x.xi.value.resize(law.s);
    for (int j = 0; j < law.s; ++j) x.xi.value[j] = law.sigma_p * standard_normal(rng);
    if (disjoint) {
      next += law.s;
    } else {
      for (auto it = swaps.rbegin(); it != swaps.rend(); ++it) std::swap(pool[it->first], pool[it->second]);
    }
  }
  return out;
}

std::vector<int> untouched_coordinates(const signal_noise_law& law, const std::vector<signal_noise_sample>& samples) {
  if (law.d < 2) throw std::invalid_argument("untouched_coordinates: d must be >= 2");
  std::vector<char> touched(law.d, 0);
  for (const auto& x : samples)
    for (int k : x.xi.index) {
      if (k < 1 || k >= law.d) throw std::invalid_argument("untouched_coordinates: support coordinate out of [1, d-1]");
      touched[k] = 1;
    }
  std::vector<int> out;
  for (int k = 1; k < law.d; ++k)
    if (!touched[k]) out.push_back(k);
  return out;
}

}  // namespace attnbound::model::li2024
