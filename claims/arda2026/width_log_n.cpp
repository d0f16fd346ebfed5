// arda2026.width-log-n — "the width scales only logarithmically with the sample size n".
// (a) Bounds: m_app(n) (exact algebra on Lemma 5) has ratios equal to those of log(2n/delta),
//     and m_thm(n) (reconstructed Theorem 1, solved numerically) satisfies
//     m_thm(n)/log(2n/delta) non-increasing over n = 10^2..10^8, i.e. m_thm = O(log n).
// (b) Measured: at fixed m, the sup over n points of |f_lin(phi~) - y_j| grows like
//     sqrt(log n), not like a power of n: the log-log slope's bootstrap CI must overlap
//     [0, 2 s], where s is the log-log slope of sqrt(log n) over the same grid.
#include <fmt/format.h>

#include "bounds/arda2026/lemma5_approximation.hpp"
#include "bounds/arda2026/required_width.hpp"
#include "claims/arda2026/claims.hpp"
#include "claims/arda2026/common.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::arda2026 {

claim width_log_n() {
  claim c;
  c.info = {"arda2026.width-log-n", paper, "Lemma 5 / Theorem 1 (width ~ log n)", "scaling", "reconstructed",
            "The required width grows like log n: m_app(n) is proportional to log(2n/delta), m_thm(n) = "
            "O(log n); the measured sup-over-n approximation error grows like sqrt(log n), not a power of n."};
  using K = param_kind;
  c.params = {
      {"d", K::integer, "8", "8", 1, 256, "token dimension"},
      {"T", K::integer, "16", "16", 1, 1 << 20, "tokens per sequence"},
      {"m", K::even_integer, "64", "64", 2, 1 << 20, "width for the measured part (b)"},
      {"n_grid", K::integer_list, "100,316,1000,3162,10000", "100,316,1000,3162,10000,31623,100000", 2, 1e7,
       "sample sizes for (b) (nested prefixes of one data set; >= 3 distinct)", 3},
      {"seeds", K::integer, "20", "20", 2, 100000, "initializations for (b)"},
      {"pool", K::integer, "1024", "4096", 1, 1e7, "teacher pool for (b)"},
      {"epsilon_app", K::real, "1", "1", 1e-12, 1e12, "target error for m_app"},
      {"epsilon_thm", K::real, "1", "1", 1e-12, 1e12, "target error for m_thm"},
      {"tau_thm", K::real, "1e12", "1e12", 1, 1e300, "tau at which m_thm is solved"},
      {"delta", K::probability, "0.05", "0.05", 0, 1, "Lemma 5"},
      {"delta_prime", K::probability, "0.05", "0.05", 0, 1, "Definition 1"},
  };
  c.estimate_bytes = [](const param_values& p) {
    return problem_bytes(p.get("d"), p.get("T"), p.max("n_grid"), p.get("m"), p.get("pool"));
  };
  c.run = [](const run_context& ctx) {
    namespace ab = bounds::arda2026;
    const auto& p = ctx.params;
    const int d = p.get_int("d"), T = p.get_int("T"), m = p.get_int("m"), seeds = p.get_int("seeds"),
              pool = p.get_int("pool");
    const double delta = p.get("delta"), delta_prime = p.get("delta_prime");
    claim_result res;

    // (a) required widths over n = 10^2 .. 10^8, in MPFR.
    nlohmann::json widths = nlohmann::json::array();
    bool app_ok = true, thm_ok = true;
    std::vector<double> fig_n, fig_app, fig_thm_n, fig_thm, fig_log;
    {
      precision_guard guard(40);
      double prev_ratio = HUGE_VAL, m_app0 = 0, log0 = 0;
      for (int e = 2; e <= 8; ++e) {
        ab::config<mp_real> cfg;
        cfg.d = d, cfg.n = pow(mp_real(10), e), cfg.delta = mp_real(p.text.at("delta")),
        cfg.delta_prime = mp_real(p.text.at("delta_prime")), cfg.tau = mp_real(p.text.at("tau_thm"));
        const mp_real ma = ab::m_app(cfg, mp_real(p.text.at("epsilon_app")));
        const auto mt = ab::m_thm(cfg, mp_real(p.text.at("epsilon_thm")));
        const double lg = log(2 * cfg.n / cfg.delta).convert_to<double>();
        const double ma_d = ma.convert_to<double>();
        if (e == 2) m_app0 = ma_d, log0 = lg;
        // m_app = 2 ceil(x/2) with x proportional to log(2n/delta): ratios agree up to 2/m_app(n0).
        const double ratio_err = std::abs(ma_d / m_app0 - lg / log0);
        app_ok = app_ok && ratio_err <= 2.0 / m_app0 * (1 + lg / log0);
        double per_log = HUGE_VAL;
        if (mt) {
          per_log = mt->convert_to<double>() / lg;
          thm_ok = thm_ok && per_log <= prev_ratio * (1 + 1e-12);
          prev_ratio = per_log;
        } else {
          thm_ok = false;
        }
        fig_n.push_back(std::pow(10.0, e)), fig_app.push_back(ma_d), fig_log.push_back(lg);
        res.bounds.push_back({fmt::format("m_app(n=1e{})", e), ma_d});
        if (mt) {
          fig_thm_n.push_back(std::pow(10.0, e)), fig_thm.push_back(mt->convert_to<double>());
          res.bounds.push_back({fmt::format("m_thm(n=1e{})", e), fig_thm.back()});
        }
        widths.push_back({{"n", std::pow(10.0, e)}, {"log_2n_over_delta", lg}, {"m_app", ma_d},
                          {"m_app_ratio_error", ratio_err},
                          {"m_thm", mt ? nlohmann::json(mt->convert_to<double>()) : nlohmann::json("none")},
                          {"m_thm_per_log", mt ? nlohmann::json(per_log) : nlohmann::json(nullptr)}});
      }
    }

    // (b) measured sup-over-n approximation error at fixed m.
    std::vector<int> grid = p.int_list("n_grid");
    std::sort(grid.begin(), grid.end());
    const int nmax = grid.back();
    teacher_options to;
    to.d = d, to.T = T, to.n = nmax, to.pool = pool;
    to.threads = threads_per_item(1, ctx.jobs);  // one problem: every core on its labels
    const teacher_problem prob = make_teacher_problem(to, ctx.seed, 1000);
    std::vector<std::vector<double>> sup(grid.size(), std::vector<double>(seeds));
    std::atomic<int> done{0};
    parallel_for(seeds, ctx.jobs, [&](int k) {
      auto rng = model::make_rng(ctx.seed, "arda2026.width-log-n.init", {static_cast<std::uint64_t>(m), static_cast<std::uint64_t>(k)});
      const auto phi0 = model::symmetric_init(d, m, rng);
      const auto phi_t = model::transport(phi0, prob.teacher);
      model::transformer_workspace ws;
      Eigen::VectorXd f_lin;
      model::forward_linearized(phi0, phi_t, prob.data, f_lin, ws);
      const Eigen::VectorXd err = (f_lin - prob.data.y).cwiseAbs();
      for (std::size_t g = 0; g < grid.size(); ++g) sup[g][k] = err.head(grid[g]).maxCoeff();
      if (ctx.progress) ctx.progress("(b) seeds", ++done, seeds);
    });
    std::vector<double> xs(grid.begin(), grid.end()), sqrtlog;
    for (double n : xs) sqrtlog.push_back(std::sqrt(std::log(n)));
    // Replicate k is the same initialization at every n (nested prefixes): a paired bootstrap.
    const auto fit = stats::loglog_median_slope_bootstrap(xs, sup, 2000, model::stream_seed(ctx.seed, "arda2026.width-log-n.bootstrap"), 0.95, true, true);
    std::vector<double> logx, logs;
    for (std::size_t g = 0; g < xs.size(); ++g) logx.push_back(std::log(xs[g])), logs.push_back(std::log(sqrtlog[g]));
    const double s_sqrtlog = stats::ols(logx, logs).slope;
    std::vector<double> med;
    for (const auto& v : sup) med.push_back(stats::median(v));
    const auto lin = stats::ols(sqrtlog, med);
    nlohmann::json measured = nlohmann::json::array();
    double worst_ratio = -1;
    std::vector<double> ratios;
    // Lemma 5 at each n is probabilistic: count runs above the lower end of B_app_safe + eps_pool
    // and test the rate against delta + delta' + 2 delta_pool (Bonferroni over the grid).
    const double nominal = delta + delta_prime + 2 * bound_setup{}.delta_pool;
    const double confidence = 1 - 0.05 / static_cast<double>(grid.size());
    bool rate_ok = true;
    std::vector<double> bound_curve;
    for (std::size_t g = 0; g < grid.size(); ++g) {
      bound_setup s;
      s.d = d, s.m = m, s.n = grid[g], s.delta = delta, s.delta_prime = delta_prime, s.pool = pool;
      const certified b = certify(s, [](const auto& cfg) { return ab::B_app_safe(cfg) + ab::eps_pool(cfg); });
      bound_curve.push_back(b.report);
      res.bounds.push_back({fmt::format("B_app_safe + eps_pool (n={})", grid[g]), b.report});
      const double mx = *std::max_element(sup[g].begin(), sup[g].end());
      const int above = static_cast<int>(std::count_if(sup[g].begin(), sup[g].end(), [&](double v) { return v > b.check; }));
      const auto test = stats::test_violation_rate(above, seeds, nominal, confidence);
      rate_ok = rate_ok && !test.rate_exceeds;
      for (double v : sup[g]) ratios.push_back(v / b.report);
      if (mx / b.report > worst_ratio) {
        worst_ratio = mx / b.report;
        res.worst = worst_config("sup_j<n |f_lin - y_j|", mx, ctx.seed, {{"n", grid[g]}, {"m", m}, {"d", d}, {"T", T}, {"pool", pool}});
      }
      measured.push_back({{"n", grid[g]}, {"median_sup_err", med[g]}, {"max_sup_err", mx}, {"B_app_safe_plus_pool", b.report},
                          {"runs_above_bound", above}, {"p_value", test.p_value}});
    }
    const double band_hi = 2 * s_sqrtlog;
    const bool slope_ok = stats::ci_overlaps(fit.ci_low, fit.ci_high, 0.0, band_hi);
    {
      figure f;
      f.id = "required-width-vs-n";
      f.title = fmt::format("Required width vs sample size (d = {}, delta = delta' = {}, epsilon = {})", d,
                            p.text.at("delta"), p.text.at("epsilon_app"));
      f.xlabel = "sample size n";
      f.ylabel = "required width m (heads)";
      f.logx = f.logy = true;
      f.curves.push_back(line("m_app(n) (Lemma 5, exact algebra)", fig_n, fig_app));
      if (!fig_thm.empty()) f.curves.push_back(line("m_thm(n) (Theorem 1, reconstructed)", fig_thm_n, fig_thm));
      f.notes = {fmt::format("m_app ratios equal log ratios: {}; m_thm(n)/log(2n/delta) non-increasing: {}",
                             app_ok ? "yes" : "no", thm_ok ? "yes" : "no")};
      res.figures.push_back(std::move(f));
      // The claim itself: m(n)/log(2n/delta) is constant (m_app) or non-increasing (m_thm).
      figure r;
      r.id = "width-per-log-vs-n";
      r.title = "Required width per log(2n/delta): flat or falling means m = O(log n)";
      r.xlabel = "sample size n";
      r.ylabel = "m(n) / log(2n/delta) (heads)";
      r.logx = r.logy = true;
      std::vector<double> app_per_log, thm_per_log;
      for (std::size_t k = 0; k < fig_n.size(); ++k) app_per_log.push_back(fig_app[k] / fig_log[k]);
      for (std::size_t k = 0; k < fig_thm_n.size(); ++k)
        thm_per_log.push_back(fig_thm[k] / std::log(2 * fig_thm_n[k] / delta));
      r.curves.push_back(line("m_app(n) / log(2n/delta)", fig_n, app_per_log));
      if (!thm_per_log.empty()) r.curves.push_back(line("m_thm(n) / log(2n/delta)", fig_thm_n, thm_per_log));
      res.figures.push_back(std::move(r));
      figure g;
      g.id = "sup-error-vs-n";
      g.title = fmt::format("Sup-over-n approximation error at fixed width m = {} (d = {}, T = {})", m, d, T);
      g.xlabel = "sample size n";
      g.ylabel = "sup_{j<n} |f_lin(X_j; phi~) - y_j| (output units)";
      g.logx = g.logy = true;
      std::vector<double> sqrtlog_ref;
      for (double v : sqrtlog) sqrtlog_ref.push_back(med.front() * v / sqrtlog.front());
      g.curves.push_back(median_points(fmt::format("median over {} seeds (95% CI)", seeds), xs, sup));
      g.curves.push_back(fitted_power_law(xs, fit));
      g.curves.push_back(line("sqrt(log n) reference", xs, sqrtlog_ref));
      g.curves.push_back(line("B_app_safe + eps_pool (bound, reconstructed)", xs, bound_curve));
      g.notes = {fmt::format("fitted slope {:.3f}, 95% CI [{:.3f}, {:.3f}]; predicted band [0, {:.3f}] (twice the "
                             "slope of sqrt(log n) over this grid)", fit.slope, fit.ci_low, fit.ci_high, band_hi)};
      res.figures.push_back(std::move(g));
    }
    res.statistics.push_back(slope_statistic("slope of median sup error vs n (log-log)", fit));
    res.bound_name = "predicted log-log slope band [0, 2 s_sqrtlog]";
    res.bound = band_hi;
    res.measured_name = "log-log slope of median sup error vs n";
    res.measured = fit.slope;
    res.tightness_median = stats::median(ratios);
    res.tightness_worst = worst_ratio;
    res.details = {{"required_width", widths},
                   {"m_app_ratios_match_log", app_ok},
                   {"m_thm_per_log_nonincreasing", thm_ok},
                   {"measured", measured},
                   {"slope_vs_n", {{"slope", fit.slope}, {"ci_low", fit.ci_low}, {"ci_high", fit.ci_high},
                                   {"sqrt_log_slope", s_sqrtlog}, {"band", {0.0, band_hi}}}},
                   {"fit_vs_sqrt_log_n", {{"slope", lin.slope}, {"intercept", lin.intercept}, {"r2", lin.r2}}}};
    res.v = (app_ok && thm_ok && slope_ok && rate_ok) ? verdict::holds : verdict::violated;
    res.summary = fmt::format("m_app ratios = log ratios: {}; m_thm/log(2n/delta) non-increasing: {}; measured slope "
                              "vs n {:.3f} [{:.3f}, {:.3f}] vs band [0, {:.3f}] (sqrt(log n) fit r2 {:.3f})",
                              app_ok ? "yes" : "NO", thm_ok ? "yes" : "NO", fit.slope, fit.ci_low, fit.ci_high,
                              band_hi, lin.r2);
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::arda2026
