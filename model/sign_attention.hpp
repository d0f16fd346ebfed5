// The two-layer Transformer of Li et al. 2024 as the spec reconstructs it (spec section 2):
// single-head softmax attention with trainable query and key W_Q, W_K (m_k x d), no
// temperature, followed by the fixed linear read-out of two value blocks W_{V,+1}, W_{V,-1}
// (m_v x d):
//   f(X) = F_{+1}(X) - F_{-1}(X),  F_j(X) = (1/m_v) sum_l 1^T W_{V,j} X softmax(X^T W_K^T W_Q x^(l)),
// equivalently f = sum_{l=1,2} (s_l1 <v, x^(1)> + s_l2 <v, x^(2)>), v = mean rows of W_{V,+1} minus
// mean rows of W_{V,-1}, s_la = softmax_a(z_la), z_la = sum_s <w_Q,s, x^(l)> <w_K,s, x^(a)>.
// Loss: logistic, L_S = (1/n) sum_i log(1 + exp(-y_i f(X_i))). Double precision, max-subtracted
// softmax, log1p/exp written so that no entry overflows. Token 1 = signal, token 2 = noise.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "model/rng.hpp"
#include "model/signal_noise.hpp"

namespace attnbound::model::li2024 {

struct attention_params {
  Eigen::MatrixXd WQ, WK;     // m_k x d (rows w_{Q,s}, w_{K,s})
  Eigen::MatrixXd WVp, WVm;   // m_v x d (rows w_{V,+1,r}, w_{V,-1,r})
};

/// All entries i.i.d. N(0, sigma0^2) (spec section 2, [reconstructed]).
attention_params initial_parameters(int d, int m_k, int m_v, double sigma0, rng_t& rng);

/// Per-sample forward quantities (spec section 2 table; 1 = signal token, 2 = noise token).
struct forward_values {
  double f = 0;                            // f(X_i)
  double s11 = 0, s12 = 0, s21 = 0, s22 = 0;  // softmax outputs s_{i,la}
  double value_signal = 0;                 // <v, mu>
  double value_noise = 0;                  // <v, y_i xi_i>  (mean value noise)
  double loss_derivative = 0;              // l'(y_i f_i) = -1/(1 + exp(y_i f_i))
};

/// The scalars the paper tracks, at the current parameters (spec section 2 table):
/// query/key signal <w_{Q,s}, mu>, <w_{K,s}, mu> (length m_k) and query/key noise
/// <w_{Q,s}, y_i xi_i>, <w_{K,s}, y_i xi_i> (m_k x n), plus every sample's forward values.
struct tracked_scalars {
  Eigen::VectorXd query_signal, key_signal;   // m_k
  Eigen::MatrixXd query_noise, key_noise;     // m_k x n
  std::vector<forward_values> samples;        // n
  double value_signal = 0;                    // <v, mu>
};

forward_values forward(const attention_params& p, const signal_noise_law& law, const signal_noise_sample& x);
tracked_scalars track(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data);

/// The logistic loss of one margin z = y f(X): l(z) = log(1 + e^{-z}), without overflow.
double logistic(double z);

/// L_S (mean logistic loss), computed stably (log1p(exp(-z)) for z > 0, -z + log1p(exp(z)) else).
double logistic_loss(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data);

/// L_S and its exact gradient (spec section 2, "Explicit gradients"), same shapes as p.
struct loss_and_gradient {
  double loss = 0;
  attention_params grad;
};
loss_and_gradient gradient(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data);

}  // namespace attnbound::model::li2024
