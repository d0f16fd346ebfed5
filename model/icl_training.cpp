// Online training of the LSA model (see icl_training.hpp; spec ahn2023-linear-attention.md 3.2).
// Torch semantics, step t = 0, 1, ... (Adam's bias correction uses the step count t + 1):
//   lr_t   = lr gamma^floor(t / decay_every)                       (StepLR, stepped per iteration)
//   clip   : g <- g clip / ||g|| when ||g|| > clip                 (clip_grad_norm_, without
//            torch's +1e-6 in the denominator; the header's formula)
//   SGDM   : buf <- mu buf + g (buf_0 = g), theta <- theta - lr_t buf
//   Adam   : m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2,
//            theta <- theta - (lr_t / (1 - b1^{t+1})) m / (sqrt(v) / sqrt(1 - b2^{t+1}) + eps)
#include "model/icl_training.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attnbound::model::icl {

namespace {

void check_options(const train_options& o) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("train_online: " + what); };
  if (!(o.lr >= 0) || !std::isfinite(o.lr)) fail("lr must be finite and >= 0");
  if (o.iterations < 0) fail("iterations must be >= 0");
  if (o.batch < 1) fail("batch must be >= 1");
  if (o.decay_every < 0) fail("decay_every must be >= 0");
  if (!std::isfinite(o.decay_gamma) || o.decay_gamma < 0) fail("decay_gamma must be finite and >= 0");
  if (!std::isfinite(o.clip)) fail("clip must be finite");
  if (o.opt == optimizer::sgdm && !(o.momentum >= 0 && o.momentum < 1)) fail("momentum must be in [0, 1)");
  if (o.opt == optimizer::adam &&
      !(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps > 0 && std::isfinite(o.eps)))
    fail("Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
}

}  // namespace

train_result train_online(const lsa_model& model, Eigen::VectorXd theta0, const prompt_options& data,
                          const train_options& opt, rng_t& rng, const std::function<void(const step_view&)>& observe) {
  check_options(opt);
  if (theta0.size() != parameter_count(model)) throw std::invalid_argument("train_online: theta0 has the wrong size");
  if (data.d != model.d) throw std::invalid_argument("train_online: data.d differs from the model's d");

  train_result res;
  Eigen::VectorXd theta = std::move(theta0), next(theta.size()), g(theta.size());
  Eigen::VectorXd buf = Eigen::VectorXd::Zero(theta.size());  // SGDM momentum / Adam first moment
  Eigen::VectorXd sq = Eigen::VectorXd::Zero(theta.size());   // Adam second moment
  for (int t = 0; t < opt.iterations; ++t) {
    const double lr_t = opt.decay_every > 0 ? opt.lr * std::pow(opt.decay_gamma, t / opt.decay_every) : opt.lr;
    const prompt_batch batch = draw_prompts(data, opt.batch, rng);
    const double f = loss_and_gradient(model, theta, batch, g, opt.threads);
    if (!std::isfinite(f) || !g.allFinite()) {
      res.diverged = true;
      break;
    }
    const double raw = g.norm();
    if (opt.clip > 0 && raw > opt.clip) g *= opt.clip / raw;
    if (opt.opt == optimizer::sgdm) {
      if (t == 0) {
        buf = g;
      } else {
        buf = opt.momentum * buf + g;
      }
      next = theta - lr_t * buf;
    } else {
      buf = opt.beta1 * buf + (1 - opt.beta1) * g;
      sq = opt.beta2 * sq + (1 - opt.beta2) * g.cwiseProduct(g);
      const double bc1 = 1 - std::pow(opt.beta1, t + 1), bc2 = 1 - std::pow(opt.beta2, t + 1);
      const double step = lr_t / bc1, bc2_sqrt = std::sqrt(bc2);
      next = theta - step * (buf.array() / ((sq.array().sqrt() / bc2_sqrt) + opt.eps)).matrix();
    }
    res.iterations = t + 1;
    if (observe) observe(step_view{t, theta, next, f, raw});
    theta.swap(next);
  }
  res.theta = std::move(theta);
  return res;
}

}  // namespace attnbound::model::icl
