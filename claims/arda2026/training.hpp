// One ProjGD/ProjSGD run on a teacher-student problem with its events, shared by the
// Theorem 1, Proposition 1 and T-independence claims.
#pragma once

#include "claims/arda2026/common.hpp"
#include "model/projgd.hpp"

namespace attnbound::claims::arda2026 {

struct training_run {
  model::projgd_result result;
  bool event_U = false;    // E_U: max_i ||U_i0|| <= B_U0
  bool event_app = false;  // E_app: sup_j |f_lin(phi~) - y_j| <= B_app_safe + eps_pool
  double eps_app = 0;      // measured sup_j |f_lin(phi~) - y_j|
};

/// Initializes (symmetric, from `init_key`), checks the events against the certified
/// B_U0 and B_app_safe + eps_pool of `s`, and trains with ProjGD (batch 0) or ProjSGD (batch 1).
/// `threads`: model threads of the run (projgd_options::threads); never changes a result.
training_run train_with_events(const teacher_problem& prob, const bound_setup& s, int batch,
                               int eval_every, std::uint64_t seed, std::uint64_t init_key,
                               bool record_losses = false, int threads = 1);

}  // namespace attnbound::claims::arda2026

namespace attnbound::claims::arda2026 {

/// The body shared by Theorem 1 (ProjGD, batch 0) and Proposition 1 (ProjSGD, batch 1):
/// widths x seeds runs; min_s L(phi_s) against rhs_best and L(phi-bar) against rhs_avg on
/// E_U and E_app (for ProjSGD: the mean over seeds, with its t-interval, against the bound on
/// the conditional expectation); vacuity against r_max^2; slope of the minimum loss vs m.
claim_result run_optimization_claim(const run_context& ctx, int batch);

/// Parameters common to both (the quick profile is small; full is the paper's scale).
std::vector<param_spec> optimization_params(int batch);

}  // namespace attnbound::claims::arda2026
