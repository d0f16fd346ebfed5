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

projgd_result train(const transformer_params& phi0, const sequence_data& data,
                    const projgd_options& opt, transformer_workspace& ws);

}  // namespace attnbound::model
