// lavie2024.isotypic-spectrum — spec lavie2024-transformer-gp-limit.md 2.2 and checks 5.3-5.5
// [exact mathematics on the reconstructed kernels]. On each full space [V]^L (uniform measure):
//   3. ranks: tr P_lambda (numerical, claims/lavie2024/common.hpp) = f^lambda s_lambda(1^V) (exact,
//      bounds/lavie2024/young.hpp) for every lambda |- L, and sum_lambda f^lambda s_lambda(1^V) = V^L;
//   4. degeneracies: T = K / V^L diagonalised (model::spectrum) for A, C, D; eigenvalues clustered
//      (isotypic_clusters, relative tolerance 1e-9 of the largest); in every cluster the multiplicity
//      in each irrep lambda is an integer (within 1e-6) and a multiple of f^lambda, and the irrep
//      multiplicities add up to the cluster's size;
//   5. character traces: Tr(P_lambda T) = sum_ij (P_lambda)_ij T_ij (numerical, long double
//      accumulation) equals bounds::lavie2024::isotypic_traces (exact rational, Murnaghan-Nakayama)
//      within 1e-12 relative (relative to Tr T where the exact value is 0).
// And the support: the irreps carrying nonzero spectrum, from the exact traces (T is positive
// semi-definite, so Tr(P_lambda T) = 0 iff T vanishes on component lambda) and from the clusters,
// against the spec's statement (1.3, [reconstructed]): A only [L], [L-1,1]; C only [L]; D also
// [L-2,2], [L-2,1,1] (each where it has at most V rows). B (not S_L-invariant) is reported for
// contrast by its numerical isotypic weights only.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "bounds/lavie2024/kernel_traces.hpp"
#include "bounds/lavie2024/young.hpp"
#include "claims/lavie2024/kernel_group.hpp"
#include "claims/parallel.hpp"
#include "model/attention_kernel.hpp"
#include "model/gp_regression.hpp"

