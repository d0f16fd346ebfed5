// li2024.linear-convergence — spec li2024-signgd-two-layer-transformer.md 4.3, 4.5 and 6.4
// (Figure 2(c) of the paper; Reviewer 3: SignGD's loss "converges at a linear rate", Adam's is
// "sublinear"). [reconstructed] rate: after Stage IV, y_i f_i grows by (s_{i,12} + s_{i,22})
// 2 eta ||xi_i||_1 per step with s_{i,12} + s_{i,22} in [1, 2], so the slope of log L_S per step
// lies in [-4 eta max_i ||xi_i||_1, -2 eta min_i ||xi_i||_1] (bounds/li2024/convergence.hpp).
//
// Per seed (own data and W^(0), disjoint training supports): SignGD recorded every step, T_4
// measured by measure_stage_times (every query and key noise of each neuron has the sign of its
// query signal); late window [T_4, last step with L_S >= loss_floor]; least-squares slope of
// log L_S over it against that seed's band. Adam (beta1 0.9, beta2 0.999, eps 1e-8, the same eta,
// data and W^(0)) over [T_4, adam_steps], cut at the midpoint: sublinear when the second half's
// slope is <= adam_ratio_max (0.75) times the first half's (a linear rate gives 1, any power law
// ln(T/m)/ln(m/T_4), reported) and <= adam_fraction_max (0.25) of 2 eta min||xi||_1 in magnitude.
// The rule (generalization.hpp, convergence_rule) was fixed before any run.
#include <atomic>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bounds/li2024/convergence.hpp"
#include "claims/li2024/generalization.hpp"
#include "claims/parallel.hpp"

