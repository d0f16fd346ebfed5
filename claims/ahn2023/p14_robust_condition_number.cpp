// ahn2023.robust-condition-number — P14 of spec ahn2023-linear-attention.md: [AHN-b] section 2.3,
// Fig. 2 (row 3 table), Fig. 7(c), Fig. 8(d): the robust condition number
// R = max_i |H_ii| / median_i |H_ii| (Jiang et al. 2022; the paper's footnote: diagonal entries;
// torch's lower median, including the d^2 structural zeros of the last layer's P block, spec 1.2
// and 6 item 6) is larger along SGD's trajectory: the paper's ratio R_SGD / R_Adam at iterations
// 750 and 1250 is 1.76 / 1.58 (S1), 3.14 / 5.98 (S2), 9.57 / 6.53 (S3), mean over 6 seeds.
// Spec P14: weak and noisy; assert geometric mean over seeds of R_SGD/R_Adam > 1 in S1 and S2
// only; the sphere, L = 2 and S3 are reported as measured, not judged (calibration: sphere
// 0.32-1.61, L=2 0.85-1.36, S3 0.74-16.9).
//
// Statistic: per configuration and iteration, the geometric mean over replicates (paired runs)
// of R_SGDM / R_Adam with a Student-t CI on the mean log; compare_above(1) for S1 and S2.
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "claims/ahn2023/phenomena_claims.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

namespace {
const char* const claim_id = "ahn2023.robust-condition-number";
}

