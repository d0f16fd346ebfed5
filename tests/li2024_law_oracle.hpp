// A test oracle for the Li et al. 2024 model, shared by tests/model_li2024_test.cpp and
// properties/li2024_properties.cpp: the spec 4.1 per-step SignGD laws checked on the model's
// tracked scalars (independently of claims/li2024/exact_laws.cpp, whose tolerance is a derived
// rounding bound), and bit-for-bit comparison of parameters.
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "bounds/li2024/per_step_laws.hpp"
#include "model/sign_attention.hpp"
#include "model/signal_noise.hpp"

namespace attnbound::test::li2024 {

namespace ml = attnbound::model::li2024;

/// A data set with its law and W^(0).
struct problem {
  ml::signal_noise_law law;
  std::vector<ml::signal_noise_sample> data;
  ml::attention_params W0;
};

inline double sgn0(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

/// The laws' preconditions at W^(t): every l'_i != 0 and no softmax entry exactly 0.
inline bool preconditions_hold(const ml::tracked_scalars& tr) {
  for (const auto& f : tr.samples)
    if (f.loss_derivative == 0 || f.s11 == 0 || f.s12 == 0 || f.s21 == 0 || f.s22 == 0) return false;
  return true;
}

/// Largest |measured - law| / tolerance over one SignGD step t -> t+1 (tracked scalars a at t,
/// b at t+1), for every law of spec 4.1: value noise and value signal increments, query/key
/// noise and signal moves (magnitude from bounds/li2024, direction from A_i, B_is, D_is at t).
/// Tolerance: rounding of the inner products, 1e-12 (1 + ||x||_1 (max|W| + eta)).
inline double law_violation(const problem& pr, double eta, double Wmax, const ml::tracked_scalars& a,
                            const ml::tracked_scalars& b) {
  namespace bl = attnbound::bounds::li2024;
  using Eigen::Index;
  const double mu = pr.law.mu_norm;
  const Index m_k = a.query_signal.size(), n = static_cast<Index>(pr.data.size());
  auto ratio = [&](double measured, double law, double l1) {
    return std::abs(measured - law) / (1e-12 * (1 + l1 * (Wmax + eta)));
  };
  double worst = ratio(b.value_signal - a.value_signal, bl::value_signal_increment(eta, mu), mu);
  Eigen::VectorXd sum_q = Eigen::VectorXd::Zero(m_k), sum_k = Eigen::VectorXd::Zero(m_k);
  for (Index i = 0; i < n; ++i) {
    const auto& fa = a.samples[static_cast<std::size_t>(i)];
    const auto& fb = b.samples[static_cast<std::size_t>(i)];
    const double xi_l1 = pr.data[static_cast<std::size_t>(i)].xi.l1();
    worst = std::max(worst, ratio(fb.value_noise - fa.value_noise, bl::value_noise_increment(eta, xi_l1), xi_l1));
    const double A = a.value_signal - fa.value_noise, lp = fa.loss_derivative;
    for (Index s = 0; s < m_k; ++s) {
      const double B = a.key_signal[s] - a.key_noise(s, i);
      const double D = fa.s11 * fa.s12 * a.query_signal[s] + fa.s21 * fa.s22 * a.query_noise(s, i);
      const double dq = -sgn0(lp * A * B) * bl::qk_noise_step(eta, xi_l1);
      const double dk = +sgn0(lp * A * D) * bl::qk_noise_step(eta, xi_l1);
      worst = std::max(worst, ratio(b.query_noise(s, i) - a.query_noise(s, i), dq, xi_l1));
      worst = std::max(worst, ratio(b.key_noise(s, i) - a.key_noise(s, i), dk, xi_l1));
      sum_q[s] += lp * A * fa.s11 * fa.s12 * B;
      sum_k[s] += lp * A * D;
    }
  }
  for (Index s = 0; s < m_k; ++s) {
    worst = std::max(worst, ratio(b.query_signal[s] - a.query_signal[s], -sgn0(sum_q[s]) * bl::qk_signal_step(eta, mu), mu));
    worst = std::max(worst, ratio(b.key_signal[s] - a.key_signal[s], -sgn0(sum_k[s]) * bl::qk_signal_step(eta, mu), mu));
  }
  return worst;
}

inline bool bit_equal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}
inline bool bit_equal(const ml::attention_params& a, const ml::attention_params& b) {
  return bit_equal(a.WQ, b.WQ) && bit_equal(a.WK, b.WK) && bit_equal(a.WVp, b.WVp) && bit_equal(a.WVm, b.WVm);
}

}  // namespace attnbound::test::li2024
