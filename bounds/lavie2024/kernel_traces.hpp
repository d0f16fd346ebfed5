// Exact traces of the kernel operator T = K / V^L on [V]^L (uniform i.i.d. tokens) and of its
// isotypic parts (spec lavie2024-transformer-gp-limit.md 1.3 and 2.2) [exact maths for the
// suite's kernels; the kernels themselves are reconstructed]:
//   Tr T          = E_x K(x, x)
//   Tr(P_lambda T) = (f^lambda / L!) sum_{mu |- L} |C_mu| chi^lambda(mu) E_x K(x, sigma_mu x).
// With y = sigma x, i.e. y_m = x_{sigma^{-1}(m)}:
//   h(x, sigma x) = sum_m [t_m = t_{sigma^{-1}(m)}],   B(x, sigma x) = sum_{a,b} [t_a = t_b]
// (the bag of sigma x is the bag of x), so every candidate K is a polynomial in h and B:
//   A = h B / (L V^3),  C = B^2 / (L^2 V^3),  D = (h + L)(B + L + 2h) / (8L)
//     = (h B + 2 h^2 + 3 L h + L B + L^2) / (8L),
// and E of a product of indicators [t_a = t_b] is V^(components - L) = V^(-rank), rank the
// number of merges of the union-find on the edges {a, b} (NOTES.md section 1).
// E[h^p B^q] (p + q <= 2) sums the h indices explicitly (O(L^p)) and counts the B index pairs by
// their equality pattern with the few "special" positions the h indices touch, a block of new
// positions standing for the falling factorial (L - |special|)_(blocks) of actual choices.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bounds/lavie2024/characters.hpp"
#include "bounds/lavie2024/young.hpp"