claim robust_condition_number_gap() {
  claim c;
  c.info = {claim_id, paper_b, "Section 2.3, Fig. 2 (row 3, table), Fig. 7(c), Fig. 8(d); spec P14", "comparison", "exact",
            "At iterations 750 and 1250, the robust condition number max|diag H| / median|diag H| is larger along SGDM's "
            "trajectory than along Adam's (geometric mean over seeds of the ratio > 1) in Settings 1 and 2; the sphere, "
            "S3 and L = 2 are reported only."};
  c.params = smoothness_params("1", "1,2,3,4", "3", "2,4,6", "1250");
  for (auto& q : c.params)
    if (q.key == "hessian_prompts") q.help = "first prompts of the fixed test batch on which diag H is evaluated (code: 1000; quick: 100; each diagonal is 2 L d^2 Hessian-vector products)";
  c.params.push_back({"R_iterations", param_kind::integer_list, "300,500", "750,1250", 0, 1e6,
                      "iterations at which R is measured (multiples of 50, <= iterations; paper: 750, 1250; quick: 300, 500)"});
  c.estimate_bytes = smoothness_estimate_bytes;
  c.run = [](const run_context& ctx) {
    const auto su = smoothness_run_setup(ctx);
    const auto& cfg = su.cfg;
    const auto& specs = su.specs;
    const int seeds = su.seeds, iters = su.iterations, hp = su.hessian_prompts;
    const std::vector<int> at = ctx.params.int_list("R_iterations");
    for (int t : at)
      if (t % snapshot_every != 0 || t > iters)
        throw bad_input(fmt::format("{}: R_iterations value {} must be a multiple of {} and <= iterations ({})", claim_id, t,
                                    snapshot_every, iters));
    const bool paper_scale = su.paper_runs && at.size() >= 2 && at[0] == 750 && at[1] == 1250;
    const auto runs = get_runs(specs, ctx, claim_id);
    // R for every (run, iteration).
    const int na = static_cast<int>(at.size()), total = static_cast<int>(specs.size()) * na;
    std::vector<double> R(static_cast<std::size_t>(total), std::numeric_limits<double>::quiet_NaN());
    std::atomic<int> done{0};
    const int threads = threads_per_item(total, ctx.jobs);
    parallel_for(total, ctx.jobs, [&](int k) {
      const int i = k / na, a = k % na;
      const auto it = runs[i]->snapshots.find(at[a]);
      if (it != runs[i]->snapshots.end() && it->second.allFinite()) {
        const auto hb = head(*test_batch(specs[i].s, specs[i].test_prompts, specs[i].seed), hp);
        R[k] = robust_condition_number(icl::hessian_diagonal(specs[i].s.model(), it->second, hb, threads));
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: Hessian diagonals", claim_id), ++done, total);
    });
    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json table = nlohmann::json::array();
    double judged_low = HUGE_VAL;
    figure f;
    f.id = "R-ratio";
    f.title = fmt::format("R_SGDM / R_Adam (geometric mean over {} seeds, 95% CI) by configuration and iteration (Fig. 2 row 3 analogue)", seeds);
    f.xlabel = "iteration t";
    f.ylabel = "R_SGDM / R_Adam, R = max|diag H| / lower-median|diag H|";
    f.logy = true;
    for (std::size_t ci = 0; ci < cfg.size(); ++ci) {
      const auto& s = cfg[ci];
      const bool judged = s.L == 3 && s.law == icl::covariate_law::gaussian;  // S1 and S2
      std::vector<double> xs, ys, lo, hi;
      nlohmann::json row = {{"config", s.name}, {"L", s.L}, {"n", s.n}, {"judged", judged}};
      for (int a = 0; a < na; ++a) {
        std::vector<double> ra, rs;
        for (int r = 0; r < seeds; ++r) {
          ra.push_back(R[((ci * seeds + r) * 2 + 0) * na + a]);
          rs.push_back(R[((ci * seeds + r) * 2 + 1) * na + a]);
        }
        const interval q = paired_log_ratio(rs, ra);
        std::string tag = "reported";
        if (judged) {
          const verdict v = compare_above(q.low, q.high, 1.0, paper_scale);
          parts.push_back(v);
          tag = to_string(v);
          judged_low = std::min(judged_low, q.low);
        }
        lines.push_back(fmt::format("{} @{}: {:.2f} [{:.2f}, {:.2f}] ({})", s.name, at[a], q.estimate, q.low, q.high, tag));
        row[fmt::format("iteration_{}", at[a])] = {{"R_adam", ra}, {"R_sgdm", rs}, {"ratio_sgdm_over_adam", to_json(q)}, {"verdict", tag}};
        if (std::isfinite(q.estimate)) {
          xs.push_back(at[a]), ys.push_back(q.estimate);
          lo.push_back(std::isfinite(q.low) ? q.low : q.estimate), hi.push_back(std::isfinite(q.high) ? q.high : q.estimate);
        }
        if (std::isfinite(q.estimate))
          res.statistics.push_back({fmt::format("log10 R ratio {} @{}", s.name, at[a]), std::log10(q.estimate),
                                    band_of({0, std::log10(q.low), std::log10(q.high), 0}, 0.05)});
      }
      table.push_back(row);
      f.curves.push_back(points(fmt::format("{}{}", s.name, judged ? "" : " (not judged)"), xs, ys, lo, hi));
    }
    if (!at.empty()) f.curves.push_back(line("ratio 1", {static_cast<double>(at.front()), static_cast<double>(at.back())}, {1, 1}));
    f.notes = lines;
    res.figures.push_back(std::move(f));
    res.v = parts.empty() ? verdict::inconclusive : combine_verdicts(parts);
    res.bound_name = "R_SGDM/R_Adam must exceed";
    res.bound = 1;
    res.measured_name = "smallest lower 95% limit over the judged settings (S1, S2) and iterations";
    res.measured = judged_low;
    res.summary = fmt::format(
        "paper: R_SGD/R_Adam > 1 (table: S1 1.76/1.58, S2 3.14/5.98, S3 9.57/6.53 at 750/1250; spec P14 judges S1, S2 only). "
        "Measured geometric mean over {} seeds: {}. H on {} prompts{}",
        seeds, fmt::join(lines, "; "), hp, paper_scale ? "" : " (reduced scale: iterations/batch/prompts below the paper's)");
    res.details = {{"per_config", table}, {"paper_scale", paper_scale}, {"hessian_prompts", hp},
                   {"median_definition", "torch lower median of |diag H| over all 2 L d^2 parameters, including the d^2 structural "
                                         "zeros of the last layer's P block"},
                   {"paper_values", "[AHN-b] table (mean (std) over 6 seeds, 750/1250): S1 1.76 (0.40) / 1.58 (0.41); S2 3.14 (0.97) / "
                                    "5.98 (2.86); S3 9.57 (13.3) / 6.53 (3.55); repo notebook S1 2.57 / 1.30"}};
    res.bounds.push_back({"ratio threshold", 1});
    res.worst = {{"what", "smallest lower CI limit among judged settings"}, {"value", judged_low}, {"seed", ctx.seed}};
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
