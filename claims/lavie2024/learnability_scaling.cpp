// lavie2024.learnability-scaling — spec lavie2024-transformer-gp-limit.md 2.4 and checks 5.7, 5.9
// [reconstructed]: at fixed P and sigma^2, with the kernel normalised to Tr T = 1, the learnability
// of a target in the irrep (L - k, mu) stays below the two irrep-dimension bounds
//   trace bound         Tr T / (Tr T + f^lambda sigma^2 / P)
//   conservation bound  P / f^lambda
// and decreases with the context length L (the scaling law: P ~ sigma^2 f^mu L^k / k! samples).
//
// Candidates on the full space [2]^L (uniform measure): A with lambda = [L-1,1] (k = 1) and D with
// lambda = [L-2,2] (k = 2). Per L: the target g = the top eigenfunction of lambda (target_in_irrep
// with the isotypic projector from content sums, learning_group.hpp), its eigenvalue eta and
// degeneracy M; measured learnability <g, f>_p / <g, g>_p of the GP posterior mean (ridge sigma^2,
// noise-free labels) over `datasets` datasets of P i.i.d. points; predicted = the eigenlearning
// learnability of g's eigenvalue group; the bounds in interval arithmetic (Tr T = 1 exactly after
// normalising by the exact Tr T of bounds/lavie2024/kernel_traces.hpp).
// Verdict parts per candidate: measured mean <= min(bounds) + 3 SE at every L; eigenlearning <=
// both bounds (their lower ends) at every L; the scaling law: the least-squares slope of
// log(mean learnability) against log L has a bootstrap 95% CI below 0 (holds), above 0
// (violated), else inconclusive; eta equals its closed form (spec 2.3) and eta M <= Tr(P_lambda T)
// <= Tr T (spec check 7), to a 1e-9 relative rounding allowance for the numerical eigenvalue.
// Reported with them: the tightness ratio eta f^lambda / Tr T per L for both candidates at V = 2
// and V = 3, numeric and closed form, which says how much of the trace bound the irrep can use.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bounds/common/scalar.hpp"
#include "bounds/lavie2024/closed_forms.hpp"
#include "bounds/lavie2024/kernel_traces.hpp"
#include "bounds/lavie2024/learnability.hpp"
#include "claims/lavie2024/learning_group.hpp"
#include "claims/parallel.hpp"

