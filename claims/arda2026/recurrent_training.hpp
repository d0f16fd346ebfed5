// Shared by the recurrent-contrast claims (arda2026.rnn-contrast, arda2026.ar-lag): the AR(L)
// data of spec 5.2 from a seed, one plain-GD training run of the IndRNN or of the Transformer
// with the quantities Figure 2 and the gradient bounds need, and a median CI over seeds.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "claims/arda2026/common.hpp"
#include "model/ar_process.hpp"
#include "model/indrnn.hpp"
#include "model/plain_gd.hpp"

namespace attnbound::claims::arda2026 {

/// One plain-GD run, observed at every iterate phi_s, s < steps (NOTES.md of cayci2024, sec. 3).
struct recurrent_run {
  double max_grad_rec = 0;  // max_s ||grad L_n(phi_s)|| w.r.t. u (IndRNN) or W (Transformer)
  int argmax_grad = 0;
  double init_grad_rec = 0;  // the same norm at phi_0 (before any step)
  double min_train = 0, final_train = 0, initial_train = 0;
  double min_val = std::numeric_limits<double>::infinity();  // min over evaluated s (if val)
  int argmin_val = -1;
  double r_max = 0;      // max_s sqrt(L_n(phi_s))
  double rho_c_eff = 0;  // sqrt m max_{s,i} |c_i(s) - c_i0|
  double rho_u_eff = 0;  // sqrt m max_{s,i} |u_i(s) - u_i0| (IndRNN) or ||U_i(s) - U_i0|| (Transformer)
  double u0_max = 0;     // max_i |u_i0| (IndRNN) or max_i ||U_i0|| (Transformer)
  int steps = 0;
  bool diverged = false;
};

struct gd_setup {
  model::plain_gd_options gd;
  int eval_every = 1;  // validation loss every this many steps (and at the last one)
};

/// Trains a copy of phi0 by plain GD on `train`; validation loss on `val` when non-null.
recurrent_run train_indrnn(const model::indrnn_params& phi0, const model::sequence_data& train,
                           const model::sequence_data* val, const gd_setup& setup);
recurrent_run train_transformer(const model::transformer_params& phi0,
                                const model::sequence_data& train,
                                const model::sequence_data* val, const gd_setup& setup);

/// Rough peak bytes of one recurrent run: `datasets` copies of n windows of T tokens of
/// dimension d (the AR data sets held at once), plus the models' parameters, gradients and
/// workspaces at width m.
inline double recurrent_problem_bytes(double d, double T, double n, double m, int datasets) {
  return 8.0 * d * T * n * datasets + 8.0 * (4 * T * m + 3 * 2048 * m + 8 * (d * d * m + d * m + m));
}

/// The AR(L) series of replicate `replicate` under `seed` (long enough for n windows ending at
/// first_target + n - 1).
std::vector<double> ar_series_for(const model::ar_options& o, int length, std::uint64_t seed,
                                  const std::string& claim_id, std::uint64_t replicate);

/// The ends of the MPFI enclosure of f() (an mp_interval), evaluated at 30 digits under the
/// process-wide precision lock and rounded outward to double (as certify() does for the
/// Transformer bounds): `check` = lower end, `report` = upper end.
template <class F>
certified enclose(F&& f) {
  std::lock_guard<std::mutex> lock(mp_precision_mutex());
  precision_guard guard(30);
  const mp_interval v = f();
  const mp_real lo = lower(v), hi = upper(v);
  double lo_d = lo.convert_to<double>(), hi_d = hi.convert_to<double>();
  if (mp_real(lo_d) > lo) lo_d = std::nextafter(lo_d, -HUGE_VAL);
  if (mp_real(hi_d) < hi) hi_d = std::nextafter(hi_d, HUGE_VAL);
  return {lo_d, hi_d};
}

}  // namespace attnbound::claims::arda2026
