// li2024.poor-generalization — spec li2024-signgd-two-layer-transformer.md 4.4 and 6.5 (paper:
// "at least constant generalization error", "constant test loss due to noise memorization").
// [reconstructed] bound (bounds/li2024/test_loss.hpp): at any t,
//   L_D(W^(t)) >= P_miss log(1 + exp(-2 (<v^(t), mu>)_+ - 2 sigma_p sqrt(s mean_U (v^(0)_k)^2))),
// P_miss = C(d-1-touched, s) / C(d-1, s) the exact probability that a fresh support misses the
// training supports, U the untouched coordinates (v stays at v^(0) there since sgn(0) = 0).
//
// Per seed: SignGD from W^(0) on disjoint training supports; T_eps = the first t with L_S <=
// epsilon; at T_eps the test loss on `test_points` fresh points (mean, Student-t 95% interval)
// against the bound with the measured <v^(T_eps), mu>. A seed violates the bound when the whole
// interval lies below it; the violation count is tested against the interval's one-sided 2.5% miss
// rate (judge_test_loss_bound). Two configurations: the setting (spec 5.3 by default, where
// n s^2 / (d-1) = 5: the union-bound factor 1 - n s^2/(d-1) is negative and P_miss ~ 0.005, so
// the bound is weak) and, unless regime_s = 0, the same setting with s = regime_s and
// sigma_p = regime_sigma_p, in the paper's regime n s^2 << d where P_miss ~ 1 and the bound is a
// constant fraction of log 2.
#include <atomic>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bounds/li2024/per_step_laws.hpp"
#include "bounds/li2024/test_loss.hpp"
#include "claims/li2024/generalization.hpp"
#include "claims/parallel.hpp"

