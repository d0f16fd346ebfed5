// arda2026.ar-lag — Figure 2 of Arda et al. 2026 (section 6.2, spec 5.2): on AR(L) forecasting
// with L in {4, 16, 72, 96}, "the IndRNN wins at small L and degrades as L grows, while the
// Transformer's loss does not degrade with L (at the cost of O(L) memory)". Both models (m
// neurons/heads, tanh, symmetric init, IndRNN |u_i| = 1.5) see the same windows of T = L + 1
// tokens and are trained by plain full-batch GD with either hyperparameter set of spec 5.4
// (paper text: 2000 steps, eta = 1/sqrt(2000); authors' code: 5000 steps, lr 0.05). Measured:
// the minimum validation MSE over training (lower panel) and the maximum loss-gradient norm
// w.r.t. u / W (upper panel). The verdict compares means over seeds with t-intervals (the
// paper plots mean +- 1.96 sd/sqrt(n)); "violated" means the measured direction disagrees
// with the paper's at 95% confidence at the paper's scale (m >= 64, n >= 5000, hparams 1 or
// 2); at a reduced scale the same disagreement is reported in the summary and details, and
// the verdict is inconclusive.
#include <atomic>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "claims/arda2026/claims.hpp"
#include "claims/arda2026/recurrent_training.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::arda2026 {

namespace {

const char* const claim_id = "arda2026.ar-lag";

struct lag_out {
  recurrent_run run;
  double noise_floor = 0;  // mean eps^2 / var(y) over the windows: the true AR predictor's MSE
};

}  // namespace

