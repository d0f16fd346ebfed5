// ProjGD / ProjSGD of Arda et al. 2026 (spec section 2), and plain GD (no projection):
//   phi_{s+1} = Pi_Omega(phi_s - eta grad L_{B_s}(phi_s)),  B_s = [n] (ProjGD) or {J_s},
//   J_s ~ Unif([n]) i.i.d. (ProjSGD, batch 1); eta = factor / sqrt(tau).
// Tracks the best iterate min_{s<tau} L_n(phi_s) and the average iterate
// phi-bar = (1/tau) sum_{s<tau} phi_s.
#pragma once

#include <cstdint>
#include <vector>

#include "model/transformer.hpp"

namespace attnbound::model {

struct projgd_options {
  int tau = 4000;
  double eta = 1.0 / 63.245553203367585;  // 1/sqrt(4000)
  radii rho;
  bool project = true;  // false: plain GD / SGD
  int batch = 0;        // 0: full batch (ProjGD); 1: one uniform index per step (ProjSGD)
  std::uint64_t seed = 0;  // index stream for ProjSGD
  /// L_n(phi_s) is evaluated every `eval_every` steps (ProjGD gets it for free every step).
  /// A sub-sampled minimum is >= the true minimum, so checks "min <= bound" stay honest.
  int eval_every = 1;
  bool record_losses = false;
  /// Threads for the loss and gradient sums over samples (transformer_workspace::threads; the
  /// calling thread included). Results are bit-identical for every value; use > 1 when fewer
  /// runs than cores are left (a single run, or the last runs of a sweep).
  int threads = 1;
};

struct projgd_result {
  double min_loss = 0;        // min over evaluated s < tau of L_n(phi_s)
  int argmin = 0;
  double mean_loss = 0;       // mean over evaluated s of L_n(phi_s)
  double average_iterate_loss = 0;  // L_n(phi-bar)
  double initial_loss = 0;    // L_n(phi_0)
  double final_loss = 0;      // L_n(phi_tau)
  double max_grad_W_norm = 0; // max over s of ||grad_W L_{B_s}(phi_s)||_F (all heads)
  double max_grad_norm = 0;   // max over s of ||grad L_{B_s}(phi_s)||
  std::vector<double> losses; // L_n at evaluated steps, when record_losses
  transformer_params best, average, last;
};

/// One step phi <- Pi_Omega(phi - eta grad L_B(phi)) (no projection when !opt.project), with
/// B = `batch` (empty: all samples). Returns L_B(phi) before the step; `grad` holds its
/// gradient. Uses opt.eta, opt.rho, opt.project and ws.threads.
double projgd_step(transformer_params& phi, const transformer_params& phi0,
                   const sequence_data& data, const std::vector<int>& batch,
                   const projgd_options& opt, transformer_params& grad, transformer_workspace& ws);

/// tau steps from phi0 (ProjGD with opt.batch = 0, ProjSGD with 1); ws.threads is set to
/// opt.threads for the duration of the call.
projgd_result train(const transformer_params& phi0, const sequence_data& data,
                    const projgd_options& opt, transformer_workspace& ws);

}  // namespace attnbound::model
