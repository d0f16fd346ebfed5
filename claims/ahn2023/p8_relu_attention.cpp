// ahn2023.theorem5 — [AHN-a] Theorem 5 (spec 2.3, P8) [exact statement; formula confirmed by two
// secondary copies]: one layer of ReLU attention P Z M relu(Z^T Q Z), x, w ~ N(0, I), last row of
// Q zero: a global minimizer is P_0 = [[0,0],[0,1]], Q_0 = -2n/(n+2d+3) [[I,0],[0,0]].
// Along Q = -q [[I,0],[0,0]] (q > 0), derived here: relu(-q s) = q relu(-s), so
// y_hat - y_q = -w^T (q v + x_q), v = (1/n) sum_i relu(-x_i^T x_q) x_i, and with E[w w^T] = I,
//   f(q) = q^2 E|v|^2 + 2 q E[v^T x_q] + d,  E[v^T x_q] = -E[s^2 1{s<0}] = -d/2 (s = x_i^T x_q),
//   E|v|^2 = (1/n) E[relu(-s)^2 |x_i|^2] + (n-1)/n E[relu(-s_i) relu(-s_j) x_i^T x_j]
//          = (1/n) d(d+2)/2 + (n-1)/n d/4 = d (n + 2d + 3) / (4n),
// so f(q) = d - d q + q^2 d (n+2d+3)/(4n), minimized at q_0 = 2n/(n+2d+3) (the theorem's scale)
// with f(q_0) = d (2d+3)/(n+2d+3). On every fixed batch f is exactly quadratic in q > 0.
// Checks (t-intervals over independent batches, Bonferroni over the claim's tests):
//  - 1-D scan of q around q_0 with common random numbers: per batch a least-squares parabola
//    (exact to rounding: residual checked), pooled minimizer -mean(b)/(2 mean(a)) with a
//    delta-method interval that must contain the closed-form q_0; each scan point's MC loss
//    brackets the derived f(q);
//  - the MC gradient at (P_0, Q_0) in the full parameterization, over every coordinate the
//    theorem optimizes (all of P, the first d rows of Q), is 0 within its intervals.
#include <fmt/format.h>

#include <boost/math/distributions/students_t.hpp>

#include "bounds/ahn2023/relu_attention.hpp"
#include "claims/ahn2023/identity_common.hpp"

