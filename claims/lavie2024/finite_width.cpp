// lavie2024.finite-width — spec lavie2024-transformer-gp-limit.md 1.2-1.3 and check 5.1
// [reconstructed]: the output covariance of the simplified attention block (model/attention_block.hpp)
// over random N(0,1) parameters is the NNGP kernel K of its candidate (A-D,
// model/attention_kernel.hpp) at every head count H, and the output becomes Gaussian as H grows:
// f = H^{-1/2} sum_h g_h with i.i.d. heads g_h, so its kurtosis excess is exactly excess(g) / H.
//
// Per candidate, at one (V, L) and a handful of inputs drawn with a fixed seed (plus a duplicate,
// a Hamming-distance-1 neighbour and a permuted copy), `draws` independent networks give:
//   - the Monte Carlo second moments C_ij = mean_r f_i f_j (the mean is exactly 0) with their
//     standard errors sd(f_i f_j) / sqrt(draws); z_ij = (C_ij - K_ij) / SE_ij. Verdict: max |z| over
//     every entry i <= j of every candidate <= z*, the two-sided normal quantile at family-wise level
//     alpha with a Bonferroni split over all m entries (z* = Phi^{-1}(1 - alpha / (2m)); Bonferroni
//     holds under any dependence between entries, and the CLT makes each z asymptotically N(0,1)).
//   - the relative Frobenius error ||C - K||_F / ||K||_F at the Monte Carlo noise level: by the CLT
//     vec(C - K) ~ N(0, S / draws) (S the covariance of the products f_i f_j, estimated from the
//     draws), so ||C - K||_F^2 is a weighted chi-square sum_k w_k z_k^2 (w_k the eigenvalues of
//     W^1/2 S W^1/2 / draws, W the entry weights 1 or 2); its simulated p-value must be >= alpha / 4
//     (Bonferroni over the candidates). Its expectation is the predicted RMS^2 = sum_ij Var(f_i f_j) /
//     draws, i.e. the error is O(draws^-1/2) with this constant. Reported, not judged: the spec's
//     heuristic tolerance 3 / sqrt(draws) with its exceedance probability under the exact kernel (from
//     the same null distribution), and the O(draws^-1/2) law across batch sizes b (E ||C_b - K||_F^2 =
//     sum_ij Var(f_i f_j) / b exactly: slope -1 of log mean batch error^2 on log b, with a bootstrap CI
//     over batches; not judged because a percentile bootstrap of the mean of a few heavy-tailed batch
//     errors undercovers — at 6000 draws and 3 batches of the largest size it excluded -1 by 0.003).
//   - the kurtosis excess E f^4 / (E f^2)^2 - 3 at one input for H in a list, from independent draws
//     per H: the slope of log(excess) on log H is exactly -1. Judged: the bootstrap CI (resampling
//     groups of draws, Bonferroni over the candidates) lies below -1/2, i.e. the excess vanishes at
//     least like H^{-1/2} (a slower, CLT-violating decay fails). Reported, not judged: whether that CI
//     contains -1. The percentile bootstrap of a heavy-tailed kurtosis undercovers: over 40 other
//     seeds (1001-1040, quick defaults, exact kernel) its intervals were 20-30% narrower than the
//     seed-to-seed spread and excluded -1 for 12 of 160 candidate tests (7.5% against the nominal
//     1.25%), so "contains -1" is not a calibrated verdict rule.
// The spec's tolerance 3 / sqrt(draws) is reported, not judged: it is the Neural Tangents test's
// constant, not a calibrated bound; here the predicted RMS error is already ~2-2.4 / sqrt(draws)
// (heavy-tailed products of Gaussian weights), so the exact kernel exceeds it with probability
// 7-19% (reported per candidate from the null distribution above).
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>

#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

#include "claims/lavie2024/kernel_group.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"
#include "model/attention_block.hpp"

