// ahn2023.adam-vs-sgd — P10 (and the sanity check P17) of spec ahn2023-linear-attention.md:
// [AHN-b] Fig. 2 row 1 / section 3.2: on the 3-layer linear Transformer, "Adam > SGD" in all
// settings; spec P10 (calibrated in spec 5): Setting 1 (n = 20, Gaussian, lr 0.02 both, clip 1,
// B = 1000, 10 000 iterations, 6 seeds): median SGDM / median Adam test loss >= 3 at 2000 and
// 10 000 iterations (measured 10-17 and 6-7.5); iterations to reach test loss 1e-2: Adam <= 500,
// SGDM >= 3000; Setting 2 (n = 5, lr SGDM 0.01 / Adam 0.005): much smaller gap, only Adam <=
// SGDM; sphere (SGDM lr 5, Adam 0.1, clip 0.1): gap ~ 8 at 10k (asserted here: Adam better).
// P17: the loss at initialization is about tr Sigma (5 Gaussian, 1 sphere and S3).
//
// Statistic: per replicate r the SGDM and Adam runs share initialization and batches (paired);
// the ratio is the geometric mean over replicates of f_SGDM,r(t) / f_Adam,r(t) with a Student-t
// CI on the mean log ratio, f(t) = median of the test losses at the checkpoints in [0.9t, t]
// (one S2/S3 spike does not decide it, spec 5). Verdict per sub-claim by compare_above: holds
// when the CI lies above the threshold, violated when it lies below at the paper's scale.
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "claims/ahn2023/phenomena_claims.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

namespace {

const char* const claim_id = "ahn2023.adam-vs-sgd";

/// Sanity P17: the fixed test batch's mean loss at theta_0 with its standard error.
interval initial_loss(const setting& s, int test_prompts, std::uint64_t seed, int replicate) {
  const auto test = test_batch(s, test_prompts, seed);
  const auto yhat = icl::predict(s.model(), initial_theta(s, replicate, seed), *test);
  std::vector<double> e(static_cast<std::size_t>(test->B));
  for (int b = 0; b < test->B; ++b) e[b] = (yhat[b] - test->y_query[b]) * (yhat[b] - test->y_query[b]);
  const double m = stats::mean(e), se = stats::sample_sd(e) / std::sqrt(static_cast<double>(e.size()));
  return {m, m - 3 * se, m + 3 * se, test->B};
}

}  // namespace

