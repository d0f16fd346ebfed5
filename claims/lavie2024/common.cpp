// Isotypic projectors and eigenvalue clusters for the lavie2024.* claims (spec
// lavie2024-transformer-gp-limit.md 2.2): P_lambda = (f^lambda / L!) sum_sigma chi^lambda(sigma)
// R_sigma, with chi^lambda exact (Murnaghan-Nakayama, bounds/lavie2024/characters.hpp) and R_sigma
// the positional action on [V]^L (model/token_sequences.hpp), or as a polynomial in the class sum
// of transpositions (content sums, for L beyond 8).
#include "claims/lavie2024/common.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "bounds/lavie2024/characters.hpp"

namespace attnbound::claims::lavie2024 {

namespace bl = attnbound::bounds::lavie2024;

std::vector<Eigen::MatrixXd> isotypic_projectors(const mdl::token_space& space, const std::vector<partition>& lambdas) {
  mdl::check_space(space);
  if (space.L > 8) throw std::invalid_argument("isotypic_projector: L <= 8 (the sum runs over all L! permutations)");
  if (space.size() > 4096) throw std::invalid_argument("isotypic_projector: V^L <= 4096 (a dense N x N matrix)");
  for (const auto& lambda : lambdas)
    if (!bl::is_partition(lambda) || bl::size(lambda) != space.L)
      throw std::invalid_argument("isotypic_projector: lambda must be a partition of L");
  const auto N = space.size();
  const std::size_t n = lambdas.size();
  std::vector<double> scale(n);
  for (std::size_t l = 0; l < n; ++l)
    scale[l] = static_cast<double>(bl::irrep_dimension(lambdas[l])) / static_cast<double>(bl::factorial(space.L));
  std::map<partition, std::vector<double>> chi;  // characters of every lambda, by cycle type
  std::vector<Eigen::MatrixXd> P(n, Eigen::MatrixXd::Zero(N, N));
  for (const auto& sigma : mdl::all_permutations(space.L)) {
    const partition mu = bl::cycle_type(sigma);
    auto it = chi.find(mu);
    if (it == chi.end()) {
      std::vector<double> row(n);
      for (std::size_t l = 0; l < n; ++l) row[l] = static_cast<double>(bl::character(lambdas[l], mu));
      it = chi.emplace(mu, std::move(row)).first;
    }
    const auto& row = it->second;
    if (std::all_of(row.begin(), row.end(), [](double v) { return v == 0; })) continue;
    // (R_sigma f)(sigma y) = f(y): column y, row index of sigma y.
    const auto image = mdl::action_on_space(space, sigma);
    for (std::size_t l = 0; l < n; ++l) {
      if (row[l] == 0) continue;
      const double c = scale[l] * row[l];
      for (std::int64_t y = 0; y < N; ++y) P[l](image[static_cast<std::size_t>(y)], y) += c;
    }
  }
  return P;
}

Eigen::MatrixXd isotypic_projector(const mdl::token_space& space, const partition& lambda) {
  return isotypic_projectors(space, {lambda}).front();
}

long content_sum(const partition& lambda) {
  long s = 0;
  for (std::size_t i = 0; i < lambda.size(); ++i)
    for (int j = 0; j < lambda[i]; ++j) s += j - static_cast<long>(i);
  return s;
}

Eigen::MatrixXd content_projector(const mdl::token_space& space, const partition& lambda) {
  mdl::check_space(space);
  if (!bl::is_partition(lambda) || bl::size(lambda) != space.L)
    throw std::invalid_argument("content_projector: lambda must be a partition of L = " + std::to_string(space.L));
  const auto N = space.size();
  if (N > 4096) throw std::invalid_argument("content_projector: V^L <= 4096 (a dense N x N matrix)");
  if (static_cast<int>(lambda.size()) > space.V) return Eigen::MatrixXd::Zero(N, N);  // s_lambda(1^V) = 0
  const long c = content_sum(lambda);
  std::set<long> others;
  for (const auto& mu : bl::partitions(space.L)) {
    if (static_cast<int>(mu.size()) > space.V || mu == lambda) continue;
    const long cm = content_sum(mu);
    if (cm == c)
      throw std::domain_error("content_projector: " + bl::to_string(mu) + " and " + bl::to_string(lambda) +
                              " have the same content sum on [V]^L; the transposition class sum does not separate them");
    others.insert(cm);
  }
  // Index maps of the L(L-1)/2 transpositions (self-inverse: R_t f(x) = f(t x)).
  std::vector<std::vector<std::int64_t>> maps;
  for (int a = 0; a < space.L; ++a)
    for (int b = a + 1; b < space.L; ++b) {
      mdl::permutation t(static_cast<std::size_t>(space.L));
      for (int m = 0; m < space.L; ++m) t[static_cast<std::size_t>(m)] = m;
      std::swap(t[static_cast<std::size_t>(a)], t[static_cast<std::size_t>(b)]);
      maps.push_back(mdl::action_on_space(space, t));
    }
  Eigen::MatrixXd P = Eigen::MatrixXd::Identity(N, N), CP(N, N);
  for (long cm : others) {
    CP.setZero();
    for (Eigen::Index j = 0; j < N; ++j) {
      const double* in = P.col(j).data();
      double* out = CP.col(j).data();
      for (const auto& img : maps)
        for (std::int64_t x = 0; x < N; ++x) out[x] += in[img[static_cast<std::size_t>(x)]];
    }
    P = (CP - static_cast<double>(cm) * P) / static_cast<double>(c - cm);
  }
  return P;
}

Eigen::VectorXd uniform_measure(const mdl::token_space& s) {
  const auto N = s.size();
  return Eigen::VectorXd::Constant(N, 1.0 / static_cast<double>(N));
}

char kernel_char(mdl::candidate c) { return mdl::to_string(c).at(0); }

double to_double(const rational& r) {
  return static_cast<double>(numerator(r).convert_to<long double>() / denominator(r).convert_to<long double>());
}

std::vector<eigen_cluster> eigenvalue_clusters(const Eigen::VectorXd& ascending, double relative_tolerance) {
  const Eigen::Index N = ascending.size();
  std::vector<eigen_cluster> clusters;
  if (N == 0) return clusters;
  const double scale = std::max(ascending.cwiseAbs().maxCoeff(), 1e-300);
  // Descending order; a cluster grows while the next value is within tolerance of its first.
  for (Eigen::Index i = N - 1; i >= 0;) {
    eigen_cluster c;
    const double first = ascending(i);
    Eigen::Index j = i;
    double sum = 0;
    while (j >= 0 && std::abs(ascending(j) - first) <= relative_tolerance * scale) {
      c.columns.push_back(static_cast<int>(j));
      sum += ascending(j);
      --j;
    }
    c.multiplicity = static_cast<int>(c.columns.size());
    c.value = sum / c.multiplicity;
    clusters.push_back(std::move(c));
    i = j;
  }
  return clusters;
}

std::vector<eigen_cluster> isotypic_clusters(const mdl::operator_spectrum& spec,
                                             const std::vector<Eigen::MatrixXd>& projectors,
                                             const std::vector<partition>& lambdas,
                                             double relative_tolerance) {
  if (projectors.size() != lambdas.size()) throw std::invalid_argument("isotypic_clusters: one projector per lambda");
  const Eigen::Index N = spec.eigenvalues.size();
  if (N == 0) return {};
  // The eigenfunctions are orthonormal in L^2(p) and complete, so sum_i phi_i(x)^2 = 1 / p(x):
  // the Euclidean-orthonormal eigenvectors are v_i = sqrt(p) phi_i.
  const Eigen::VectorXd sqrt_p = spec.eigenfunctions.rowwise().squaredNorm().cwiseInverse().cwiseSqrt();
  std::vector<eigen_cluster> clusters = eigenvalue_clusters(spec.eigenvalues, relative_tolerance);
  for (auto& c : clusters) {
    Eigen::MatrixXd V(N, c.multiplicity);
    for (int k = 0; k < c.multiplicity; ++k) V.col(k) = sqrt_p.cwiseProduct(spec.eigenfunctions.col(c.columns[k]));
    for (std::size_t l = 0; l < projectors.size(); ++l) {
      const double m = (V.transpose() * projectors[l] * V).trace();
      if (m > 0.5) {
        c.irreps.push_back(lambdas[l]);
        c.irrep_multiplicity.push_back(m);
      }
    }
  }
  return clusters;
}

irrep_target target_in_irrep(const mdl::operator_spectrum& spec, const std::vector<eigen_cluster>& clusters,
                             const Eigen::MatrixXd& projector, const partition& lambda,
                             const Eigen::VectorXd& p) {
  const double scale = std::max(spec.eigenvalues.cwiseAbs().maxCoeff(), 1e-300);
  for (const auto& c : clusters) {  // descending: the first match has the largest eigenvalue
    if (c.value <= 1e-10 * scale) break;
    const auto it = std::find(c.irreps.begin(), c.irreps.end(), lambda);
    if (it == c.irreps.end()) continue;
    // P_lambda phi for the cluster column with the largest projection: an eigenfunction of
    // T with the cluster's value (P_lambda commutes with T for an invariant p).
    Eigen::VectorXd best;
    double best_norm = -1;
    for (int col : c.columns) {
      Eigen::VectorXd g = projector * spec.eigenfunctions.col(col);
      const double norm = std::sqrt(p.dot(g.cwiseProduct(g)));
      if (norm > best_norm) {
        best_norm = norm;
        best = std::move(g);
      }
    }
    if (!(best_norm > 1e-8)) continue;
    irrep_target t;
    t.g = best / best_norm;
    t.eigenvalue = c.value;
    t.degeneracy = static_cast<int>(std::lround(c.irrep_multiplicity[it - c.irreps.begin()]));
    return t;
  }
  throw std::domain_error("target_in_irrep: no nonzero eigenvalue in irrep " + bl::to_string(lambda));
}

}  // namespace attnbound::claims::lavie2024
