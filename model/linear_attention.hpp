// The L-layer linear self-attention (LSA) model of Ahn et al. 2023 (spec
// ahn2023-linear-attention.md 1.1-1.2), with analytic gradients.
//   Z_{l+1} = Z_l + (1/n) P_l Z_l M act(Z_l^T Q_l Z_l),   M = diag(I_n, 0),
//   prediction  y_hat = -[Z_L]_{d+1, n+1},   loss f = mean_b ([Z_L]_{d+1,n+1} + y_q)^2  (no 1/2).
// P_l, Q_l are (d+1) x (d+1) "full" matrices; a parameterization says which entries are
// trained (the flat parameter vector theta) and which are fixed:
//   full   : every entry of P_l and Q_l, 2 L (d+1)^2 parameters (the paper's text);
//            layer-major, P_l before Q_l, each (d+1) x (d+1) matrix column-major.
//   code   : the official code (linear_transformer.py): per layer d x d blocks P, Q with
//            P_full = [[P, 0], [0, 1]] and score x_j^T Q x_i (j the updated token, i the
//            context token), i.e. Q_full = [[Q^T, 0], [0, 0]]; 2 L d^2 parameters, layer-major,
//            P before Q, each d x d block column-major.
//   sparse : [AHN-a] eq. (8): P_l = [[0, 0], [0, 1]], Q_l = -[[A_l, 0], [0, 0]]; theta = the
//            A_l (L d^2, column-major). Then Lemma 1: L layers = L steps of preconditioned GD.
// act is the identity (linear attention) or ReLU ([AHN-a] Theorem 5), applied entrywise to the
// (n+1) x (n+1) score matrix before the mask.
// The 1/n scaling uses each batch's own n, so a model trained at length N can be evaluated on
// prompts of length M ([ZFB] test-length law).
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "model/icl_prompts.hpp"

namespace attnbound::model::icl {

enum class parameterization { full, code, sparse };
enum class attention { linear, relu };

struct lsa_model {
  int d = 5;
  int L = 3;
  parameterization par = parameterization::code;
  attention act = attention::linear;
};

/// Number of trained parameters: full 2L(d+1)^2, code 2Ld^2, sparse Ld^2.
int parameter_count(const lsa_model& model);

/// The full (d+1) x (d+1) matrices of layer l.
struct layer_weights {
  Eigen::MatrixXd P, Q;
};
std::vector<layer_weights> unpack(const lsa_model& model, const Eigen::VectorXd& theta);
/// Inverse of unpack on the trained entries (fixed entries must match the parameterization).
Eigen::VectorXd pack(const lsa_model& model, const std::vector<layer_weights>& layers);

/// The official initialization: every trained entry ~ N(0, std^2), std = 0.05 (spec 1.2:
/// the code's "var" is a standard deviation).
Eigen::VectorXd initial_parameters(const lsa_model& model, rng_t& rng, double std = 0.05);

/// Z_L of prompt b ((d+1) x (n+1)).
Eigen::MatrixXd forward_tokens(const lsa_model& model, const Eigen::VectorXd& theta,
                               const prompt_batch& batch, int b);
/// y_hat = -[Z_L]_{d+1,n+1} for every prompt.
Eigen::VectorXd predict(const lsa_model& model, const Eigen::VectorXd& theta, const prompt_batch& batch);

/// f(theta) = mean_b ([Z_L]_{d+1,n+1} + y_q)^2 on the batch.
double loss(const lsa_model& model, const Eigen::VectorXd& theta, const prompt_batch& batch,
            int threads = 1);
/// f and its gradient (analytic backpropagation). Bit-identical for any thread count
/// (fixed prompt chunks, reduced in a fixed order).
double loss_and_gradient(const lsa_model& model, const Eigen::VectorXd& theta,
                         const prompt_batch& batch, Eigen::VectorXd& grad, int threads = 1);
/// Hessian-vector product H(theta) v, exact (forward-mode differentiation of the analytic
/// gradient), and the Hessian's diagonal (one product per coordinate). Bit-identical for any
/// thread count. For ReLU attention the mask's derivative is taken as 0 (H is that of the
/// piecewise-polynomial piece containing theta).
Eigen::VectorXd hessian_vector(const lsa_model& model, const Eigen::VectorXd& theta,
                               const prompt_batch& batch, const Eigen::VectorXd& v, int threads = 1);
Eigen::VectorXd hessian_diagonal(const lsa_model& model, const Eigen::VectorXd& theta,
                                 const prompt_batch& batch, int threads = 1);

}  // namespace attnbound::model::icl
