#include "claims/arda2026/training.hpp"

#include "bounds/arda2026/lemma5_approximation.hpp"

namespace attnbound::claims::arda2026 {

training_run train_with_events(const teacher_problem& prob, const bound_setup& s, int batch,
                               int eval_every, std::uint64_t seed, std::uint64_t init_key,
                               bool record_losses, int threads) {
  namespace ab = bounds::arda2026;
  const int d = prob.data.d, m = static_cast<int>(s.m);
  auto rng = model::make_rng(seed, "arda2026.training.init", {static_cast<std::uint64_t>(m), init_key});
  const auto phi0 = model::symmetric_init(d, m, rng);
  training_run run;
  run.event_U = max_U0_norm(phi0) <= certify(s, [](const auto& c) { return ab::B_U0(c); }).check;
  {
    model::transformer_workspace ws;
    ws.threads = threads;
    Eigen::VectorXd f_lin;
    model::forward_linearized(phi0, model::transport(phi0, prob.teacher), prob.data, f_lin, ws);
    run.eps_app = (f_lin - prob.data.y).cwiseAbs().maxCoeff();
    run.event_app = run.eps_app <= certify(s, [](const auto& c) { return ab::B_app_safe(c) + ab::eps_pool(c); }).check;
  }
  model::projgd_options opt;
  opt.tau = static_cast<int>(s.tau);
  opt.eta = s.eta_factor / std::sqrt(static_cast<double>(s.tau));
  opt.rho = {s.rho, s.rho, s.rho};
  opt.batch = batch;
  opt.seed = model::stream_seed(seed, "arda2026.training.sgd", {static_cast<std::uint64_t>(m), init_key});
  opt.eval_every = eval_every;
  opt.record_losses = record_losses;
  opt.threads = threads;
  model::transformer_workspace ws;
  run.result = model::train(phi0, prob.data, opt, ws);
  return run;
}

}  // namespace attnbound::claims::arda2026

#include <fmt/format.h>

#include "bounds/arda2026/theorem1_projgd.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::arda2026 {

std::vector<param_spec> optimization_params(int batch) {
  using K = param_kind;
  return {
      {"d", K::integer, "8", "8", 1, 256, "token dimension"},
      {"T", K::integer, "16", "16", 1, 1 << 20, "tokens per sequence"},
      {"n", K::integer, "300", "4000", 1, 1e7, "training samples"},
      {"widths", K::even_integer_list, "8,16,32,64,128", "8,16,32,64,128,256", 2, 1 << 20, "even widths m (>= 3 distinct)", 3},
      {"tau", K::integer, batch ? "4000" : "1000", "4000", 1, 1e8, "steps"},
      {"seeds", K::integer, batch ? "8" : "6", "10", 1, 100000, "initializations (and data draws) per width"},
      {"eval_every", K::integer, batch ? "20" : "1", batch ? "20" : "1", 1, 1e8,
       "full-loss evaluation period (ProjSGD; a sub-sampled minimum is >= the true one)"},
      {"pool", K::integer, "2048", "8192", 1, 1e7, "teacher pool size"},
      {"eta_factor", K::real, "1", "1", 1e-9, 1e6, "eta = eta_factor/sqrt(tau): paper 1, authors' code 1.75"},
      {"rho", K::real, "3", "3", 1e-9, 1e6, "rho = nu-bar componentwise"},
      {"delta", K::probability, "0.05", "0.05", 0, 1, "Lemma 5"},
      {"delta_prime", K::probability, "0.05", "0.05", 0, 1, "Definition 1"},
      {"delta_pool", K::probability, "0.001", "0.001", 0, 1, "pool error probability"},
  };
}