namespace attnbound::claims::lavie2024 {

namespace {

const char* const claim_id = "lavie2024.finite-width";
constexpr std::array<mdl::candidate, 4> candidates = {mdl::candidate::A, mdl::candidate::B, mdl::candidate::C,
                                                      mdl::candidate::D};

// n - 3 uniform inputs, then a duplicate of x_0, x_0 with its first token changed (Hamming distance
// 1) and a cyclic shift of x_1 (a permuted copy; x_0 when n = 4).
std::vector<mdl::token_sequence> make_inputs(int V, int L, int n, std::uint64_t seed) {
  auto rng = model::make_rng(seed, std::string(claim_id) + "/inputs",
                             {static_cast<std::uint64_t>(V), static_cast<std::uint64_t>(L), static_cast<std::uint64_t>(n)});
  boost::random::uniform_int_distribution<int> token(0, V - 1);
  std::vector<mdl::token_sequence> xs;
  for (int i = 0; i < n - 3; ++i) {
    mdl::token_sequence x(static_cast<std::size_t>(L));
    for (auto& t : x) t = token(rng);
    xs.push_back(std::move(x));
  }
  xs.push_back(xs[0]);
  auto near = xs[0];
  near[0] = (near[0] + 1) % V;
  xs.push_back(near);
  auto shifted = xs[std::min<std::size_t>(1, static_cast<std::size_t>(n - 4))];
  std::rotate(shifted.begin(), shifted.begin() + 1, shifted.end());
  xs.push_back(shifted);
  return xs;
}

struct covariance_check {
  Eigen::MatrixXd C, K, Z;
  double max_abs_z = 0;
  int worst_i = 0, worst_j = 0;
  double relative_frobenius = 0, predicted_rms = 0;
  // Null distribution of err^2 = ||C - K||_F^2 (CLT: vec(C - K) ~ N(0, S / draws), S the covariance of
  // the products f_i f_j): a weighted chi-square sum_k w_k z_k^2, simulated.
  double p_value = 1;             // P(err^2 >= observed)
  double p_spec_exceeded = 0;     // P(relative error > 3 / sqrt(draws))
  std::vector<double> batch_size;
  std::vector<Eigen::VectorXd> batch_error2;  // relative squared Frobenius error of each batch
};

covariance_check check_covariance(const Eigen::MatrixXd& F, const Eigen::MatrixXd& K, const std::vector<int>& batch_counts,
                                  int null_draws, std::uint64_t null_seed) {
  covariance_check r;
  const Eigen::Index draws = F.rows(), n = F.cols();
  const double D = static_cast<double>(draws);
  r.K = K;
  r.C = F.transpose() * F / D;
  r.Z = Eigen::MatrixXd::Zero(n, n);
  double var_sum = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i; j < n; ++j) {
      const Eigen::VectorXd prod = F.col(i).cwiseProduct(F.col(j));
      const double mean = prod.mean();
      const double var = (prod.array() - mean).square().sum() / (D - 1);
      const double z = (r.C(i, j) - K(i, j)) / std::sqrt(var / D);
      r.Z(i, j) = r.Z(j, i) = z;
      var_sum += (i == j ? 1.0 : 2.0) * var;
      if (std::abs(z) > r.max_abs_z) r.max_abs_z = std::abs(z), r.worst_i = static_cast<int>(i), r.worst_j = static_cast<int>(j);
    }
  const double knorm = K.norm();
  r.relative_frobenius = (r.C - K).norm() / knorm;
  r.predicted_rms = std::sqrt(var_sum / D) / knorm;
  {
    // Products u = (f_i f_j)_{i <= j}, weights 1 (i = j) or 2 (i < j): err^2 = d^T W d.
    const Eigen::Index m = n * (n + 1) / 2;
    Eigen::MatrixXd U(draws, m);
    Eigen::VectorXd w(m);
    Eigen::Index q = 0;
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i; j < n; ++j, ++q) U.col(q) = F.col(i).cwiseProduct(F.col(j)), w(q) = i == j ? 1.0 : 2.0;
    U.rowwise() -= U.colwise().mean();
    const Eigen::MatrixXd S = (U.transpose() * U) / (D - 1);
    const Eigen::VectorXd sw = w.cwiseSqrt();
    const Eigen::MatrixXd A = sw.asDiagonal() * S * sw.asDiagonal() / D;
    const Eigen::VectorXd lambda = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(A, Eigen::EigenvaluesOnly).eigenvalues().cwiseMax(0.0);
    const double observed = (r.C - K).squaredNorm();
    const double spec_level = 9.0 / D * knorm * knorm;  // (3 / sqrt(draws))^2 ||K||^2
    auto rng = model::rng_t(null_seed);
    long above = 0, above_spec = 0;
    for (int t = 0; t < null_draws; ++t) {
      double Q = 0;
      for (Eigen::Index k = 0; k < m; ++k) {
        const double z = model::standard_normal(rng);
        Q += lambda(k) * z * z;
      }
      above += Q >= observed;
      above_spec += Q > spec_level;
    }
    r.p_value = (1.0 + above) / (1.0 + null_draws);
    r.p_spec_exceeded = static_cast<double>(above_spec) / null_draws;
  }
  for (int count : batch_counts) {
    const Eigen::Index b = draws / count;
    Eigen::VectorXd e(count);
    for (int k = 0; k < count; ++k) {
      const auto block = F.middleRows(k * b, b);
      e(k) = (block.transpose() * block / static_cast<double>(b) - K).squaredNorm() / (knorm * knorm);
    }
    r.batch_size.push_back(static_cast<double>(b));
    r.batch_error2.push_back(std::move(e));
  }
  return r;
}