namespace attnbound::claims::lavie2024 {

namespace {

const char* const claim_id = "lavie2024.learnability-scaling";
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double eigen_rounding = 1e-9;  // relative allowance for a numerically diagonalised eigenvalue

/// The closed-form top eigenvalue of lambda for T = K / N (unnormalised), when the spec has one:
/// A at V = 2, [L-1,1]: L/32 (spec 2.3 table times 1/8); D, [L-2,2]: 1/(2 V^2 L). NaN otherwise.
double closed_form_eta(mdl::candidate c, int V, int L, const partition& lambda) {
  if (c == mdl::candidate::A && V == 2 && lambda == bl::near_trivial(L, {1})) {
    double best = nan_v;
    for (const auto& e : bl::kernel_A_V2_spectrum<double>(L))
      if (e.irrep == lambda && !(e.value <= best)) best = e.value;
    return best;
  }
  if (c == mdl::candidate::D && L >= 4 && lambda == bl::near_trivial(L, {2})) return bl::kernel_D_two_row_eigenvalue<double>(V, L);
  return nan_v;
}

/// One (candidate, V, L) with the kernel normalised to Tr T = 1 and its exact traces.
struct length_item {
  mdl::candidate kernel;
  int V, L;
  partition lambda;
  bool scaling = false;  // part of the learnability sweep (else a tightness-table row only)
  bl::rational trace_T, iso_trace;  // exact Tr T and Tr(P_lambda T) of the unnormalised operator
  learning_problem problem;
};

struct tightness_row {
  std::string kernel;
  int V, L;
  partition lambda;
  double f, eta, M, numeric, closed, iso_share, spec;
};

/// The spec 2.4 tightness values (A, V = 3, [L-1,1], L = 3..6; D, V = 3, [L-2,2], L = 4..6).
double spec_tightness(mdl::candidate c, int V, int L) {
  if (V != 3) return nan_v;
  if (c == mdl::candidate::A && L >= 3 && L <= 6) return std::vector<double>{0.150, 0.179, 0.199, 0.215}[L - 3];
  if (c == mdl::candidate::D && L >= 4 && L <= 6) return std::vector<double>{0.0056, 0.0083, 0.0098}[L - 4];
  return nan_v;
}

}  // namespace

claim learnability_scaling() {
  claim c;
  c.info = {claim_id, paper,
            "spec 2.4 (learnability bounds from irrep dimensions, scaling law in L; suite checks 5.7, 5.9)",
            "scaling", "reconstructed",
            "At fixed P and sigma^2 (kernel normalised to Tr T = 1), the learnability of a target in the S_L irrep (L-k, mu) "
            "never exceeds Tr T/(Tr T + f^lambda sigma^2/P) nor P/f^lambda, and decreases with L. Reported, not judged: the "
            "tightness eta f^lambda / Tr T the paper calls tight (of order 1 for A's [L-1,1], vanishing like 1/(V L) for "
            "D's [L-2,2])."};
  using K = param_kind;
  c.params = {
      {"a_L", K::integer_list, "3,4,5,6,7,8,9", "3,4,5,6,7,8,9,10,11", 3, 11, "candidate A (V = 2, irrep [L-1,1]): context lengths L", 3},
      {"a_P", K::integer, "5", "5", 1, 4096, "candidate A: training points P"},
      {"a_sigma2", K::real, "0.5", "0.5", 1e-9, 1e9, "candidate A: ridge sigma^2 (kernel normalised to Tr T = 1)"},
      {"d_L", K::integer_list, "4,5,6,7,8", "4,5,6,7,8,9,10", 4, 11, "candidate D (V = 2, irrep [L-2,2]): context lengths L", 3},
      {"d_P", K::integer, "20", "20", 1, 4096, "candidate D: training points P"},
      {"d_sigma2", K::real, "0.01", "0.01", 1e-9, 1e9, "candidate D: ridge sigma^2 (kernel normalised to Tr T = 1)"},
      {"datasets", K::integer, "1000", "4000", 2, 1e6, "independent datasets per L"},
      {"resamples", K::integer, "1000", "2000", 10, 1e6, "bootstrap resamples of the slope CI"},
      {"tightness_a3_L", K::integer_list, "3,4,5", "3,4,5,6", 2, 7,
       "tightness table only: candidate A, V = 3, [L-1,1] at these L (spec 2.4: 3..6)"},
      {"tightness_d3_L", K::integer_list, "4,5,6", "4,5,6", 4, 7,
       "tightness table only: candidate D, V = 3, [L-2,2] at these L (spec 2.4: 4..6)"},
  };
  c.estimate_bytes = [](const param_values& p) {
    double n_max = 0;
    for (int L : p.int_list("a_L")) n_max = std::max(n_max, std::pow(2.0, L));
    for (int L : p.int_list("d_L")) n_max = std::max(n_max, std::pow(2.0, L));
    for (int L : p.int_list("tightness_a3_L")) n_max = std::max(n_max, std::pow(3.0, L));
    for (int L : p.int_list("tightness_d3_L")) n_max = std::max(n_max, std::pow(3.0, L));
    // Two problems in flight (K, T, eigenvectors, eigenfunctions, projector, products) and the
    // kept K and eigenfunctions of every length.
    return 2 * 7 * 8.0 * n_max * n_max + 2 * 8.0 * n_max * n_max * 12 + 8.0 * p.get("datasets") * 20;
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const int datasets = p.get_int("datasets"), resamples = p.get_int("resamples");

    struct sweep {
      mdl::candidate kernel;
      partition mu;  // lambda = (L - |mu|, mu)
      std::vector<int> Ls;
      int P;
      double sigma2;
      std::string sigma2_text;
    };
    const std::vector<sweep> sweeps = {
        {mdl::candidate::A, {1}, p.int_list("a_L"), p.get_int("a_P"), p.get("a_sigma2"), p.text.at("a_sigma2")},
        {mdl::candidate::D, {2}, p.int_list("d_L"), p.get_int("d_P"), p.get("d_sigma2"), p.text.at("d_sigma2")}};

    std::vector<length_item> items;
    for (const auto& s : sweeps)
      for (int L : s.Ls) items.push_back({s.kernel, 2, L, bl::near_trivial(L, s.mu), true, 0, 0, {}});
    for (int L : p.int_list("tightness_a3_L")) items.push_back({mdl::candidate::A, 3, L, bl::near_trivial(L, {1}), false, 0, 0, {}});
    for (int L : p.int_list("tightness_d3_L")) items.push_back({mdl::candidate::D, 3, L, bl::near_trivial(L, {2}), false, 0, 0, {}});
    // Exact traces first (rational arithmetic, cached per (kernel, V, L) in bounds/).
    for (auto& it : items) {
      it.trace_T = bl::operator_trace(kernel_char(it.kernel), it.V, it.L);
      it.iso_trace = bl::isotypic_trace(kernel_char(it.kernel), it.V, it.lambda);
    }
    std::atomic<int> built{0};
    const int n_items = static_cast<int>(items.size());
    parallel_for_longest_first(
        n_items, ctx.jobs, [&](int k) { return std::pow(std::pow(items[k].V, items[k].L), 3); },
        [&](int k) {
          auto& it = items[static_cast<std::size_t>(k)];
          it.problem = make_problem(it.kernel, it.V, it.L, it.lambda, 1.0 / to_double(it.trace_T));
          if (ctx.progress)
            ctx.progress(fmt::format("{}: spectrum {} V={} L={}", claim_id, mdl::to_string(it.kernel), it.V, it.L), ++built, n_items);
        });

    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json sweeps_json = nlohmann::json::array();
    std::vector<tightness_row> tight;
    double worst_share = -1, worst_bound = nan_v, worst_measured = nan_v;
    std::vector<double> shares;
    nlohmann::json worst = nullptr;
    const precision_guard guard(30);

    // Tightness rows (every item).
    for (const auto& it : items) {
      const double f = static_cast<double>(bl::irrep_dimension(it.lambda));
      const double eta = it.problem.target.eigenvalue;  // normalised: Tr T = 1
      const double cf = closed_form_eta(it.kernel, it.V, it.L, it.lambda);
      const double closed = std::isfinite(cf) ? bl::tightness_ratio<double>(cf, f, to_double(it.trace_T)) : nan_v;
      tight.push_back({mdl::to_string(it.kernel), it.V, it.L, it.lambda, f, eta, static_cast<double>(it.problem.target.degeneracy),
                       eta * f, closed, to_double(it.iso_trace / it.trace_T), spec_tightness(it.kernel, it.V, it.L)});
    }

    std::size_t item_index = 0;
    int done = 0;
    for (const auto& s : sweeps) {
      std::vector<double> xs, ys, lo, hi, tr_b, cons_b, eig_l, ek_l;
      std::vector<std::vector<double>> samples_per_L;
      nlohmann::json rows = nlohmann::json::array();
      int above_bounds = 0, eig_above = 0, closed_off = 0, chain_off = 0;
      const std::string name = fmt::format("{} (V=2, {})", mdl::to_string(s.kernel), s.mu == partition{1} ? "[L-1,1]" : "[L-2,2]");
      for (int L : s.Ls) {
        const auto& it = items[item_index++];
        const auto& pr = it.problem;
        const double f = static_cast<double>(bl::irrep_dimension(it.lambda));
        const double eta = pr.target.eigenvalue;
        const int M = pr.target.degeneracy;
        const auto samples = measure_datasets(pr, s.P, s.sigma2, 0.0, datasets, ctx.seed, claim_id, ctx.jobs);
        const mean_se m = summarize(samples.learnability);
        const auto eig = bl::eigenlearning<double>(pr.groups, s.sigma2, 0.0, static_cast<double>(s.P));
        const double predicted = eig.learnability[static_cast<std::size_t>(pr.target_group)];
        const double ek = bl::ek_learnability<double>(eta, s.sigma2, s.P);
        // Certified bounds: Tr T = 1 exactly (normalised by the exact trace), sigma^2 from its text.
        const mp_interval one(1), fi(static_cast<long>(f)), s2(s.sigma2_text), Pi(static_cast<long>(s.P));
        const mp_interval tb = bl::trace_bound<mp_interval>(one, fi, s2, Pi);
        const mp_interval cb = bl::conservation_bound<mp_interval>(Pi, fi);
        const double tb_lo = static_cast<double>(lower(tb)), tb_hi = static_cast<double>(upper(tb));
        const double cb_lo = static_cast<double>(lower(cb)), cb_hi = static_cast<double>(upper(cb));
        // static_cast of an mp_real rounds to nearest; step to the safe side.
        const double tb_lo_safe = std::nextafter(tb_lo, -HUGE_VAL), cb_lo_safe = std::nextafter(cb_lo, -HUGE_VAL);
        const auto chk = check_scaling_point(m, predicted, tb_lo_safe, cb_lo_safe);
        if (!chk.measured_below) ++above_bounds;
        if (!chk.eigenlearning_below) ++eig_above;
        // eta against its closed form (spec 2.3), and eta M <= Tr(P_lambda T) <= Tr T (check 7).
        const double cf = closed_form_eta(it.kernel, it.V, it.L, it.lambda) / to_double(it.trace_T);
        const double cf_rel = std::abs(eta - cf) / cf;
        if (!(cf_rel <= eigen_rounding)) ++closed_off;
        const double iso = to_double(it.iso_trace / it.trace_T);
        const bool chain = eta * M <= iso * (1 + eigen_rounding) && it.iso_trace <= it.trace_T;
        if (!chain) ++chain_off;
        const double min_bound = std::min(tb_hi, cb_hi);
        const double share = m.mean / min_bound;
        shares.push_back(share);
        if (share > worst_share) {
          worst_share = share, worst_bound = min_bound, worst_measured = m.mean;
          worst = {{"candidate", mdl::to_string(s.kernel)}, {"V", 2}, {"L", L}, {"P", s.P}, {"sigma2", s.sigma2},
                   {"datasets", datasets}, {"seed", ctx.seed}};
        }
        rows.push_back({{"L", L},
                        {"N", pr.space.size()},
                        {"irrep", bl::to_string(it.lambda)},
                        {"f_lambda", f},
                        {"eta_normalised", eta},
                        {"eta_closed_form_normalised", cf},
                        {"degeneracy_M", M},
                        {"trace_T_unnormalised", to_double(it.trace_T)},
                        {"isotypic_trace_share", iso},
                        {"measured_mean", m.mean},
                        {"se", m.se},
                        {"ci95", {m.low, m.high}},
                        {"eigenlearning", predicted},
                        {"eigenlearning_kappa", eig.kappa},
                        {"ek", ek},
                        {"trace_bound", tb_hi},
                        {"conservation_bound", cb_hi},
                        {"measured_below_min_bound_plus_3se", chk.measured_below},
                        {"eigenlearning_below_bounds", chk.eigenlearning_below},
                        {"eta_M_le_iso_trace_le_trace", chain}});
        xs.push_back(L), ys.push_back(m.mean), lo.push_back(m.low), hi.push_back(m.high);
        tr_b.push_back(tb_hi), cons_b.push_back(cb_hi), eig_l.push_back(predicted), ek_l.push_back(ek);
        samples_per_L.push_back(samples.learnability);
        const std::string tag = fmt::format("{} L={}", name, L);
        res.bounds.push_back({tag + ": trace bound [reconstructed]", tb_hi});
        res.bounds.push_back({tag + ": conservation bound P/f [reconstructed]", cb_hi});
        res.bounds.push_back({tag + ": eigenlearning learnability [reconstructed]", predicted});
        if (std::isfinite(m.low)) res.statistics.push_back({tag + ": mean learnability", m.mean, std::max((m.high - m.low) / 2, 1e-12)});
        if (ctx.progress) ctx.progress(fmt::format("{}: datasets {} L={}", claim_id, mdl::to_string(s.kernel), L), ++done,
                                       static_cast<int>(sweeps[0].Ls.size() + sweeps[1].Ls.size()));
      }
      // The scaling law: slope of log(mean learnability) vs log L, bootstrap CI over datasets.
      const auto fit = loglog_mean_slope_bootstrap(xs, samples_per_L, resamples,
                                                   model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(s.kernel)}));
      std::vector<double> lx, lpred;
      for (std::size_t k = 0; k < xs.size(); ++k) lx.push_back(std::log(xs[k])), lpred.push_back(std::log(eig_l[k]));
      const double pred_slope = stats::ols(lx, lpred).slope;
      const bool pred_inside = pred_slope >= fit.ci_low && pred_slope <= fit.ci_high;
      // Consecutive differences of the means with their SE (independent datasets per L).
      nlohmann::json steps = nlohmann::json::array();
      int beyond = 0;
      for (std::size_t k = 1; k < xs.size(); ++k) {
        const double d = ys[k - 1] - ys[k];
        const double se = std::hypot(rows[k - 1]["se"].get<double>(), rows[k]["se"].get<double>());
        if (d > se_multiple * se) ++beyond;
        steps.push_back({{"from_L", xs[k - 1]}, {"to_L", xs[k]}, {"decrease", d}, {"se", se}});
      }
      const verdict v_bounds = above_bounds == 0 ? verdict::holds : verdict::violated;
      const verdict v_eig = eig_above == 0 ? verdict::holds : verdict::violated;
      const verdict v_law = judge_decreasing(fit);
      const verdict v_closed = closed_off == 0 ? verdict::holds : verdict::violated;
      const verdict v_chain = chain_off == 0 ? verdict::holds : verdict::violated;
      for (verdict v : {v_bounds, v_eig, v_law, v_closed, v_chain}) parts.push_back(v);
      const int k_boxes = bl::size(s.mu);
      const std::string verdict_line = fmt::format(
          "{}, P={}, sigma^2={}: measured <= min(bounds) + 3 SE at {}/{} L: {}; eigenlearning <= both bounds at {}/{}: {}; "
          "learnability {:.3f} -> {:.3f} from L={} to {}, log-log slope {:.3f} [{:.3f}, {:.3f}] (eigenlearning {:.3f}, "
          "asymptotic -{}): decreasing {}; eta = closed form at {}/{}, eta M <= Tr(P_lambda T) <= Tr T at {}/{}",
          name, s.P, s.sigma2, xs.size() - above_bounds, xs.size(), to_string(v_bounds), xs.size() - eig_above, xs.size(),
          to_string(v_eig), ys.front(), ys.back(), xs.front(), xs.back(), fit.slope, fit.ci_low, fit.ci_high, pred_slope, k_boxes,
          to_string(v_law), xs.size() - closed_off, xs.size(), xs.size() - chain_off, xs.size());
      lines.push_back(verdict_line);
      // A resample with a zero mean leaves the CI undefined (+-inf): then no tracked statistic (its band would be inf).
      if (std::isfinite(fit.ci_low) && std::isfinite(fit.ci_high))
        res.statistics.push_back(slope_statistic(fmt::format("{}: log-log slope of mean learnability vs L", name), fit));
      sweeps_json.push_back({{"candidate", mdl::to_string(s.kernel)},
                             {"V", 2},
                             {"irrep", s.mu == partition{1} ? "[L-1,1]" : "[L-2,2]"},
                             {"P", s.P},
                             {"sigma2", s.sigma2},
                             {"rows", rows},
                             {"slope", {{"value", fit.slope}, {"ci95", {fit.ci_low, fit.ci_high}}, {"r2", fit.r2}}},
                             {"eigenlearning_slope", pred_slope},
                             {"eigenlearning_slope_inside_ci", pred_inside},
                             {"asymptotic_slope", -k_boxes},
                             {"consecutive_decreases", steps},
                             {"decreases_beyond_3se", beyond},
                             {"verdicts",
                              {{"below_bounds", to_string(v_bounds)},
                               {"eigenlearning_below_bounds", to_string(v_eig)},
                               {"decreasing", to_string(v_law)},
                               {"eta_closed_form", to_string(v_closed)},
                               {"trace_chain", to_string(v_chain)}}}});

      figure f;
      f.id = fmt::format("learnability-vs-L-{}", mdl::to_string(s.kernel));
      f.title = fmt::format("Learnability vs L: {} (V=2, Tr T = 1), top {} target, P={}, sigma^2={}", mdl::to_string(s.kernel),
                            s.mu == partition{1} ? "[L-1,1]" : "[L-2,2]", s.P, s.sigma2);
      f.xlabel = "context length L";
      f.ylabel = "learnability <g, f> / <g, g> (mean over datasets, 95% CI)";
      f.logx = f.logy = true;
      f.curves.push_back(points("measured (GP posterior mean)", xs, ys, lo, hi));
      f.curves.push_back(line("trace bound Tr T/(Tr T + f sigma^2/P) [reconstructed]", xs, tr_b));
      f.curves.push_back(line("conservation bound P/f [reconstructed]", xs, cons_b));
      f.curves.push_back(line("eigenlearning [reconstructed]", xs, eig_l));
      f.curves.push_back(line("EK eta/(eta + sigma^2/P) [reconstructed]", xs, ek_l));
      f.curves.push_back(fitted_power_law(xs, fit, "measured means"));
      f.notes.push_back(fmt::format("fitted slope {:.3f} [{:.3f}, {:.3f}] (bootstrap over datasets); eigenlearning {:.3f}; "
                                    "asymptotic -{} (spec 2.4)",
                                    fit.slope, fit.ci_low, fit.ci_high, pred_slope, k_boxes));
      f.notes.push_back(fmt::format("{} datasets per L; bounds and predictions [reconstructed]", datasets));
      res.figures.push_back(f);
    }