claim ar_lag() {
  claim c;
  c.info = {claim_id, paper, "Section 6.2, Figure 2 (AR(L) forecasting, IndRNN vs Transformer)", "comparison", "exact",
            "Minimum validation MSE vs the lag L: the IndRNN is better at small L and degrades as L grows; the "
            "Transformer (T = L + 1) does not degrade with L."};
  using K = param_kind;
  c.params = {
      {"Ls", K::integer_list, "4,16,72,96", "4,16,72,96", 1, 100000, "AR lags (>= 2 distinct; T = L + 1)", 2},
      {"m", K::even_integer, "16", "64", 2, 4096, "width of both models (paper: 64)"},
      {"n", K::integer, "400", "5000", 10, 1e6, "windows, split train/validation (paper: 5000)"},
      {"val_frac", K::real, "0.2", "0.2", 0.01, 0.9, "validation fraction (paper: 0.2)"},
      {"hparams", K::integer, "0", "1", 0, 2,
       "1: paper text (tau = 2000, eta = 1/sqrt(2000)); 2: authors' code (tau = 5000, eta = 0.05); 0: tau and eta below"},
      {"tau", K::integer, "500", "2000", 1, 1e6, "GD steps when hparams = 0"},
      {"eta", K::real, "0.05", "0.022360679774997897", 1e-12, 100, "step size when hparams = 0"},
      {"eval_every", K::integer, "5", "1", 1, 1e6, "validation MSE every this many steps (and at the last)"},
      {"seeds", K::integer, "6", "20", 2, 10000, "replicates (series, split, initializations) per L (paper: 20)"},
      {"u", K::real, "1.5", "1.5", 0, 100, "IndRNN |u_i| at initialization (paper: 1.5)"},
      {"normalize_tokens", K::integer, "0", "0", 0, 1, "1: tokens divided by max(1, norm) (the paper's AR run: 0)"},
      {"margin", K::real, "0.05", "0.05", 0, 10, "MSE increase (standardized units) that still counts as 'does not degrade'"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double T = p.max("Ls") + 1, n = p.get("n"), m = p.get("m"), d = 17;
    return recurrent_problem_bytes(d, T, n, m, 3);
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const std::vector<int> Ls = p.int_list("Ls");
    const int m = p.get_int("m"), n = p.get_int("n"), seeds = p.get_int("seeds"), hp = p.get_int("hparams");
    const double val_frac = p.get("val_frac"), u_abs = p.get("u"), margin = p.get("margin");
    gd_setup setup;
    setup.gd.tau = hp == 1 ? 2000 : hp == 2 ? 5000 : p.get_int("tau");
    setup.gd.eta = hp == 1 ? 1.0 / std::sqrt(2000.0) : hp == 2 ? 0.05 : p.get("eta");
    setup.eval_every = p.get_int("eval_every");
    if (static_cast<int>(val_frac * n) < 1)
      throw bad_input(fmt::format("{}: val_frac * n < 1 leaves no validation windows", claim_id));
    const int nL = static_cast<int>(Ls.size()), total = 2 * nL * seeds;
    std::vector<lag_out> out(total);
    std::atomic<int> done{0};
    parallel_for(total, ctx.jobs, [&](int k) {
      const int which = k % 2, r = (k / 2) % seeds, l = k / (2 * seeds);
      model::ar_options ao;
      ao.L = Ls[l];
      ao.normalize_tokens = p.get_int("normalize_tokens") == 1;
      const int T = ao.L + 1, first = ao.burn_in + T;  // the authors' windows: start burn_in + j
      const auto series = ar_series_for(ao, first + n, ctx.seed, claim_id, static_cast<std::uint64_t>(r));
      const auto all = model::ar_windows(ao, series, T, n, first);
      auto split_rng = model::make_rng(ctx.seed, std::string(claim_id) + "/split", {static_cast<std::uint64_t>(ao.L), static_cast<std::uint64_t>(r)});
      const auto split = model::split_windows(all, val_frac, split_rng);
      const std::uint64_t key[] = {static_cast<std::uint64_t>(ao.L), static_cast<std::uint64_t>(m), static_cast<std::uint64_t>(r)};
      if (which == 0) {
        auto rng = model::make_rng(ctx.seed, std::string(claim_id) + "/indrnn-init", {key[0], key[1], key[2]});
        out[k].run = train_indrnn(model::indrnn_symmetric_init(ao.d(), m, u_abs, rng), split.train, &split.val, setup);
      } else {
        auto rng = model::make_rng(ctx.seed, std::string(claim_id) + "/transformer-init", {key[0], key[1], key[2]});
        out[k].run = train_transformer(model::symmetric_init(ao.d(), m, rng), split.train, &split.val, setup);
      }
      // The true predictor alpha x_{t-L} leaves eps_t: its MSE in the labels' standardized units.
      double e2 = 0, mu = 0, var = 0;
      for (int j = 0; j < n; ++j) {
        const double e = series[first + j] - ao.alpha * series[first + j - ao.L];
        e2 += e * e;
        mu += series[first + j];
      }
      mu /= n;
      for (int j = 0; j < n; ++j) var += (series[first + j] - mu) * (series[first + j] - mu);
      out[k].noise_floor = (e2 / n) / (var / n);
      if (ctx.progress) ctx.progress(fmt::format("{} L={} seed {}", which == 0 ? "IndRNN" : "Transformer", Ls[l], r), ++done, total);
    });

    // ---- collect: per L, per model
    std::vector<std::vector<double>> val_rnn(nL), val_tf(nL), grad_rnn(nL), grad_tf(nL), floor_v(nL);
    int diverged = 0;
    for (int l = 0; l < nL; ++l)
      for (int r = 0; r < seeds; ++r) {
        const auto& a = out[(l * seeds + r) * 2];
        const auto& b = out[(l * seeds + r) * 2 + 1];
        val_rnn[l].push_back(a.run.min_val), grad_rnn[l].push_back(a.run.max_grad_rec);
        val_tf[l].push_back(b.run.min_val), grad_tf[l].push_back(b.run.max_grad_rec);
        floor_v[l].push_back(a.noise_floor);
        diverged += a.run.diverged + b.run.diverged;
      }
    auto diff = [](const std::vector<double>& a, const std::vector<double>& b) {
      std::vector<double> d(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
      return d;
    };
    // Smallest and largest lag.
    const int lo = static_cast<int>(std::min_element(Ls.begin(), Ls.end()) - Ls.begin());
    const int hi = static_cast<int>(std::max_element(Ls.begin(), Ls.end()) - Ls.begin());
    // Same series, split and seed for both models at one L: a paired difference. Across L the
    // replicates are independent, so index-wise differences are i.i.d. with the difference of
    // the means: the t-interval stays valid.
    const auto rnn_minus_tf_small = stats::t_interval(diff(val_rnn[lo], val_tf[lo]));
    const auto rnn_minus_tf_large = stats::t_interval(diff(val_rnn[hi], val_tf[hi]));
    const auto rnn_growth = stats::t_interval(diff(val_rnn[hi], val_rnn[lo]));
    const auto tf_growth = stats::t_interval(diff(val_tf[hi], val_tf[lo]));

    const bool rnn_wins_small = rnn_minus_tf_small.high < 0, rnn_loses_small = rnn_minus_tf_small.low > 0;
    const bool rnn_degrades = rnn_growth.low > 0, rnn_improves = rnn_growth.high < 0;
    const bool tf_stable = tf_growth.high <= margin, tf_degrades = tf_growth.low > margin;
    // Figure 2 is an observation about the paper's protocol (spec 5.2/5.4: m = 64, n = 5000, and
    // 2000 steps at 1/sqrt(2000) or 5000 at 0.05). A reduced run (the quick profile: fewer
    // windows, steps, neurons) can reproduce its direction, but an opposite direction there is
    // a finding about the reduced run (undertrained models), not evidence against the paper:
    // it is reported as such and the verdict stays inconclusive.
    const bool paper_scale = hp != 0 && m >= 64 && n >= 5000;
    const bool opposite = rnn_loses_small || rnn_improves || tf_degrades;
    claim_result res;
    if (opposite) res.v = paper_scale ? verdict::violated : verdict::inconclusive;
    else if (rnn_wins_small && rnn_degrades && tf_stable) res.v = verdict::holds;
    else res.v = verdict::inconclusive;
    const bool reproduced = res.v == verdict::holds;
    std::vector<std::string> against;
    if (rnn_loses_small) against.push_back("the Transformer is better at the smallest L");
    if (rnn_improves) against.push_back("the IndRNN improves with L");
    if (tf_degrades) against.push_back("the Transformer degrades by more than the margin");

    res.bound_name = fmt::format("Transformer MSE increase L={} -> L={} allowed (margin)", Ls[lo], Ls[hi]);
    res.bound = margin;
    res.measured_name = "upper 95% limit of the Transformer's mean MSE increase";
    res.measured = tf_growth.high;
    const std::string direction =
        reproduced ? "reproduced"
        : opposite ? fmt::format("NOT reproduced at 95% ({}){}", fmt::join(against, "; "),
                                 paper_scale ? "" : " at this reduced scale (not the paper's m = 64, n = 5000, "
                                                    "hparams 1/2): a finding about the reduced run, not judged as a violation")
                   : "not established";
    res.summary = fmt::format(
        "Figure 2 direction {}: L={}: IndRNN - Transformer min val MSE {:+.3f} [{:+.3f}, {:+.3f}]; L={}: {:+.3f} [{:+.3f}, {:+.3f}]; "
        "IndRNN change L={}->{} {:+.3f} [{:+.3f}, {:+.3f}]; Transformer change {:+.3f} [{:+.3f}, {:+.3f}] (margin {}); "
        "tau={}, eta={:.4g}, m={}, {} seeds",
        direction, Ls[lo], rnn_minus_tf_small.mean, rnn_minus_tf_small.low, rnn_minus_tf_small.high, Ls[hi], rnn_minus_tf_large.mean,
        rnn_minus_tf_large.low, rnn_minus_tf_large.high, Ls[lo], Ls[hi], rnn_growth.mean, rnn_growth.low, rnn_growth.high,
        tf_growth.mean, tf_growth.low, tf_growth.high, margin, setup.gd.tau, setup.gd.eta, m, seeds);

    // worst: the run with the largest Transformer validation MSE at the largest lag
    {
      int worst_r = 0;
      for (int r = 1; r < seeds; ++r)
        if (val_tf[hi][r] > val_tf[hi][worst_r]) worst_r = r;
      res.worst = worst_config("Transformer min validation MSE", val_tf[hi][worst_r], ctx.seed,
                               {{"model", "Transformer"}, {"L", Ls[hi]}, {"replicate", worst_r}, {"m", m}, {"n", n},
                                {"tau", setup.gd.tau}, {"eta", setup.gd.eta}});
    }
    nlohmann::json table = nlohmann::json::array();
    for (int l = 0; l < nL; ++l) {
      const auto a = stats::t_interval(val_rnn[l]), b = stats::t_interval(val_tf[l]);
      table.push_back({{"L", Ls[l]}, {"T", Ls[l] + 1},
                       {"indrnn_min_val_mse", {{"mean", a.mean}, {"ci", {a.low, a.high}}, {"median", stats::median(val_rnn[l])}}},
                       {"transformer_min_val_mse", {{"mean", b.mean}, {"ci", {b.low, b.high}}, {"median", stats::median(val_tf[l])}}},
                       {"indrnn_median_max_grad_u", stats::median(grad_rnn[l])},
                       {"transformer_median_max_grad_W", stats::median(grad_tf[l])},
                       {"noise_floor_median", stats::median(floor_v[l])}});
    }
    auto ci_json = [](const stats::mean_ci& c) { return nlohmann::json{{"mean", c.mean}, {"low", c.low}, {"high", c.high}}; };
    res.details = {{"per_L", table},
                   {"hyperparameters", {{"set", hp == 1 ? "paper text" : hp == 2 ? "authors' code" : "custom"},
                                        {"tau", setup.gd.tau}, {"eta", setup.gd.eta}, {"eval_every", setup.eval_every}}},
                   {"indrnn_minus_transformer_at_smallest_L", ci_json(rnn_minus_tf_small)},
                   {"indrnn_minus_transformer_at_largest_L", ci_json(rnn_minus_tf_large)},
                   {"indrnn_change_smallest_to_largest_L", ci_json(rnn_growth)},
                   {"transformer_change_smallest_to_largest_L", ci_json(tf_growth)},
                   {"figure2_direction_reproduced", reproduced},
                   {"direction_opposite_at_95", opposite},
                   {"opposite_because", against},
                   {"paper_scale", paper_scale},
                   {"runs_diverged", diverged}};

    const std::vector<double> xs(Ls.begin(), Ls.end());
    {
      figure f;
      f.id = "min-val-mse-vs-L";
      f.title = fmt::format("Minimum validation MSE vs lag L (m = {}, n = {}, tau = {}, eta = {:.4g})", m, n, setup.gd.tau, setup.gd.eta);
      f.xlabel = "AR lag L (steps; Transformer T = L + 1 tokens)";
      f.ylabel = "min_s validation MSE (standardized labels, unitless)";
      f.logy = true;
      f.curves.push_back(median_points(fmt::format("IndRNN |u|={} (median, 95% CI, {} seeds)", u_abs, seeds), xs, val_rnn));
      f.curves.push_back(median_points("Transformer", xs, val_tf));
      std::vector<double> fl;
      for (int l = 0; l < nL; ++l) fl.push_back(stats::median(floor_v[l]));
      f.curves.push_back(line("true AR predictor (noise floor, median)", xs, fl));
      f.notes = {fmt::format("IndRNN - Transformer (paired mean): L={} {:+.3f} [{:+.3f}, {:+.3f}], L={} {:+.3f} [{:+.3f}, {:+.3f}]",
                             Ls[lo], rnn_minus_tf_small.mean, rnn_minus_tf_small.low, rnn_minus_tf_small.high, Ls[hi],
                             rnn_minus_tf_large.mean, rnn_minus_tf_large.low, rnn_minus_tf_large.high),
                 fmt::format("paper's Figure 2 direction (IndRNN better at small L, degrades; Transformer flat): {}",
                             reproduced ? "reproduced" : opposite ? "opposite at 95%" : "not established")};
      res.figures.push_back(std::move(f));
    }
    {
      figure g;
      g.id = "grad-vs-L";
      g.title = "Maximum loss-gradient norm during training vs lag L (Figure 2, upper panel)";
      g.xlabel = "AR lag L (steps)";
      g.ylabel = "max_s ||grad L(phi_s)|| w.r.t. u (IndRNN) or W (Transformer) (unitless)";
      g.logy = true;
      g.curves.push_back(median_points(fmt::format("IndRNN |u|={}", u_abs), xs, grad_rnn));
      g.curves.push_back(median_points("Transformer", xs, grad_tf));
      res.figures.push_back(std::move(g));
    }
    auto half = [](const stats::mean_ci& c) { return std::max(0.005, (c.high - c.low) / 2); };
    for (int l = 0; l < nL; ++l) {
      const auto a = stats::t_interval(val_rnn[l]), b = stats::t_interval(val_tf[l]);
      res.statistics.push_back({fmt::format("IndRNN mean min val MSE (L={})", Ls[l]), a.mean, half(a)});
      res.statistics.push_back({fmt::format("Transformer mean min val MSE (L={})", Ls[l]), b.mean, half(b)});
    }
    res.statistics.push_back({"IndRNN - Transformer at smallest L", rnn_minus_tf_small.mean, half(rnn_minus_tf_small)});
    res.statistics.push_back({"Transformer change smallest -> largest L", tf_growth.mean, half(tf_growth)});
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::arda2026
