// In-context linear-regression prompts (Ahn et al. 2023 [AHN-a]/[AHN-b], spec
// ahn2023-linear-attention.md section 1.3). A prompt has n context pairs (x_i, y_i) and one
// query x_{n+1}; y_i = <x_i, w*>, noiseless; w* independent of the covariates.
// Embedding Z_0 (spec 1.1): one column per token, (x_i; y_i), the query's label slot 0.
// Notation kept from the paper: d covariate dimension, n context length, B prompts per batch.
#pragma once

#include <Eigen/Dense>

#include "model/rng.hpp"

namespace attnbound::model::icl {

/// Covariate laws of spec 1.3.
enum class covariate_law {
  gaussian,  // x ~ N(0, Sigma) (Sigma = I unless sigma_sqrt is set)
  sphere,    // x ~ Unif(S^{d-1})
  radial_gamma,  // x = r u, u ~ Unif(S^{d-1}), r^2 ~ Gamma(shape k, scale theta) (Setting 3: k = 0.1, theta = 10)
  cube,      // x ~ U(-a, a)^d ([VO]; a = cube_half_width)
};

struct prompt_options {
  int d = 5;
  int n = 20;                              // context pairs per prompt
  covariate_law law = covariate_law::gaussian;
  double gamma_shape = 0.1, gamma_scale = 10.0;  // radial_gamma
  double cube_half_width = 1.0;            // cube
  /// Gaussian only: x = sigma_sqrt g with g ~ N(0, I) (so Sigma = sigma_sqrt sigma_sqrt^T);
  /// empty = identity.
  Eigen::MatrixXd sigma_sqrt;
  /// w* ~ N(0, w_cov) with w_cov = w_sqrt w_sqrt^T; empty = identity ([AHN-a] Thm 3 uses
  /// Sigma^{-1}).
  Eigen::MatrixXd w_sqrt;
  double query_scale = 1.0;                // the query covariate is multiplied by c ([ZFB] shift)
};

/// B prompts. Token t (0..n) of prompt b is column b (n+1) + t of Z; the query is t = n.
struct prompt_batch {
  int d = 0, n = 0, B = 0;
  Eigen::MatrixXd Z;        // (d+1) x B(n+1): Z_0 of every prompt, query label slot = 0
  Eigen::VectorXd y_query;  // B: <x_{n+1}, w*>
  Eigen::MatrixXd w;        // d x B: the task vectors
};

/// Draw B prompts (one fresh w* each). Deterministic given rng's state.
prompt_batch draw_prompts(const prompt_options& opt, int B, rng_t& rng);

}  // namespace attnbound::model::icl