    // Tightness: numeric per item, and the closed forms over a longer range of L.
    nlohmann::json tight_json = nlohmann::json::array();
    for (const auto& t : tight)
      tight_json.push_back({{"candidate", t.kernel}, {"V", t.V}, {"L", t.L}, {"irrep", bl::to_string(t.lambda)}, {"f_lambda", t.f},
                            {"eta_over_trace", t.eta}, {"degeneracy_M", t.M}, {"tightness_numeric", t.numeric},
                            {"tightness_closed_form", std::isfinite(t.closed) ? nlohmann::json(t.closed) : nlohmann::json(nullptr)},
                            {"isotypic_trace_share", t.iso_share},
                            {"spec_value", std::isfinite(t.spec) ? nlohmann::json(t.spec) : nlohmann::json(nullptr)}});
    nlohmann::json closed_json = nlohmann::json::array();
    std::vector<double> cl_L, cl_a2, cl_d2, cl_d3;
    for (int L = 4; L <= 40; ++L) {
      const double fa = L - 1, fd = static_cast<double>(L) * (L - 3) / 2;
      const double a2 = bl::tightness_ratio<double>(closed_form_eta(mdl::candidate::A, 2, L, bl::near_trivial(L, {1})), fa,
                                                    to_double(bl::operator_trace('A', 2, L)));
      const double d2 = bl::tightness_ratio<double>(bl::kernel_D_two_row_eigenvalue<double>(2, L), fd, to_double(bl::operator_trace('D', 2, L)));
      const double d3 = bl::tightness_ratio<double>(bl::kernel_D_two_row_eigenvalue<double>(3, L), fd, to_double(bl::operator_trace('D', 3, L)));
      cl_L.push_back(L), cl_a2.push_back(a2), cl_d2.push_back(d2), cl_d3.push_back(d3);
      closed_json.push_back({{"L", L}, {"A_V2_[L-1,1]", a2}, {"A_V2_(L-1)/(2(L+1))", (L - 1.0) / (2.0 * (L + 1))},
                             {"D_V2_[L-2,2]", d2}, {"D_V3_[L-2,2]", d3}, {"D_V2_times_L", d2 * L}, {"D_V3_times_L", d3 * L}});
    }
    figure ft;
    ft.id = "tightness-vs-L";
    ft.title = "Tightness eta_max f^lambda / Tr T vs L (A: [L-1,1], D: [L-2,2]) [reconstructed]";
    ft.xlabel = "context length L";
    ft.ylabel = "eta_max f^lambda / Tr T";
    ft.logy = true;
    ft.curves.push_back(line("A, V=2, [L-1,1]: closed form (L-1)/(2(L+1))", cl_L, cl_a2));
    ft.curves.push_back(line("D, V=2, [L-2,2]: closed form", cl_L, cl_d2));
    ft.curves.push_back(line("D, V=3, [L-2,2]: closed form", cl_L, cl_d3));
    for (const auto& [kname, V] : std::vector<std::pair<std::string, int>>{{"A", 2}, {"D", 2}, {"A", 3}, {"D", 3}}) {
      std::vector<double> x, y;
      for (const auto& t : tight)
        if (t.kernel == kname && t.V == V) x.push_back(t.L), y.push_back(t.numeric);
      if (!x.empty()) ft.curves.push_back(points(fmt::format("{}, V={}: numeric spectrum", kname, V), x, y, y, y));
    }
    ft.notes.push_back(fmt::format("A, V=2: -> 1/2; D: ~ 1/(2L) at V=2 ({:.4f} L at L=40), ~ 1/(3L) at V=3 ({:.4f} L at L=40): "
                                   "the trace bound is tight (order 1) for candidate A only",
                                   cl_d2.back(), cl_d3.back()));
    res.figures.push_back(ft);
    for (const auto& t : tight)
      res.bounds.push_back({fmt::format("tightness {} V={} L={} {} (numeric)", t.kernel, t.V, t.L, bl::to_string(t.lambda)), t.numeric});

