// Irreducible characters of S_L by the Murnaghan-Nakayama rule (spec
// lavie2024-transformer-gp-limit.md 2.2): chi^lambda(mu) = sum over rim hooks R of length mu_1
// removable from lambda of (-1)^{ht(R)} chi^{lambda \ R}(mu_2, mu_3, ...), ht = rows - 1.
// Computed on beta-sets (first-column hook lengths): removing a rim hook of length r moves one
// bead from b to b - r, with sign (-1)^{#beads strictly between}. Exact integers.
#pragma once

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bounds/lavie2024/young.hpp"

namespace attnbound::bounds::lavie2024 {

namespace detail {

inline big_int mn_character(const std::vector<int>& beads, const partition& mu, std::size_t k,
                            std::map<std::pair<std::vector<int>, std::size_t>, big_int>& memo) {
  if (k == mu.size()) return 1;  // the empty diagram (beads 0..l-1) remains
  const auto key = std::make_pair(beads, k);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  const int r = mu[k];
  big_int sum = 0;
  for (std::size_t b = 0; b < beads.size(); ++b) {
    const int to = beads[b] - r;
    if (to < 0 || std::binary_search(beads.begin(), beads.end(), to)) continue;
    int between = 0;
    for (int x : beads)
      if (x > to && x < beads[b]) ++between;
    std::vector<int> next = beads;
    next[b] = to;
    std::sort(next.begin(), next.end());
    const big_int sub = mn_character(next, mu, k + 1, memo);
    if (between % 2) sum -= sub;
    else sum += sub;
  }
  memo.emplace(key, sum);
  return sum;
}

}  // namespace detail

/// chi^lambda at the class of cycle type mu (both partitions of the same L).
inline big_int character(const partition& lambda, const partition& cycle_type) {
  if (!is_partition(lambda) || lambda.empty()) throw std::invalid_argument("character: lambda is not a partition");
  partition mu = cycle_type;
  std::sort(mu.begin(), mu.end(), std::greater<int>());
  if (!is_partition(mu) || size(mu) != size(lambda))
    throw std::invalid_argument("character: cycle type is not a partition of |lambda|");
  const int l = static_cast<int>(lambda.size());
  std::vector<int> beads(l);
  for (int i = 0; i < l; ++i) beads[i] = lambda[i] + (l - 1 - i);
  std::sort(beads.begin(), beads.end());
  std::map<std::pair<std::vector<int>, std::size_t>, big_int> memo;
  return detail::mn_character(beads, mu, 0, memo);
}

/// Size of the conjugacy class of cycle type mu: L! / z_mu, z_mu = prod_i i^{m_i} m_i!.
inline big_int class_size(const partition& cycle_type) {
  partition mu = cycle_type;
  std::sort(mu.begin(), mu.end(), std::greater<int>());
  if (!is_partition(mu) || mu.empty()) throw std::invalid_argument("class_size: not a partition");
  big_int z = 1;
  std::map<int, int> mult;
  for (int part : mu) ++mult[part];
  for (auto [part, m] : mult) {
    for (int i = 0; i < m; ++i) z *= part;
    z *= factorial(m);
  }
  return factorial(size(mu)) / z;
}

/// Cycle type of a permutation sigma of 0..L-1 (sigma[i] = sigma(i)), parts descending.
inline partition cycle_type(const std::vector<int>& sigma) {
  const int L = static_cast<int>(sigma.size());
  std::vector<char> seen(L, 0);
  partition mu;
  for (int i = 0; i < L; ++i) {
    if (seen[i]) continue;
    int len = 0;
    for (int j = i; !seen[j]; j = sigma[j]) {
      if (j < 0 || j >= L) throw std::invalid_argument("cycle_type: not a permutation");
      seen[j] = 1;
      ++len;
    }
    mu.push_back(len);
  }
  std::sort(mu.begin(), mu.end(), std::greater<int>());
  return mu;
}

}  // namespace attnbound::bounds::lavie2024
