// The two-layer Transformer of Li et al. 2024 (spec section 2, [reconstructed]): forward pass,
// tracked scalars, logistic loss and its exact gradient, all in O(m s) per sample.
//
// Per sample X = [x^(1), x^(2)] = [y mu, xi] with mu = ||mu|| e_0 (0-based) and xi s-sparse:
//   q_l = W_Q x^(l), k_a = W_K x^(a) (m_k-vectors; q_1 = y ||mu|| W_Q[:,0], q_2 = sum_k xi_k W_Q[:,k]),
//   z_la = <q_l, k_a>, s_l. = softmax(z_l1, z_l2) (max subtracted),
//   u_a = <v, x^(a)> with v = mean rows of W_{V,+1} - mean rows of W_{V,-1},
//   f = sum_l sum_a s_la u_a   (= F_{+1} - F_{-1} of the literal formula, since 1^T W_{V,j} x / m_v = <wbar_j, x>).
// Gradient of L_S = (1/n) sum_i l(y_i f_i), with g_i = l'(y_i f_i) y_i / n:
//   d f / d z_l1 = -d f / d z_l2 = a_l := s_l1 s_l2 (u_1 - u_2),
//   dL/dq_l = g a_l (k_1 - k_2),  dL/dk_1 = -dL/dk_2 = g (a_1 q_1 + a_2 q_2),
//   dL/dW_Q = sum_l dL/dq_l x^(l)^T,  dL/dW_K = sum_a dL/dk_a x^(a)^T,
//   dL/dW_{V,+-1} = +-(g/m_v) 1 ((s_11 + s_21) x^(1) + (s_12 + s_22) x^(2))^T.
// With y^2 = 1, u_1 - u_2 = y A_i and k_1 - k_2 = y B_i, this is the spec's "Explicit gradients".
// Every noise-support entry of the gradient is written as (one coefficient) * xi_k, so its sign
// is exactly sgn(coefficient) sgn(xi_k): the spec 4.1 laws then hold to rounding.
#include "model/sign_attention.hpp"
#include "model/sign_attention_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace attnbound::model::li2024 {

attention_params initial_parameters(int d, int m_k, int m_v, double sigma0, rng_t& rng) {
  if (d < 2) throw std::invalid_argument("initial_parameters: d must be >= 2");
  if (m_k < 1 || m_v < 1) throw std::invalid_argument("initial_parameters: m_k and m_v must be >= 1");
  if (!std::isfinite(sigma0) || sigma0 < 0) throw std::invalid_argument("initial_parameters: sigma0 must be finite and >= 0");
  attention_params p;
  auto fill = [&](Eigen::MatrixXd& M, int rows) {
    M.resize(rows, d);
    for (Eigen::Index k = 0; k < M.size(); ++k) M.data()[k] = sigma0 * standard_normal(rng);  // column-major order
  };
  fill(p.WQ, m_k);
  fill(p.WK, m_k);
  fill(p.WVp, m_v);
  fill(p.WVm, m_v);
  return p;
}

double logistic(double z) { return z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z)); }