namespace attnbound::claims::li2024 {

namespace {

const char* const claim_id = "li2024.linear-convergence";
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

struct seed_run {
  convergence_seed c;
  stage_times st;
  double min_l1 = 0, max_l1 = 0;
  std::vector<double> signgd_loss, adam_loss;  // indexed by t
};

double band_position(const convergence_seed& c) {
  return (c.signgd.slope - c.band_lo) / (c.band_hi - c.band_lo);  // 0 = lower end, 1 = upper end
}

}  // namespace

claim linear_convergence() {
  claim c;
  c.info = {claim_id, paper, "Section 4.3 (training loss converges at a linear rate) and Figure 2(c); spec 4.3, 4.5, 6.4",
            "inequality-on-event", "reconstructed",
            "Under SignGD the training loss converges linearly after Stage IV: the least-squares slope of log L_S per step "
            "over the late window (from the measured T_4 until L_S falls below a floor or the run ends) lies in "
            "[-4 eta max_i ||xi_i||_1, -2 eta min_i ||xi_i||_1]. Adam (beta1 0.9, beta2 0.999, eps 1e-8, the same eta and "
            "data) converges only sublinearly: the slope of its log loss decays toward 0 and stays far below the band."};
  using K = param_kind;
  c.params = setting_params("300", "900", "8", "20");
  c.params.push_back({"adam_steps", K::integer, "600", "600", 2, 1e6, "Adam steps on the same data (spec 5.3: 600)"});
  c.params.push_back({"loss_floor", K::real, "1e-200", "1e-200", 1e-300, 1e-3,
                      "the late window ends before L_S first falls below this (well above double underflow)"});
  c.params.push_back({"min_window", K::integer, "20", "20", 4, 1e6, "fewest steps in a late window to judge a seed"});
  c.params.push_back({"adam_ratio_max", K::real, "0.75", "0.75", 0, 1,
                      "Adam sublinear: second-half / first-half log-loss slope at most this (linear rate: 1)"});
  c.params.push_back({"adam_fraction_max", K::real, "0.25", "0.25", 0, 1,
                      "Adam sublinear: |second-half slope| at most this fraction of 2 eta min||xi||_1"});
  c.estimate_bytes = [](const param_values& p) {
    // One seed in flight: SignGD recorded every step, then Adam; the loss curves of every seed.
    const setting s = read_setting(p);
    return run_bytes(s, s.steps + 1) + 8.0 * s.seeds * (s.steps + p.get("adam_steps") + 2);
  };
  c.run = [](const run_context& ctx) {
    namespace bl = bounds::li2024;
    const auto& p = ctx.params;
    const setting s = read_setting(p);
    const int adam_steps = p.get_int("adam_steps");
    convergence_rule rule;
    rule.min_window = p.get_int("min_window");
    rule.loss_floor = p.get("loss_floor");
    rule.adam_ratio_max = p.get("adam_ratio_max");
    rule.adam_fraction_max = p.get("adam_fraction_max");
    if (rule.min_window > s.steps)
      throw bad_input(fmt::format("{}: min_window ({}) exceeds steps ({})", claim_id, rule.min_window, s.steps));

    std::vector<seed_run> runs(static_cast<std::size_t>(s.seeds));
    std::atomic<int> done{0};
    parallel_for(s.seeds, ctx.jobs, [&](int r) {
      seed_run& out = runs[static_cast<std::size_t>(r)];
      const replicate rep = draw_replicate(s, ctx.seed, claim_id, r);
      ml::train_options o;
      o.opt = ml::optimizer::signgd, o.eta = s.eta, o.steps = s.steps;
      const trajectory tr = record_trajectory(s, rep, o, 1, 0);
      out.st = measure_stage_times(tr);
      out.signgd_loss.assign(static_cast<std::size_t>(s.steps) + 1, nan_v);
      for (const auto& pt : tr.points)
        if (pt.t >= 0 && pt.t <= s.steps) out.signgd_loss[static_cast<std::size_t>(pt.t)] = pt.train_loss;
      ml::train_options a;
      a.opt = ml::optimizer::adam, a.eta = s.eta, a.beta1 = 0.9, a.beta2 = 0.999, a.eps = 1e-8, a.steps = adam_steps;
      out.adam_loss.assign(static_cast<std::size_t>(adam_steps) + 1, nan_v);
      ml::train(rep.W0, s.law, rep.train, a, [&](int t, const ml::attention_params&, const ml::loss_and_gradient& g) {
        out.adam_loss[static_cast<std::size_t>(t)] = g.loss;
        return true;
      });
      std::tie(out.min_l1, out.max_l1) = noise_l1_range(rep.train);
      const auto band = bl::log_loss_slope_band<double>(s.eta, out.min_l1, out.max_l1);
      convergence_seed& cs = out.c;
      cs.replicate = r, cs.T4 = out.st.T4, cs.band_lo = band.lo, cs.band_hi = band.hi, cs.adam_steps = adam_steps;
      if (cs.T4 >= 0) {
        cs.signgd = fit_log_loss_slope(out.signgd_loss, cs.T4, s.steps, rule.loss_floor);
        const int mid = (cs.T4 + adam_steps) / 2;
        if (adam_steps > cs.T4) {
          cs.adam_first = fit_log_loss_slope(out.adam_loss, cs.T4, mid, rule.loss_floor);
          cs.adam_second = fit_log_loss_slope(out.adam_loss, mid, adam_steps, rule.loss_floor);
        }
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: seed {}", claim_id, r), ++done, s.seeds);
    });

    std::vector<convergence_seed> cs;
    for (const auto& r : runs) cs.push_back(r.c);
    const auto j = judge_linear_convergence(cs, rule);

    claim_result res;
    res.v = j.v;
    // Per-seed table, medians and the worst seed (outside the band, else nearest an edge).
    nlohmann::json table = nlohmann::json::array();
    std::vector<double> slopes, positions, t4s, ratios, adam_second_fraction, power_ratios, windows;
    int worst = -1;
    double worst_margin = HUGE_VAL;
    for (const auto& r : runs) {
      const auto& c = r.c;
      const auto a = read_adam(c, rule);
      nlohmann::json row = {{"replicate", c.replicate},
                            {"T1", r.st.T1}, {"T2", r.st.T2}, {"T3", r.st.T3}, {"T4", r.st.T4},
                            {"stage4_s21_time", r.st.stage4_s21_time},
                            {"min_xi_l1", r.min_l1}, {"max_xi_l1", r.max_l1},
                            {"band", {c.band_lo, c.band_hi}}};
      if (c.signgd.points >= 2) {
        row["signgd_window"] = {c.signgd.from, c.signgd.to};
        row["signgd_slope"] = c.signgd.slope;
        row["band_position"] = band_position(c);
        row["inside"] = c.signgd.slope >= c.band_lo && c.signgd.slope <= c.band_hi;
        slopes.push_back(c.signgd.slope), positions.push_back(band_position(c)), windows.push_back(c.signgd.points);
        const double margin = std::min(c.signgd.slope - c.band_lo, c.band_hi - c.signgd.slope) / (c.band_hi - c.band_lo);
        if (margin < worst_margin) worst_margin = margin, worst = c.replicate;
      }
      if (c.T4 >= 0) t4s.push_back(c.T4);
      if (a.judged) {
        row["adam_first_half"] = {{"window", {c.adam_first.from, c.adam_first.to}}, {"slope", c.adam_first.slope}};
        row["adam_second_half"] = {{"window", {c.adam_second.from, c.adam_second.to}}, {"slope", c.adam_second.slope}};
        row["adam_ratio"] = a.ratio;
        row["adam_power_law_ratio"] = a.power_law_ratio;
        row["adam_second_over_band_hi"] = std::abs(c.adam_second.slope / c.band_hi);
        row["adam_sublinear"] = a.sublinear;
        ratios.push_back(a.ratio), adam_second_fraction.push_back(std::abs(c.adam_second.slope / c.band_hi));
        if (std::isfinite(a.power_law_ratio)) power_ratios.push_back(a.power_law_ratio);
      }
      row["signgd_loss_at_end"] = r.signgd_loss.back();
      row["adam_loss_at_end"] = r.adam_loss.back();
      table.push_back(row);
    }
    auto med = [](const std::vector<double>& v) { return v.empty() ? nan_v : stats::median(v); };
    auto half = [](const std::vector<double>& v) {
      if (v.empty()) return nan_v;
      const auto ci = stats::median_interval(v);
      return (ci.high - ci.low) / 2;
    };

    if (worst < 0 && !runs.empty()) worst = 0;
    const convergence_seed* wc = worst >= 0 ? &runs[static_cast<std::size_t>(worst)].c : nullptr;
    res.bound_name = "upper end -2 eta min||xi_i||_1 of the log L_S slope band (worst seed)";
    res.bound = wc ? wc->band_hi : nan_v;
    res.measured_name = "least-squares slope of log L_S over [T_4, end] under SignGD (worst seed)";
    res.measured = wc && wc->signgd.points >= 2 ? wc->signgd.slope : nan_v;
    res.worst = {{"what", "seed whose SignGD slope is outside its band, else nearest an end of it (relative to the band's width)"},
                 {"seed", ctx.seed}, {"replicate", worst}, {"setting", to_json(s)}, {"adam_steps", adam_steps}};
    if (wc) res.worst["slope"] = wc->signgd.slope, res.worst["band"] = {wc->band_lo, wc->band_hi}, res.worst["T4"] = wc->T4;

    const int n = s.seeds;
    res.summary = fmt::format(
        "SignGD: log L_S slope inside [-4 eta max||xi||_1, -2 eta min||xi||_1] on {}/{} judged seeds of {} (median slope {:.4g}, "
        "median position in the band {:.2f} from its lower end; median T_4 {}; median window {} steps). Adam: second/first-half "
        "slope ratio median {:.3g} (power law {:.3g}, linear rate 1; criterion <= {}), second-half |slope| median {:.3g} of "
        "2 eta min||xi||_1 (criterion <= {}): sublinear on {}/{} judged seeds. {}",
        j.inside, j.judged, n, med(slopes), med(positions), med(t4s), med(windows), med(ratios), med(power_ratios),
        rule.adam_ratio_max, med(adam_second_fraction), rule.adam_fraction_max, j.adam_sublinear, j.adam_judged, j.reason);
    res.details = {{"per_seed", table},
                   {"fraction_inside", j.judged ? static_cast<double>(j.inside) / j.judged : nan_v},
                   {"rule", {{"signgd_window", "[T_4, last t with L_S >= loss_floor] (T_4: measure_stage_times)"},
                             {"min_window", rule.min_window},
                             {"loss_floor", rule.loss_floor},
                             {"adam_window", "[T_4 of SignGD on the same data, adam_steps], halves at the midpoint"},
                             {"adam_sublinear", fmt::format("first-half slope < 0, second/first <= {}, |second| <= {} * 2 eta "
                                                            "min||xi||_1", rule.adam_ratio_max, rule.adam_fraction_max)}}},
                   {"adam", {{"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"eta", s.eta}, {"steps", adam_steps}}},
                   {"too_short", j.too_short},
                   {"outside", j.outside},
                   {"adam_not_sublinear", j.adam_not_sublinear}};

    // Figure 2(c) analogue: log L_S over t, medians over seeds, the band's slopes from T_4.
    {
      const int T = std::max(s.steps, adam_steps);
      const int stride = std::max(1, T / 120);
      std::vector<double> xs, xa;
      std::vector<std::vector<double>> ys, ya;
      for (int t = 0; t <= T; t += stride) {
        if (t <= s.steps) {
          xs.push_back(t), ys.emplace_back();
          for (const auto& r : runs) ys.back().push_back(r.signgd_loss[static_cast<std::size_t>(t)]);
        }
        if (t <= adam_steps) {
          xa.push_back(t), ya.emplace_back();
          for (const auto& r : runs) ya.back().push_back(r.adam_loss[static_cast<std::size_t>(t)]);
        }
      }
      figure f;
      f.id = "log-loss";
      f.title = fmt::format("Training loss under SignGD and Adam (eta {}, d {}, n {}, s {}, sigma_p {}; {} seeds; Fig. 2(c) analogue)",
                            s.eta, s.law.d, s.n, s.law.s, s.law.sigma_p, n);
      f.xlabel = "step t";
      f.ylabel = "training loss L_S (median over seeds, 95% CI)";
      f.logy = true;
      f.curves.push_back(median_points("SignGD", xs, ys));
      f.curves.push_back(median_points("Adam (0.9, 0.999, 1e-8)", xa, ya));
      if (!t4s.empty()) {
        // The band's two slopes drawn from the median T_4 at the median SignGD loss there.
        const int T4m = static_cast<int>(std::lround(med(t4s)));
        std::vector<double> l4, lo, hi;
        for (const auto& r : runs) {
          if (T4m <= s.steps && std::isfinite(r.signgd_loss[static_cast<std::size_t>(T4m)]))
            l4.push_back(r.signgd_loss[static_cast<std::size_t>(T4m)]);
          lo.push_back(r.c.band_lo), hi.push_back(r.c.band_hi);
        }
        if (!l4.empty()) {
          const double anchor = stats::median(l4), slo = stats::median(lo), shi = stats::median(hi);
          std::vector<double> x, ylo, yhi;
          for (int t = T4m; t <= s.steps; t += stride) {
            x.push_back(t);
            ylo.push_back(anchor * std::exp(slo * (t - T4m)));
            yhi.push_back(anchor * std::exp(shi * (t - T4m)));
          }
          f.curves.push_back(line(fmt::format("band slope -4 eta max||xi||_1 = {:.4g} (median)", slo), x, ylo));
          f.curves.push_back(line(fmt::format("band slope -2 eta min||xi||_1 = {:.4g} (median)", shi), x, yhi));
          f.notes.push_back(fmt::format("band lines start at the median T_4 = {} and the median L_S there; floor {}", T4m,
                                        rule.loss_floor));
        }
      }
      f.notes.push_back(fmt::format("SignGD median slope {:.4g} over [T_4, end]; inside the band on {}/{} judged seeds", med(slopes),
                                    j.inside, j.judged));
      f.notes.push_back(fmt::format("Adam second/first-half slope ratio median {:.3g} (power law {:.3g}, linear 1)", med(ratios),
                                    med(power_ratios)));
      res.figures.push_back(f);
    }

    if (!runs.empty()) {
      res.bounds.push_back({"band lower end -4 eta max||xi||_1 (replicate 0)", runs[0].c.band_lo});
      res.bounds.push_back({"band upper end -2 eta min||xi||_1 (replicate 0)", runs[0].c.band_hi});
    }
    if (!slopes.empty()) res.statistics.push_back({"median SignGD log-loss slope", med(slopes), std::max(1e-4, half(slopes))});
    if (!positions.empty())
      res.statistics.push_back({"median position of the SignGD slope in the band", med(positions), std::max(0.02, half(positions))});
    if (j.judged) res.statistics.push_back({"fraction of seeds inside the band", static_cast<double>(j.inside) / j.judged, 0.5 / j.judged});
    if (!t4s.empty()) res.statistics.push_back({"median T_4", med(t4s), std::max(1.0, half(t4s))});
    if (!ratios.empty()) res.statistics.push_back({"median Adam second/first-half slope ratio", med(ratios), std::max(0.02, half(ratios))});
    if (!adam_second_fraction.empty())
      res.statistics.push_back({"median Adam |second-half slope| / (2 eta min||xi||_1)", med(adam_second_fraction),
                                std::max(0.005, half(adam_second_fraction))});
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::li2024
