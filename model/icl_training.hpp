// Online training of the LSA model as the official experiments do it (spec
// ahn2023-linear-attention.md 3.2): a fresh batch of B prompts per iteration, global-norm
// gradient clipping (torch clip_grad_norm_: g <- g * clip/||g|| when ||g|| > clip), then one
// step of SGD with momentum (torch SGD: buf <- mu buf + g; theta <- theta - lr buf) or Adam
// (torch Adam/AdamW with weight decay 0, bias-corrected; betas (0.9, 0.9), eps 1e-8),
// optionally with a step decay lr * gamma^floor(t / step) (spec 4, P9).
#pragma once

#include <functional>
#include <vector>

#include "model/linear_attention.hpp"

namespace attnbound::model::icl {

enum class optimizer { sgdm, adam };

struct train_options {
  optimizer opt = optimizer::adam;
  double lr = 0.02;
  double momentum = 0.9;                   // SGDM
  double beta1 = 0.9, beta2 = 0.9, eps = 1e-8;  // Adam
  double clip = 1.0;                       // global-norm clip; <= 0: none
  int decay_every = 0;                     // step decay period (0: constant lr)
  double decay_gamma = 1.0;
  int iterations = 10000;
  int batch = 1000;                        // B, fresh prompts per iteration
  int threads = 1;                         // model threads (results identical for any value)
};

/// What the loop sees at iteration t, before the update: theta_t, the clipped minibatch
/// gradient g_t (before clipping in `raw_grad_norm`), and theta_{t+1} after the update.
struct step_view {
  int t;
  const Eigen::VectorXd& theta;       // theta_t
  const Eigen::VectorXd& next_theta;  // theta_{t+1}
  double batch_loss;                  // f on the minibatch at theta_t
  double raw_grad_norm;               // ||g_t|| before clipping
};

struct train_result {
  Eigen::VectorXd theta;  // last iterate
  int iterations = 0;     // steps taken
  bool diverged = false;  // a non-finite loss or gradient stopped training
};

/// Train from theta0 on online batches drawn from `data` with `rng`. `observe` (may be empty)
/// is called after every update.
train_result train_online(const lsa_model& model, Eigen::VectorXd theta0, const prompt_options& data,
                          const train_options& opt, rng_t& rng,
                          const std::function<void(const step_view&)>& observe = {});

}  // namespace attnbound::model::icl