nlohmann::json sequence_json(const mdl::token_sequence& x) { return nlohmann::json(x); }

nlohmann::json matrix_json(const Eigen::MatrixXd& M) {
  nlohmann::json a = nlohmann::json::array();
  for (Eigen::Index i = 0; i < M.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < M.cols(); ++j) row.push_back(M(i, j));
    a.push_back(row);
  }
  return a;
}

bool contains(double lo, double hi, double v) { return lo <= v && v <= hi; }

}  // namespace

claim finite_width_claim() {
  claim c;
  c.info = {claim_id, paper, "spec 1.2-1.3 (NNGP limit of the simplified block; suite check 5.1)", "scaling",
            "reconstructed",
            "The output covariance of the randomly initialised simplified attention block equals its NNGP kernel K (candidates "
            "A-D) at every head count, so the Monte Carlo covariance converges to K at the rate draws^-1/2 (relative Frobenius "
            "error <~ 3 / sqrt(draws)); the output is Gaussian only as H -> infinity, with kurtosis excess O(1/H)."};
  using K = param_kind;
  c.params = {
      {"V", K::integer, "3", "3", 2, 8, "vocabulary size V"},
      {"L", K::integer, "4", "4", 2, 8, "context length L"},
      {"inputs", K::integer, "6", "6", 4, 30,
       "inputs: inputs - 3 uniform draws, a duplicate, a Hamming-distance-1 neighbour and a permuted copy"},
      {"d_k", K::integer, "3", "3", 1, 64, "query/key width per head"},
      {"d_v", K::integer, "3", "3", 1, 64, "value width per head"},
      {"heads", K::integer, "8", "8", 1, 1024, "heads H of the covariance check"},
      {"draws", K::integer, "20000", "200000", 1000, 1e7, "independent networks per candidate for the covariance"},
      {"alpha", K::probability, "0.01", "0.01", 0, 1, "family-wise level of the max |z| test (Bonferroni over all entries)"},
      {"batch_counts", K::integer_list, "128,32,8", "512,128,32,8", 2, 1e5,
       "numbers of disjoint batches the draws are split into for the draws^-1/2 law (batch size draws / count)", 3},
      {"kurtosis_heads", K::integer_list, "1,2,4,8,16", "1,2,4,8,16,32", 1, 1024, "head counts H of the kurtosis law", 3},
      {"kurtosis_draws", K::integer, "20000", "200000", 1000, 1e7, "independent networks per (candidate, H) for the kurtosis"},
      {"resamples", K::integer, "400", "1000", 50, 1e5, "bootstrap resamples of the slope CIs"},
      {"kernel_factor", K::real, "1", "1", 0.5, 2,
       "multiplies the kernel the covariance is compared with (1 = the NNGP kernel; anything else is a deliberately wrong kernel, "
       "to show the check can fail)"},
      {"null_draws", K::integer, "20000", "100000", 1000, 1e7,
       "simulated draws of the null distribution of ||C - K||_F^2 (weighted chi-square from the estimated covariance)"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double n = p.get("inputs");
    const double cov = p.get("draws") * (n + 2 + n * (n + 1) / 2) * 8.0;  // outputs, product columns
    const double kurt = p.get("kurtosis_draws") * static_cast<double>(p.list("kurtosis_heads").size()) * 8.0;
    return 4 * (cov + 2 * kurt) + 1e6;
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const int V = p.get_int("V"), L = p.get_int("L"), n = p.get_int("inputs");
    const int d_k = p.get_int("d_k"), d_v = p.get_int("d_v"), H = p.get_int("heads");
    const int draws = p.get_int("draws"), kdraws = p.get_int("kurtosis_draws"), resamples = p.get_int("resamples");
    const double alpha = p.get("alpha");
    const int null_draws = p.get_int("null_draws");
    const double kernel_factor = p.get("kernel_factor");
    auto batch_counts = p.int_list("batch_counts");
    std::sort(batch_counts.begin(), batch_counts.end(), std::greater<int>());
    auto heads = p.int_list("kurtosis_heads");
    std::sort(heads.begin(), heads.end());
    for (int count : batch_counts)
      if (draws / count < 2)
        throw bad_input(fmt::format("{}: batch count {} leaves fewer than 2 draws per batch (draws = {})", claim_id, count, draws));
    if (std::pow(static_cast<double>(V), L) > 1e9) throw bad_input(fmt::format("{}: V^L must stay below 1e9", claim_id));
    // z* = Phi^-1(1 - alpha / (2m)) is computed from the confidence 1 - alpha/m, which must stay below 1 in double.
    if (!(1 - alpha / (static_cast<double>(candidates.size()) * n * (n + 1) / 2) < 1))
      throw bad_input(fmt::format("{}: alpha={} is too small for the Bonferroni threshold over the covariance entries", claim_id,
                                  p.text.at("alpha")));

    const auto xs = make_inputs(V, L, n, ctx.seed);
    const int nc = static_cast<int>(candidates.size()), nh = static_cast<int>(heads.size());
    std::vector<Eigen::MatrixXd> cov_out(static_cast<std::size_t>(nc));
    std::vector<Eigen::VectorXd> kurt_out(static_cast<std::size_t>(nc * nh));
    const int tasks = nc + nc * nh;
    std::atomic<int> done{0};
    auto cost = [&](int k) { return k < nc ? static_cast<double>(draws) * H * n : static_cast<double>(kdraws) * heads[(k - nc) % nh]; };
    parallel_for_longest_first(tasks, ctx.jobs, cost, [&](int k) {
      mdl::block_shape shape;
      shape.V = V, shape.L = L, shape.d_k = d_k, shape.d_v = d_v;
      if (k < nc) {
        shape.kind = candidates[static_cast<std::size_t>(k)], shape.heads = H;
        cov_out[static_cast<std::size_t>(k)] =
            mdl::sample_outputs(shape, xs, draws, model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(k), 0}));
      } else {
        const int ci = (k - nc) / nh, hi = (k - nc) % nh;
        shape.kind = candidates[static_cast<std::size_t>(ci)], shape.heads = heads[static_cast<std::size_t>(hi)];
        const auto F = mdl::sample_outputs(
            shape, {xs[0]}, kdraws,
            model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(ci), 1, static_cast<std::uint64_t>(shape.heads)}));
        kurt_out[static_cast<std::size_t>(k - nc)] = F.col(0);
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: task {}", claim_id, k), ++done, tasks);
    });

    claim_result res;
    std::vector<verdict> parts;
    const int entries = nc * n * (n + 1) / 2;
    const double z_star = stats::normal_two_sided_z(1 - alpha / entries);
    const double slope_conf = 1 - 0.05 / nc;  // Bonferroni over the candidates
    const double spec_tol = 3 / std::sqrt(static_cast<double>(draws));
    double max_z = 0, worst_rel = 0;
    int worst_c = 0;
    nlohmann::json per_candidate = nlohmann::json::array();
    std::vector<std::string> lines;
    bool kurt_inconclusive = false;
    std::vector<std::string> spec_exceeded;
    double min_p = 1;
    figure fk, ff;
    fk.id = "kurtosis-vs-heads";
    fk.title = fmt::format("Output kurtosis excess vs heads H (V {}, L {}, d_k {}, d_v {}; {} draws per H)", V, L, d_k, d_v, kdraws);
    fk.xlabel = "heads H";
    fk.ylabel = "kurtosis excess E f^4 / (E f^2)^2 - 3 (bootstrap 95% CI)";
    fk.logx = fk.logy = true;
    ff.id = "covariance-error-vs-draws";
    ff.title = fmt::format("Relative Frobenius error of the Monte Carlo covariance vs draws (V {}, L {}, H {}, {} inputs)", V, L, H, n);
    ff.xlabel = "draws per batch b";
    ff.ylabel = "RMS over batches of ||C_b - K||_F / ||K||_F";
    ff.logx = ff.logy = true;
    std::vector<double> hx(heads.begin(), heads.end());
    for (int ci = 0; ci < nc; ++ci) {
      const auto cand = candidates[static_cast<std::size_t>(ci)];
      const std::string name = mdl::to_string(cand);
      const Eigen::MatrixXd Kxx = kernel_factor * mdl::gram(cand, xs, xs, V);
      const auto cc = check_covariance(cov_out[static_cast<std::size_t>(ci)], Kxx, batch_counts, null_draws,
                                       model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(ci), 4}));
      if (cc.max_abs_z > max_z) max_z = cc.max_abs_z, worst_c = ci;
      worst_rel = std::max(worst_rel, cc.relative_frobenius / spec_tol);
      const auto frob_fit = loglog_bootstrap_slope(cc.batch_size, cc.batch_error2, sample_statistic::mean, resamples,
                                                   model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(ci), 2}),
                                                   slope_conf);
      const bool frob_law = contains(frob_fit.ci_low, frob_fit.ci_high, -1.0);
      const bool frob_tol = cc.relative_frobenius <= spec_tol;
      const bool frob_noise = cc.p_value >= alpha / nc;
      if (!frob_tol) spec_exceeded.push_back(name);
      min_p = std::min(min_p, cc.p_value);
      parts.push_back(frob_noise ? verdict::holds : verdict::violated);

      std::vector<Eigen::VectorXd> ks;
      for (int hi = 0; hi < nh; ++hi) ks.push_back(kurt_out[static_cast<std::size_t>(ci * nh + hi)]);
      std::vector<double> excess, h_excess;
      bool positive = true;
      for (const auto& f : ks) {
        excess.push_back(kurtosis_excess(f));
        positive = positive && excess.back() > 0;
      }
      for (int hi = 0; hi < nh; ++hi) h_excess.push_back(heads[static_cast<std::size_t>(hi)] * excess[static_cast<std::size_t>(hi)]);
      nlohmann::json kj = {{"heads", heads}, {"kurtosis_excess", excess}, {"H_times_excess", h_excess}, {"input", sequence_json(xs[0])}};
      std::string kline;
      if (!positive) {
        kurt_inconclusive = true;
        parts.push_back(verdict::inconclusive);
        kline = fmt::format("kurtosis excess not positive at some H ({}): no log-log fit", fmt::join(excess, ", "));
        kj["verdict"] = "inconclusive";
      } else {
        const auto kf = loglog_bootstrap_slope(hx, ks, sample_statistic::kurtosis_excess, resamples,
                                               model::stream_seed(ctx.seed, claim_id, {static_cast<std::uint64_t>(ci), 3}),
                                               slope_conf);
        const bool ok = kf.ci_high < -0.5;                          // judged: vanishes at least like H^-1/2
        const bool exact_law = contains(kf.ci_low, kf.ci_high, -1.0);  // reported: the exact law -1
        parts.push_back(ok ? verdict::holds : verdict::violated);
        kline = fmt::format("kurtosis slope {:.3f} [{:.3f}, {:.3f}] (below -1/2: {}; exact law -1 {}, reported; H x excess {:.3g}..{:.3g})",
                            kf.slope, kf.ci_low, kf.ci_high, ok ? "yes" : "NO", exact_law ? "inside" : "outside",
                            *std::min_element(h_excess.begin(), h_excess.end()), *std::max_element(h_excess.begin(), h_excess.end()));
        kj["slope"] = {{"value", kf.slope}, {"ci_low", kf.ci_low}, {"ci_high", kf.ci_high}, {"confidence", slope_conf},
                       {"dropped_resamples", kf.dropped}};
        kj["excess_ci_low"] = kf.stat_low, kj["excess_ci_high"] = kf.stat_high;
        kj["verdict"] = ok ? "holds" : "violated";
        kj["contains_exact_law"] = exact_law;
        fk.curves.push_back(points(name, hx, kf.stat, kf.stat_low, kf.stat_high));
        // The exact law excess(1) / H, anchored at the geometric mean of H x excess.
        double lg = 0;
        for (double v : h_excess) lg += std::log(v);
        fk.curves.push_back(power_law(fmt::format("{}: c/H, c = {:.3g}", name, std::exp(lg / nh)), hx, -1.0, lg / nh));
        res.statistics.push_back({name + ": kurtosis slope in H", kf.slope, std::max(0.02, (kf.ci_high - kf.ci_low) / 2)});
      }
      std::vector<double> rms;
      for (double v : frob_fit.stat) rms.push_back(std::sqrt(v));
      std::vector<double> rlo, rhi;
      for (std::size_t k = 0; k < frob_fit.stat.size(); ++k)
        rlo.push_back(std::sqrt(frob_fit.stat_low[k])), rhi.push_back(std::sqrt(frob_fit.stat_high[k]));
      ff.curves.push_back(points(name, cc.batch_size, rms, rlo, rhi));
      if (ci == 0) {
        std::vector<double> spec_line;
        for (double b : cc.batch_size) spec_line.push_back(3 / std::sqrt(b));
        ff.curves.push_back(line("spec tolerance 3 / sqrt(b)", cc.batch_size, spec_line));
      }
      const std::string line_text = fmt::format(
          "{}: max |z| {:.2f}, ||C - K||_F / ||K||_F = {:.3g} (predicted RMS {:.3g}; p = {:.3g} under the exact kernel{}; spec "
          "tolerance 3/sqrt(draws) = {:.3g}: {}, exceeded with probability {:.2g} under the exact kernel), batch error^2 slope {:.3f} "
          "[{:.3f}, {:.3f}] (reported; predicted -1: {}); {}",
          name, cc.max_abs_z, cc.relative_frobenius, cc.predicted_rms, cc.p_value, frob_noise ? "" : " < alpha/4: VIOLATED", spec_tol,
          frob_tol ? "within" : "exceeded", cc.p_spec_exceeded, frob_fit.slope, frob_fit.ci_low, frob_fit.ci_high,
          frob_law ? "inside" : "OUTSIDE", kline);
      lines.push_back(line_text);
      res.statistics.push_back({name + ": relative Frobenius error", cc.relative_frobenius, std::max(1e-4, cc.predicted_rms)});
      res.statistics.push_back({name + ": batch error^2 slope in b", frob_fit.slope, std::max(0.02, (frob_fit.ci_high - frob_fit.ci_low) / 2)});
      per_candidate.push_back({{"candidate", name},
                               {"kernel", matrix_json(Kxx)},
                               {"monte_carlo_covariance", matrix_json(cc.C)},
                               {"z", matrix_json(cc.Z)},
                               {"max_abs_z", cc.max_abs_z},
                               {"worst_entry", {cc.worst_i, cc.worst_j}},
                               {"relative_frobenius_error", cc.relative_frobenius},
                               {"predicted_rms_relative_frobenius_error", cc.predicted_rms},
                               {"spec_tolerance", spec_tol},
                               {"spec_tolerance_exceeded", !frob_tol},
                               {"probability_spec_tolerance_exceeded_under_exact_kernel", cc.p_spec_exceeded},
                               {"frobenius_p_value", cc.p_value},
                               {"batch_sizes", cc.batch_size},
                               {"batch_mean_relative_error2", frob_fit.stat},
                               {"batch_error2_slope",
                                {{"value", frob_fit.slope}, {"ci_low", frob_fit.ci_low}, {"ci_high", frob_fit.ci_high}, {"confidence", slope_conf}}},
                               {"kurtosis", kj}});
    }
    const bool z_ok = max_z <= z_star;
    parts.push_back(z_ok ? verdict::holds : verdict::violated);
    res.v = combine_verdicts(parts);
    fk.notes.push_back(fmt::format("predicted slope -1 (exact: f is a sum of H i.i.d. heads / sqrt(H)); CIs {:.4g}%, Bonferroni over {} candidates",
                                   100 * slope_conf, nc));
    ff.notes.push_back("E ||C_b - K||_F^2 = sum_ij Var(f_i f_j) / b exactly: predicted slope -1/2 for the RMS");
    res.figures = {fk, ff};
    res.bounds.push_back({"Bonferroni z threshold z*", z_star});
    res.bounds.push_back({"spec tolerance 3 / sqrt(draws)", spec_tol});
    res.statistics.push_back({"max |z| over all entries", max_z, 1.0});
    res.bound_name = fmt::format("z* = Phi^-1(1 - alpha/(2m)), alpha {}, m = {} entries (Bonferroni)", alpha, entries);
    res.bound = z_star;
    res.measured_name = "max |C_ij - K_ij| / SE_ij over every entry of every candidate";
    res.measured = max_z;
    res.tightness_worst = max_z / z_star;
    res.worst = {{"what", "candidate with the largest |z|"}, {"candidate", mdl::to_string(candidates[static_cast<std::size_t>(worst_c)])},
                 {"seed", ctx.seed}, {"V", V}, {"L", L}, {"heads", H}, {"draws", draws},
                 {"stream", fmt::format("model::sample_outputs seed = stream_seed(seed, \"{}\", {{candidate index, 0}})", claim_id)}};
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& x : xs) inputs.push_back(sequence_json(x));
    res.details = {{"inputs", inputs},
                   {"per_candidate", per_candidate},
                   {"z_threshold", z_star},
                   {"max_abs_z", max_z},
                   {"entries", entries},
                   {"max_relative_frobenius_over_spec_tolerance", worst_rel},
                   {"spec_tolerance_exceeded_by", spec_exceeded},
                   {"min_frobenius_p_value", min_p},
                   {"status", "reconstructed: kernels A-D and the block are the spec's reconstruction (section 1.3)"},
                   {"rule",
                    "holds iff max |z| <= z* (Bonferroni, family-wise alpha), every candidate's ||C - K||_F^2 has p >= alpha/4 under "
                    "its CLT null distribution (weighted chi-square with the estimated covariance of the products f_i f_j, "
                    "simulated), and for every candidate the bootstrap CI (Bonferroni over candidates) of the kurtosis-excess slope "
                    "in H lies below -1/2; inconclusive if a kurtosis excess is not positive. Reported, not judged: whether that CI "
                    "contains the exact -1 (the percentile bootstrap of a heavy-tailed kurtosis undercovers: 7.5% of candidate "
                    "tests excluded -1 over 40 other seeds, against 1.25% nominal), the spec's "
                    "3/sqrt(draws) (a heuristic constant from Neural Tangents' test; its exceedance probability under the exact "
                    "kernel is reported per candidate) and the batch error^2 slope in b (its bootstrap over a few heavy-tailed "
                    "batch errors undercovers)"}};
    res.summary = fmt::format("Monte Carlo covariance vs reconstructed NNGP kernel, V {} L {} H {} d_k {} d_v {}, {} inputs, {} draws: max |z| "
                              "{:.2f} vs z* {:.2f} ({}). {}.{}{}",
                              V, L, H, d_k, d_v, n, draws, max_z, z_star, z_ok ? "within" : "EXCEEDED", fmt::join(lines, "; "),
                              spec_exceeded.empty() ? ""
                                                    : fmt::format(" Spec tolerance 3/sqrt(draws) exceeded by {} (reported, not judged: "
                                                                  "a heuristic constant, see the exceedance probabilities).",
                                                                  fmt::join(spec_exceeded, ", ")),
                              kurt_inconclusive ? " Some kurtosis excess not positive: inconclusive." : "");
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::lavie2024
