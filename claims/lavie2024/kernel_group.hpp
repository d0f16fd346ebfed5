// The kernel and symmetry claims of Lavie, Gur-Ari, Ringel 2024 (spec
// lavie2024-transformer-gp-limit.md section 5, checks 1-6), one file per claim:
//   lavie2024.finite-width      finite_width.cpp      check 1: Monte Carlo covariance -> K, kurtosis 3 + O(1/H)
//   lavie2024.invariance        invariance.cpp        check 2: K(sigma x, sigma x') = K(x, x'); projector identities
//   lavie2024.isotypic-spectrum isotypic_spectrum.cpp checks 3-5: ranks f s(1^V), degeneracies, character traces
//   lavie2024.closed-forms      closed_forms.cpp      check 6: the V = 2 spectrum of A, the two-row eigenvalue of D
// and the pieces of their verdict rules that the tests call with deliberately wrong inputs.
// Everything about the kernels and closed forms is [reconstructed] (the paper's body was not
// readable); the representation theory (ranks, characters, traces) is exact mathematics.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "claims/claim.hpp"
#include "claims/lavie2024/common.hpp"
#include "model/token_sequences.hpp"

namespace attnbound::claims::lavie2024 {

claim finite_width_claim();       // lavie2024.finite-width
claim invariance_claim();         // lavie2024.invariance
claim isotypic_spectrum_claim();  // lavie2024.isotypic-spectrum
claim closed_forms_claim();       // lavie2024.closed-forms

/// Spaces [V]^L given as two-digit codes 10 V + L (34 = V 3, L 4; parameter lists may not repeat
/// a value, so pairs are not flattened); bad_input (naming `what`) unless 2 <= V <= max_V,
/// 2 <= L <= max_L (both <= 9) and V^L <= max_size.
std::vector<mdl::token_space> read_spaces(const std::string& what, const std::vector<int>& codes, int max_V, int max_L,
                                          std::int64_t max_size);
std::string to_string(const mdl::token_space& s);  // "(V=3, L=4)"

/// Memory of the dense work on the largest of the spaces (codes as read_spaces): 30 N x N matrices
/// (up to 22 projectors, T, spectra and products) plus 1 MB.
double dense_spaces_bytes(const std::vector<int>& codes);

/// P_lambda for every lambda |- L in bounds::lavie2024::partitions(L) order (isotypic_projectors).
std::vector<Eigen::MatrixXd> all_projectors(const mdl::token_space& s);

/// Max-norm errors of the projector identities (spec 2.2): P^2 = P, P = P^T, P_l P_m = 0
/// (l != m), sum P = I.
struct projector_identity_errors {
  double idempotence = 0, symmetry = 0, orthogonality = 0, completeness = 0;
  double max() const;
};
projector_identity_errors projector_identities(const std::vector<Eigen::MatrixXd>& P);

/// max_lambda ||T P_lambda - P_lambda T||_max / ||T||_max.
double relative_commutator(const Eigen::MatrixXd& T, const std::vector<Eigen::MatrixXd>& P);

/// Kernel invariance under a set of position permutations: the largest |K(sigma x, sigma y) -
/// K(x, y)| / max(|K(x, y)|, tiny) over the pairs and permutations, and how many (sigma, pair)
/// differ at all (bitwise).
struct invariance_result {
  double max_relative_difference = 0;
  long differing = 0, compared = 0;
  int worst_pair = -1;
  mdl::permutation worst_sigma;
};
invariance_result kernel_invariance(mdl::candidate c, int V, const std::vector<std::pair<mdl::token_sequence, mdl::token_sequence>>& pairs,
                                    const std::vector<mdl::permutation>& perms);

/// The permutations of 0..L-1 that fix the last position (S_{L-1}, the symmetry of candidate B).
std::vector<mdl::permutation> last_position_stabiliser(int L);

/// Raw-moment kurtosis excess E f^4 / (E f^2)^2 - 3 of a zero-mean sample (moments about 0,
/// the exact mean of the block's output).
double kurtosis_excess(const Eigen::VectorXd& f);

/// Percentile-bootstrap CI of the least-squares slope of log(stat(sample_k)) against log(x_k):
/// each resample redraws every sample_k with replacement (independently per k) and refits. The
/// values of a sample (i.i.d. draws) are pooled into at most 1000 contiguous groups and whole groups
/// are resampled (the statistics are functions of the moments, so a resample costs one pass over
/// the groups; for i.i.d. data resampling groups is a valid bootstrap). stat must be positive on the
/// data; resamples where it is not are counted and dropped.
struct bootstrap_slope {
  double slope = 0, intercept = 0, ci_low = 0, ci_high = 0;
  std::vector<double> stat, stat_low, stat_high;  // per x: the statistic and its percentile CI
  int dropped = 0;  // resamples with a non-positive statistic
};
enum class sample_statistic { mean, kurtosis_excess };
bootstrap_slope loglog_bootstrap_slope(const std::vector<double>& x, const std::vector<Eigen::VectorXd>& samples,
                                       sample_statistic stat, int resamples, std::uint64_t seed, double confidence = 0.95);

/// Multiplicity of irrep lambda in the span W of the orthonormal columns of Phi (an invariant
/// subspace of functions on [V]^L): f^lambda sum_mu (|C_mu| / L!) chi^lambda(mu) tr(Phi^T R_mu Phi),
/// one representative permutation per cycle type (the character of W is a class function). Works
/// at any L (no L! sum); used where isotypic_projector (L <= 8) cannot go.
std::vector<double> irrep_multiplicities_by_class(const mdl::token_space& s, const Eigen::MatrixXd& Phi,
                                                  const std::vector<partition>& lambdas);

}  // namespace attnbound::claims::lavie2024
