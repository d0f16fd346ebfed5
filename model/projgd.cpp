// ProjGD / ProjSGD (spec section 2): phi_{s+1} = Pi_Omega(phi_s - eta grad L_{B_s}(phi_s)).
#include "model/projgd.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace attnbound::model {

double projgd_step(transformer_params& phi, const transformer_params& phi0,
                   const sequence_data& data, const std::vector<int>& batch,
                   const projgd_options& opt, transformer_params& grad, transformer_workspace& ws) {
  const double L = loss_and_gradient(phi, data, batch, grad, ws);
  phi.axpy(-opt.eta, grad);
  if (opt.project) project(phi, phi0, opt.rho);
  return L;
}

namespace {

// Sets ws.threads for the lifetime of the guard.
struct threads_guard {
  transformer_workspace& ws;
  int saved;
  threads_guard(transformer_workspace& w, int threads) : ws(w), saved(w.threads) { ws.threads = threads; }
  ~threads_guard() { ws.threads = saved; }
};

}  // namespace

projgd_result train(const transformer_params& phi0, const sequence_data& data,
                    const projgd_options& opt, transformer_workspace& ws) {
  if (opt.tau < 1) throw std::invalid_argument("train: tau must be >= 1");
  if (!std::isfinite(opt.eta) || !(opt.eta > 0))
    throw std::invalid_argument("train: eta must be finite and > 0");
  if (opt.batch != 0 && opt.batch != 1)
    throw std::invalid_argument("train: batch must be 0 (ProjGD) or 1 (ProjSGD)");
  if (opt.eval_every < 1) throw std::invalid_argument("train: eval_every must be >= 1");
  if (data.n < 1) throw std::invalid_argument("train: no samples");
  if (opt.project && !(opt.rho.c >= 0 && opt.rho.u >= 0 && opt.rho.w >= 0))
    throw std::invalid_argument("train: radii must be >= 0");
  if (opt.threads < 1) throw std::invalid_argument("train: threads must be >= 1");
  const threads_guard threads(ws, opt.threads);

  const bool sgd = opt.batch == 1;
  rng_t index_rng = make_rng(opt.seed, "projsgd-index");
  boost::random::uniform_int_distribution<int> uniform_index(0, data.n - 1);
  std::vector<int> batch;  // empty: the full batch [n]
  if (sgd) batch.assign(1, 0);

  projgd_result res;
  res.min_loss = std::numeric_limits<double>::infinity();
  res.best = phi0;
  res.average = transformer_params::zeros(phi0.d(), phi0.m());  // running sum of phi_s
  transformer_params phi = phi0;
  transformer_params grad = transformer_params::zeros(phi0.d(), phi0.m());
  if (opt.record_losses) res.losses.reserve(sgd ? (opt.tau - 1) / opt.eval_every + 1 : opt.tau);
  double loss_sum = 0;
  int evaluated = 0;

  for (int s = 0; s < opt.tau; ++s) {
    double Ln = 0;
    bool have_Ln = false;
    if (sgd) {
      if (s % opt.eval_every == 0) {
        Ln = loss(phi, data, ws);
        have_Ln = true;
      }
      batch[0] = uniform_index(index_rng);
      loss_and_gradient(phi, data, batch, grad, ws);
    } else {
      Ln = loss_and_gradient(phi, data, batch, grad, ws);  // L_n(phi_s) from the same pass
      have_Ln = true;
    }

    if (have_Ln) {
      if (s == 0) res.initial_loss = Ln;
      if (Ln < res.min_loss) {
        res.min_loss = Ln;
        res.argmin = s;
        res.best = phi;  // same shapes: no reallocation
      }
      loss_sum += Ln;
      ++evaluated;
      if (opt.record_losses) res.losses.push_back(Ln);
    }
    res.max_grad_W_norm = std::max(res.max_grad_W_norm, grad.W.norm());
    res.max_grad_norm = std::max(res.max_grad_norm, std::sqrt(grad.squared_norm()));

    res.average.axpy(1.0, phi);  // sum_{s < tau} phi_s
    phi.axpy(-opt.eta, grad);
    if (opt.project) project(phi, phi0, opt.rho);
  }

  res.mean_loss = loss_sum / evaluated;
  res.average.c /= opt.tau;
  res.average.U /= opt.tau;
  res.average.W /= opt.tau;
  res.average_iterate_loss = loss(res.average, data, ws);
  res.final_loss = loss(phi, data, ws);
  res.last = std::move(phi);
  return res;
}

}  // namespace attnbound::model
