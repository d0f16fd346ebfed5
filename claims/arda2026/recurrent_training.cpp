#include "claims/arda2026/recurrent_training.hpp"

#include <algorithm>
#include <cmath>


namespace attnbound::claims::arda2026 {

namespace {

// The common observer: gradient norm of the recurrent/attention block, residual scale,
// distance from the initialization, validation loss.
template <class Params, class Workspace, class BlockNorm, class Drift>
recurrent_run run_plain_gd(const Params& phi0, const model::sequence_data& train,
                           const model::sequence_data* val, const gd_setup& setup,
                           BlockNorm&& block_norm, Drift&& drift) {
  recurrent_run out;
  Params phi = phi0;
  Workspace ws, ws_val;
  const double sqrt_m = std::sqrt(static_cast<double>(phi0.m()));
  const int tau = setup.gd.tau;
  auto gd = model::plain_gd(
      phi, setup.gd,
      [&](const Params& p, Params& g) { return model::loss_and_gradient(p, train, {}, g, ws); },
      [&](int s, const Params& p, const Params& g, double Ln) {
        const double gn = block_norm(g);
        if (s == 0) out.init_grad_rec = gn;
        if (s == 0 || gn > out.max_grad_rec) {
          out.max_grad_rec = gn;
          out.argmax_grad = s;
        }
        out.r_max = std::max(out.r_max, std::sqrt(Ln));
        out.rho_c_eff = std::max(out.rho_c_eff, sqrt_m * (p.c - phi0.c).cwiseAbs().maxCoeff());
        out.rho_u_eff = std::max(out.rho_u_eff, sqrt_m * drift(p));
        if (val && (s % setup.eval_every == 0 || s == tau - 1)) {
          const double Lv = model::loss(p, *val, ws_val);
          if (Lv < out.min_val) {
            out.min_val = Lv;
            out.argmin_val = s;
          }
        }
      });
  out.steps = gd.steps;
  out.diverged = gd.diverged;
  out.initial_train = gd.initial_loss;
  out.min_train = gd.min_loss;
  out.final_train = gd.final_loss;
  return out;
}

}  // namespace

recurrent_run train_indrnn(const model::indrnn_params& phi0, const model::sequence_data& train,
                           const model::sequence_data* val, const gd_setup& setup) {
  auto r = run_plain_gd<model::indrnn_params, model::indrnn_workspace>(
      phi0, train, val, setup, [](const model::indrnn_params& g) { return g.u.norm(); },
      [&](const model::indrnn_params& p) { return (p.u - phi0.u).cwiseAbs().maxCoeff(); });
  r.u0_max = phi0.u.cwiseAbs().maxCoeff();
  return r;
}

recurrent_run train_transformer(const model::transformer_params& phi0,
                                const model::sequence_data& train,
                                const model::sequence_data* val, const gd_setup& setup) {
  auto r = run_plain_gd<model::transformer_params, model::transformer_workspace>(
      phi0, train, val, setup, [](const model::transformer_params& g) { return g.W.norm(); },
      [&](const model::transformer_params& p) { return (p.U - phi0.U).colwise().norm().maxCoeff(); });
  r.u0_max = phi0.U.colwise().norm().maxCoeff();
  return r;
}

std::vector<double> ar_series_for(const model::ar_options& o, int length, std::uint64_t seed,
                                  const std::string& claim_id, std::uint64_t replicate) {
  auto rng = model::make_rng(seed, claim_id + "/ar-series",
                             {static_cast<std::uint64_t>(o.L), static_cast<std::uint64_t>(length), replicate});
  return model::ar_series(o, length, rng);
}

}  // namespace attnbound::claims::arda2026
