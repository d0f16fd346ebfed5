// The infinite-width (NNGP) kernels of the simplified attention block on one-hot tokens
// (spec lavie2024-transformer-gp-limit.md sections 1.2 and 1.3, [reconstructed]). Variant S
// (independent W_Q, W_K, 1/sqrt(d_k) logits, identity attention map, linear activation),
// all sigma^2 = 1. With h(x,x') = sum_mu [t_mu = t'_mu] (Hamming agreement) and
// B(x,x') = <n(x), n(x')> (bag overlap):
//   A  no PE, flatten readout      K = h B / (L V^3)
//   B  no PE, last-token readout   K = [t_L = t'_L] B / V^3
//   C  no PE, mean-pool readout    K = B^2 / (L^2 V^3)
//   D  one-hot PE x_mu = (e_{t_mu}, e_mu)/sqrt 2, flatten, unnormalised dot products
//                                  K = (h + L)(B + L + 2h) / (8 L)
// The operator of the spec is T = K / N on the full space (uniform measure, N = V^L), or
// (T f)(x) = E_{x'~p} K(x,x') f(x') in general.
#pragma once

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "model/token_sequences.hpp"

namespace attnbound::model::lavie2024 {

enum class candidate { A, B, C, D };

/// "A".."D" <-> candidate; std::invalid_argument for anything else.
candidate parse_candidate(const std::string& name);
std::string to_string(candidate c);

int hamming_agreement(const token_sequence& x, const token_sequence& y);  // h(x, y)
int bag_overlap(const token_sequence& x, const token_sequence& y, int V);  // B(x, y)

/// The closed forms of the table above.
double kernel(candidate c, const token_sequence& x, const token_sequence& y, int V);

/// The literal Variant-S NNGP (spec 1.2), independent of the closed forms:
///   K = sum_{mu mu'} r_{mu mu'} k_{mu mu'} sum_{nu nu'} k_{nu nu'}^2,  k_{mu nu} = X_mu . Y_nu / d
/// (d = columns of X for A-C; `normalise = false` drops the 1/d, as for D), where X, Y are the
/// L x d embeddings of the candidate and r its readout weights (flatten delta/L, last-token,
/// mean 1/L^2). Used by tests to check kernel() against the formula it was derived from.
Eigen::MatrixXd embedding(candidate c, const token_sequence& x, int V);
double nngp_from_embeddings(candidate c, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y);

/// Gram matrix K(xs_i, ys_j).
Eigen::MatrixXd gram(candidate c, const std::vector<token_sequence>& xs,
                     const std::vector<token_sequence>& ys, int V);

/// K on the whole of [V]^L in index order (N x N, N = V^L; check_space applies).
Eigen::MatrixXd full_space_gram(candidate c, const token_space& space);

/// Whether the candidate is S_L-invariant (A, C, D) or only S_{L-1}-invariant (B: it fixes
/// the last position).
bool is_fully_symmetric(candidate c);

}  // namespace attnbound::model::lavie2024