namespace attnbound::claims::lavie2024 {

namespace {

namespace bl = attnbound::bounds::lavie2024;
const char* const claim_id = "lavie2024.isotypic-spectrum";
constexpr double rank_tol = 1e-9, integer_tol = 1e-6, trace_tol = 1e-12, cluster_tol = 1e-9, zero_eigenvalue = 1e-10;

// The irreps the spec says carry the candidate's spectrum (1.3), those with at most V rows.
std::vector<partition> predicted_support(char cand, int V, int L) {
  std::vector<partition> all = {{L}};
  if (cand != 'C' && L >= 2) all.push_back({L - 1, 1});
  if (cand == 'D') {
    if (L - 2 >= 2) all.push_back({L - 2, 2});
    if (L >= 3) all.push_back({L - 2, 1, 1});
  }
  std::vector<partition> out;
  for (auto& p : all)
    if (bl::is_partition(p) && static_cast<int>(p.size()) <= V) out.push_back(p);
  return out;
}

double frobenius_inner(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  long double s = 0;
  for (Eigen::Index j = 0; j < A.cols(); ++j)
    for (Eigen::Index i = 0; i < A.rows(); ++i) s += static_cast<long double>(A(i, j)) * B(i, j);
  return static_cast<double>(s);
}

struct candidate_result {
  char name = 'A';
  std::vector<double> numeric_trace, exact_trace, trace_error;  // per lambda
  double trace_T = 0;
  std::vector<eigen_cluster> clusters;
  int degeneracy_failures = 0;
  double worst_integer_gap = 0, worst_sum_gap = 0;
  std::vector<std::string> degeneracy_problems;
  std::vector<partition> spectral_support, exact_support;  // irreps with a nonzero cluster / a nonzero exact trace
};

struct space_result {
  std::vector<partition> lambdas;
  std::vector<double> rank_numeric;
  std::vector<bl::big_int> rank_exact;
  bool dimension_sum_ok = false;
  double worst_rank_error = 0;
  std::vector<candidate_result> cands;  // A, C, D
  std::vector<double> b_weights;        // numerical Tr(P_lambda T_B)
  double b_trace = 0;
};

bool same_set(std::vector<partition> a, std::vector<partition> b) {
  std::sort(a.begin(), a.end()), std::sort(b.begin(), b.end());
  return a == b;
}

std::vector<std::string> names(const std::vector<partition>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(bl::to_string(p));
  return out;
}

}  // namespace

claim isotypic_spectrum_claim() {
  claim c;
  c.info = {claim_id, paper, "spec 2.2 (Schur's lemma, Schur-Weyl duality, character traces; suite checks 5.3-5.5)", "closed-form",
            "reconstructed",
            "On the full token space [V]^L the isotypic component lambda of S_L has dimension f^lambda s_lambda(1^V) (summing to "
            "V^L); every eigenvalue of the kernel operator T of an S_L-invariant kernel (A, C, D) lies in isotypic components with "
            "multiplicity a multiple of f^lambda; Tr(P_lambda T) equals the character formula (f^lambda / L!) sum_sigma "
            "chi^lambda(sigma) E K(x, sigma x). Kernel A has spectrum only on [L], [L-1,1]; C only on [L]; D also on [L-2,2], "
            "[L-2,1,1] (reconstructed kernels)."};
  using K = param_kind;
  c.params = {
      {"spaces", K::integer_list, "25,34,35,44", "25,34,35,44,36,28", 22, 99,
       "spaces [V]^L as codes 10 V + L (34 = V 3, L 4); V^L <= 4096, L <= 8", 1},
  };
  c.estimate_bytes = [](const param_values& p) { return dense_spaces_bytes(p.int_list("spaces")); };
  c.run = [](const run_context& ctx) {
    const auto spaces = read_spaces(claim_id, ctx.params.int_list("spaces"), 9, 8, 4096);
    const int ns = static_cast<int>(spaces.size());
    std::vector<space_result> out(static_cast<std::size_t>(ns));
    std::atomic<int> done{0};
    auto cost = [&](int k) { return std::pow(static_cast<double>(spaces[static_cast<std::size_t>(k)].size()), 3); };
    parallel_for_longest_first(ns, ctx.jobs, cost, [&](int k) {
      const auto& s = spaces[static_cast<std::size_t>(k)];
      auto& r = out[static_cast<std::size_t>(k)];
      r.lambdas = bl::partitions(s.L);
      const auto P = all_projectors(s);
      bl::big_int total = 0;
      for (std::size_t l = 0; l < P.size(); ++l) {
        r.rank_numeric.push_back(P[l].trace());
        r.rank_exact.push_back(bl::isotypic_dimension(r.lambdas[l], s.V));
        total += r.rank_exact.back();
        r.worst_rank_error = std::max(r.worst_rank_error, std::abs(r.rank_numeric.back() - static_cast<double>(r.rank_exact.back())));
      }
      bl::big_int VL = 1;
      for (int i = 0; i < s.L; ++i) VL *= s.V;
      r.dimension_sum_ok = total == VL;
      const double N = static_cast<double>(s.size());
      const Eigen::VectorXd p = uniform_measure(s);
      for (char cn : {'A', 'C', 'D'}) {
        candidate_result cr;
        cr.name = cn;
        const auto cand = mdl::parse_candidate(std::string(1, cn));
        const Eigen::MatrixXd Kf = mdl::full_space_gram(cand, s);
        const Eigen::MatrixXd T = Kf / N;
        cr.trace_T = T.trace();
        const auto exact = bl::isotypic_traces(cn, s.V, s.L);
        for (std::size_t l = 0; l < P.size(); ++l) {
          const double num = frobenius_inner(P[l], T), ex = static_cast<double>(exact[l]);
          cr.numeric_trace.push_back(num), cr.exact_trace.push_back(ex);
          cr.trace_error.push_back(std::abs(num - ex) / (exact[l] != 0 ? std::abs(ex) : cr.trace_T));
          if (exact[l] != 0) cr.exact_support.push_back(r.lambdas[l]);
        }
        const auto spec = mdl::spectrum(Kf, p);
        cr.clusters = isotypic_clusters(spec, P, r.lambdas, cluster_tol);
        const double top = spec.eigenvalues.cwiseAbs().maxCoeff();
        for (const auto& cl : cr.clusters) {
          double sum = 0;
          for (std::size_t q = 0; q < cl.irreps.size(); ++q) {
            const double m = cl.irrep_multiplicity[q];
            sum += m;
            const long rounded = std::lround(m);
            const long f = static_cast<long>(bl::irrep_dimension(cl.irreps[q]));
            const double gap = std::abs(m - static_cast<double>(rounded));
            cr.worst_integer_gap = std::max(cr.worst_integer_gap, gap);
            if (gap > integer_tol || rounded % f != 0) {
              ++cr.degeneracy_failures;
              cr.degeneracy_problems.push_back(fmt::format("eigenvalue {:.12g}: multiplicity {:.9g} in {} (f = {})", cl.value, m,
                                                           bl::to_string(cl.irreps[q]), f));
            }
            if (cl.value > zero_eigenvalue * top &&
                std::find(cr.spectral_support.begin(), cr.spectral_support.end(), cl.irreps[q]) == cr.spectral_support.end())
              cr.spectral_support.push_back(cl.irreps[q]);
          }
          const double gap = std::abs(sum - cl.multiplicity);
          cr.worst_sum_gap = std::max(cr.worst_sum_gap, gap);
          if (gap > integer_tol) {
            ++cr.degeneracy_failures;
            cr.degeneracy_problems.push_back(
                fmt::format("eigenvalue {:.12g}: irrep multiplicities sum to {:.9g}, cluster size {}", cl.value, sum, cl.multiplicity));
          }
        }
        r.cands.push_back(std::move(cr));
      }
      const Eigen::MatrixXd TB = mdl::full_space_gram(mdl::candidate::B, s) / N;
      r.b_trace = TB.trace();
      for (const auto& P_l : P) r.b_weights.push_back(frobenius_inner(P_l, TB));
      if (ctx.progress) ctx.progress(fmt::format("{}: {}", claim_id, to_string(s)), ++done, ns);
    });

    claim_result res;
    std::vector<std::string> failures;
    double worst_rank = 0, worst_trace = 0, worst_gap = 0;
    std::string worst_where = "none";
    nlohmann::json per_space = nlohmann::json::array();
    nlohmann::json table = {{"A", nlohmann::json::object()}, {"B", nlohmann::json::object()}, {"C", nlohmann::json::object()},
                            {"D", nlohmann::json::object()}};
    std::map<char, std::vector<std::string>> support_lines;
    for (int si = 0; si < ns; ++si) {
      const auto& s = spaces[static_cast<std::size_t>(si)];
      const auto& r = out[static_cast<std::size_t>(si)];
      const std::string tag = to_string(s);
      worst_rank = std::max(worst_rank, r.worst_rank_error);
      if (r.worst_rank_error > rank_tol) failures.push_back(fmt::format("{}: tr P_lambda differs from f s(1^V) by {:.3g}", tag, r.worst_rank_error));
      if (!r.dimension_sum_ok) failures.push_back(fmt::format("{}: sum f s(1^V) != V^L", tag));
      nlohmann::json irreps = nlohmann::json::array();
      for (std::size_t l = 0; l < r.lambdas.size(); ++l)
        irreps.push_back({{"irrep", bl::to_string(r.lambdas[l])},
                          {"f", static_cast<double>(bl::irrep_dimension(r.lambdas[l]))},
                          {"s_at_ones", static_cast<double>(bl::schur_at_ones(r.lambdas[l], s.V))},
                          {"dimension_exact", static_cast<double>(r.rank_exact[l])},
                          {"trace_P_numeric", r.rank_numeric[l]}});
      nlohmann::json cj = nlohmann::json::array();
      for (const auto& cr : r.cands) {
        const std::string cn(1, cr.name);
        for (std::size_t l = 0; l < r.lambdas.size(); ++l)
          if (cr.trace_error[l] > worst_trace) worst_trace = cr.trace_error[l], worst_where = fmt::format("{} {} {}", cn, tag, bl::to_string(r.lambdas[l]));
        for (std::size_t l = 0; l < r.lambdas.size(); ++l)
          if (cr.trace_error[l] > trace_tol)
            failures.push_back(fmt::format("{} {} {}: Tr(P T) numeric {:.17g} vs exact {:.17g} (relative error {:.3g})", cn, tag,
                                           bl::to_string(r.lambdas[l]), cr.numeric_trace[l], cr.exact_trace[l], cr.trace_error[l]));
        worst_gap = std::max({worst_gap, cr.worst_integer_gap, cr.worst_sum_gap});
        for (const auto& prob : cr.degeneracy_problems) failures.push_back(fmt::format("{} {}: {}", cn, tag, prob));
        const auto predicted = predicted_support(cr.name, s.V, s.L);
        const bool exact_ok = same_set(cr.exact_support, predicted), spectral_ok = same_set(cr.spectral_support, cr.exact_support);
        if (!exact_ok)
          failures.push_back(fmt::format("{} {}: nonzero Tr(P T) on {} but the spec predicts {}", cn, tag, fmt::join(names(cr.exact_support), " "),
                                         fmt::join(names(predicted), " ")));
        if (!spectral_ok)
          failures.push_back(fmt::format("{} {}: nonzero eigenvalue clusters in {} but nonzero exact traces in {}", cn, tag,
                                         fmt::join(names(cr.spectral_support), " "), fmt::join(names(cr.exact_support), " ")));
        nlohmann::json clusters = nlohmann::json::array();
        for (const auto& cl : cr.clusters) {
          nlohmann::json m = nlohmann::json::object();
          for (std::size_t q = 0; q < cl.irreps.size(); ++q) m[bl::to_string(cl.irreps[q])] = cl.irrep_multiplicity[q];
          clusters.push_back({{"value", cl.value}, {"multiplicity", cl.multiplicity}, {"multiplicity_by_irrep", m}});
        }
        nlohmann::json traces = nlohmann::json::array();
        for (std::size_t l = 0; l < r.lambdas.size(); ++l)
          traces.push_back({{"irrep", bl::to_string(r.lambdas[l])}, {"exact", cr.exact_trace[l]}, {"numeric", cr.numeric_trace[l]},
                            {"relative_error", cr.trace_error[l]}});
        cj.push_back({{"candidate", cn},
                      {"trace_T", cr.trace_T},
                      {"isotypic_traces", traces},
                      {"clusters", clusters},
                      {"worst_integer_gap", cr.worst_integer_gap},
                      {"worst_multiplicity_sum_gap", cr.worst_sum_gap},
                      {"support_exact", names(cr.exact_support)},
                      {"support_spectrum", names(cr.spectral_support)},
                      {"support_predicted", names(predicted)}});
        nlohmann::json row = nlohmann::json::object();
        for (std::size_t l = 0; l < r.lambdas.size(); ++l)
          if (cr.exact_trace[l] != 0) row[bl::to_string(r.lambdas[l])] = cr.exact_trace[l] / cr.trace_T;
        table[cn][tag] = {{"support", names(cr.exact_support)}, {"weight_Tr_PT_over_TrT", row}};
        support_lines[cr.name].push_back(fmt::format("{} {}", tag, fmt::join(names(cr.exact_support), "")));
      }
      // B: numerical isotypic weights only (not S_L-invariant: its eigenvectors need not lie in one irrep).
      nlohmann::json brow = nlohmann::json::object();
      std::vector<partition> bsupp;
      for (std::size_t l = 0; l < r.lambdas.size(); ++l)
        if (r.b_weights[l] > 1e-12 * r.b_trace) brow[bl::to_string(r.lambdas[l])] = r.b_weights[l] / r.b_trace, bsupp.push_back(r.lambdas[l]);
      table["B"][tag] = {{"support", names(bsupp)}, {"weight_Tr_PT_over_TrT", brow},
                         {"note", "numerical weights; B is only S_{L-1}-invariant, so its eigenvalues are not tied to one irrep"}};
      support_lines['B'].push_back(fmt::format("{} {}", tag, fmt::join(names(bsupp), "")));
      per_space.push_back({{"space", tag}, {"irreps", irreps}, {"dimension_sum_equals_V^L", r.dimension_sum_ok}, {"candidates", cj}});
    }
    res.v = failures.empty() ? verdict::holds : verdict::violated;

    // Figure: nonzero eigenvalues by irrep for the largest space.
    int big = 0;
    for (int si = 1; si < ns; ++si)
      if (spaces[static_cast<std::size_t>(si)].size() > spaces[static_cast<std::size_t>(big)].size()) big = si;
    {
      const auto& s = spaces[static_cast<std::size_t>(big)];
      const auto& r = out[static_cast<std::size_t>(big)];
      figure f;
      f.id = "eigenvalues-by-irrep";
      f.title = fmt::format("Nonzero eigenvalues of T = K / V^L by S_L irrep, {} (uniform measure)", to_string(s));
      f.xlabel = "irrep index (order of the notes; A, C, D offset by -0.15, 0, +0.15)";
      f.ylabel = "eigenvalue of T";
      f.logy = true;
      for (std::size_t ci = 0; ci < r.cands.size(); ++ci) {
        const auto& cr = r.cands[ci];
        const double offset = 0.15 * (static_cast<double>(ci) - 1);  // A, C, D side by side
        std::vector<double> x, y;
        const double top = cr.clusters.empty() ? 0 : cr.clusters.front().value;
        for (const auto& cl : cr.clusters) {
          if (!(cl.value > zero_eigenvalue * top)) continue;
          for (const auto& lam : cl.irreps) {
            const auto it = std::find(r.lambdas.begin(), r.lambdas.end(), lam);
            x.push_back(static_cast<double>(it - r.lambdas.begin()) + offset), y.push_back(cl.value);
          }
        }
        f.curves.push_back(points(std::string("candidate ") + cr.name, x, y, {}, {}));
      }
      std::vector<std::string> idx;
      for (std::size_t l = 0; l < r.lambdas.size(); ++l) idx.push_back(fmt::format("{} = {}", l, bl::to_string(r.lambdas[l])));
      f.notes.push_back("irreps: " + fmt::format("{}", fmt::join(idx, ", ")));
      f.notes.push_back("kernels reconstructed (spec 1.3); support A: [L],[L-1,1]; C: [L]; D: also [L-2,2],[L-2,1,1]");
      res.figures.push_back(f);
    }
    res.bounds.push_back({"trace relative tolerance", trace_tol});
    res.bounds.push_back({"rank tolerance", rank_tol});
    res.statistics.push_back({"max |tr P - f s(1^V)|", worst_rank, 1e-9});
    res.statistics.push_back({"max relative error Tr(P T) numeric vs exact", worst_trace, 1e-12});
    res.statistics.push_back({"max non-integer gap of irrep multiplicities", worst_gap, 1e-6});
    res.bound_name = "1e-12 (relative error of Tr(P_lambda T), numeric vs exact character formula)";
    res.bound = trace_tol;
    res.measured_name = "max relative error of Tr(P_lambda T) over candidates A, C, D, irreps and spaces";
    res.measured = worst_trace;
    res.tightness_worst = worst_trace / trace_tol;
    res.worst = {{"what", "largest trace error"}, {"where", worst_where}, {"seed", ctx.seed}};
    res.details = {{"per_space", per_space},
                   {"support_table", table},
                   {"failures", failures},
                   {"status", "ranks, degeneracies and traces: exact mathematics; kernels and the predicted supports: reconstructed (spec 1.3)"},
                   {"rule", "holds iff |tr P_lambda - f s(1^V)| <= 1e-9 and sum f s = V^L, every cluster's irrep multiplicity is an "
                            "integer (1e-6) multiple of f^lambda and they add up to the cluster size, every Tr(P_lambda T) matches the "
                            "exact character formula within 1e-12 relative, and the irreps with nonzero exact trace equal both those with "
                            "a nonzero eigenvalue cluster and the spec's predicted support"}};
    std::vector<std::string> sl;
    for (char cn : {'A', 'C', 'D', 'B'}) sl.push_back(fmt::format("{}: {}", cn, fmt::join(support_lines[cn], "; ")));
    res.summary = fmt::format(
        "ranks tr P = f s(1^V) within {:.2g}; irrep multiplicities integer multiples of f^lambda within {:.2g}; Tr(P_lambda T) vs exact "
        "character formula max relative error {:.2g} (tolerance 1e-12). Support (nonzero Tr(P_lambda T)) by space: {} (B: numerical "
        "weights, not S_L-invariant). Kernels and supports reconstructed.{}",
        worst_rank, worst_gap, worst_trace, fmt::join(sl, " | "), failures.empty() ? "" : fmt::format(" FAILURES: {}", fmt::join(failures, "; ")));
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::lavie2024
