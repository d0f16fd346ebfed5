// Isotypic projectors and eigenvalue clusters for the lavie2024.* claims (spec
// lavie2024-transformer-gp-limit.md 2.2): P_lambda = (f^lambda / L!) sum_sigma chi^lambda(sigma)
// R_sigma, with chi^lambda exact (Murnaghan-Nakayama, bounds/lavie2024/characters.hpp) and R_sigma
// the positional action on [V]^L (model/token_sequences.hpp).
#include "claims/lavie2024/common.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "bounds/lavie2024/characters.hpp"

namespace attnbound::claims::lavie2024 {

namespace bl = attnbound::bounds::lavie2024;

Eigen::MatrixXd isotypic_projector(const mdl::token_space& space, const partition& lambda) {
  mdl::check_space(space);
  if (space.L > 8) throw std::invalid_argument("isotypic_projector: L <= 8 (the sum runs over all L! permutations)");
  if (space.size() > 4096) throw std::invalid_argument("isotypic_projector: V^L <= 4096 (a dense N x N matrix)");
  if (bl::size(lambda) != space.L) throw std::invalid_argument("isotypic_projector: lambda must be a partition of L");
  const auto N = space.size();
  const double scale = static_cast<double>(bl::irrep_dimension(lambda)) / static_cast<double>(bl::factorial(space.L));
  std::map<partition, double> chi;  // character by cycle type
  Eigen::MatrixXd P = Eigen::MatrixXd::Zero(N, N);
  for (const auto& sigma : mdl::all_permutations(space.L)) {
    const partition mu = bl::cycle_type(sigma);
    auto it = chi.find(mu);
    if (it == chi.end()) it = chi.emplace(mu, static_cast<double>(bl::character(lambda, mu))).first;
    if (it->second == 0) continue;
    const double c = scale * it->second;
    // (R_sigma f)(sigma y) = f(y): column y, row index of sigma y.
    const auto image = mdl::action_on_space(space, sigma);
    for (std::int64_t y = 0; y < N; ++y) P(image[y], y) += c;
  }
  return P;
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
  const double scale = std::max(spec.eigenvalues.cwiseAbs().maxCoeff(), 1e-300);
  std::vector<eigen_cluster> clusters;
  // Descending order; a cluster grows while the next value is within tolerance of its first.
  for (Eigen::Index i = N - 1; i >= 0;) {
    eigen_cluster c;
    c.value = spec.eigenvalues(i);
    Eigen::Index j = i;
    double sum = 0;
    while (j >= 0 && std::abs(spec.eigenvalues(j) - c.value) <= relative_tolerance * scale) {
      c.columns.push_back(static_cast<int>(j));
      sum += spec.eigenvalues(j);
      --j;
    }
    c.multiplicity = static_cast<int>(c.columns.size());
    c.value = sum / c.multiplicity;
    Eigen::MatrixXd V(N, c.multiplicity);
    for (int k = 0; k < c.multiplicity; ++k) V.col(k) = sqrt_p.cwiseProduct(spec.eigenfunctions.col(c.columns[k]));
    for (std::size_t l = 0; l < projectors.size(); ++l) {
      const double m = (V.transpose() * projectors[l] * V).trace();
      if (m > 0.5) {
        c.irreps.push_back(lambdas[l]);
        c.irrep_multiplicity.push_back(m);
      }
    }
    clusters.push_back(std::move(c));
    i = j;
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