namespace {

// softmax of two logits, max subtracted.
void softmax2(double a, double b, double& sa, double& sb) {
  const double m = std::max(a, b);
  const double ea = std::exp(a - m), eb = std::exp(b - m);
  const double den = ea + eb;
  sa = ea / den;
  sb = eb / den;
}

// l'(z) = -1/(1 + e^z) without overflow.
double logistic_derivative(double z) {
  if (z >= 0) {
    const double e = std::exp(-z);
    return -e / (1 + e);
  }
  return -1 / (1 + std::exp(z));
}

// Column k of v = mean rows of W_{V,+1} - mean rows of W_{V,-1}.
double vbar(const attention_params& p, Eigen::Index k) {
  const double m_v = static_cast<double>(p.WVp.rows());
  return p.WVp.col(k).sum() / m_v - p.WVm.col(k).sum() / m_v;
}

// One sample's forward pass; q1, k1, q2, k2 are sized m_k by the caller.
struct sample_eval {
  double y = 1, u1 = 0, u2 = 0;
  double z11 = 0, z12 = 0, z21 = 0, z22 = 0;
  double s11 = 0, s12 = 0, s21 = 0, s22 = 0;
  double f = 0;
};

void evaluate(const attention_params& p, const signal_noise_law& law, const signal_noise_sample& x, double v0,
              Eigen::VectorXd& q1, Eigen::VectorXd& k1, Eigen::VectorXd& q2, Eigen::VectorXd& k2, sample_eval& e) {
  e.y = x.y;
  const double ymu = x.y * law.mu_norm;
  q1.noalias() = ymu * p.WQ.col(0);
  k1.noalias() = ymu * p.WK.col(0);
  q2.setZero();
  k2.setZero();
  double u2 = 0;
  const std::size_t s = x.xi.index.size();
  for (std::size_t j = 0; j < s; ++j) {
    const int k = x.xi.index[j];
    const double xk = x.xi.value[j];
    q2.noalias() += xk * p.WQ.col(k);
    k2.noalias() += xk * p.WK.col(k);
    u2 += xk * vbar(p, k);
  }
  e.u1 = ymu * v0;
  e.u2 = u2;
  e.z11 = q1.dot(k1);
  e.z12 = q1.dot(k2);
  e.z21 = q2.dot(k1);
  e.z22 = q2.dot(k2);
  softmax2(e.z11, e.z12, e.s11, e.s12);
  softmax2(e.z21, e.z22, e.s21, e.s22);
  e.f = (e.s11 * e.u1 + e.s12 * e.u2) + (e.s21 * e.u1 + e.s22 * e.u2);
}

forward_values to_forward_values(const signal_noise_law& law, const sample_eval& e, double v0) {
  forward_values o;
  o.f = e.f;
  o.s11 = e.s11, o.s12 = e.s12, o.s21 = e.s21, o.s22 = e.s22;
  o.value_signal = law.mu_norm * v0;
  o.value_noise = e.y * e.u2;
  o.loss_derivative = logistic_derivative(e.y * e.f);
  return o;
}

struct vectors {
  Eigen::VectorXd q1, k1, q2, k2;
  explicit vectors(Eigen::Index m_k) : q1(m_k), k1(m_k), q2(m_k), k2(m_k) {}
};

}  // namespace

namespace detail {

namespace {

void check_sample(const signal_noise_law& law, const signal_noise_sample& x) {
  if (x.y != 1 && x.y != -1) throw std::invalid_argument("li2024 model: labels must be +-1");
  if (x.xi.index.size() != x.xi.value.size())
    throw std::invalid_argument("li2024 model: sparse noise index and value sizes differ");
  int prev = 0;
  for (int k : x.xi.index) {
    if (k <= prev || k >= law.d) throw std::invalid_argument("li2024 model: noise coordinates must be ascending in [1, d-1]");
    prev = k;
  }
}

}  // namespace

void check_inputs(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data) {
  if (law.d < 2) throw std::invalid_argument("li2024 model: d must be >= 2");
  if (!std::isfinite(law.mu_norm)) throw std::invalid_argument("li2024 model: mu_norm must be finite");
  if (p.WQ.rows() < 1 || p.WVp.rows() < 1) throw std::invalid_argument("li2024 model: m_k and m_v must be >= 1");
  if (p.WK.rows() != p.WQ.rows() || p.WVm.rows() != p.WVp.rows())
    throw std::invalid_argument("li2024 model: W_Q/W_K or W_{V,+1}/W_{V,-1} row counts differ");
  if (p.WQ.cols() != law.d || p.WK.cols() != law.d || p.WVp.cols() != law.d || p.WVm.cols() != law.d)
    throw std::invalid_argument("li2024 model: parameter matrices must have d = " + std::to_string(law.d) + " columns");
  for (const auto& x : data) check_sample(law, x);
}

double accumulate_loss_gradient(const attention_params& p, const signal_noise_law& law,
                                const std::vector<signal_noise_sample>& data, attention_params& grad) {
  const Eigen::Index m_k = p.WQ.rows();
  const double m_v = static_cast<double>(p.WVp.rows());
  const double n = static_cast<double>(data.size());
  const double v0 = vbar(p, 0);
  vectors w(m_k);
  Eigen::VectorXd dk(m_k), dq1(m_k), dq2(m_k);
  sample_eval e;
  double loss = 0;
  for (const auto& x : data) {
    evaluate(p, law, x, v0, w.q1, w.k1, w.q2, w.k2, e);
    const double z = x.y * e.f;
    loss += logistic(z);
    const double g = logistic_derivative(z) * x.y / n;  // dL/df
    const double ymu = x.y * law.mu_norm;
    const double du = e.u1 - e.u2;
    const double a1 = e.s11 * e.s12 * du, a2 = e.s21 * e.s22 * du;  // df/dz_l1 = -df/dz_l2
    // Value blocks: every row of W_{V,+1} gets (g/m_v)(S_1 x^(1) + S_2 x^(2)), W_{V,-1} minus that.
    const double c1 = g * (e.s11 + e.s21) / m_v * ymu;
    const double c2 = g * (e.s12 + e.s22) / m_v;
    grad.WVp.col(0).array() += c1;
    grad.WVm.col(0).array() -= c1;
    // Query and key blocks.
    dk.noalias() = g * (a1 * w.q1 + a2 * w.q2);  // dL/dk_1 = -dL/dk_2
    dq1.noalias() = (g * a1) * (w.k1 - w.k2);    // dL/dq_1
    dq2.noalias() = (g * a2) * (w.k1 - w.k2);    // dL/dq_2
    grad.WQ.col(0).noalias() += ymu * dq1;
    grad.WK.col(0).noalias() += ymu * dk;
    const std::size_t s = x.xi.index.size();
    for (std::size_t j = 0; j < s; ++j) {
      const int k = x.xi.index[j];
      const double xk = x.xi.value[j];
      const double cv = c2 * xk;
      grad.WVp.col(k).array() += cv;
      grad.WVm.col(k).array() -= cv;
      grad.WQ.col(k).noalias() += xk * dq2;
      grad.WK.col(k).noalias() -= xk * dk;
    }
  }
  return data.empty() ? 0.0 : loss / n;
}

}  // namespace detail

