// Plain full-batch gradient descent, no projection (spec 5.2: both models of the AR(L)
// comparison are trained this way):  phi_{s+1} = phi_s - eta grad L_n(phi_s),  s < tau.
// Model-agnostic: Params needs axpy(alpha, other); `loss_grad(phi, grad)` returns L_n(phi)
// and writes its gradient; `observe(s, phi, grad, L_n)` sees every iterate before its update
// (gradient norms, validation loss, distance from the initialization). Training stops early
// only when the loss or the gradient stops being finite.
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attnbound::model {

struct plain_gd_options {
  int tau = 2000;
  double eta = 0.022360679774997897;  // 1/sqrt(2000), the paper's text
};

struct plain_gd_result {
  int steps = 0;            // iterates phi_0 .. phi_{steps-1} observed
  bool diverged = false;    // a non-finite loss or gradient ended training
  double initial_loss = 0;  // L_n(phi_0)
  double min_loss = 0;      // min over observed s of L_n(phi_s)
  double final_loss = 0;    // L_n(phi_{steps-1})
};

template <class Params, class LossGrad, class Observe>
plain_gd_result plain_gd(Params& phi, const plain_gd_options& opt, LossGrad&& loss_grad,
                         Observe&& observe) {
  if (opt.tau < 1) throw std::invalid_argument("plain_gd: tau must be >= 1");
  if (!std::isfinite(opt.eta) || !(opt.eta > 0))
    throw std::invalid_argument("plain_gd: eta must be finite and > 0");
  plain_gd_result res;
  Params grad = phi;
  for (int s = 0; s < opt.tau; ++s) {
    const double Ln = loss_grad(phi, grad);
    if (!std::isfinite(Ln) || !std::isfinite(grad.squared_norm())) {
      res.diverged = true;
      break;
    }
    observe(s, phi, grad, Ln);
    if (s == 0) res.initial_loss = res.min_loss = Ln;
    res.min_loss = std::min(res.min_loss, Ln);
    res.final_loss = Ln;
    res.steps = s + 1;
    phi.axpy(-opt.eta, grad);
  }
  return res;
}

}  // namespace attnbound::model