namespace attnbound::claims::li2024 {

namespace {

const char* const claim_id = "li2024.poor-generalization";
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

struct config {
  std::string name, stream;
  setting s;
};

struct seed_run {
  generalization_seed g;
  std::vector<double> train_loss;          // by t
  std::vector<double> test_t, test_loss;   // every test_every steps and at the end
  std::vector<double> bound_t;             // the bound at test_t (measured <v^(t), mu>)
  double value_signal_law = 0;             // <v^(0), mu> + 2 eta T_eps ||mu||_1 (spec 4.1)
};

}  // namespace

claim poor_generalization() {
  claim c;
  c.info = {claim_id, paper, "Section 4 (poor generalization: at least constant test loss); spec 4.4, 6.5", "probabilistic",
            "reconstructed",
            "SignGD generalizes poorly: at T_eps, the first step with training loss L_S <= epsilon, the test loss is at least "
            "P_miss log(1 + exp(-2 (<v^(T_eps), mu>)_+ - 2 sigma_p sqrt(s mean_U (v^(0)_k)^2))), P_miss the probability that a "
            "fresh noise support misses every training support (>= 1 - n s^2/(d-1)), U the untouched coordinates: a constant "
            "fraction of log 2 while the signal term is small, although L_S <= epsilon."};
  using K = param_kind;
  c.params = setting_params("400", "600", "8", "20");
  c.params.push_back({"epsilon", K::real, "1e-3", "1e-3", 1e-12, 0.5, "training-loss level defining T_eps"});
  c.params.push_back({"test_every", K::integer, "5", "5", 1, 1e6, "test loss recorded every this many steps (figure)"});
  c.params.push_back({"regime_s", K::integer, "5", "5", 0, 1e6,
                      "second configuration's sparsity (n s^2 << d: the paper's regime); 0 = only the setting"});
  c.params.push_back({"regime_sigma_p", K::real, "4", "4", 1e-6, 1e6,
                      "second configuration's sigma_p (4: E||xi||_1 = 16 >> ||mu||_1 at s = 5)"});
  c.estimate_bytes = [](const param_values& p) {
    // One seed in flight (plus the copy of W at T_eps); the curves of every seed and configuration.
    const setting s = read_setting(p);
    return run_bytes(s, 0) + 8.0 * (2.0 * s.m_k + 2.0 * s.m_v) * s.law.d + 2 * 8.0 * s.seeds * (s.steps + 1) * 4;
  };
  c.run = [](const run_context& ctx) {
    namespace bl = bounds::li2024;
    const auto& p = ctx.params;
    const setting base = read_setting(p);
    const double eps = p.get("epsilon");
    const int test_every = p.get_int("test_every"), regime_s = p.get_int("regime_s");
    std::vector<config> cfgs{{"setting", claim_id, base}};
    if (regime_s > 0) {
      config r{"regime n s^2 << d", std::string(claim_id) + "/regime", base};
      r.s.law.s = regime_s;
      r.s.law.sigma_p = p.get("regime_sigma_p");
      if (regime_s > base.law.d - 1) throw bad_input(fmt::format("{}: regime_s ({}) exceeds d - 1", claim_id, regime_s));
      if (r.s.disjoint && static_cast<long>(base.n) * regime_s > base.law.d - 1)
        throw bad_input(fmt::format("{}: disjoint supports need n regime_s <= d - 1 (n = {}, regime_s = {}, d = {})", claim_id,
                                    base.n, regime_s, base.law.d));
      cfgs.push_back(r);
    }
    const int nc = static_cast<int>(cfgs.size()), seeds = base.seeds, total = nc * seeds;
    std::vector<seed_run> runs(static_cast<std::size_t>(total));
    std::atomic<int> done{0};
    parallel_for(total, ctx.jobs, [&](int k) {
      const config& cf = cfgs[static_cast<std::size_t>(k / seeds)];
      const setting& s = cf.s;
      const int r = k % seeds;
      seed_run& out = runs[static_cast<std::size_t>(k)];
      const replicate rep = draw_replicate(s, ctx.seed, cf.stream, r);
      const auto u = untouched_value_summary(rep.W0, s.law, rep.train);
      const double miss = bl::support_miss_probability<double>(s.law.d, s.law.s, u.touched);
      auto bound_at = [&](double vsig) { return bl::test_loss_lower_bound<double>(miss, vsig, s.law.sigma_p, s.law.s, u.mean_v0_sq); };
      generalization_seed& g = out.g;
      g.replicate = r, g.miss_probability = miss, g.mean_v0_sq = u.mean_v0_sq, g.touched = u.touched;
      g.union_factor = bl::support_miss_union_bound<double>(s.law.d, s.n, s.law.s);
      out.train_loss.assign(static_cast<std::size_t>(s.steps) + 1, nan_v);
      ml::attention_params W_eps;
      ml::train_options o;
      o.opt = ml::optimizer::signgd, o.eta = s.eta, o.steps = s.steps;
      ml::train(rep.W0, s.law, rep.train, o, [&](int t, const ml::attention_params& W, const ml::loss_and_gradient& lg) {
        out.train_loss[static_cast<std::size_t>(t)] = lg.loss;
        if (t % test_every == 0 || t == s.steps) {
          out.test_t.push_back(t);
          out.test_loss.push_back(evaluate_points(W, s.law, rep.test).mean);
          out.bound_t.push_back(bound_at(value_signal(W, s.law)));
        }
        if (g.T_eps < 0 && lg.loss <= eps) g.T_eps = t, g.train_loss = lg.loss, W_eps = W;
        return true;
      });
      if (g.T_eps >= 0) {
        const auto pl = evaluate_points(W_eps, s.law, rep.test);
        const auto ci = stats::t_interval(pl.loss);
        g.test_mean = ci.mean, g.test_low = ci.low, g.test_high = ci.high, g.accuracy = pl.accuracy;
        g.value_signal = value_signal(W_eps, s.law);
        g.bound = bound_at(g.value_signal);
        out.value_signal_law = value_signal(rep.W0, s.law) + g.T_eps * bl::value_signal_increment(s.eta, s.law.mu_norm);
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: {} seed {}", claim_id, cf.name, r), ++done, total);
    });

    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json per_config = nlohmann::json::array();
    const double log2 = bl::log2_reference<double>();
    std::vector<double> tight_all;
    double worst_ratio = -HUGE_VAL;
    int worst_k = -1;
    auto med = [](const std::vector<double>& v) { return v.empty() ? nan_v : stats::median(v); };
    for (int ci = 0; ci < nc; ++ci) {
      const config& cf = cfgs[static_cast<std::size_t>(ci)];
      const setting& s = cf.s;
      std::vector<generalization_seed> gs;
      std::vector<double> test_mean, bound, ratio_log2, acc, train_at, teps, miss, vsig;
      nlohmann::json table = nlohmann::json::array();
      for (int r = 0; r < seeds; ++r) {
        const int k = ci * seeds + r;
        const auto& g = runs[static_cast<std::size_t>(k)].g;
        gs.push_back(g);
        nlohmann::json row = {{"replicate", r}, {"T_eps", g.T_eps}, {"touched", g.touched},
                              {"miss_probability", g.miss_probability}, {"mean_v0_sq_untouched", g.mean_v0_sq}};
        miss.push_back(g.miss_probability);
        if (g.T_eps >= 0) {
          row["train_loss_at_T_eps"] = g.train_loss;
          row["test_loss"] = {{"mean", g.test_mean}, {"low", g.test_low}, {"high", g.test_high}};
          row["test_accuracy"] = g.accuracy;
          row["value_signal"] = g.value_signal;
          row["value_signal_law"] = runs[static_cast<std::size_t>(k)].value_signal_law;
          row["bound"] = g.bound;
          row["bound_over_test_loss"] = g.bound / g.test_mean;
          row["violated"] = g.test_high < g.bound;
          test_mean.push_back(g.test_mean), bound.push_back(g.bound), ratio_log2.push_back(g.test_mean / log2);
          acc.push_back(g.accuracy), train_at.push_back(g.train_loss), teps.push_back(g.T_eps), vsig.push_back(g.value_signal);
          const double ratio = g.bound / g.test_mean;
          tight_all.push_back(ratio);
          if (ratio > worst_ratio) worst_ratio = ratio, worst_k = k;
        }
        table.push_back(row);
      }
      const auto j = judge_test_loss_bound(gs);
      parts.push_back(j.v);
      const double union_factor = bl::support_miss_union_bound<double>(s.law.d, s.n, s.law.s);
      const std::string line_text = fmt::format(
          "{} (d {}, n {}, s {}, sigma_p {}): T_eps median {} ({} of {} seeds reach L_S <= {}); test loss median {:.4g} = {:.3f} log 2 "
          "(accuracy {:.3f}) vs bound median {:.4g} (P_miss median {:.4g}, union-bound factor 1 - n s^2/(d-1) = {:.4g}); train loss "
          "at T_eps median {:.3g}; {} violation(s){}: {}",
          cf.name, s.law.d, s.n, s.law.s, s.law.sigma_p, med(teps), j.judged, seeds, eps, med(test_mean), med(ratio_log2), med(acc),
          med(bound), med(miss), union_factor, med(train_at), j.violations.size(),
          j.violations.empty() ? "" : fmt::format(" on replicate(s) {}", fmt::join(j.violations, ",")), to_string(j.v));
      lines.push_back(line_text);
      per_config.push_back({{"configuration", cf.name},
                            {"setting", to_json(s)},
                            {"per_seed", table},
                            {"union_bound_factor", union_factor},
                            {"median_miss_probability", med(miss)},
                            {"median_test_loss", med(test_mean)},
                            {"median_test_loss_over_log2", med(ratio_log2)},
                            {"median_bound", med(bound)},
                            {"median_test_accuracy", med(acc)},
                            {"median_train_loss_at_T_eps", med(train_at)},
                            {"median_value_signal_at_T_eps", med(vsig)},
                            {"log2", log2},
                            {"violations", j.violations},
                            {"not_reached", j.not_reached},
                            {"binomial_test", {{"violations", j.test.violations}, {"trials", j.test.trials},
                                               {"nominal", 0.025}, {"p_value", j.test.p_value},
                                               {"upper_cp", j.test.upper_cp}, {"rate_exceeds", j.test.rate_exceeds}}},
                            {"verdict", to_string(j.v)}});

      // Figure: test loss over t with the bound (measured <v^(t), mu>), log 2 and L_S.
      figure f;
      f.id = ci == 0 ? "test-loss" : "test-loss-regime";
      f.title = fmt::format("SignGD test loss vs the spec 4.4 lower bound, {} (d {}, n {}, s {}, sigma_p {}; {} seeds)", cf.name, s.law.d,
                            s.n, s.law.s, s.law.sigma_p, seeds);
      f.xlabel = "step t";
      f.ylabel = "loss (median over seeds, 95% CI)";
      f.logy = true;
      const auto& t0 = runs[static_cast<std::size_t>(ci * seeds)].test_t;
      std::vector<std::vector<double>> yt(t0.size()), yb(t0.size()), ytr(t0.size());
      for (int r = 0; r < seeds; ++r) {
        const auto& run = runs[static_cast<std::size_t>(ci * seeds + r)];
        for (std::size_t q = 0; q < t0.size() && q < run.test_t.size(); ++q) {
          yt[q].push_back(run.test_loss[q]);
          yb[q].push_back(run.bound_t[q]);
          ytr[q].push_back(run.train_loss[static_cast<std::size_t>(run.test_t[q])]);
        }
      }
      f.curves.push_back(median_points("test loss L_D", t0, yt));
      std::vector<double> bmed, l2;
      for (auto& v : yb) bmed.push_back(stats::median(v)), l2.push_back(log2);
      f.curves.push_back(line("lower bound (median over seeds)", t0, bmed));
      f.curves.push_back(line("log 2", t0, l2));
      f.curves.push_back(median_points("training loss L_S", t0, ytr));
      f.notes.push_back(line_text);
      res.figures.push_back(f);

      res.bounds.push_back({fmt::format("{}: union-bound factor 1 - n s^2/(d-1)", cf.name), union_factor});
      if (!gs.empty()) res.bounds.push_back({fmt::format("{}: exact miss probability (replicate 0)", cf.name), gs[0].miss_probability});
      if (!gs.empty() && gs[0].T_eps >= 0) res.bounds.push_back({fmt::format("{}: lower bound at T_eps (replicate 0)", cf.name), gs[0].bound});
      if (!ratio_log2.empty()) {
        const auto mi = stats::median_interval(ratio_log2);
        res.statistics.push_back({fmt::format("{}: median test loss / log 2 at T_eps", cf.name), mi.mean, std::max(0.01, (mi.high - mi.low) / 2)});
        const auto ai = stats::median_interval(acc);
        res.statistics.push_back({fmt::format("{}: median test accuracy at T_eps", cf.name), ai.mean, std::max(0.01, (ai.high - ai.low) / 2)});
        res.statistics.push_back({fmt::format("{}: violations of the bound", cf.name), static_cast<double>(j.violations.size()), 0.5});
      }
    }
    res.v = combine_verdicts(parts);
    res.bounds.push_back({"log 2", log2});
    if (worst_k >= 0) {
      const auto& g = runs[static_cast<std::size_t>(worst_k)].g;
      const config& cf = cfgs[static_cast<std::size_t>(worst_k / seeds)];
      res.bound_name = fmt::format("test-loss lower bound at T_eps (spec 4.4; seed nearest to it, {})", cf.name);
      res.bound = g.bound;
      res.measured_name = "mean test loss at T_eps (upper end of its 95% interval in worst)";
      res.measured = g.test_mean;
      res.tightness_median = stats::median(tight_all);
      res.tightness_worst = worst_ratio;
      res.worst = {{"what", "seed with the largest bound / test loss"}, {"seed", ctx.seed}, {"replicate", g.replicate},
                   {"configuration", cf.name}, {"setting", to_json(cf.s)}, {"epsilon", eps}, {"T_eps", g.T_eps},
                   {"test_loss_high", g.test_high}, {"bound", g.bound}};
    }
    res.summary = fmt::format("{}. Verdict: violated only when the test-loss interval lies below the bound on more seeds than its "
                              "2.5% miss rate allows.", fmt::join(lines, "; "));
    res.details = {{"per_configuration", per_config},
                   {"epsilon", eps},
                   {"rule", "per seed: Student-t 95% interval of the mean test loss over test_points at T_eps; violation when its "
                            "upper end < bound; one-sided binomial test of the violation count against 2.5% at 95%"}};
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::li2024
