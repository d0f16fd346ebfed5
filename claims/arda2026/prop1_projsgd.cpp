// arda2026.prop1.projsgd — Proposition 1 (ProjSGD), explicit form of Arda et al. 2026 (constants reconstructed, NOTES.md section 4).
// For ProjSGD with batch 1, in expectation over the sampled indices given phi_0: E[min_s L(phi_s)] <= rhs_best and E[L(phi-bar)] <= rhs_avg.
#include "claims/arda2026/claims.hpp"
#include "claims/arda2026/training.hpp"

namespace attnbound::claims::arda2026 {

claim prop1_projsgd() {
  claim c;
  c.info = {"arda2026.prop1.projsgd", paper, "Proposition 1 (ProjSGD), explicit form", "inequality-on-event", "reconstructed",
            "For ProjSGD with batch 1, in expectation over the sampled indices given phi_0: E[min_s L(phi_s)] <= rhs_best and E[L(phi-bar)] <= rhs_avg."};
  c.params = optimization_params(1);
  c.estimate_bytes = [](const param_values& p) {
    return problem_bytes(p.get("d"), p.get("T"), p.get("n"), p.max("widths")) * p.get("seeds");
  };
  c.run = [](const run_context& ctx) { return run_optimization_claim(ctx, 1); };
  return c;
}

}  // namespace attnbound::claims::arda2026
