// ahn2023.generalized-smoothness — P15 of spec ahn2023-linear-attention.md: [AHN-b] section 2.5,
// Fig. 6 (right): along Adam's trajectory, log ||grad f(theta_t)|| and log DS_t are positively,
// roughly linearly related ((L0, L1)-smoothness, Zhang et al. 2020a). Protocol (spec 3.2): Adam,
// first 2000 iterations, the full gradient and DS on the fixed batch (every 20 iterations).
// Spec P15: the Pearson correlation is > 0 (calibration 0.47-0.97 in every setting).
//
// Statistic per configuration: the Pearson correlation r of (log ||grad f||, log DS) over the
// points with DS > 0 of each Adam run (non-positive DS counted and left out); the Fisher
// z = atanh r of the replicates, Student-t interval over replicates (points along one
// trajectory are autocorrelated, so the between-replicate spread is the honest scale), back
// to r by tanh; compare_above(0). Trajectories and DS are the shared ones of P13.
#include <cmath>

#include <fmt/format.h>

#include "claims/ahn2023/phenomena_claims.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

namespace {
const char* const claim_id = "ahn2023.generalized-smoothness";
}

claim generalized_smoothness() {
  claim c;
  c.info = {claim_id, paper_b, "Section 2.5, Fig. 6 (right); spec P15", "comparison", "exact",
            "Along the first 2000 Adam iterations, log ||grad f|| and log(directional smoothness) are positively "
            "correlated in every setting ((L0, L1)-smoothness)."};
  c.params = smoothness_params("1,4", "1,2,3,4", "4", "4,6", "2000");
  c.estimate_bytes = smoothness_estimate_bytes;
  c.run = [](const run_context& ctx) {
    const auto su = smoothness_run_setup(ctx);
    const auto& cfg = su.cfg;
    const auto& all_specs = su.specs;
    const int seeds = su.seeds, iters = su.iterations, hp = su.hessian_prompts;
    const bool paper_scale = su.paper_runs && iters >= 2000;
    // Adam runs only (even indices).
    std::vector<run_spec> specs;
    for (std::size_t i = 0; i < all_specs.size(); i += 2) specs.push_back(all_specs[i]);
    const auto runs = get_runs(specs, ctx, claim_id);
    const auto ds = smoothness_series(specs, runs, hp, ctx, claim_id);
    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json table = nlohmann::json::array();
    double worst_low = HUGE_VAL;
    figure scatter;
    scatter.id = "gradnorm-vs-ds";
    scatter.title = fmt::format("Adam trajectories, t < {}: gradient norm vs directional smoothness (Fig. 6 right analogue)",
                                std::min(iters, ds_horizon));
    scatter.xlabel = "||grad f(theta_t)|| on the fixed batch";
    scatter.ylabel = "DS_t = u_t^T H u_t (> 0)";
    scatter.logx = scatter.logy = true;
    for (std::size_t ci = 0; ci < cfg.size(); ++ci) {
      std::vector<double> z, r_each;
      int dropped = 0;
      std::vector<double> sx, sy;
      for (int r = 0; r < seeds; ++r) {
        const auto& series = ds[ci * seeds + r];
        std::vector<double> lg, ld;
        for (const auto& q : series)
          if (std::isfinite(q.ds) && q.ds > 0 && q.grad_norm > 0) lg.push_back(std::log(q.grad_norm)), ld.push_back(std::log(q.ds)),
                                                                    sx.push_back(q.grad_norm), sy.push_back(q.ds);
          else ++dropped;
        double rr = std::numeric_limits<double>::quiet_NaN();
        try {
          if (lg.size() >= 4) rr = pearson(lg, ld);
        } catch (const std::invalid_argument&) {
        }
        r_each.push_back(rr);
        if (std::isfinite(rr)) z.push_back(std::atanh(std::clamp(rr, -0.999999, 0.999999)));
      }
      const interval zi = mean_t_interval(z);
      const interval ri{std::tanh(zi.estimate), std::tanh(zi.low), std::tanh(zi.high), zi.n};
      const verdict v = compare_above(ri.low, ri.high, 0.0, paper_scale);
      parts.push_back(v);
      worst_low = std::min(worst_low, ri.low);
      const auto& s = cfg[ci];
      lines.push_back(fmt::format("{}: r = {:.2f} [{:.2f}, {:.2f}] ({})", s.name, ri.estimate, ri.low, ri.high, to_string(v)));
      table.push_back({{"config", s.name}, {"L", s.L}, {"n", s.n}, {"pearson_per_replicate", r_each},
                       {"pearson_fisher_mean", to_json(ri)}, {"dropped_points_ds_nonpositive", dropped}, {"verdict", to_string(v)}});
      if (std::isfinite(ri.estimate))
        res.statistics.push_back({fmt::format("Pearson r(log grad, log DS) {}", s.name), ri.estimate, band_of(ri, 0.05)});
      series pts{fmt::format("{} (r = {:.2f})", s.name, ri.estimate), "points", sx, sy, {}, {}};
      scatter.curves.push_back(std::move(pts));
    }
    scatter.notes = lines;
    res.figures.push_back(std::move(scatter));
    res.v = combine_verdicts(parts);
    res.bound_name = "correlation must exceed";
    res.bound = 0;
    res.measured_name = "smallest lower 95% limit of the Pearson correlation over configurations";
    res.measured = worst_low;
    res.summary = fmt::format(
        "paper: log grad norm and log directional smoothness positively related along Adam's trajectory (spec P15 calibration "
        "r = 0.47-0.97). Measured (Fisher-z mean over {} seeds, t-interval): {}{}",
        seeds, fmt::join(lines, "; "), paper_scale ? "" : " (reduced scale)");
    res.details = {{"per_config", table}, {"paper_scale", paper_scale}, {"hessian_prompts", hp},
                   {"paper_values", "spec 5 calibration: S1 0.83, 0.58; S2 0.59, 0.47; S3 0.94, 0.90; sphere 0.82, 0.77; L=4 0.90; L=6 0.97"}};
    res.bounds.push_back({"correlation threshold", 0});
    res.worst = {{"what", "configuration with the smallest lower CI limit"}, {"value", worst_low}, {"seed", ctx.seed}};
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
