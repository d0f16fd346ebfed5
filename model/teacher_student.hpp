// Teacher-student data of Arda et al. 2026 section 6.1 (spec 5.1): tokens with N(0,1)
// entries clipped to norm <= 1, and a teacher f~ in the transport class F_nu (eq. 9) built
// from R anchors; labels are Monte Carlo estimates over a pool of initial draws.
#pragma once

#include <Eigen/Dense>

#include "model/transformer.hpp"

namespace attnbound::model {

/// d x (T*n) tokens: i.i.d. N(0,1) entries, each token multiplied by min(1, 1/||x_t||).
Eigen::MatrixXd clipped_gaussian_tokens(int d, int T, int n, rng_t& rng);

/// d x (T*n) "antipodal" tokens (spec 4.9a's hard data): sample j's tokens are s_t u_j with
/// u_j uniform on the unit sphere and s_t = +-1 (Rademacher), so M = alpha-weighted
/// covariance reaches ||M||_op = 1.
Eigen::MatrixXd antipodal_tokens(int d, int T, int n, rng_t& rng);

/// Random features of one initial draw (U, W) at input X (d x T, query its last token):
///   phi_c = sigma(U^T a),  phi_u = sigma'(U^T a) a,  phi_w = sigma'(U^T a) (M U) q^T.
struct random_features {
  double c = 0;
  Eigen::VectorXd u;  // d
  Eigen::MatrixXd w;  // d x d
};
random_features features(const Eigen::VectorXd& U, const Eigen::MatrixXd& W,
                         const Eigen::Ref<const Eigen::MatrixXd>& X);

enum class mixture_weights { uniform, random_signs };

/// A transport map v = sum_r alpha_r v^(r) with sum_r |alpha_r| = 1 and
///   v_c^(r) = (nu_c/sigma0) phi_c(X_r),  v_u^(r) = (nu_u/sigma1) phi_u(X_r),
///   v_w^(r) = clip_F(phi_w(X_r), nu_w)                               (spec 5.1), or, with
/// full_norm (the hard teacher of spec 4.9a), every anchor feature rescaled to norm nu exactly:
///   v_c^(r) = nu_c sign(phi_c), v_u^(r) = nu_u phi_u/||phi_u||, v_w^(r) = nu_w phi_w/||phi_w||_F.
/// sup|v_c| <= nu_c, sup||v_u|| <= nu_u, sup||v_w||_F <= nu_w hold by construction.
struct transport_map {
  int d = 0, T = 0;
  Eigen::MatrixXd anchors;  // d x (T*R)
  Eigen::VectorXd alpha;    // R
  double nu_c = 3, nu_u = 3, nu_w = 3;
  bool full_norm = false;
  int R() const { return static_cast<int>(alpha.size()); }
  /// v(U, W) for one initial draw.
  void evaluate(const Eigen::VectorXd& U, const Eigen::MatrixXd& W, double& vc,
                Eigen::VectorXd& vu, Eigen::MatrixXd& vw) const;
};

/// R anchors drawn as a random subset of `data`'s inputs (the authors' code), weights
/// uniform 1/R (paper text) or random signs l1-normalized (code).
transport_map make_transport_map(const sequence_data& data, int R, mixture_weights weights,
                                 double nu_c, double nu_u, double nu_w, bool full_norm,
                                 rng_t& rng);

/// Transported parameters phi~ (eq. 10): c~_i = c_i0 + v_c/sqrt m, U~_i = U_i0 + c_i0 v_u/sqrt m,
/// W~_i = W_i0 + c_i0 v_w/sqrt m, with v evaluated at head i's initial (U_i0, W_i0).
transformer_params transport(const transformer_params& phi0, const transport_map& v);

/// Teacher labels y_j = (1/P) sum_{k<P} <phi(X_j; draw_k), v(draw_k)> over an i.i.d. pool of
/// P initial draws (U ~ N(0, I_d), W ~ N(0,1)^{dxd}); an estimate of f~(X_j; v) (eq. 9).
/// Draws are taken in order (U_k, then W_k row-major); the draws act as heads (c = 1) with
/// direction v(draw) in directional_derivative, which gives sqrt(P) y_j. `threads` (>= 1, the
/// calling thread included) share the transport-map evaluations and the sums over samples; the
/// result is bit-identical for every value.
Eigen::VectorXd teacher_labels(const transport_map& v, const sequence_data& data, int pool,
                               rng_t& rng, int threads = 1);

/// Max over samples j and heads i of ||phi_w(X_j; phi_i0)||_F: Lemma 5's gap shows when > sigma1.
/// Also returns (via frac_above) the fraction of (sample, head) pairs with norm > 1.
double max_phi_w_norm(const transformer_params& phi0, const sequence_data& data,
                      double* frac_above = nullptr);

}  // namespace attnbound::model