claim adam_vs_sgd() {
  claim c;
  c.info = {claim_id, paper_b, "Section 3.2, Fig. 2 (row 1), Table 1; spec P10 and P17", "comparison", "exact",
            "Training the 3-layer linear Transformer online, Adam reaches a much lower test loss than SGD with momentum: "
            "in Setting 1 the median loss ratio SGDM/Adam is >= 3 at 2000 and 10000 iterations, Adam reaches 1e-2 within "
            "500 iterations and SGDM not before 3000; in Setting 2 Adam is no worse; on the sphere Adam is better. The "
            "loss at initialization is about tr Sigma."};
  using K = param_kind;
  c.params = {
      {"settings", K::integer_list, "1,4", "1,2,4", 1, 4,
       "data settings: 1 = S1 (n=20 Gaussian), 2 = S2 (n=5), 3 = S3 (gamma, reported only), 4 = sphere "
       "(quick: S1 and the sphere, for the 60 s budget)"},
      {"iterations", K::integer, "600", "10000", 50, 1e6, "online iterations (paper: 10000; quick: 600)"},
      {"early", K::integer, "300", "2000", 1, 1e6, "earlier checkpoint for the S1 ratio (paper: 2000; quick: 300)"},
      {"batch", K::integer, "250", "1000", 10, 1e6, "prompts per iteration B (paper: 1000; quick: 250)"},
      {"seeds", K::integer, "5", "6", 2, 1000, "replicates per setting (paper: 6; quick: 5)"},
      {"test_prompts", K::integer, "500", "1000", 50, 1e6, "fixed test batch (paper code: 1000, seed 99)"},
      {"eval_every", K::integer, "25", "50", 1, 1e6, "test-loss checkpoints every this many iterations (code: 50)"},
      {"ratio", K::real, "3", "3", 1, 1e6, "S1: asserted lower limit of the SGDM/Adam loss ratio (spec: 3)"},
      {"reach_level", K::real, "0.01", "0.01", 1e-12, 1e6, "S1 level for the iterations-to-reach check (spec: 1e-2)"},
      {"adam_reach_max", K::integer, "500", "500", 1, 1e6, "S1: Adam reaches reach_level within this many iterations"},
      {"sgd_reach_min", K::integer, "3000", "3000", 1, 1e6, "S1: SGDM does not reach it before this many"},
  };
  c.estimate_bytes = [](const param_values& p) {
    // snapshots (2 x 100 + iterations / 50) x 150 doubles per run, test batch, a batch of B
    const double runs = 2.0 * p.get("seeds") * static_cast<double>(p.list("settings").size());
    return runs * (200 + p.get("iterations") / 50) * 150 * 8 + 8.0 * 6 * 21 * (p.get("batch") + p.get("test_prompts")) * 4;
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const int iters = p.get_int("iterations"), early = p.get_int("early"), B = p.get_int("batch"), seeds = p.get_int("seeds");
    const int test_prompts = p.get_int("test_prompts"), eval_every = p.get_int("eval_every");
    const double ratio_min = p.get("ratio"), reach_level = p.get("reach_level");
    const int adam_reach_max = p.get_int("adam_reach_max"), sgd_reach_min = p.get_int("sgd_reach_min");
    if (early > iters) throw bad_input(fmt::format("{}: early ({}) exceeds iterations ({})", claim_id, early, iters));
    std::vector<int> codes = p.int_list("settings");
    std::vector<setting> sets;
    for (int code : codes) sets.push_back(setting_code(code));
    const bool paper_scale = B >= 1000 && iters >= 10000 && seeds >= 6 && test_prompts >= 1000 && early == 2000;

    std::vector<run_spec> specs;
    for (const auto& s : sets)
      for (int r = 0; r < seeds; ++r)
        for (auto opt : {icl::optimizer::adam, icl::optimizer::sgdm}) {
          run_spec rs;
          rs.s = s, rs.opt = opt, rs.batch = B, rs.iterations = iters, rs.test_prompts = test_prompts;
          rs.eval_every = eval_every, rs.replicate = r, rs.seed = ctx.seed;
          specs.push_back(rs);
        }
    const auto runs = get_runs(specs, ctx, claim_id);

    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json per_setting = nlohmann::json::array();
    int diverged = 0;
    for (std::size_t si = 0; si < sets.size(); ++si) {
      const auto& s = sets[si];
      std::vector<run_spec> sub_specs;
      std::vector<std::shared_ptr<const trajectory>> sub_runs;
      std::vector<double> adam_final, sgd_final, adam_early, sgd_early, adam_reach, sgd_reach;
      for (int r = 0; r < seeds; ++r)
        for (int o = 0; o < 2; ++o) {
          const std::size_t i = (si * seeds + r) * 2 + o;
          sub_specs.push_back(specs[i]);
          sub_runs.push_back(runs[i]);
          diverged += runs[i]->diverged;
          const int reach = runs[i]->first_reach(reach_level);
          const double reach_v = reach < 0 ? std::numeric_limits<double>::infinity() : reach;
          if (o == 0) adam_final.push_back(runs[i]->robust_test_at(iters)), adam_early.push_back(runs[i]->robust_test_at(early)),
              adam_reach.push_back(reach_v);
          else sgd_final.push_back(runs[i]->robust_test_at(iters)), sgd_early.push_back(runs[i]->robust_test_at(early)),
              sgd_reach.push_back(reach_v);
        }
      const interval rf = paired_log_ratio(sgd_final, adam_final), re = paired_log_ratio(sgd_early, adam_early);
      const double med_ratio_final = stats::median(sgd_final) / stats::median(adam_final);
      const double med_ratio_early = stats::median(sgd_early) / stats::median(adam_early);
      // P17 sanity (replicate 0's initialization; the same for both optimizers).
      const interval f0 = initial_loss(s, test_prompts, ctx.seed, 0);
      const double tr = s.trace_sigma();
      // The initial model's own output adds a little (init std 0.05): 5% of tr Sigma allowed.
      const bool sane = f0.low <= 1.05 * tr && f0.high >= 0.95 * tr;
      parts.push_back(sane ? verdict::holds : verdict::violated);
      nlohmann::json js = {{"setting", s.name},
                           {"n", s.n},
                           {"lr_sgdm", s.lr_sgdm},
                           {"lr_adam", s.lr_adam},
                           {"clip_sgdm", s.clip_sgdm},
                           {"clip_adam", s.clip_adam},
                           {"median_test_loss_final", {{"adam", stats::median(adam_final)}, {"sgdm", stats::median(sgd_final)}}},
                           {"median_test_loss_early", {{"adam", stats::median(adam_early)}, {"sgdm", stats::median(sgd_early)}}},
                           {"ratio_of_medians_final", med_ratio_final},
                           {"ratio_of_medians_early", med_ratio_early},
                           {"geometric_mean_ratio_final", to_json(rf)},
                           {"geometric_mean_ratio_early", to_json(re)},
                           {"p17_initial_test_loss", {{"mean", f0.estimate}, {"low_3se", f0.low}, {"high_3se", f0.high},
                                                      {"trace_sigma", tr}, {"about_trace_sigma", sane}}}};
      std::string judged;
      if (s.name == "S1") {
        const verdict v_final = compare_above(rf.low, rf.high, ratio_min, paper_scale);
        const verdict v_early = compare_above(re.low, re.high, ratio_min, paper_scale);
        // Iterations to reach the level: medians over replicates (never reached = +inf).
        const double ma = stats::median(adam_reach), ms = stats::median(sgd_reach);
        verdict v_reach;
        std::string reach_note;
        // A run shorter than sgd_reach_min cannot show SGDM's ">= sgd_reach_min" when SGDM never reaches
        // the level: that half is then reported as not decidable and only Adam's half is judged.
        const bool sgd_undecidable = !std::isfinite(ms) && iters < sgd_reach_min;
        if (ma > adam_reach_max)
          v_reach = paper_scale ? verdict::violated : verdict::inconclusive, reach_note = "Adam too slow";
        else if (ms < sgd_reach_min) v_reach = paper_scale ? verdict::violated : verdict::inconclusive, reach_note = "SGDM too fast";
        else v_reach = verdict::holds;
        if (sgd_undecidable)
          reach_note = fmt::format("SGDM did not reach the level within the run's {} iterations; '>= {}' is not decidable at this "
                                   "length (only Adam's half judged)", iters, sgd_reach_min);
        parts.push_back(v_final), parts.push_back(v_early), parts.push_back(v_reach);
        js["reach_iterations"] = {{"level", reach_level}, {"adam_median", std::isfinite(ma) ? nlohmann::json(ma) : nlohmann::json("never")},
                                  {"sgdm_median", std::isfinite(ms) ? nlohmann::json(ms) : nlohmann::json("never")},
                                  {"verdict", to_string(v_reach)}, {"note", reach_note}};
        js["verdict_ratio_final"] = to_string(v_final);
        js["verdict_ratio_early"] = to_string(v_early);
        judged = fmt::format("S1 ratio@{} {:.2f} [{:.2f}, {:.2f}] and @{} {:.2f} [{:.2f}, {:.2f}] (>= {}: {}, {}); reach {}: Adam {} (<= {}), SGDM {}{}: {}",
                             early, re.estimate, re.low, re.high, iters, rf.estimate, rf.low, rf.high, ratio_min, to_string(v_early),
                             to_string(v_final), reach_level, std::isfinite(ma) ? fmt::format("{:g}", ma) : "never", adam_reach_max,
                             std::isfinite(ms) ? fmt::format("{:g}", ms) : fmt::format("not within {}", iters),
                             sgd_undecidable ? fmt::format(" (>= {} not decidable at this length)", sgd_reach_min) : fmt::format(" (>= {})", sgd_reach_min),
                             to_string(v_reach));
        res.measured_name = fmt::format("S1 geometric-mean SGDM/Adam test-loss ratio at {} (lower 95% limit)", iters);
        res.measured = rf.low;
        res.bound_name = "asserted ratio (spec P10)";
        res.bound = ratio_min;
        res.worst = {{"what", "S1 replicate with the smallest SGDM/Adam ratio at the last iteration"}, {"seed", ctx.seed}};
        double worst = HUGE_VAL;
        for (int r = 0; r < seeds; ++r)
          if (sgd_final[r] / adam_final[r] < worst) worst = sgd_final[r] / adam_final[r], res.worst["replicate"] = r,
                                                    res.worst["value"] = worst;
      } else if (s.name == "S2" || s.name == "sphere") {
        const verdict v = compare_above(rf.low, rf.high, 1.0, paper_scale);
        parts.push_back(v);
        js["verdict_adam_better"] = to_string(v);
        judged = fmt::format("{} ratio@{} {:.2f} [{:.2f}, {:.2f}] (> 1: {})", s.name, iters, rf.estimate, rf.low, rf.high, to_string(v));
      } else {
        judged = fmt::format("{} ratio@{} {:.2f} [{:.2f}, {:.2f}] (reported, not judged)", s.name, iters, rf.estimate, rf.low, rf.high);
      }
      lines.push_back(judged + fmt::format("; P17 f(theta_0) = {:.3g} (tr Sigma {}){}", f0.estimate, tr, sane ? "" : " NOT about tr Sigma"));
      per_setting.push_back(js);
      res.figures.push_back(loss_curves_figure(
          fmt::format("loss-{}", s.name),
          fmt::format("{}: test loss, Adam (lr {}) vs SGDM (lr {}), L = {}, B = {} ({} seeds; Fig. 2 row 1 analogue)", s.name, s.lr_adam,
                      s.lr_sgdm, s.L, B, seeds),
          sub_specs, sub_runs));
      res.figures.back().notes = {lines.back()};
      if (std::isfinite(rf.estimate))
        res.statistics.push_back({fmt::format("{} log10 SGDM/Adam ratio at {}", s.name, iters), std::log10(rf.estimate),
                                band_of({std::log10(rf.estimate), std::log10(rf.low), std::log10(rf.high), rf.n}, 0.05)});
      res.statistics.push_back({fmt::format("{} P17 initial test loss", s.name), f0.estimate, (f0.high - f0.low) / 2});
    }
    res.v = combine_verdicts(parts);
    res.summary = fmt::format(
        "paper: Adam >> SGDM (spec P10: S1 ratio >= {} at 2000/10000, measured there 10-17 / 6-7.5; S2 ~1.1-1.4; sphere ~8). "
        "Measured: {}. {} seeds, B = {}, {} iterations{}{}",
        ratio_min, fmt::join(lines, "; "), seeds, B, iters, paper_scale ? "" : " (reduced scale: an opposite result is not judged a violation)",
        diverged ? fmt::format("; {} runs diverged", diverged) : "");
    res.details = {{"per_setting", per_setting},
                   {"paper_scale", paper_scale},
                   {"runs_diverged", diverged},
                   {"statistic", "geometric mean over replicates of f_SGDM(t)/f_Adam(t) (paired runs), Student-t CI on the mean log; "
                                 "f(t) = median test loss over the checkpoints in [0.9 t, t]"},
                   {"paper_values", "spec P10 / section 5 (calibration): S1 SGDM/Adam 10-17 at 2000, 6-7.5 at 10000; Adam reaches 1e-2 "
                                    "by ~250-500; S2 1.1-1.4; sphere ~8 at 10000; P17: f(theta_0) ~ tr Sigma"}};
    res.bounds.push_back({"asserted S1 ratio", ratio_min});
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
