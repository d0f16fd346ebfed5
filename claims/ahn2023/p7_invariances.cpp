// ahn2023.invariances — spec 4 P7 ([AHN-a] Theorem 1's "up to re-scaling", Lemma 4, and the
// structure of the official parameterization, spec 1.2) [exact], all on fixed batches to rounding:
//  (a) full parameterization: f(g_l P_l, Q_l / g_l) = f(P_l, Q_l) for any nonzero g_l per layer
//      (each layer's update depends on P_l (x) Q_l only), L = 1..3, random P, Q;
//  (b) sparse layers with A_l = a_l Sigma^{-1} (anisotropic Sigma): the loss does not depend on
//      the order of the layers (the factors I - a_l Sigma^{-1} S of the GD residual commute);
//      control: for generic symmetric A_l the order does matter (so the check can fail);
//  (c) the last layer's P block has exactly zero gradient (code parameterization, L = 1..4, and
//      the first d rows of the last P in the full parameterization), and a zero Hessian column
//      (H e_i = 0 for a last-layer P coordinate); control: earlier layers' P blocks do not.
#include <fmt/format.h>

#include "claims/ahn2023/identity_common.hpp"

namespace attnbound::claims::ahn2023 {

namespace {
constexpr double exact_tolerance = 1e-12;

Eigen::MatrixXd gaussian_matrix(int r, int c, double sd, model::rng_t& rng) {
  Eigen::MatrixXd M(r, c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i) M(i, j) = sd * model::standard_normal(rng);
  return M;
}
}  // namespace

claim p7_invariances() {
  claim c;
  c.info = {"ahn2023.invariances", paper_ahn_a, "Theorem 1 (re-scaling), Lemma 4 (layer order), spec 1.2 (last P block)",
            "invariance", "exact",
            "f(g P, Q/g) = f(P, Q) in the full parameterization; swapping layers with A_l proportional to Sigma^{-1} "
            "leaves the loss unchanged; the last layer's P block has exactly zero gradient."};
  using K = param_kind;
  c.params = {
      {"d", K::integer, "5", "5", 1, 32, "covariate dimension"},
      {"n", K::integer, "20", "20", 1, 10000, "context length"},
      {"B", K::integer, "256", "4096", 1, 1000000, "prompts of each fixed batch"},
      {"draws", K::integer, "4", "20", 1, 10000, "random parameter draws per check"},
  };
  c.estimate_bytes = [](const param_values& p) { return 8.0 * (p.get("d") + 1) * (p.get("n") + 1) * p.get("B") * 4; };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const int d = p.get_int("d"), n = p.get_int("n"), B = p.get_int("B"), draws = p.get_int("draws");
    const std::string id = "ahn2023.invariances";
    auto rng = model::make_rng(ctx.seed, id, {static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(n)});
    const law_case law = gaussian_law(d, n, anisotropic_spectrum(d), random_rotation(d, rng));
    const auto batch = icl::draw_prompts(law.data, B, rng);
    claim_result res;

    // (a) rescaling invariance, full parameterization.
    double max_rescale = 0;
    std::vector<double> fig_l, fig_a;
    for (int L = 1; L <= 3; ++L) {
      icl::lsa_model m;
      m.d = d, m.L = L, m.par = icl::parameterization::full;
      double lmax = 0;
      for (int r = 0; r < draws; ++r) {
        std::vector<icl::layer_weights> w(static_cast<std::size_t>(L)), ws;
        for (auto& l : w) l.P = gaussian_matrix(d + 1, d + 1, 0.3, rng), l.Q = gaussian_matrix(d + 1, d + 1, 0.3, rng);
        ws = w;
        for (auto& l : ws) {
          // g in +-[0.25, 4], log-uniform magnitude and a random sign
          const double u = boost::random::uniform_01<double>()(rng);
          const double g = std::exp(std::log(4.0) * (2 * u - 1)) * model::rademacher(rng);
          l.P *= g, l.Q /= g;
        }
        const double f0 = icl::loss(m, icl::pack(m, w), batch), f1 = icl::loss(m, icl::pack(m, ws), batch);
        const double e = relative_error(f1, f0);
        lmax = std::max(lmax, e);
        if (e > max_rescale) {
          max_rescale = e;
          res.worst = worst_case("relative loss change under (g P, Q/g)", e, ctx.seed,
                                 {{"check", "rescaling"}, {"L", L}, {"draw", r}, {"d", d}, {"n", n}, {"B", B}, {"stream", id}});
        }
      }
      fig_l.push_back(L), fig_a.push_back(std::max(lmax, 1e-18));
    }

    // (b) layer order with A_l = a_l Sigma^{-1}; control with generic symmetric A_l.
    const Eigen::MatrixXd Sigma_inv = law.mom.Sigma.inverse();
    double max_swap = 0, min_control = HUGE_VAL;
    for (int L = 2; L <= 4; ++L) {
      icl::lsa_model m;
      m.d = d, m.L = L, m.par = icl::parameterization::sparse;
      for (int r = 0; r < draws; ++r) {
        std::vector<Eigen::MatrixXd> A, Ac;
        for (int l = 0; l < L; ++l) {
          const double a = 0.1 + 0.5 * boost::random::uniform_01<double>()(rng);
          A.push_back(a * Sigma_inv);
          Eigen::MatrixXd E = gaussian_matrix(d, d, 1.0, rng);
          Ac.push_back(a * Sigma_inv + 0.3 * a * Sigma_inv.norm() / d * (E + E.transpose()));
        }
        std::vector<Eigen::MatrixXd> Ar(A.rbegin(), A.rend()), Acr(Ac.rbegin(), Ac.rend());
        const double f0 = icl::loss(m, sparse_theta(m, A), batch), f1 = icl::loss(m, sparse_theta(m, Ar), batch);
        const double e = relative_error(f1, f0);
        if (e > std::max(max_rescale, max_swap)) {
          res.worst = worst_case("relative loss change under layer reversal (A_l = a_l Sigma^-1)", e, ctx.seed,
                                 {{"check", "layer order"}, {"L", L}, {"draw", r}, {"d", d}, {"n", n}, {"B", B}, {"stream", id}});
        }
        max_swap = std::max(max_swap, e);
        min_control = std::min(min_control, relative_error(icl::loss(m, sparse_theta(m, Acr), batch),
                                                           icl::loss(m, sparse_theta(m, Ac), batch)));
      }
    }

    // (c) last layer's P block: exact zero gradient (code: the whole d x d block; full: rows 0..d-1).
    bool last_p_zero = true, earlier_p_nonzero = true, hessian_zero = true;
    int checked = 0;
    for (int L = 1; L <= 4; ++L) {
      for (auto par : {icl::parameterization::code, icl::parameterization::full}) {
        icl::lsa_model m;
        m.d = d, m.L = L, m.par = par;
        // Classify each coordinate through unpack (the layout is the model's business): -1 not in the
        // x-rows of a P block, else the layer.
        const int np = icl::parameter_count(m);
        const auto lz = icl::unpack(m, Eigen::VectorXd::Zero(np));
        std::vector<int> p_layer(static_cast<std::size_t>(np), -1);
        for (int i = 0; i < np; ++i) {
          Eigen::VectorXd e = Eigen::VectorXd::Zero(np);
          e(i) = 1;
          const auto lw = icl::unpack(m, e);
          for (int l = 0; l < L; ++l)
            if ((lw[l].P - lz[l].P).topRows(d).cwiseAbs().maxCoeff() > 0) p_layer[i] = l;
        }
        for (int r = 0; r < draws; ++r) {
          const Eigen::VectorXd theta = icl::initial_parameters(m, rng, r % 2 == 0 ? 0.05 : 0.3);
          Eigen::VectorXd g;
          icl::loss_and_gradient(m, theta, batch, g);
          bool earlier_any = false;
          for (int i = 0; i < np; ++i) {
            if (p_layer[i] == L - 1) {
              ++checked;
              if (g(i) != 0.0) last_p_zero = false;
            } else if (p_layer[i] >= 0 && g(i) != 0.0) {
              earlier_any = true;
            }
          }
          if (L >= 2) earlier_p_nonzero = earlier_p_nonzero && earlier_any;
          if (r == 0) {  // the Hessian column of the first last-layer P coordinate is 0
            for (int i = 0; i < np; ++i) {
              if (p_layer[i] != L - 1) continue;
              Eigen::VectorXd e = Eigen::VectorXd::Zero(np);
              e(i) = 1;
              hessian_zero = hessian_zero && (icl::hessian_vector(m, theta, batch, e).array() == 0.0).all();
              break;
            }
          }
        }
      }
    }

    figure f;
    f.id = "invariance-errors";
    f.title = fmt::format("Invariances on a fixed batch (d = {}, n = {}, B = {})", d, n, B);
    f.xlabel = "layers L";
    f.ylabel = "max relative loss change";
    f.logy = true;
    f.curves.push_back(line("(g P_l, Q_l/g_l) rescaling, full parameterization", fig_l, fig_a));
    f.curves.push_back(line("tolerance", fig_l, std::vector<double>(fig_l.size(), exact_tolerance)));
    f.notes.push_back(fmt::format("layer reversal with A_l = a_l Sigma^-1: max change {:.2g}; generic symmetric A_l: min change {:.2g}",
                                  max_swap, min_control));
    res.figures.push_back(std::move(f));
    const double worst = std::max(max_rescale, max_swap);
    res.bound_name = "relative tolerance (rounding)";
    res.bound = exact_tolerance;
    res.measured_name = "max relative loss change (rescaling, layer reversal)";
    res.measured = worst;
    res.tightness_worst = worst / exact_tolerance;
    res.statistics.push_back({"max relative loss change", worst, exact_tolerance});
    res.details = {{"rescaling_max_rel_change", max_rescale}, {"layer_reversal_max_rel_change", max_swap},
                   {"control_generic_A_min_rel_change", min_control}, {"last_P_gradient_exactly_zero", last_p_zero},
                   {"last_P_coordinates_checked", checked}, {"last_P_hessian_column_zero", hessian_zero},
                   {"earlier_P_gradient_nonzero", earlier_p_nonzero}, {"exact_tolerance", exact_tolerance}};
    const bool ok = worst <= exact_tolerance && last_p_zero && hessian_zero;
    const bool powered = min_control > 1e3 * exact_tolerance && earlier_p_nonzero;
    res.v = !ok ? verdict::violated : powered ? verdict::holds : verdict::inconclusive;
    res.summary = fmt::format(
        "(g P, Q/g): max relative change {:.2g}; layer reversal with A_l = a_l Sigma^-1: {:.2g} (generic A_l: >= {:.2g}); "
        "last-layer P gradient exactly 0 on {} coordinates: {}; its Hessian column 0: {}",
        max_rescale, max_swap, min_control, checked, last_p_zero ? "yes" : "NO", hessian_zero ? "yes" : "NO");
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
