// ahn2023.one-layer-quadratic — spec 4 P1 [derived] (spec 2.2): for i.i.d. covariates with
// Sigma = E[x x^T], K4 = E[|x|^2 x x^T] and w independent with E[w w^T] = I, the one-layer
// loss in the code parameterization (y_hat = x_q^T C (1/n) sum_i y_i x_i, C = -Q) is the convex
// quadratic
//   f(C) = f* + tr((C - C*)^T Sigma (C - C*) G),  G = K4/n + (n-1)/n Sigma^2,  C* = Sigma G^{-1}.
// Checks:
//  (exact) on a FIXED batch the model's loss equals the batch's own quadratic form in C
//          (identity_references.hpp) to rounding (relative 1e-12 of the terms' size), at C* and
//          at random C; the closed form's expanded and completed-square forms agree, and
//          f(C) >= f*;
//  (Monte Carlo) over Gaussian isotropic/anisotropic, sphere and radial-gamma laws, K batch
//          losses at C* and at random C (common random numbers) bracket the formula: the claim
//          is violated when the formula lies outside a t-interval at family-wise level alpha
//          (Bonferroni over every interval of the claim); and the MC gradient at C* is 0 within
//          its intervals (spec P1 check 3).
#include <fmt/format.h>

#include "bounds/ahn2023/one_layer.hpp"
#include "claims/ahn2023/identity_common.hpp"
#include "claims/ahn2023/identity_references.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

namespace {
constexpr double exact_tolerance = 1e-12;
}

