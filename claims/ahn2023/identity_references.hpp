// Independent reference computations for the identities P1, P3, P4 (spec
// ahn2023-linear-attention.md 2.2-2.5): written from the formulas, not from the model's code,
// so that "the model equals the reference to rounding" is a real check.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "model/icl_prompts.hpp"

namespace attnbound::claims::ahn2023 {

/// Prompt b of a batch: context X (d x n), labels y (n), query x_q, its target y_q and w*.
struct prompt_view {
  Eigen::MatrixXd X;
  Eigen::VectorXd y, xq, w;
  double yq = 0;
};
prompt_view view_prompt(const model::icl::prompt_batch& batch, int b);

/// P1 on a fixed batch: with h_b = (1/n) sum_i y_i x_i and k_b = h_b (x) x_q (so that
/// x_q^T C h_b = <vec C, k_b>, vec column-major), the one-layer code-parameterization loss is
///   f_B(C) = mean_b (x_q^T C h_b - y_q)^2 = a0 - 2 <g, vec C> + vec(C)^T H vec(C),
/// a0 = mean y_q^2, g = mean y_q k_b, H = mean k_b k_b^T: an exact quadratic in C.
struct empirical_quadratic {
  double a0 = 0;
  Eigen::VectorXd g;
  Eigen::MatrixXd H;
  double value(const Eigen::MatrixXd& C) const;
  /// a0 + 2 |<g, c>| + c^T H c: the size of the terms, for a relative rounding tolerance.
  double magnitude(const Eigen::MatrixXd& C) const;
};
empirical_quadratic one_layer_empirical_quadratic(const model::icl::prompt_batch& batch);

/// [VO] (spec 2.5): K steps of GD on L(W) = 1/(2n) sum_i (W x_i - y_i)^2 from W_0 with step eta,
/// W_{k+1} = W_k - (eta/n) sum_i (W_k x_i - y_i) x_i^T. Returns the tokens the construction must
/// produce after K layers: context (x_i, y_i - (W_K - W_0) x_i), query (x_q, -W_K x_q) when the
/// query slot starts at -W_0 x_q. (d+1) x (n+1).
Eigen::MatrixXd vo_expected_tokens(const prompt_view& p, const Eigen::RowVectorXd& W0, double eta, int K);

/// Lemma 1 (spec 2.3): w_0 = 0, w_{l+1} = w_l - M_l grad R(w_l), grad R(w) = (1/n) sum_i x_i
/// (x_i^T w - y_i) = S (w - w*). Returns w_L. (The sparse layer with Q_l = -[[A_l,0],[0,0]]
/// realizes M_l = A_l^T.)
Eigen::VectorXd preconditioned_gd(const prompt_view& p, const std::vector<Eigen::MatrixXd>& M);

/// The tokens after L sparse layers that Lemma 1 predicts: context labels y_i - <x_i, w_L>,
/// query slot -<x_q, w_L>, covariates unchanged.
Eigen::MatrixXd lemma1_expected_tokens(const prompt_view& p, const Eigen::VectorXd& wL);

/// max |A - B| / max(1, max |B|): the rounding-level comparison of token matrices.
double scaled_max_error(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

}  // namespace attnbound::claims::ahn2023
