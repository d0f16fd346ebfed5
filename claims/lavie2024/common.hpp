// Shared numerics of the lavie2024.* claims: the S_L isotypic projectors on the full space
// [V]^L built from exact characters (bounds/lavie2024) and the positional action (model/), and
// the split of a numerically diagonalised operator into eigenvalue clusters with their
// multiplicity in each isotypic component (spec lavie2024-transformer-gp-limit.md section 2.2).
#pragma once

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "bounds/lavie2024/young.hpp"
#include "model/attention_kernel.hpp"
#include "model/gp_regression.hpp"
#include "model/token_sequences.hpp"

namespace attnbound::claims::lavie2024 {

namespace mdl = attnbound::model::lavie2024;
using bounds::lavie2024::partition;

/// The paper every lavie2024.* claim cites.
inline constexpr const char* paper =
    "Lavie, Gur-Ari & Ringel 2024, Towards Understanding Inductive Bias in Transformers: A View From Infinity "
    "(ICML 2024, arXiv 2402.05173)";

/// P_lambda = (f^lambda / L!) sum_sigma chi^lambda(sigma) R_sigma as an N x N matrix on [V]^L
/// ((R_sigma f)(x) = f(sigma^{-1} x)); L <= 8.
Eigen::MatrixXd isotypic_projector(const mdl::token_space& space, const partition& lambda);

/// Eigenvalues of a symmetric operator grouped into clusters of (relatively) equal values,
/// each with its multiplicity in every isotypic component: m_lambda = tr(Phi^T P_lambda Phi)
/// over the cluster's orthonormal eigenvectors Phi (an integer up to rounding when the cluster
/// spans an invariant subspace). Clusters in descending order of value.
struct eigen_cluster {
  double value = 0;
  int multiplicity = 0;
  std::vector<int> columns;                 // columns of the spectrum's eigenvectors
  std::vector<partition> irreps;            // irreps with m_lambda > 0.5
  std::vector<double> irrep_multiplicity;   // m_lambda for each of `irreps` (unrounded)
};
std::vector<eigen_cluster> isotypic_clusters(const mdl::operator_spectrum& spec,
                                             const std::vector<Eigen::MatrixXd>& projectors,
                                             const std::vector<partition>& lambdas,
                                             double relative_tolerance);

/// A unit-norm (in L^2(p)) target in irrep lambda: P_lambda phi for phi the top eigenfunction
/// of the largest cluster with m_lambda > 0.5, renormalised; also its eigenvalue and the
/// cluster's multiplicity in lambda. std::domain_error if lambda has no nonzero eigenvalue.
struct irrep_target {
  Eigen::VectorXd g;
  double eigenvalue = 0;
  int degeneracy = 0;    // M in spec 2.4 (multiplicity of the eigenvalue within lambda)
};
irrep_target target_in_irrep(const mdl::operator_spectrum& spec, const std::vector<eigen_cluster>& clusters,
                             const Eigen::MatrixXd& projector, const partition& lambda,
                             const Eigen::VectorXd& p);

}  // namespace attnbound::claims::lavie2024