    res.v = combine_verdicts(parts);
    res.bound_name = "min(trace bound, P/f^lambda) [reconstructed] at the L where the measured learnability uses most of it";
    res.bound = worst_bound;
    res.measured_name = "mean learnability over datasets there";
    res.measured = worst_measured;
    if (!shares.empty()) {
      res.tightness_median = stats::median(shares);
      res.tightness_worst = *std::max_element(shares.begin(), shares.end());
    }
    res.worst = worst.is_null() ? nlohmann::json{{"seed", ctx.seed}} : worst;
    res.summary = fmt::format("{}. Tightness eta f/Tr T: A (V=2) -> 1/2, D ~ 1/(2L) (V=2) and 1/(3L) (V=3) -> 0 "
                              "(the dimension bound is tight for A only). Kernels, bounds and predictions [reconstructed].",
                              fmt::join(lines, "; "));
    res.details = {
        {"sweeps", sweeps_json},
        {"tightness", tight_json},
        {"tightness_closed_forms", closed_json},
        {"datasets", datasets},
        {"rule",
         "per candidate: mean learnability <= min(trace bound, P/f) + 3 SE at every L; eigenlearning learnability <= the lower "
         "ends of both bounds (interval arithmetic); decreasing in L: bootstrap 95% CI (resampling datasets per L) of the "
         "least-squares slope of log(mean learnability) vs log L below 0 (above 0: violated; else inconclusive); eta equals "
         "its closed form and eta M <= Tr(P_lambda T) <= Tr T within a 1e-9 relative allowance for the numerical eigenvalue"},
        {"conventions",
         "uniform measure on [2]^L; kernel divided by its exact Tr T = E K(x,x) (so Tr T = 1 and sigma^2 is relative to it); "
         "T = K/N; ridge sigma^2 in K(X,X) + sigma^2 I; noise-free labels; P points i.i.d. (repeats allowed); target the "
         "top eigenfunction of the irrep, unit norm in L^2(p)"}};
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::lavie2024
