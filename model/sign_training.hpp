// Full-batch training of the Li et al. 2024 model (spec section 2): SignGD
// W <- W - eta sgn(grad L_S) entrywise with sgn(0) = 0 (so coordinates no sample touches keep
// their initial values exactly), Adam (bias-corrected; beta1 = beta2 = eps = 0 reduces it to
// SignGD), and plain GD for the contrast of spec section 4.6.
#pragma once

#include <functional>

#include "model/sign_attention.hpp"

namespace attnbound::model::li2024 {

enum class optimizer { signgd, adam, gd };

struct train_options {
  optimizer opt = optimizer::signgd;
  double eta = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam (spec 5.3 scratch run values)
  int steps = 500;
};

/// sgn with sgn(0) = 0.
inline double sgn(double g) { return g > 0 ? 1.0 : (g < 0 ? -1.0 : 0.0); }

/// Called before step t (t = 0..steps-1) with W^(t), and once more after the last step with
/// t = steps and W^(steps). `g` is the gradient at W^(t) (not set for the final call:
/// loss_and_gradient with an empty grad). Return false to stop early.
using step_observer = std::function<bool(int t, const attention_params& W, const loss_and_gradient& g)>;

struct train_result {
  attention_params W;     // last iterate
  int steps = 0;          // steps taken
  bool stopped_early = false;
};

train_result train(attention_params W0, const signal_noise_law& law, const std::vector<signal_noise_sample>& data,
                   const train_options& opt, const step_observer& observe = {});

}  // namespace attnbound::model::li2024
