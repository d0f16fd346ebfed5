// ahn2023.trained-one-layer — P9 of spec ahn2023-linear-attention.md: a one-layer linear
// Transformer trained by Adam reaches the closed-form global optimum ([AHN-a] Theorem 1 for
// Gaussian covariates; spec 2.2 for any i.i.d. law: sphere, Setting 3's gamma). Protocol (spec
// P9, calibration 5): Adam lr 1e-2 x0.3 every 1000 iterations, batch 1e4, 3000 iterations, code
// parameterization; test loss on 5e5 fresh prompts within 1% of f* (Gaussian, sphere) or 3%
// (gamma); mean diag Q within 0.01 (0.05) of Q*; off-diagonal entries below 0.01 (0.05); medians
// over >= 3 seeds. Calibration: Gaussian 1.1565 +- 0.0034 vs 1.153846; sphere 0.16675 vs
// 0.166667; gamma 0.7429 +- 0.0068 vs 0.729730.
//
// Measured per run: (a) the population loss of the trained weights, exact through the P1
// identity f(C) = f* + tr((C - C*)^T Sigma (C - C*) G) with C = -Q (a one-layer loss depends on
// Q only; bounds/ahn2023/one_layer.hpp), (b) the Monte Carlo test loss on fresh prompts with its
// standard error (a check that the model and the closed form agree), (c) mean diag Q and the
// largest |off-diagonal| of Q. Verdict per law: holds when the medians over seeds of (a), (c)
// are within the tolerances and the MC loss's 95% CI (median run) meets f* (1 +- tol); a miss
// is violated at the paper's scale (B >= 1e4, >= 3000 iterations, >= 3 seeds, 5e5 test prompts).
// At a reduced scale (the quick profile: 10x fewer prompts per step, 900 steps with the decay
// period scaled to 300, Gaussian and gamma laws) the final iterates fluctuate more, so each statistic is judged with
// its measured standard error over seeds: it passes when median - 2 SE <= tolerance, SE =
// sample sd over seeds / sqrt(seeds) (the widened tolerance tol + 2 SE is reported); a miss
// there is inconclusive (the short run has not converged), never violated.
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "bounds/ahn2023/one_layer.hpp"
#include "claims/ahn2023/phenomena_claims.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"
#include "model/rng.hpp"