claim_result run_optimization_claim(const run_context& ctx, int batch) {
  namespace ab = bounds::arda2026;
  const auto& p = ctx.params;
  const int d = p.get_int("d"), T = p.get_int("T"), n = p.get_int("n"), tau = p.get_int("tau"),
            seeds = p.get_int("seeds"), eval_every = p.get_int("eval_every"), pool = p.get_int("pool");
  const std::vector<int> widths = p.int_list("widths");
  const std::string tag = batch ? "arda2026.prop1" : "arda2026.theorem1";

  // One teacher problem per seed, shared across widths (the width sweep compares like with like).
  std::vector<teacher_problem> problems(seeds);
  parallel_for(seeds, ctx.jobs, [&](int k) {
    teacher_options to;
    to.d = d, to.T = T, to.n = n, to.pool = pool, to.nu = p.get("rho");
    to.threads = threads_per_item(seeds, ctx.jobs);
    problems[k] = make_teacher_problem(to, ctx.seed, 5000 + k);
  });
  const int total = static_cast<int>(widths.size()) * seeds;
  std::vector<training_run> runs(total);
  std::atomic<int> done{0};
  auto setup_for = [&](int m) {
    bound_setup s;
    s.d = d, s.m = m, s.n = n, s.tau = tau, s.delta = p.get("delta"), s.delta_prime = p.get("delta_prime");
    s.rho = s.nu = p.get("rho"), s.eta_factor = p.get("eta_factor"), s.pool = pool, s.delta_pool = p.get("delta_pool");
    return s;
  };
  // Widest runs first (cost ~ m per step: T, n and tau are shared); each run's streams are keyed
  // by (m, replicate), so the start order changes no result.
  const int threads = threads_per_item(total, ctx.jobs);
  parallel_for_longest_first(total, ctx.jobs, [&](int k) { return widths[k / seeds]; }, [&](int k) {
    const int w = k / seeds, r = k % seeds;
    runs[k] = train_with_events(problems[r], setup_for(widths[w]), batch, eval_every, ctx.seed, r, false, threads);
    if (ctx.progress) ctx.progress(fmt::format("m={} seed {}", widths[w], r), ++done, total);
  });

  claim_result res;
  res.bound_name = batch ? "rhs_best (Prop. 1, on E[min L])" : "rhs_best (Thm 1, min iterate)";
  res.measured_name = batch ? "mean over seeds of min_s L(phi_s)" : "min_s L(phi_s)";
  nlohmann::json table = nlohmann::json::array();
  std::vector<std::vector<double>> min_losses(widths.size());
  std::vector<double> ratios;
  std::vector<double> best_curve, avg_curve, trivial_curve;
  int violations = 0, judged = 0, outside = 0;
  bool all_vacuous = true;
  double worst_ratio = -1;
  for (std::size_t w = 0; w < widths.size(); ++w) {
    const bound_setup s = setup_for(widths[w]);
    const certified best = certify(s, [](const auto& c) { return ab::rhs_best(c); });
    const certified avg = certify(s, [](const auto& c) { return ab::rhs_avg(c); });
    const certified trivial = certify(s, [](const auto& c) { return ab::trivial_loss_bound(c); });
    const bool vacuous = best.check >= trivial.report;
    all_vacuous = all_vacuous && vacuous;
    best_curve.push_back(best.report), avg_curve.push_back(avg.report), trivial_curve.push_back(trivial.report);
    res.bounds.push_back({fmt::format("rhs_best(m={})", widths[w]), best.report});
    res.bounds.push_back({fmt::format("rhs_avg(m={})", widths[w]), avg.report});
    std::vector<double> mins, avgs;
    for (int r = 0; r < seeds; ++r) {
      const auto& run = runs[w * seeds + r];
      min_losses[w].push_back(run.result.min_loss);
      if (!(run.event_U && run.event_app)) { ++outside; continue; }
      mins.push_back(run.result.min_loss);
      avgs.push_back(run.result.average_iterate_loss);
      const double ratio = run.result.min_loss / best.report;
      ratios.push_back(ratio);
      if (!batch && ratio > worst_ratio) {  // ProjSGD's headline is the mean over seeds (below)
        worst_ratio = ratio;
        res.measured = run.result.min_loss;
        res.bound = best.report;
        res.worst = worst_config("min_s L(phi_s)", run.result.min_loss, ctx.seed,
                                 {{"m", widths[w]}, {"replicate", r}, {"d", d}, {"T", T}, {"n", n}, {"tau", tau},
                                  {"eta_factor", s.eta_factor}, {"batch", batch}});
      }
      if (!batch) {
        ++judged;
        violations += run.result.min_loss > best.check;
        violations += run.result.average_iterate_loss > avg.check;
      }
    }
    nlohmann::json row = {{"m", widths[w]}, {"rhs_best", best.report}, {"rhs_avg", avg.report},
                          {"trivial_bound", trivial.report}, {"vacuous", vacuous},
                          {"median_min_loss", stats::median(min_losses[w])},
                          {"runs_on_events", static_cast<int>(mins.size())}};
    if (!mins.empty()) row["median_avg_iterate_loss"] = stats::median(avgs);
    if (batch && mins.size() >= 2) {
      // Prop. 1 bounds a conditional expectation: judge the mean over seeds by its t-interval.
      const auto ci_min = stats::t_interval(mins), ci_avg = stats::t_interval(avgs);
      ++judged;
      violations += ci_min.low > best.check;
      violations += ci_avg.low > avg.check;
      row["mean_min_loss"] = {{"mean", ci_min.mean}, {"low", ci_min.low}, {"high", ci_min.high}};
      row["mean_avg_iterate_loss"] = {{"mean", ci_avg.mean}, {"low", ci_avg.low}, {"high", ci_avg.high}};
      if (ci_min.mean / best.report > worst_ratio) {
        worst_ratio = ci_min.mean / best.report;
        res.measured = ci_min.mean;
        res.bound = best.report;
        res.worst = worst_config("mean over seeds of min_s L(phi_s)", ci_min.mean, ctx.seed,
                                 {{"m", widths[w]}, {"seeds", seeds}, {"d", d}, {"T", T}, {"n", n}, {"tau", tau},
                                  {"eta_factor", s.eta_factor}, {"batch", batch}, {"eval_every", eval_every}});
      }
    }
    table.push_back(row);
  }
  std::vector<double> xs(widths.begin(), widths.end());
  // Seed r's teacher problem is shared by every width: a paired bootstrap.
  const auto fit = stats::loglog_median_slope_bootstrap(xs, min_losses, 2000, model::stream_seed(ctx.seed, tag + ".bootstrap"), 0.95, true, true);
  const bool slower = fit.ci_low > -0.5;
  {
    figure f;
    f.id = "min-loss-vs-m";
    f.title = fmt::format("{}: minimum training loss vs width (tau = {}, n = {})",
                          batch ? "ProjSGD (Prop. 1)" : "ProjGD (Theorem 1)", tau, n);
    f.xlabel = "width m (heads)";
    f.ylabel = "min_s L(phi_s) (squared loss, unitless)";
    f.logx = f.logy = true;
    f.curves.push_back(median_points(fmt::format("median over {} seeds (95% CI)", seeds), xs, min_losses));
    f.curves.push_back(fitted_power_law(xs, fit));
    f.curves.push_back(line("rhs_best (bound, reconstructed)", xs, best_curve));
    f.curves.push_back(line("trivial bound r_max^2", xs, trivial_curve));
    f.notes = {fmt::format("fitted log-log slope {:.3f}, 95% CI [{:.3f}, {:.3f}]; the paper's Figure 1 reports about -1/2",
                           fit.slope, fit.ci_low, fit.ci_high)};
    res.figures.push_back(std::move(f));
  }
  res.statistics.push_back(slope_statistic("slope of median min loss vs m (log-log)", fit));
  res.tightness_median = ratios.empty() ? -1 : stats::median(ratios);
  res.tightness_worst = worst_ratio;
  res.details = {{"per_width", table},
                 {"slope_vs_m", {{"slope", fit.slope}, {"ci_low", fit.ci_low}, {"ci_high", fit.ci_high},
                                 {"theorem_rate", -0.5},
                                 {"finding", slower ? "the minimum loss decays slower than m^(-1/2) (CI above -1/2). The paper's "
                                                      "Figure 1 reports slopes close to -1/2; the theorem does not "
                                                      "imply one at fixed tau (its tau-term does not decay in m), so "
                                                      "this is a finding about the experiment, not a violation"
                                                    : "consistent with the m^(-1/2) rate of the paper's Figure 1"}}},
                 {"runs_judged", judged}, {"runs_outside_events", outside}, {"violations", violations},
                 {"tau", tau}, {"eta_factor", p.get("eta_factor")}};
  if (judged == 0) {
    res.v = verdict::inconclusive;
    res.summary = "the events E_U and E_app never held together; nothing judged";
    return res;
  }
  res.v = violations ? verdict::violated : (all_vacuous ? verdict::vacuous : verdict::holds);
  res.summary = fmt::format("{} violations in {} judged {}; bound {} (worst min-loss/rhs_best {:.2g}); "
                            "min-loss slope vs m {:.3f} [{:.3f}, {:.3f}] vs the theorem's -1/2: {}",
                            violations, judged, batch ? "widths (mean over seeds)" : "runs",
                            all_vacuous ? "vacuous (above r_max^2)" : "informative", worst_ratio, fit.slope,
                            fit.ci_low, fit.ci_high, slower ? "decays slower than the paper's Figure 1 (a finding, not a violation: "
                                     "the tau-term does not decay in m)" : "consistent");
  return res;
}

}  // namespace attnbound::claims::arda2026
