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
using bounds::lavie2024::rational;

/// The paper every lavie2024.* claim cites.
inline constexpr const char* paper =
    "Lavie, Gur-Ari & Ringel 2024, Towards Understanding Inductive Bias in Transformers: A View From Infinity "
    "(ICML 2024, arXiv 2402.05173)";

/// P_lambda = (f^lambda / L!) sum_sigma chi^lambda(sigma) R_sigma as an N x N matrix on [V]^L
/// ((R_sigma f)(x) = f(sigma^{-1} x)); L <= 8, V^L <= 4096.
Eigen::MatrixXd isotypic_projector(const mdl::token_space& space, const partition& lambda);
/// The same for every lambda in `lambdas` (partitions of L), in that order: the positional action
/// of each of the L! permutations is computed once for all of them.
std::vector<Eigen::MatrixXd> isotypic_projectors(const mdl::token_space& space, const std::vector<partition>& lambdas);

/// Sum of the contents j - i over the cells (i, j) of lambda: the scalar by which the class sum
/// of all transpositions acts on the irrep lambda (= C(L,2) chi^lambda(transposition) / f^lambda).
long content_sum(const partition& lambda);

/// The isotypic projector P_lambda on [V]^L as a polynomial in the transposition class sum
/// C = sum_{a<b} R_(a b): P_lambda = prod_mu (C - c(mu)) / (c(lambda) - c(mu)) over the distinct
/// content sums c(mu) != c(lambda) of the partitions mu |- L with at most V rows (the irreps
/// present on [V]^L). Cost O(L^2 N^2) per factor, so L up to 11 at V = 2 (the character sum
/// above needs all L! permutations, L <= 8). std::domain_error when another irrep present on
/// [V]^L has the same content sum (C does not separate them).
Eigen::MatrixXd content_projector(const mdl::token_space& space, const partition& lambda);

/// The uniform measure p = 1/N on [V]^L.
Eigen::VectorXd uniform_measure(const mdl::token_space& s);

/// The kernel as bounds/lavie2024/kernel_traces.hpp names it ('A'..'D').
char kernel_char(mdl::candidate c);

/// An exact rational rounded to double (via long double).
double to_double(const rational& r);

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
/// The clustering alone (value, multiplicity, columns; no irreps): ascending eigenvalues grouped from
/// the top, a cluster growing while the next value is within relative_tolerance x max |eigenvalue| of
/// its first; value = the cluster's mean.
std::vector<eigen_cluster> eigenvalue_clusters(const Eigen::VectorXd& ascending, double relative_tolerance);
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