namespace attnbound::claims::ahn2023 {

namespace {

const char* const claim_id = "ahn2023.trained-one-layer";
constexpr int test_chunk = 10000;

struct law_case {
  std::string name;
  setting s;
  bounds::ahn2023::covariate_moments<double> mom;
  double tol_loss, tol_q;
};

std::vector<law_case> law_cases(const std::vector<int>& codes) {
  namespace b = bounds::ahn2023;
  std::vector<law_case> out;
  for (int code : codes) {
    law_case c;
    c.s.L = 1;
    switch (code) {
      case 1:
        c.name = "Gaussian n=20", c.mom = b::gaussian_moments<double>(Eigen::MatrixXd::Identity(5, 5)), c.tol_loss = 0.01, c.tol_q = 0.01;
        break;
      case 2:
        c.name = "Gaussian n=5", c.s.n = 5, c.mom = b::gaussian_moments<double>(Eigen::MatrixXd::Identity(5, 5)), c.tol_loss = 0.01,
        c.tol_q = 0.01;
        break;
      case 3:
        c.name = "gamma n=20", c.s.law = icl::covariate_law::radial_gamma, c.mom = b::radial_gamma_moments<double>(5, 0.1, 10.0),
        c.tol_loss = 0.03, c.tol_q = 0.05;
        break;
      case 4:
        c.name = "sphere n=20", c.s.law = icl::covariate_law::sphere, c.mom = b::sphere_moments<double>(5), c.tol_loss = 0.01,
        c.tol_q = 0.01;
        break;
      default: throw bad_input(fmt::format("{}: unknown law code {} (1 Gaussian n=20, 2 Gaussian n=5, 3 gamma, 4 sphere)", claim_id, code));
    }
    c.s.name = c.name;
    out.push_back(c);
  }
  return out;
}

struct run_out {
  Eigen::MatrixXd Q;
  double exact = 0, mc = 0, mc_se = 0;
  bool diverged = false;
};

}  // namespace

claim trained_one_layer() {
  claim c;
  c.info = {claim_id, paper_a, "Theorem 1 and spec 2.2 (trained models reach the optimum); spec P9", "closed-form", "exact",
            "A one-layer linear Transformer trained by Adam (lr 1e-2, x0.3 every 1000 steps, batch 1e4, 3000 steps) has test "
            "loss within 1% (3% for gamma covariates) of the closed-form optimum f*, mean diag Q within 0.01 (0.05) of Q* and "
            "off-diagonal entries below 0.01 (0.05)."};
  using K = param_kind;
  c.params = {
      {"laws", K::integer_list, "1,3", "1,4,3,2", 1, 4,
       "covariate laws: 1 Gaussian n=20, 2 Gaussian n=5, 3 gamma (S3), 4 sphere (quick: 1, 3; the sphere's Q* = -4.17 lies ~80 "
       "initial steps away and is reached only with the full 3000-step schedule)"},
      {"iterations", K::integer, "900", "3000", 1, 1e6, "Adam steps (paper protocol: 3000; quick: 900)"},
      {"decay_every", K::integer, "300", "1000", 1, 1e6, "lr x decay_gamma every this many steps (paper: 1000; quick: 300)"},
      {"decay_gamma", K::real, "0.3", "0.3", 0.001, 1, "step-decay factor (paper: 0.3)"},
      {"lr", K::real, "0.01", "0.01", 1e-9, 10, "initial Adam learning rate (paper: 1e-2)"},
      {"batch", K::integer, "1000", "10000", 10, 1e7, "prompts per step (paper: 1e4; quick: 1000; a reduced scale judges each statistic with its standard error over seeds)"},
      {"seeds", K::integer, "3", "3", 1, 1000, "replicates per law (spec: >= 3)"},
      {"test_prompts", K::integer, "100000", "500000", 1000, 1e8, "fresh test prompts per run (spec: 5e5)"},
  };
  c.estimate_bytes = [](const param_values& p) { return 8.0 * 6 * 21 * std::max(p.get("batch"), 10000.0) * 4; };
  c.run = [](const run_context& ctx) {
    namespace b = bounds::ahn2023;
    const auto& p = ctx.params;
    const auto cases = law_cases(p.int_list("laws"));
    const int iters = p.get_int("iterations"), B = p.get_int("batch"), seeds = p.get_int("seeds"), M = p.get_int("test_prompts");
    const bool paper_scale = B >= 10000 && iters >= 3000 && seeds >= 3 && M >= 500000 && p.get_int("decay_every") == 1000;
    const int nc = static_cast<int>(cases.size()), total = nc * seeds;
    std::vector<run_out> out(static_cast<std::size_t>(total));
    std::atomic<int> done{0};
    const int threads = threads_per_item(total, ctx.jobs);
    parallel_for(total, ctx.jobs, [&](int k) {
      const auto& lc = cases[k / seeds];
      const int r = k % seeds;
      const auto m = lc.s.model();
      const std::uint64_t key[] = {static_cast<std::uint64_t>(lc.s.law), static_cast<std::uint64_t>(lc.s.n), static_cast<std::uint64_t>(r)};
      auto init = model::make_rng(ctx.seed, std::string(claim_id) + "/init", {key[0], key[1], key[2]});
      auto data = model::make_rng(ctx.seed, std::string(claim_id) + "/data", {key[0], key[1], key[2]});
      icl::train_options o;
      o.opt = icl::optimizer::adam;
      o.lr = p.get("lr");
      o.beta1 = 0.9, o.beta2 = 0.999;  // torch Adam defaults (the spec's P9 run: optim.Adam(lr=0.01))
      o.clip = 0;                       // the one-layer calibration run does not clip
      o.decay_every = p.get_int("decay_every"), o.decay_gamma = p.get("decay_gamma");
      o.iterations = iters, o.batch = B, o.threads = threads;
      const auto tr = icl::train_online(m, icl::initial_parameters(m, init, 0.05), lc.s.prompts(), o, data);
      run_out& ro = out[k];
      ro.diverged = tr.diverged || !tr.theta.allFinite();
      if (!ro.diverged) {
        const int d = lc.s.d;
        ro.Q = Eigen::Map<const Eigen::MatrixXd>(tr.theta.data() + d * d, d, d);  // layer 0: P block, then Q (column-major)
        ro.exact = b::one_layer_quadratic_loss_centered<double>(-ro.Q, lc.mom, lc.s.n);
        // Monte Carlo test loss on fresh prompts (own stream per chunk).
        double sum = 0, sum2 = 0;
        for (int j = 0; j * test_chunk < M; ++j) {
          auto trng = model::make_rng(ctx.seed, std::string(claim_id) + "/test", {key[0], key[1], key[2], static_cast<std::uint64_t>(j)});
          const auto batch = icl::draw_prompts(lc.s.prompts(), std::min(test_chunk, M - j * test_chunk), trng);
          const auto yhat = icl::predict(m, tr.theta, batch);
          for (int i = 0; i < batch.B; ++i) {
            const double e = (yhat[i] - batch.y_query[i]) * (yhat[i] - batch.y_query[i]);
            sum += e, sum2 += e * e;
          }
        }
        ro.mc = sum / M;
        ro.mc_se = std::sqrt(std::max(0.0, sum2 / M - ro.mc * ro.mc) / (M - 1.0));
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: {} seed {}", claim_id, lc.name, r), ++done, total);
    });

    claim_result res;
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json table = nlohmann::json::array();
    double worst_rel = 0;
    std::vector<double> fig_x, fig_meas, fig_lo, fig_hi, fig_star, fig_tol;
    std::vector<std::string> fig_name;
    for (int ci = 0; ci < nc; ++ci) {
      const auto& lc = cases[ci];
      const auto opt = b::one_layer_optimum_for<double>(lc.mom, lc.s.n);
      const double fstar = opt.loss, qstar = -opt.C_star.trace() / lc.s.d;
      std::vector<double> exact_rel, mc_rel, mc_se_rel, qdiag_err, qdiag, offmax;
      int diverged = 0;
      for (int r = 0; r < seeds; ++r) {
        const auto& ro = out[ci * seeds + r];
        if (ro.diverged) {
          ++diverged;
          continue;
        }
        exact_rel.push_back((ro.exact - fstar) / fstar);
        mc_rel.push_back((ro.mc - fstar) / fstar);
        mc_se_rel.push_back(ro.mc_se / fstar);
        qdiag.push_back(ro.Q.diagonal().mean());
        qdiag_err.push_back(std::abs(ro.Q.diagonal().mean() - qstar));
        Eigen::MatrixXd off = ro.Q;
        off.diagonal().setZero();
        offmax.push_back(off.cwiseAbs().maxCoeff());
        // The run farthest from the spec tolerances (largest statistic / tolerance), to replay.
        const double worst_here = std::max({exact_rel.back() / lc.tol_loss, qdiag_err.back() / lc.tol_q, offmax.back() / lc.tol_q});
        if (res.worst.empty() || worst_here > res.worst["value"].get<double>())
          res.worst = {{"what", "largest statistic/tolerance over the runs (excess loss, |mean diag Q - Q*|, max off-diagonal)"},
                       {"law", lc.name}, {"replicate", r}, {"value", worst_here}, {"seed", ctx.seed},
                       {"stream", fmt::format("{}/init and /data, keys (law {}, n {}, replicate {})", claim_id,
                                              static_cast<int>(lc.s.law), lc.s.n, r)}};
      }
      verdict v;
      std::string why;
      nlohmann::json tolerances_used;
      if (exact_rel.empty()) {
        v = paper_scale ? verdict::violated : verdict::inconclusive, why = "every run diverged";
      } else {
        const double e = stats::median(exact_rel), qe = stats::median(qdiag_err), om = stats::median(offmax);
        // Reduced scale: each statistic may exceed its tolerance by 2 standard errors over seeds.
        auto se = [&](const std::vector<double>& v) {
          return paper_scale || v.size() < 2 ? 0.0 : stats::sample_sd(v) / std::sqrt(static_cast<double>(v.size()));
        };
        const double tol_e = lc.tol_loss + 2 * se(exact_rel), tol_qd = lc.tol_q + 2 * se(qdiag_err), tol_off = lc.tol_q + 2 * se(offmax);
        // The MC check on the median run (by MC relative error): its 95% CI must meet [-tol, tol].
        std::vector<std::size_t> idx(mc_rel.size());
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b2) { return mc_rel[a] < mc_rel[b2]; });
        const std::size_t mid = idx[(idx.size() - 1) / 2];
        const double mlo = mc_rel[mid] - 1.96 * mc_se_rel[mid], mhi = mc_rel[mid] + 1.96 * mc_se_rel[mid];
        const bool mc_ok = mhi >= -lc.tol_loss && mlo <= lc.tol_loss;
        const bool ok = e <= tol_e && qe <= tol_qd && om < tol_off && mc_ok && diverged == 0;
        if (ok) v = verdict::holds;
        else v = paper_scale ? verdict::violated : verdict::inconclusive;
        if (!ok) {
          std::vector<std::string> w;
          if (e > tol_e) w.push_back("excess loss above tolerance");
          if (qe > tol_qd) w.push_back("mean diag Q off");
          if (om >= tol_off) w.push_back("off-diagonal too large");
          if (!mc_ok) w.push_back("MC test loss CI misses f*(1 +- tol)");
          if (diverged) w.push_back(fmt::format("{} runs diverged", diverged));
          why = fmt::format("{}", fmt::join(w, ", "));
        }
        worst_rel = std::max(worst_rel, e / lc.tol_loss);
        lines.push_back(fmt::format("{}: f* {:.6g}, exact loss +{:.3g}% (tol {:.3g}%), MC {:+.2f}% +- {:.2f}%, mean diag Q {:.5f} vs Q* "
                                    "{:.5f} (tol {:.3g}), max off-diag {:.4f} (tol {:.3g}) -> {}{}",
                                    lc.name, fstar, 100 * e, 100 * tol_e, 100 * mc_rel[mid], 100 * 1.96 * mc_se_rel[mid],
                                    stats::median(qdiag), qstar, tol_qd, om, tol_off, to_string(v), why.empty() ? "" : " (" + why + ")"));
        tolerances_used = {{"loss", tol_e}, {"mean_diag_q", tol_qd}, {"offdiag", tol_off}};
        fig_x.push_back(ci + 1);
        fig_meas.push_back(100 * mc_rel[mid]);
        fig_lo.push_back(100 * mlo), fig_hi.push_back(100 * mhi);
        fig_star.push_back(100 * e);
        fig_tol.push_back(100 * tol_e);
        fig_name.push_back(lc.name);
        // Bands: two standard errors over seeds (the sampling scale of a median of a few runs).
        auto band = [&](const std::vector<double>& v, double floor) {
          return v.size() < 2 ? floor : std::max(floor, 2 * stats::sample_sd(v) / std::sqrt(static_cast<double>(v.size())));
        };
        res.statistics.push_back({fmt::format("{} exact excess loss (relative)", lc.name), e, band(exact_rel, 1e-4)});
        res.statistics.push_back({fmt::format("{} mean diag Q", lc.name), stats::median(qdiag), band(qdiag, 1e-3)});
      }
      parts.push_back(v);
      table.push_back({{"law", lc.name}, {"n", lc.s.n}, {"f_star", fstar}, {"q_star", qstar}, {"tolerance_loss", lc.tol_loss},
                       {"tolerance_q", lc.tol_q}, {"exact_relative_excess_per_seed", exact_rel}, {"mc_relative_error_per_seed", mc_rel},
                       {"mc_relative_se_per_seed", mc_se_rel}, {"mean_diag_q_per_seed", qdiag}, {"max_offdiag_per_seed", offmax},
                       {"diverged", diverged}, {"verdict", to_string(v)}, {"why", why},
                       {"tolerances_used", tolerances_used}});
      res.bounds.push_back({fmt::format("f* {}", lc.name), fstar});
      res.bounds.push_back({fmt::format("Q* {}", lc.name), qstar});
    }
    res.v = combine_verdicts(parts);
    res.bound_name = "relative tolerance on the test loss (1%, gamma 3%)";
    res.bound = 1;
    res.measured_name = "largest (median exact excess loss)/tolerance over the laws";
    res.measured = worst_rel;
    res.tightness_worst = worst_rel;
    res.summary = fmt::format(
        "paper: trained one layer = Theorem 1 / spec 2.2 optimum (calibration: Gaussian 1.1565 vs 1.153846, sphere 0.16675 vs "
        "0.166667, gamma 0.7429 vs 0.729730). Measured (medians over {} seeds, B = {}, {} steps, {} test prompts): {}{}",
        seeds, B, iters, M, fmt::join(lines, "; "), paper_scale ? "" : " (reduced scale: a miss is inconclusive, not violated)");
    res.details = {{"per_law", table}, {"paper_scale", paper_scale},
                   {"optimizer", "Adam betas (0.9, 0.999) (torch defaults, the calibration's optim.Adam), no clipping, step decay"},
                   {"exact_loss", "population loss of the trained Q via P1: f(C) = f* + tr((C-C*)^T Sigma (C-C*) G), C = -Q"}};
    {
      figure f;
      f.id = "relative-loss-error";
      f.title = "Trained one layer: relative loss error per covariate law";
      f.xlabel = "covariate law (position in the parameter 'laws')";
      f.ylabel = "(f - f*)/f* (%)";
      // One series per law, so no band joins different laws.
      for (std::size_t k = 0; k < fig_x.size(); ++k) {
        f.curves.push_back(points(fig_name[k] + ": MC test loss (median run, 95% CI)", {fig_x[k]}, {fig_meas[k]}, {fig_lo[k]}, {fig_hi[k]}));
        f.curves.push_back(line(fig_name[k] + ": tolerance", {fig_x[k] - 0.3, fig_x[k] + 0.3}, {fig_tol[k], fig_tol[k]}));
      }
      f.curves.push_back(points("exact population loss of the trained Q (median)", fig_x, fig_star, {}, {}));
      f.notes = lines;
      res.figures.push_back(std::move(f));
    }
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
