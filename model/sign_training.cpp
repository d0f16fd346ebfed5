// Full-batch SignGD / Adam / GD for the Li et al. 2024 model (spec section 2).
//
// Only column 0 (the signal coordinate) and the columns some training support touches can have
// a nonzero gradient; every other column has gradient exactly 0, so SignGD (sgn(0) = 0), Adam
// (zero moments, 0/0 read as a zero update) and GD leave it bit-for-bit unchanged. The loop
// therefore zeroes, and updates, only those touched columns: O(m (n s + 1)) per step after an
// O(m d) setup, with the gradient computed once per step and shown to the observer.
#include "model/sign_training.hpp"
#include "model/sign_attention_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace attnbound::model::li2024 {

namespace {

attention_params zeros_like(const attention_params& p) {
  attention_params z;
  z.WQ = Eigen::MatrixXd::Zero(p.WQ.rows(), p.WQ.cols());
  z.WK = Eigen::MatrixXd::Zero(p.WK.rows(), p.WK.cols());
  z.WVp = Eigen::MatrixXd::Zero(p.WVp.rows(), p.WVp.cols());
  z.WVm = Eigen::MatrixXd::Zero(p.WVm.rows(), p.WVm.cols());
  return z;
}

// Applies `op(W(:,k), G(:,k), state...)` to the four blocks, column k.
template <class Op>
void for_blocks(attention_params& W, const attention_params& G, attention_params* M, attention_params* R, int k, Op op) {
  op(W.WQ.col(k), G.WQ.col(k), M ? M->WQ.col(k) : W.WQ.col(k), R ? R->WQ.col(k) : W.WQ.col(k));
  op(W.WK.col(k), G.WK.col(k), M ? M->WK.col(k) : W.WK.col(k), R ? R->WK.col(k) : W.WK.col(k));
  op(W.WVp.col(k), G.WVp.col(k), M ? M->WVp.col(k) : W.WVp.col(k), R ? R->WVp.col(k) : W.WVp.col(k));
  op(W.WVm.col(k), G.WVm.col(k), M ? M->WVm.col(k) : W.WVm.col(k), R ? R->WVm.col(k) : W.WVm.col(k));
}

}  // namespace

train_result train(attention_params W0, const signal_noise_law& law, const std::vector<signal_noise_sample>& data,
                   const train_options& opt, const step_observer& observe) {
  detail::check_inputs(W0, law, data);
  if (opt.steps < 0) throw std::invalid_argument("train: steps must be >= 0");
  if (!std::isfinite(opt.eta) || !(opt.eta > 0)) throw std::invalid_argument("train: eta must be finite and > 0");
  const bool adam = opt.opt == optimizer::adam;
  if (adam) {
    if (!(opt.beta1 >= 0 && opt.beta1 < 1) || !(opt.beta2 >= 0 && opt.beta2 < 1))
      throw std::invalid_argument("train: Adam needs beta1, beta2 in [0, 1)");
    if (!std::isfinite(opt.eps) || opt.eps < 0) throw std::invalid_argument("train: Adam eps must be finite and >= 0");
  }

  // Column 0 and every column a support touches, ascending.
  std::vector<int> touched{0};
  for (const auto& x : data) touched.insert(touched.end(), x.xi.index.begin(), x.xi.index.end());
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

  train_result res;
  res.W = std::move(W0);
  attention_params& W = res.W;
  loss_and_gradient lg;
  lg.grad = zeros_like(W);
  attention_params m1, r2;  // Adam: first moment, square root of the second moment
  if (adam) {
    m1 = zeros_like(W);
    r2 = zeros_like(W);
  }
  const double eta = opt.eta;
  const double sqrt_beta2 = std::sqrt(opt.beta2), sqrt_one_minus_beta2 = std::sqrt(1 - opt.beta2);

  for (int t = 0; t < opt.steps; ++t) {
    if (t > 0)
      for (int k : touched) {
        lg.grad.WQ.col(k).setZero();
        lg.grad.WK.col(k).setZero();
        lg.grad.WVp.col(k).setZero();
        lg.grad.WVm.col(k).setZero();
      }
    lg.loss = detail::accumulate_loss_gradient(W, law, data, lg.grad);
    if (observe && !observe(t, W, lg)) {
      res.steps = t;
      res.stopped_early = true;
      return res;
    }
    switch (opt.opt) {
      case optimizer::signgd:
        // W <- W - eta sgn(g), sgn(0) = 0 (written without branches: the signs are random).
        for (int k : touched)
          for_blocks(W, lg.grad, nullptr, nullptr, k, [eta](auto w, auto g, auto, auto) {
            for (Eigen::Index r = 0; r < w.size(); ++r)
              w[r] -= eta * (static_cast<double>(g[r] > 0) - static_cast<double>(g[r] < 0));
          });
        break;
      case optimizer::gd:
        // W <- W - eta g.
        for (int k : touched)
          for_blocks(W, lg.grad, nullptr, nullptr, k, [eta](auto w, auto g, auto, auto) {
            for (Eigen::Index r = 0; r < w.size(); ++r) w[r] -= eta * g[r];
          });
        break;
      case optimizer::adam: {
        // m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2, kept as r = sqrt(v) via
        // r <- hypot(sqrt(beta2) r, sqrt(1 - beta2) |g|) (the same value in exact arithmetic; no
        // underflow of g^2 for tiny g, so r = |g| exactly when beta2 = 0); W <- W - eta m_hat / (sqrt(v_hat) + eps) with
        // m_hat = m / (1 - beta1^(t+1)), sqrt(v_hat) = r / sqrt(1 - beta2^(t+1)); a zero
        // denominator (g = 0 so far, eps = 0) is a zero update. With beta1 = beta2 = eps = 0 the
        // update is g / |g| = sgn(g) exactly: SignGD.
        const double b1 = opt.beta1, e = opt.eps;
        const double bc1 = 1 - std::pow(opt.beta1, t + 1);
        const double sqrt_bc2 = std::sqrt(1 - std::pow(opt.beta2, t + 1));
        for (int k : touched)
          for_blocks(W, lg.grad, &m1, &r2, k, [&](auto w, auto g, auto m, auto r) {
            for (Eigen::Index i = 0; i < w.size(); ++i) {
              m[i] = b1 * m[i] + (1 - b1) * g[i];
              const double a = sqrt_beta2 * r[i], b = sqrt_one_minus_beta2 * std::abs(g[i]);
              const double big = std::max(a, b);
              // sqrt(a^2 + b^2) where the squares cannot underflow or overflow (then
              // sqrt(b^2) = b exactly for a = 0), std::hypot elsewhere (slower).
              r[i] = big > 1e-150 && big < 1e150 ? std::sqrt(a * a + b * b) : std::hypot(a, b);
              const double den = r[i] / sqrt_bc2 + e;
              const double u = den == 0 ? 0.0 : (m[i] / bc1) / den;
              w[i] -= eta * u;
            }
          });
        break;
      }
    }
  }
  res.steps = opt.steps;
  if (observe) {
    loss_and_gradient last;  // empty grad; the loss at W^(steps)
    last.loss = logistic_loss(W, law, data);
    observe(opt.steps, W, last);
  }
  return res;
}

}  // namespace attnbound::model::li2024
