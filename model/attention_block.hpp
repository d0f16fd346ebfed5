// The simplified attention block at finite width with random (N(0,1)) initialisation, whose
// output covariance over parameter draws is the kernel of model/attention_kernel.hpp (spec
// lavie2024-transformer-gp-limit.md section 1.3, "Monte Carlo check of A"). H heads, each with
// W_Q, W_K in R^{d_k x d}, W_V in R^{d_v x d}, readout a, all entries N(0,1):
//   out_{h mu c} = sum_nu G_{h mu nu} (W_V x_nu)_c / sqrt(d),
//   G_{h mu nu}  = (W_Q x_mu) . (W_K x_nu) / (sqrt(d_k) d)
// (for D the two 1/d and 1/sqrt(d) factors are dropped: unnormalised dot products), and
//   A, D (flatten):  f = sum_{h mu c} a_{h mu c} out_{h mu c} / sqrt(H d_v L)
//   B (last token):  f = sum_{h c}   a_{h c} out_{h, L-1, c} / sqrt(H d_v)
//   C (mean pool):   f = sum_{h c}   a_{h c} (sum_mu out_{h mu c} / L) / sqrt(H d_v)
// E f(x) f(x') = K(x, x') exactly at every H; f is Gaussian only as H -> infinity (CLT over
// heads), with output kurtosis 3 + O(1/H).
#pragma once

#include <Eigen/Dense>

#include <vector>

#include "model/attention_kernel.hpp"
#include "model/rng.hpp"

namespace attnbound::model::lavie2024 {

struct block_shape {
  candidate kind = candidate::A;
  int V = 2;
  int L = 2;
  int heads = 8;     // H
  int d_k = 3;
  int d_v = 3;
};

/// std::invalid_argument unless V, L, heads, d_k, d_v >= 1.
void check_shape(const block_shape& shape);

struct block_params {
  std::vector<Eigen::MatrixXd> WQ, WK, WV;  // per head: d_k x d, d_k x d, d_v x d
  std::vector<Eigen::MatrixXd> a;           // per head: L x d_v (flatten) or 1 x d_v (B, C)
};

block_params draw_block(const block_shape& shape, rng_t& rng);

/// f_Theta(x).
double block_output(const block_shape& shape, const block_params& theta, const token_sequence& x);

/// Outputs of `draws` independent networks on the inputs: a draws x |xs| matrix. Network r is
/// drawn from make_rng(seed, "lavie2024.block", {r}), so the result is the same for any split
/// of r across threads.
Eigen::MatrixXd sample_outputs(const block_shape& shape, const std::vector<token_sequence>& xs,
                               int draws, std::uint64_t seed);

}  // namespace attnbound::model::lavie2024