forward_values forward(const attention_params& p, const signal_noise_law& law, const signal_noise_sample& x) {
  detail::check_inputs(p, law, {});
  detail::check_sample(law, x);
  vectors w(p.WQ.rows());
  sample_eval e;
  const double v0 = vbar(p, 0);
  evaluate(p, law, x, v0, w.q1, w.k1, w.q2, w.k2, e);
  return to_forward_values(law, e, v0);
}

tracked_scalars track(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data) {
  detail::check_inputs(p, law, data);
  const Eigen::Index m_k = p.WQ.rows();
  const Eigen::Index n = static_cast<Eigen::Index>(data.size());
  tracked_scalars t;
  t.query_signal = law.mu_norm * p.WQ.col(0);
  t.key_signal = law.mu_norm * p.WK.col(0);
  t.query_noise.resize(m_k, n);
  t.key_noise.resize(m_k, n);
  t.samples.resize(data.size());
  const double v0 = vbar(p, 0);
  t.value_signal = law.mu_norm * v0;
  vectors w(m_k);
  sample_eval e;
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& x = data[static_cast<std::size_t>(i)];
    evaluate(p, law, x, v0, w.q1, w.k1, w.q2, w.k2, e);
    t.query_noise.col(i) = x.y * w.q2;
    t.key_noise.col(i) = x.y * w.k2;
    t.samples[static_cast<std::size_t>(i)] = to_forward_values(law, e, v0);
  }
  return t;
}

double logistic_loss(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data) {
  detail::check_inputs(p, law, data);
  if (data.empty()) return 0;
  vectors w(p.WQ.rows());
  sample_eval e;
  const double v0 = vbar(p, 0);
  double loss = 0;
  for (const auto& x : data) {
    evaluate(p, law, x, v0, w.q1, w.k1, w.q2, w.k2, e);
    loss += logistic(x.y * e.f);
  }
  return loss / static_cast<double>(data.size());
}

loss_and_gradient gradient(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data) {
  detail::check_inputs(p, law, data);
  loss_and_gradient out;
  out.grad.WQ = Eigen::MatrixXd::Zero(p.WQ.rows(), p.WQ.cols());
  out.grad.WK = Eigen::MatrixXd::Zero(p.WK.rows(), p.WK.cols());
  out.grad.WVp = Eigen::MatrixXd::Zero(p.WVp.rows(), p.WVp.cols());
  out.grad.WVm = Eigen::MatrixXd::Zero(p.WVm.rows(), p.WVm.cols());
  out.loss = detail::accumulate_loss_gradient(p, law, data, out.grad);
  return out;
}

}  // namespace attnbound::model::li2024