claim p1_one_layer_quadratic() {
  claim c;
  c.info = {"ahn2023.one-layer-quadratic", paper_ahn_a, "Theorem 1 / spec 2.2 (one-layer quadratic identity)",
            "probabilistic", "derived",
            "One-layer LSA loss is the convex quadratic f(C) = f* + tr((C - C*)^T Sigma (C - C*) G), "
            "C* = Sigma G^{-1}, G = K4/n + (n-1)/n Sigma^2, for any i.i.d. covariate law (exactly "
            "quadratic in C on every fixed batch; the population formula checked by Monte Carlo)."};
  using K = param_kind;
  c.params = {
      {"d", K::integer, "5", "5", 1, 16, "covariate dimension"},
      {"n", K::integer, "20", "20", 1, 1000, "context length"},
      {"random_C", K::integer, "2", "6", 1, 100, "random C per law (besides C*)"},
      {"batches", K::integer, "20", "100", 2, 100000, "independent Monte Carlo batches per law"},
      {"B", K::integer, "2000", "10000", 1, 1000000, "prompts per batch"},
      {"exact_B", K::integer, "64", "512", 1, 100000, "prompts of the fixed batch of the exact check"},
      {"alpha", K::probability, "0.01", "0.01", 0, 1, "family-wise level of the Monte Carlo intervals"},
      {"perturb", K::real, "0", "0", -10, 10,
       "relative perturbation of C* in the formula under test (0 = the closed form; to show the check can fail)"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double d = p.get("d"), n = p.get("n");
    return 8.0 * (d + 1) * (n + 1) * std::max(p.get("B"), p.get("exact_B")) * 3 + 8.0 * d * d * d * d;
  };
  c.run = [](const run_context& ctx) {
    namespace ab = bounds::ahn2023;
    const auto& p = ctx.params;
    const int d = p.get_int("d"), n = p.get_int("n"), R = p.get_int("random_C"), Kb = p.get_int("batches"),
              B = p.get_int("B"), exact_B = p.get_int("exact_B");
    const double alpha = p.get("alpha"), perturb = p.get("perturb");
    const std::string id = "ahn2023.one-layer-quadratic";

    auto setup_rng = model::make_rng(ctx.seed, id + ".setup", {static_cast<std::uint64_t>(d)});
    std::vector<law_case> laws = {gaussian_law(d, n, std::vector<double>(d, 1.0)),
                                  gaussian_law(d, n, anisotropic_spectrum(d), random_rotation(d, setup_rng)),
                                  sphere_law(d, n), gamma_law(d, n, 0.1, 10.0)};
    const int nlaws = static_cast<int>(laws.size());
    const int mc_tests = nlaws * (R + 1) + nlaws * d * d;  // loss intervals + gradient coordinates
    const double conf = per_test_confidence(alpha, mc_tests);

    icl::lsa_model m;
    m.d = d, m.L = 1, m.par = icl::parameterization::code;
    claim_result res;
    nlohmann::json table = nlohmann::json::array();
    bool exact_ok = true, mc_ok = true, grad_ok = true, convex_ok = true;
    double max_exact = 0, max_form_gap = 0, worst_ratio = -1, max_grad_t = 0;
    std::vector<double> fig_formula, fig_mean, fig_lo, fig_hi;
    figure f;
    f.id = "mc-loss-vs-formula";
    f.title = fmt::format("One-layer loss: Monte Carlo vs the quadratic formula (d = {}, n = {})", d, n);
    f.xlabel = "formula f(C) = f* + tr((C-C*)^T Sigma (C-C*) G) (squared output units)";
    f.ylabel = "Monte Carlo loss (mean over batches, CI)";
    f.logx = f.logy = true;
    double xmin = HUGE_VAL, xmax = 0;

    for (int li = 0; li < nlaws; ++li) {
      const law_case& law = laws[li];
      const auto opt = ab::one_layer_optimum_for(law.mom, n);
      // The closed form under test (perturb != 0 moves C* and keeps f*, a deliberately wrong formula).
      const Eigen::MatrixXd C_formula = opt.C_star * (1 + perturb);
      auto formula = [&](const Eigen::MatrixXd& C) {
        const Eigen::MatrixXd D = C - C_formula;
        return opt.loss + (D.transpose() * law.mom.Sigma * D * opt.G).trace();
      };
      // C* and R random C around it: C = C* + Delta, Delta_ij ~ N(0, (0.5 |C*|_F / d)^2).
      auto crng = model::make_rng(ctx.seed, id + ".C", {static_cast<std::uint64_t>(li), static_cast<std::uint64_t>(d),
                                                        static_cast<std::uint64_t>(n)});
      std::vector<Eigen::MatrixXd> Cs = {opt.C_star};
      const double s = 0.5 * opt.C_star.norm() / d;
      for (int r = 0; r < R; ++r) {
        Eigen::MatrixXd D(d, d);
        for (int j = 0; j < d; ++j)
          for (int i = 0; i < d; ++i) D(i, j) = s * model::standard_normal(crng);
        Cs.push_back(opt.C_star + D);
      }
      std::vector<Eigen::VectorXd> thetas;
      for (const auto& C : Cs) thetas.push_back(code_theta(m, {Eigen::MatrixXd::Zero(d, d)}, {C}));

      // (exact) fixed batch: model loss = the batch's quadratic form in C.
      double law_exact = 0;
      {
        auto rng = model::make_rng(ctx.seed, id + ".fixed-batch", {static_cast<std::uint64_t>(li)});
        const auto batch = icl::draw_prompts(law.data, exact_B, rng);
        const auto q = one_layer_empirical_quadratic(batch);
        for (std::size_t t = 0; t < Cs.size(); ++t) {
          const double fm = icl::loss(m, thetas[t], batch);
          law_exact = std::max(law_exact, std::abs(fm - q.value(Cs[t])) / q.magnitude(Cs[t]));
        }
      }
      max_exact = std::max(max_exact, law_exact);
      exact_ok = exact_ok && law_exact <= exact_tolerance;

      // closed form: expanded (first principles) vs completed square; f(C) >= f*.
      for (const auto& C : Cs) {
        const double a = ab::one_layer_quadratic_loss<double>(C, law.mom, n);
        const double b = ab::one_layer_quadratic_loss_centered<double>(C, law.mom, n);
        max_form_gap = std::max(max_form_gap, relative_error(a, b));
        convex_ok = convex_ok && b >= opt.loss;
      }

      // (Monte Carlo) losses with common random numbers, and the gradient at C*.
      const std::uint64_t cfg = config_key({static_cast<std::uint64_t>(li), static_cast<std::uint64_t>(d),
                                            static_cast<std::uint64_t>(n)});
      std::vector<std::vector<double>> losses(thetas.size(), std::vector<double>(static_cast<std::size_t>(Kb)));
      Eigen::MatrixXd grads(thetas[0].size(), Kb);
      for_each_batch(law.data, Kb, B, ctx.seed, id + ".mc", cfg, ctx.jobs, [&](int k, const icl::prompt_batch& batch) {
        Eigen::VectorXd g;
        losses[0][k] = icl::loss_and_gradient(m, thetas[0], batch, g);
        grads.col(k) = g;
        for (std::size_t t = 1; t < thetas.size(); ++t) losses[t][k] = icl::loss(m, thetas[t], batch);
      });
      const auto gz = test_zero_gradient(grads, conf);
      grad_ok = grad_ok && gz.holds();
      max_grad_t = std::max(max_grad_t, gz.max_abs_t);
      nlohmann::json rows = nlohmann::json::array();
      for (std::size_t t = 0; t < Cs.size(); ++t) {
        const double fv = formula(Cs[t]);
        const auto ci = batch_interval(losses[t], conf);
        const bool in = ci.contains(fv);
        mc_ok = mc_ok && in;
        const double ratio = std::abs(ci.mean - fv) / ci.half;
        if (ratio > worst_ratio) {
          worst_ratio = ratio;
          res.worst = worst_case("|MC mean - formula| / CI half-width", ratio, ctx.seed,
                                 {{"law", law.name}, {"C_index", t}, {"d", d}, {"n", n}, {"batches", Kb}, {"B", B},
                                  {"stream", id + ".mc"}});
        }
        rows.push_back({{"C", t == 0 ? "C*" : fmt::format("random {}", t)}, {"formula", fv},
                        {"mc", interval_json(ci)}, {"inside", in}});
        fig_formula.push_back(fv), fig_mean.push_back(ci.mean), fig_lo.push_back(ci.lo), fig_hi.push_back(ci.hi);
        xmin = std::min(xmin, fv), xmax = std::max(xmax, fv);
        if (t == 0)
          res.statistics.push_back({fmt::format("MC loss at C*, {}", law.name), ci.mean, ci.half});
        else
          res.bounds.push_back({fmt::format("f(C) formula, {}, random C {}", law.name, t), fv});
      }
      res.bounds.push_back({fmt::format("f* ({})", law.name), opt.loss});
      res.bounds.push_back({fmt::format("tr Sigma ({})", law.name), law.mom.Sigma.trace()});
      table.push_back({{"law", law.name}, {"f_star", opt.loss}, {"C_star_diag_mean", opt.C_star.diagonal().mean()},
                       {"fixed_batch_max_rel_error", law_exact}, {"losses", rows},
                       {"gradient_at_C_star", {{"tested", gz.tested}, {"exact_zero", gz.exact_zero},
                                               {"outside", gz.outside}, {"max_abs_t", gz.max_abs_t},
                                               {"critical_t", gz.critical}, {"max_abs_mean", gz.max_abs_mean}}}});
      if (ctx.progress) ctx.progress(law.name, li + 1, nlaws);
    }
    // Figure: every (law, C) as a point (MC mean with CI) against its formula value, y = x line.
    {
      std::vector<std::size_t> order(fig_formula.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return fig_formula[a] < fig_formula[b]; });
      std::vector<double> x, y, lo, hi;
      for (auto i : order) x.push_back(fig_formula[i]), y.push_back(fig_mean[i]), lo.push_back(fig_lo[i]), hi.push_back(fig_hi[i]);
      f.curves.push_back(points(fmt::format("Monte Carlo ({} batches x {} prompts, CI at {:.4g})", Kb, B, conf), x, y, lo, hi));
      f.curves.push_back(line("y = formula", {xmin, xmax}, {xmin, xmax}));
      f.notes.push_back("laws: Gaussian isotropic, Gaussian anisotropic (spec spectrum, random rotation), sphere, radial gamma (0.1, 10)");
      f.notes.push_back(fmt::format("worst |MC - formula| / CI half-width = {:.3g} (violated above 1)", worst_ratio));
      res.figures.push_back(std::move(f));
    }
    res.bound_name = "1 (the formula lies inside every Monte Carlo CI)";
    res.bound = 1;
    res.measured_name = "max |MC mean - formula| / CI half-width";
    res.measured = worst_ratio;
    res.tightness_worst = worst_ratio;
    res.statistics.push_back({"max fixed-batch relative error (model vs quadratic form)", max_exact, exact_tolerance});
    res.details = {{"per_law", table}, {"exact_tolerance", exact_tolerance}, {"fixed_batch_max_rel_error", max_exact},
                   {"closed_form_expanded_vs_centered_max_rel", max_form_gap}, {"f_C_at_least_f_star", convex_ok},
                   {"confidence_per_interval", conf}, {"family_alpha", alpha}, {"intervals", mc_tests},
                   {"gradient_max_abs_t", max_grad_t}, {"perturb", perturb}};
    const bool ok = exact_ok && mc_ok && grad_ok && convex_ok && max_form_gap <= exact_tolerance;
    res.v = ok ? verdict::holds : verdict::violated;
    res.summary = fmt::format(
        "fixed batch: model = quadratic form to {:.2g} (tol {:.0e}); Monte Carlo over {} laws: worst |MC - formula| "
        "= {:.3g} CI half-widths; gradient at C*: max |t| {:.3g}{}; closed forms agree to {:.2g}, f(C) >= f*: {}",
        max_exact, exact_tolerance, nlaws, worst_ratio, max_grad_t, grad_ok ? "" : " (NONZERO)", max_form_gap,
        convex_ok ? "yes" : "NO");
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
