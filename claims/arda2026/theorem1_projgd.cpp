// arda2026.theorem1.projgd — Theorem 1 (ProjGD), explicit form of Arda et al. 2026 (constants reconstructed, NOTES.md section 4).
// On E_U and E_app (probability >= 1 - delta - delta'): min_{s<tau} L(phi_s) <= rhs_best and L(phi-bar) <= rhs_avg, with eta = eta_factor/sqrt(tau) (1 in the paper's text); the rate in m is m^(-1/2) (an upper-bound rate).
#include "claims/arda2026/claims.hpp"
#include "claims/arda2026/training.hpp"

namespace attnbound::claims::arda2026 {

claim theorem1_projgd() {
  claim c;
  c.info = {"arda2026.theorem1.projgd", paper, "Theorem 1 (ProjGD), explicit form", "inequality-on-event", "reconstructed",
            "On E_U and E_app (probability >= 1 - delta - delta'): min_{s<tau} L(phi_s) <= rhs_best and L(phi-bar) <= rhs_avg, with eta = eta_factor/sqrt(tau) (1 in the paper's text); the rate in m is m^(-1/2) (an upper-bound rate)."};
  c.params = optimization_params(0);
  c.estimate_bytes = [](const param_values& p) {
    return problem_bytes(p.get("d"), p.get("T"), p.get("n"), p.max("widths")) * p.get("seeds");
  };
  c.run = [](const run_context& ctx) { return run_optimization_claim(ctx, 0); };
  return c;
}

}  // namespace attnbound::claims::arda2026