namespace attnbound::bounds::lavie2024 {

namespace detail {

/// One monomial coefficient * h^p * B^q of a kernel written in h and B.
struct hb_term {
  int p;
  int q;
  rational coefficient;
};

inline big_int int_power(int base, int exponent) {
  big_int r = 1;
  for (int i = 0; i < exponent; ++i) r *= base;
  return r;
}

/// The candidate as a polynomial in h, B (spec 1.3); B only when `allow_b` (its h factor is
/// [t_{L-1} = t'_{L-1}], not S_L-invariant, so only its diagonal E K(x,x) is expressed here).
inline std::vector<hb_term> kernel_polynomial(char kernel, int V, int L, bool allow_b) {
  const big_int V3 = int_power(V, 3);
  switch (kernel) {
    case 'A': return {{1, 1, rational(1) / (rational(L) * V3)}};
    case 'C': return {{0, 2, rational(1) / (rational(L) * L * V3)}};
    case 'D': {
      const rational c = rational(1) / (8 * L);
      return {{1, 1, c}, {2, 0, 2 * c}, {1, 0, 3 * L * c}, {0, 1, L * c}, {0, 0, rational(L) * L * c}};
    }
    case 'B':
      if (allow_b) return {{0, 1, rational(1) / rational(V3)}};  // diagonal only: [t = t] = 1
      throw std::invalid_argument(
          "lavie2024 kernel traces: candidate B is only S_{L-1}-invariant (no isotypic decomposition over S_L)");
    default:
      throw std::invalid_argument(std::string("lavie2024 kernel traces: unknown kernel '") + kernel +
                                  "' (A, C or D)");
  }
}

/// V >= 1, 1 <= L <= max_L (traces: L <= 5000, O(L^2) per class; isotypic: L <= 32, all classes).
inline void check_v_l(int V, int L, const char* what, int max_L = 5000) {
  if (V < 1) throw std::invalid_argument(std::string(what) + ": V must be >= 1");
  if (L < 1) throw std::invalid_argument(std::string(what) + ": L must be >= 1");
  if (L > max_L) throw std::invalid_argument(std::string(what) + ": L must be <= " + std::to_string(max_L));
}

/// Rank (number of merges) of the union-find on at most 8 edges over arbitrary vertex labels.
inline int edge_rank(const std::vector<std::pair<int, int>>& edges) {
  std::array<int, 16> label{}, parent{};
  int n = 0;
  auto id = [&](int v) {
    for (int i = 0; i < n; ++i)
      if (label[i] == v) return i;
    label[n] = v;
    parent[n] = n;
    return n++;
  };
  auto find = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  int rank = 0;
  for (auto [a, b] : edges) {
    const int ra = find(id(a)), rb = find(id(b));
    if (ra != rb) {
      parent[ra] = rb;
      ++rank;
    }
  }
  return rank;
}

/// sum over the 2q B indices (a_1, b_1, ..., a_q, b_q) in [L]^{2q} of V^{-rank(edges + {a_j, b_j})}
/// for fixed edges whose vertices (positions) form `special`. Indices equal to a special position
/// are enumerated; the others by set partition into new blocks (virtual vertices L + i), each
/// pattern counted (L - |special|)_(blocks) times. Returns sum_r count_r V^{-r} as counts by rank.
inline void b_index_sum(int L, const std::vector<int>& special, std::vector<std::pair<int, int>>& edges, int q,
                        std::vector<big_int>& count_by_rank) {
  const int n_idx = 2 * q;
  std::vector<int> value(n_idx);
  const int free_positions = L - static_cast<int>(special.size());
  auto rec = [&](auto&& self, int i, int blocks) -> void {
    if (i == n_idx) {
      big_int ways = 1;
      for (int j = 0; j < blocks; ++j) ways *= (free_positions - j);
      if (ways == 0) return;
      const std::size_t base = edges.size();
      for (int j = 0; j < q; ++j) edges.emplace_back(value[2 * j], value[2 * j + 1]);
      const int r = edge_rank(edges);
      edges.resize(base);
      count_by_rank[r] += ways;
      return;
    }
    for (int s : special) {
      value[i] = s;
      self(self, i + 1, blocks);
    }
    for (int b = 0; b <= blocks; ++b) {  // an existing new block, or a fresh one
      value[i] = L + b;
      self(self, i + 1, b == blocks ? blocks + 1 : blocks);
    }
  };
  rec(rec, 0, 0);
}

/// E_x[h(x, sigma x)^p B(x)^q] for uniform i.i.d. tokens, p + q <= 2; sigma_inv[m] = sigma^{-1}(m).
inline rational moment_hb(int V, const std::vector<int>& sigma_inv, int p, int q) {
  const int L = static_cast<int>(sigma_inv.size());
  std::vector<big_int> count_by_rank(2 * (p + q) + 1, 0);
  std::vector<std::pair<int, int>> edges;
  std::vector<int> special;
  auto add_special = [&](int v) {
    if (std::find(special.begin(), special.end(), v) == special.end()) special.push_back(v);
  };
  auto rec = [&](auto&& self, int i) -> void {
    if (i == p) {
      special.clear();
      for (auto [a, b] : edges) {
        add_special(a);
        add_special(b);
      }
      b_index_sum(L, special, edges, q, count_by_rank);
      return;
    }
    for (int m = 0; m < L; ++m) {
      edges.emplace_back(m, sigma_inv[m]);
      self(self, i + 1);
      edges.pop_back();
    }
  };
  rec(rec, 0);
  rational sum = 0;
  for (std::size_t r = 0; r < count_by_rank.size(); ++r)
    if (count_by_rank[r] != 0) sum += rational(count_by_rank[r], int_power(V, static_cast<int>(r)));
  return sum;
}

/// sigma^{-1} of a permutation of cycle type mu (cycles on consecutive positions).
inline std::vector<int> permutation_of_type(const partition& mu) {
  std::vector<int> s;
  int start = 0;
  for (int len : mu) {
    for (int j = 0; j < len; ++j) s.push_back(start + (j + 1) % len);
    start += len;
  }
  return s;
}

inline rational expected_polynomial(const std::vector<hb_term>& poly, int V, const partition& mu) {
  const std::vector<int> s = permutation_of_type(mu);
  rational sum = 0;
  for (const auto& t : poly) sum += t.coefficient * moment_hb(V, s, t.p, t.q);
  return sum;
}

inline partition sorted_cycle_type(const partition& cycle_type, const char* what) {
  partition mu = cycle_type;
  std::sort(mu.begin(), mu.end(), std::greater<int>());
  if (mu.empty() || !is_partition(mu)) throw std::invalid_argument(std::string(what) + ": not a cycle type");
  return mu;
}

/// The row chi^lambda(mu) for all mu in `mus` (each of size |lambda|), by Murnaghan-Nakayama with
/// one memo shared by the whole row: parts are removed largest first, so the state is (beads of
/// the remaining diagram as a bit mask, the remaining smallest parts as an id), which many mu
/// share. Same rule as character() (characters.hpp), organised for speed (L <= 40).
template <class Value>
std::vector<big_int> character_row_as(const partition& lambda, const std::vector<partition>& mus) {
  const int L = size(lambda);
  if (L > 40) throw std::invalid_argument("character_row: L must be <= 40");
  // ids of every suffix mu[i..] of every mu (a partition of the remaining size)
  std::map<partition, std::uint64_t> suffix_ids;
  std::vector<std::vector<std::uint64_t>> suffix_id(mus.size());
  for (std::size_t j = 0; j < mus.size(); ++j) {
    if (size(mus[j]) != L) throw std::invalid_argument("character_row: cycle type of the wrong size");
    for (std::size_t i = 0; i <= mus[j].size(); ++i) {
      const partition suf(mus[j].begin() + static_cast<long>(i), mus[j].end());
      suffix_id[j].push_back(suffix_ids.emplace(suf, suffix_ids.size()).first->second);
    }
  }
  std::unordered_map<std::uint64_t, Value> memo;
  auto rec = [&](auto&& self, std::uint64_t beads, std::size_t j, std::size_t i) -> Value {
    const partition& mu = mus[j];
    if (i == mu.size()) return 1;
    const std::uint64_t key = beads | (suffix_id[j][i] << 42);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    const int r = mu[i];
    Value sum = 0;
    for (int b = r; b < 42; ++b) {
      if (!((beads >> b) & 1u) || ((beads >> (b - r)) & 1u)) continue;
      // sign: (-1)^{beads strictly between b - r and b}
      const std::uint64_t between = beads & (((std::uint64_t{1} << b) - 1) & ~((std::uint64_t{1} << (b - r + 1)) - 1));
      const std::uint64_t next = (beads & ~(std::uint64_t{1} << b)) | (std::uint64_t{1} << (b - r));
      const Value sub = self(self, next, j, i + 1);
      if (__builtin_popcountll(between) % 2) sum -= sub;
      else sum += sub;
    }
    memo.emplace(key, sum);
    return sum;
  };
  const int l = static_cast<int>(lambda.size());
  std::uint64_t beads = 0;
  for (int i = 0; i < l; ++i) beads |= std::uint64_t{1} << (lambda[i] + (l - 1 - i));
  std::vector<big_int> row;
  row.reserve(mus.size());
  for (std::size_t j = 0; j < mus.size(); ++j) row.push_back(big_int(rec(rec, beads, j, 0)));
  return row;
}

/// |chi| <= sqrt(k!) for every intermediate character of S_k, k <= L: 64-bit for L <= 32.
inline std::vector<big_int> character_row(const partition& lambda, const std::vector<partition>& mus) {
  if (size(lambda) <= 32) return character_row_as<long long>(lambda, mus);
  return character_row_as<big_int>(lambda, mus);
}

/// |C_mu| E_x K(x, sigma_mu x) for every mu in partitions(L) order, cached per (kernel, V, L)
/// (thread-safe; the values are exact and never change).
inline const std::vector<rational>& weighted_class_expectations(char kernel, int V, int L) {
  static std::mutex mutex;
  static std::map<std::tuple<char, int, int>, std::vector<rational>> cache;  // node-based
  const auto poly = kernel_polynomial(kernel, V, L, false);
  const std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_tuple(kernel, V, L);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::vector<rational> w;
  for (const auto& mu : partitions(L)) w.push_back(rational(class_size(mu)) * expected_polynomial(poly, V, mu));
  return cache.emplace(key, std::move(w)).first->second;
}

}  // namespace detail

/// E_x K(x, sigma x) for any sigma of the given cycle type (L = |cycle_type|), x uniform on
/// [V]^L; kernel 'A', 'C' or 'D' (spec 1.3; 'B' -> std::invalid_argument). Exact.
inline rational expected_kernel_permuted(char kernel, int V, const partition& cycle_type) {
  const partition mu = detail::sorted_cycle_type(cycle_type, "expected_kernel_permuted");
  const int L = size(mu);
  detail::check_v_l(V, L, "expected_kernel_permuted");
  return detail::expected_polynomial(detail::kernel_polynomial(kernel, V, L, false), V, mu);
}

/// Tr T = E_x K(x, x) (spec 2.3/2.4). Also defined for 'B' (E B(x,x) / V^3): the trace needs no
/// symmetry.
inline rational operator_trace(char kernel, int V, int L) {
  detail::check_v_l(V, L, "operator_trace");
  return detail::expected_polynomial(detail::kernel_polynomial(kernel, V, L, true), V, partition(L, 1));
}

/// Tr(P_lambda T) for every lambda in partitions(L) order (spec 2.2, character formula). The
/// class expectations are computed once per (kernel, V, L); each row of characters once.
inline std::vector<rational> isotypic_traces(char kernel, int V, int L) {
  detail::check_v_l(V, L, "isotypic_traces", 32);
  const auto& w = detail::weighted_class_expectations(kernel, V, L);
  const auto mus = partitions(L);
  const big_int Lfact = factorial(L);
  std::vector<rational> out;
  for (const auto& lambda : mus) {
    const auto chi = detail::character_row(lambda, mus);
    rational s = 0;
    for (std::size_t j = 0; j < mus.size(); ++j) s += w[j] * rational(chi[j]);
    out.push_back(s * rational(irrep_dimension(lambda), Lfact));
  }
  return out;
}

/// Tr(P_lambda T) = (f^lambda / L!) sum_{mu |- L} |C_mu| chi^lambda(mu) E_x K(x, sigma_mu x)
/// (spec 2.2). Zero when lambda has more than V rows (then P_lambda = 0 on [V]^L).
inline rational isotypic_trace(char kernel, int V, const partition& lambda) {
  if (lambda.empty() || !is_partition(lambda)) throw std::invalid_argument("isotypic_trace: not a partition");
  const int L = size(lambda);
  detail::check_v_l(V, L, "isotypic_trace", 32);
  const auto& w = detail::weighted_class_expectations(kernel, V, L);
  const auto mus = partitions(L);
  const auto chi = detail::character_row(lambda, mus);
  rational s = 0;
  for (std::size_t j = 0; j < mus.size(); ++j) s += w[j] * rational(chi[j]);
  return s * rational(irrep_dimension(lambda), factorial(L));
}

}  // namespace attnbound::bounds::lavie2024
