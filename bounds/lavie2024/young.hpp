// Partitions (Young diagrams) lambda |- L, which label the irreducible representations of the
// symmetric group S_L acting on token positions (spec lavie2024-transformer-gp-limit.md 2.2),
// with the two dimensions the spec uses, both exact integers:
//   f^lambda      = L! / prod_c hook(c)                 (hook-length formula; dim of the irrep)
//   s_lambda(1^V) = prod_(i,j) (V + j - i) / hook(i,j)  (hook-content formula; the multiplicity
//                   of the irrep in functions on [V]^L, 0 when lambda has more than V rows)
// so the isotypic component lambda of L^2([V]^L) has dimension f^lambda s_lambda(1^V), and
// these sum to V^L (Schur-Weyl duality). Cells (i, j) are 0-based (row i, column j).
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnbound::bounds::lavie2024 {

using partition = std::vector<int>;  // parts, positive and weakly decreasing
using big_int = boost::multiprecision::cpp_int;
using rational = boost::multiprecision::cpp_rational;

inline bool is_partition(const partition& lambda) {
  for (std::size_t i = 0; i < lambda.size(); ++i)
    if (lambda[i] <= 0 || (i > 0 && lambda[i] > lambda[i - 1])) return false;
  return true;
}

inline int size(const partition& lambda) { return std::accumulate(lambda.begin(), lambda.end(), 0); }

/// The conjugate (transposed) diagram: lambda'_j = #{i : lambda_i > j}.
inline partition conjugate(const partition& lambda) {
  partition c(lambda.empty() ? 0 : lambda[0], 0);
  for (int row : lambda)
    for (int j = 0; j < row; ++j) ++c[j];
  return c;
}

/// All partitions of L (L >= 1) in reverse lexicographic order: [L], [L-1,1], [L-2,2],
/// [L-2,1,1], ... (the trivial irrep first).
inline std::vector<partition> partitions(int L) {
  if (L < 1) throw std::invalid_argument("partitions: L must be >= 1");
  std::vector<partition> out;
  partition current;
  // Parts are chosen largest first, each at most the previous one.
  auto rec = [&](auto&& self, int remaining, int max_part) -> void {
    if (remaining == 0) {
      out.push_back(current);
      return;
    }
    for (int part = std::min(remaining, max_part); part >= 1; --part) {
      current.push_back(part);
      self(self, remaining - part, part);
      current.pop_back();
    }
  };
  rec(rec, L, L);
  return out;
}

/// hook(i, j) = (lambda_i - j) + (lambda'_j - i) - 1 for a cell (i, j) of lambda.
inline int hook_length(const partition& lambda, const partition& lambda_conjugate, int i, int j) {
  return (lambda[i] - j) + (lambda_conjugate[j] - i) - 1;
}

inline big_int factorial(int n) {
  big_int r = 1;
  for (int k = 2; k <= n; ++k) r *= k;
  return r;
}

/// f^lambda by the hook-length formula.
inline big_int irrep_dimension(const partition& lambda) {
  if (!is_partition(lambda) || lambda.empty()) throw std::invalid_argument("irrep_dimension: not a partition");
  const partition c = conjugate(lambda);
  big_int hooks = 1;
  for (std::size_t i = 0; i < lambda.size(); ++i)
    for (int j = 0; j < lambda[i]; ++j) hooks *= hook_length(lambda, c, static_cast<int>(i), j);
  return factorial(size(lambda)) / hooks;
}

/// s_lambda(1^V) by the hook-content formula (0 when lambda has more than V rows).
inline big_int schur_at_ones(const partition& lambda, int V) {
  if (!is_partition(lambda) || lambda.empty()) throw std::invalid_argument("schur_at_ones: not a partition");
  if (V < 1) throw std::invalid_argument("schur_at_ones: V must be >= 1");
  if (static_cast<int>(lambda.size()) > V) return 0;
  const partition c = conjugate(lambda);
  big_int num = 1, den = 1;
  for (std::size_t i = 0; i < lambda.size(); ++i)
    for (int j = 0; j < lambda[i]; ++j) {
      num *= V + j - static_cast<int>(i);
      den *= hook_length(lambda, c, static_cast<int>(i), j);
    }
  return num / den;  // exact: s_lambda(1^V) is an integer
}

/// Dimension of the isotypic component lambda of functions on [V]^L: f^lambda s_lambda(1^V).
inline big_int isotypic_dimension(const partition& lambda, int V) {
  return irrep_dimension(lambda) * schur_at_ones(lambda, V);
}

/// "[4,1]".
inline std::string to_string(const partition& lambda) {
  std::string s = "[";
  for (std::size_t i = 0; i < lambda.size(); ++i) s += (i ? "," : "") + std::to_string(lambda[i]);
  return s + "]";
}

/// Parses "[4,1]" or "4,1"; std::invalid_argument unless the parts form a partition.
inline partition parse_partition(const std::string& text) {
  partition lambda;
  std::string digits;
  auto flush = [&] {
    if (digits.empty()) throw std::invalid_argument("not a partition: '" + text + "'");
    if (digits.size() > 6) throw std::invalid_argument("partition part too large: '" + text + "'");
    lambda.push_back(std::stoi(digits));
    digits.clear();
  };
  std::string body = text;
  if (!body.empty() && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
  for (char ch : body) {
    if (ch >= '0' && ch <= '9') digits += ch;
    else if (ch == ',') flush();
    else if (ch != ' ') throw std::invalid_argument("not a partition: '" + text + "'");
  }
  flush();
  if (!is_partition(lambda)) throw std::invalid_argument("not a partition (parts must be positive, non-increasing): '" + text + "'");
  return lambda;
}

/// (L - k, mu) for mu |- k: the irrep with k boxes below the first row (spec 2.4).
/// std::invalid_argument unless L - k >= mu_1.
inline partition near_trivial(int L, const partition& mu) {
  const int k = size(mu);
  if (!mu.empty() && L - k < mu[0]) throw std::invalid_argument("near_trivial: L - |mu| < mu_1");
  if (L - k < 1) throw std::invalid_argument("near_trivial: L - |mu| < 1");
  partition lambda{L - k};
  lambda.insert(lambda.end(), mu.begin(), mu.end());
  return lambda;
}

}  // namespace attnbound::bounds::lavie2024