namespace attnbound::claims::ahn2023 {

claim p8_relu_attention() {
  claim c;
  c.info = {"ahn2023.theorem5", paper_ahn_a, "Theorem 5 (ReLU attention optimum)", "closed-form", "exact",
            "ReLU attention, x, w ~ N(0, I), last row of Q zero: P_0 = [[0,0],[0,1]], Q_0 = -2n/(n+2d+3) [[I,0],[0,0]] "
            "is a global minimizer (loss d(2d+3)/(n+2d+3) and the 1-D loss curve derived here)."};
  using K = param_kind;
  c.params = {
      {"d", K::integer, "5", "5", 1, 16, "covariate dimension"},
      {"n", K::integer, "20", "20", 1, 1000, "context length"},
      {"scan", K::real_list, "-0.4,-0.2,0,0.2,0.4", "-0.5,-0.35,-0.2,-0.1,0,0.1,0.2,0.35,0.5", -0.99, 10,
       "relative offsets of q from q_0 (>= 3 values)", 3},
      {"batches", K::integer, "20", "100", 2, 100000, "independent batches"},
      {"B", K::integer, "2000", "10000", 1, 1000000, "prompts per batch"},
      {"alpha", K::probability, "0.01", "0.01", 0, 1, "family-wise level"},
      {"q_scale", K::real, "1", "1", 0.01, 100,
       "multiplies the closed-form q_0 under test (1 = Theorem 5; others show the check can fail)"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double n = p.get("n");
    return 8.0 * ((p.get("d") + 1) * (n + 1) + n * (n + 1) * 2) * p.get("B") + 8.0 * p.get("B") * (n + 1) * (n + 1);
  };
  c.run = [](const run_context& ctx) {
    namespace ab = bounds::ahn2023;
    const auto& p = ctx.params;
    const int d = p.get_int("d"), n = p.get_int("n"), Kb = p.get_int("batches"), B = p.get_int("B");
    const double alpha = p.get("alpha"), q_scale = p.get("q_scale");
    std::vector<double> scan = p.list("scan");
    std::sort(scan.begin(), scan.end());
    const std::string id = "ahn2023.theorem5";
    const double q0_closed = -ab::theorem5_q0<double>(d, n);  // 2n/(n+2d+3)
    const double q_test = q0_closed * q_scale;                // the closed form under test
    const double Ev2 = d * (n + 2.0 * d + 3) / (4.0 * n);
    auto f_of_q = [&](double q) { return d - d * q + q * q * Ev2; };  // derived above
    const double f0 = d * (2.0 * d + 3) / (n + 2.0 * d + 3);

    icl::lsa_model m;
    m.d = d, m.L = 1, m.par = icl::parameterization::full, m.act = icl::attention::relu;
    auto theta_of = [&](double q) {
      icl::layer_weights w;
      w.P = Eigen::MatrixXd::Zero(d + 1, d + 1);
      w.P(d, d) = 1;
      w.Q = Eigen::MatrixXd::Zero(d + 1, d + 1);
      w.Q.topLeftCorner(d, d) = -q * Eigen::MatrixXd::Identity(d, d);
      return icl::pack(m, {w});
    };
    const int ns = static_cast<int>(scan.size());
    std::vector<double> qs;
    std::vector<Eigen::VectorXd> thetas;
    for (double s : scan) qs.push_back(q_test * (1 + s)), thetas.push_back(theta_of(q_test * (1 + s)));
    const Eigen::VectorXd theta0 = theta_of(q_test);
    // Coordinates the theorem optimizes: everything but the last row of Q.
    const int np = icl::parameter_count(m);
    std::vector<int> free_coords;
    {
      const auto lz = icl::unpack(m, Eigen::VectorXd::Zero(np));
      for (int i = 0; i < np; ++i) {
        Eigen::VectorXd e = Eigen::VectorXd::Zero(np);
        e(i) = 1;
        const auto lw = icl::unpack(m, e);
        if ((lw[0].Q - lz[0].Q).row(d).cwiseAbs().maxCoeff() == 0) free_coords.push_back(i);
      }
    }
    const int tests = 1 + ns + static_cast<int>(free_coords.size());
    const double conf = per_test_confidence(alpha, tests);

    std::vector<std::vector<double>> losses(static_cast<std::size_t>(ns), std::vector<double>(static_cast<std::size_t>(Kb)));
    std::vector<double> a(static_cast<std::size_t>(Kb)), b(static_cast<std::size_t>(Kb)), c0(static_cast<std::size_t>(Kb)), fit_res(static_cast<std::size_t>(Kb));
    Eigen::MatrixXd grads(static_cast<Eigen::Index>(free_coords.size()), Kb);
    icl::prompt_options data;
    data.d = d, data.n = n;
    for_each_batch(data, Kb, B, ctx.seed, id, config_key({static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(n)}), ctx.jobs,
                   [&](int k, const icl::prompt_batch& batch) {
                     Eigen::MatrixXd X(ns, 3);
                     Eigen::VectorXd y(ns);
                     for (int j = 0; j < ns; ++j) {
                       losses[j][k] = icl::loss(m, thetas[j], batch);
                       X(j, 0) = 1, X(j, 1) = qs[j], X(j, 2) = qs[j] * qs[j];
                       y(j) = losses[j][k];
                     }
                     const Eigen::Vector3d coef = X.colPivHouseholderQr().solve(y);
                     fit_res[k] = (X * coef - y).cwiseAbs().maxCoeff() / y.cwiseAbs().maxCoeff();
                     a[k] = coef(2), b[k] = coef(1), c0[k] = coef(0);
                     Eigen::VectorXd g;
                     icl::loss_and_gradient(m, theta0, batch, g);
                     for (std::size_t i = 0; i < free_coords.size(); ++i) grads(static_cast<Eigen::Index>(i), k) = g(free_coords[i]);
                   });
    claim_result res;
    // Pooled minimizer -mean(b) / (2 mean(a)) and its delta-method interval.
    double am = 0, bm = 0, cm = 0;
    for (int k = 0; k < Kb; ++k) am += a[k], bm += b[k], cm += c0[k];
    am /= Kb, bm /= Kb, cm /= Kb;
    const double qhat = -bm / (2 * am);
    std::vector<double> gk(static_cast<std::size_t>(Kb));
    for (int k = 0; k < Kb; ++k) gk[k] = (b[k] + 2 * qhat * a[k]) / (2 * am);
    const auto gci = batch_interval(gk, conf);  // mean ~ 0; half-width = CI half-width of qhat
    const double q_lo = qhat - gci.half, q_hi = qhat + gci.half;
    const bool q_in = q_test >= q_lo && q_test <= q_hi;  // the closed form under test
    const double max_fit = *std::max_element(fit_res.begin(), fit_res.end());
    const bool exact_ok = max_fit <= 1e-10;

    bool curve_ok = true;
    double worst_ratio = std::abs(qhat - q_test) / gci.half;
    res.worst = worst_case("|fitted minimizer - q_0| / CI half-width", worst_ratio, ctx.seed,
                           {{"d", d}, {"n", n}, {"batches", Kb}, {"B", B}, {"stream", id}, {"q_scale", q_scale}});
    std::vector<double> xs, ys, lo, hi;
    nlohmann::json rows = nlohmann::json::array();
    for (int j = 0; j < ns; ++j) {
      const auto ci = batch_interval(losses[j], conf);
      const double want = f_of_q(qs[j]);
      const bool in = ci.contains(want);
      curve_ok = curve_ok && in;
      const double ratio = std::abs(ci.mean - want) / ci.half;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        res.worst = worst_case("|MC loss - f(q)| / CI half-width", ratio, ctx.seed,
                               {{"d", d}, {"n", n}, {"q", qs[j]}, {"batches", Kb}, {"B", B}, {"stream", id}});
      }
      xs.push_back(qs[j]), ys.push_back(ci.mean), lo.push_back(ci.lo), hi.push_back(ci.hi);
      rows.push_back({{"q", qs[j]}, {"f_derived", want}, {"mc", interval_json(ci)}, {"inside", in}});
      if (scan[j] == 0) res.statistics.push_back({"MC loss at q_0", ci.mean, ci.half});
      res.bounds.push_back({fmt::format("f(q) derived at q = {:.6g}", qs[j]), want});
    }
    const auto gz = test_zero_gradient(grads, conf);

    figure f;
    f.id = "loss-vs-scale";
    f.title = fmt::format("ReLU attention: loss along Q = -q [[I,0],[0,0]] (d = {}, n = {})", d, n);
    f.xlabel = "scale q";
    f.ylabel = "loss (squared output units)";
    f.curves.push_back(points(fmt::format("Monte Carlo ({} x {} prompts, CI)", Kb, B), xs, ys, lo, hi));
    std::vector<double> cx, cy, py;
    for (int i = 0; i <= 60; ++i) {
      const double q = xs.front() + (xs.back() - xs.front()) * i / 60.0;
      cx.push_back(q), cy.push_back(f_of_q(q)), py.push_back(am * q * q + bm * q + cm);
    }
    f.curves.push_back(line("f(q) = d - d q + q^2 d(n+2d+3)/(4n) (derived)", cx, cy));
    f.curves.push_back(line("pooled fitted parabola", cx, py));
    f.curves.push_back(line("q_0 = 2n/(n+2d+3) (Theorem 5)", {q0_closed, q0_closed}, {*std::min_element(cy.begin(), cy.end()), *std::max_element(cy.begin(), cy.end())}));
    f.notes.push_back(fmt::format("fitted minimizer {:.5g} [{:.5g}, {:.5g}]; Theorem 5: {:.5g}", qhat, q_lo, q_hi, q0_closed));
    res.figures.push_back(std::move(f));

    res.bounds.push_back({"q_0 = 2n/(n+2d+3)", q0_closed});
    res.bounds.push_back({"f(q_0) = d(2d+3)/(n+2d+3) (derived)", f0});
    res.statistics.push_back({"fitted minimizer q", qhat, gci.half});
    res.bound_name = "q_0 = 2n/(n+2d+3) (Theorem 5)";
    res.bound = q0_closed;
    res.measured_name = "fitted minimizer of the MC loss along q";
    res.measured = qhat;
    res.tightness_median = qhat / q0_closed;
    res.tightness_worst = worst_ratio;
    res.details = {{"scan", rows}, {"fitted_minimizer", {{"q", qhat}, {"lo", q_lo}, {"hi", q_hi}}},
                   {"q0_closed_form", q0_closed}, {"q_under_test", q_test}, {"f_q0_derived", f0},
                   {"fit_max_relative_residual", max_fit},
                   {"gradient_at_Q0", {{"tested", gz.tested}, {"exact_zero", gz.exact_zero}, {"outside", gz.outside},
                                       {"max_abs_t", gz.max_abs_t}, {"critical_t", gz.critical}, {"max_abs_mean", gz.max_abs_mean}}},
                   {"confidence_per_interval", conf}, {"intervals", tests}, {"family_alpha", alpha}};
    const bool ok = q_in && curve_ok && gz.holds() && exact_ok;
    res.v = ok ? verdict::holds : verdict::violated;
    res.summary = fmt::format(
        "q_0 = {:.6g}: fitted minimizer of the MC loss {:.5g} [{:.5g}, {:.5g}]{}; MC losses on the scan within {:.3g} CI "
        "half-widths of the derived f(q) (f(q_0) = {:.6g}); gradient at (P_0, Q_0): max |t| {:.3g} over {} coordinates{}; "
        "per-batch parabola exact to {:.2g}",
        q0_closed, qhat, q_lo, q_hi, q_in ? "" : " (EXCLUDES q_0)", worst_ratio, f0, gz.max_abs_t, gz.tested,
        gz.holds() ? "" : " (NONZERO)", max_fit);
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
