// ahn2023.heavy-tailed-noise — P12 of spec ahn2023-linear-attention.md: [AHN-b] Fig. 2 row 2,
// Fig. 7(b), Fig. 8(c): at initialization the stochastic-gradient noise of the linear
// Transformer is heavy-tailed, visibly so for heavy-tailed (gamma) covariates and not for the
// sphere, and heavier with more layers. Protocol (official code, spec 3.2): "true" gradient g
// from 1e5 prompts, minibatch gradients g_B with B = 1000, the norms ||g_B - g||_2 over all
// parameters (the code uses 10 000; the calibration and this suite 2000 at full scale).
// Spec P12 (calibration): kurtosis(gamma) > 2 kurtosis(sphere) (13.7 vs 3.06); q99/median
// (gamma) > 1.8 x the sphere's (3.04 vs 1.35); kurtosis L=8 > L=2 (5.52 vs 3.79); S2 heavier
// than S1 (14.3 vs 3.83). Each comparison: percentile-bootstrap CI (independent resampling of
// the two sets of norms) of the ratio of the statistics; compare_above against the threshold.
//
// Streams: per configuration (law, n, L) one initialization ("ahn2023.noise/init"); the true
// gradient's chunks of 1000 prompts and the noise samples' blocks each draw from their own
// stream keyed by (configuration, chunk/block), so any --jobs gives the same norms.
#include <algorithm>
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "claims/ahn2023/phenomena_claims.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"
#include "model/rng.hpp"

namespace attnbound::claims::ahn2023 {

namespace {

const char* const claim_id = "ahn2023.heavy-tailed-noise";
constexpr int true_chunk = 1000, sample_block = 25;

std::vector<std::uint64_t> config_keys(const setting& s) {
  return {static_cast<std::uint64_t>(s.law), static_cast<std::uint64_t>(s.n), static_cast<std::uint64_t>(s.L)};
}

model::rng_t stream(std::uint64_t seed, const char* what, const setting& s, std::uint64_t index) {
  const auto k = config_keys(s);
  return model::make_rng(seed, std::string("ahn2023.noise/") + what, {k[0], k[1], k[2], index});
}

double q99_over_median(const std::vector<double>& v) { return stats::quantile(v, 0.99) / stats::median(v); }

/// Density histogram of v / median(v) as a step curve ("line" style: (edge, height) pairs).
series density_steps(const std::string& label, const std::vector<double>& v, double x_max, int bins) {
  const double med = stats::median(v);
  std::vector<double> counts(static_cast<std::size_t>(bins), 0.0);
  const double w = x_max / bins;
  for (double x : v) {
    const int k = std::min(bins - 1, static_cast<int>((x / med) / w));
    counts[static_cast<std::size_t>(std::max(0, k))] += 1;
  }
  std::vector<double> xs{0}, ys{0};
  for (int k = 0; k < bins; ++k) {
    const double h = counts[k] / (static_cast<double>(v.size()) * w);
    xs.push_back(k * w), ys.push_back(h);
    xs.push_back((k + 1) * w), ys.push_back(h);
  }
  xs.push_back(x_max), ys.push_back(0);
  return line(label, xs, ys);
}

}  // namespace

claim heavy_tailed_noise() {
  claim c;
  c.info = {claim_id, paper_b, "Sections 3.2 and 4, Fig. 2 (row 2), Fig. 7(b), Fig. 8(c); spec P12", "comparison", "exact",
            "At initialization, the norm of the minibatch gradient noise ||g_B - g|| is heavy-tailed: much heavier for "
            "heavy-tailed (gamma) covariates than for spherical ones, heavier for n = 5 than n = 20, and heavier for "
            "deeper models."};
  using K = param_kind;
  c.params = {
      {"samples", K::integer, "2000", "2000", 20, 1e6, "noise vectors per configuration (spec: 2000; code: 10000)"},
      {"batch", K::integer, "100", "1000", 1, 1e6,
       "minibatch B of each noise vector (paper: 1000; quick: 100, which makes every law's tail heavier, judged alike)"},
      {"true_prompts", K::integer, "20000", "100000", 1000, 1e8, "prompts for the 'true' gradient (paper: 1e5)"},
      {"Ls", K::integer_list, "2,8", "2,4,6,8", 1, 16, "depths of the Gaussian n=20 model besides L = 3 (spec: 2, 4, 6, 8)"},
      {"resamples", K::integer, "1000", "2000", 100, 1e6, "bootstrap resamples of each ratio CI"},
      {"bins", K::integer, "60", "100", 5, 10000, "histogram bins (code: 100)"},
  };
  c.estimate_bytes = [](const param_values& p) {
    return 8.0 * 6 * 21 * 2 * std::max(p.get("batch"), 1000.0) * 2 * p.max("Ls") + 8.0 * 12 * p.get("samples");
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const int K = p.get_int("samples"), B = p.get_int("batch"), N_true = p.get_int("true_prompts");
    const int resamples = p.get_int("resamples"), bins = p.get_int("bins");
    std::vector<int> Ls = p.int_list("Ls");
    Ls.erase(std::remove(Ls.begin(), Ls.end(), 3), Ls.end());
    const bool paper_scale = K >= 2000 && B >= 1000 && N_true >= 100000;
    // Configurations: S1, S2, S3, sphere (L = 3), then S1 at the other depths.
    std::vector<setting> cfg = {setting_s1(), setting_s2(), setting_s3(), setting_sphere()};
    for (int L : Ls) cfg.push_back(setting_s1(L));
    const int nc = static_cast<int>(cfg.size());
    std::vector<Eigen::VectorXd> theta0(nc), g_true(nc);
    for (int i = 0; i < nc; ++i) {
      auto rng = stream(ctx.seed, "init", cfg[i], 0);
      theta0[i] = icl::initial_parameters(cfg[i].model(), rng, 0.05);
    }
    // Phase 1: the true gradient, chunk by chunk (equal chunks: the mean of chunk means).
    const int chunks = (N_true + true_chunk - 1) / true_chunk;
    std::vector<Eigen::VectorXd> chunk_g(static_cast<std::size_t>(nc * chunks));
    std::atomic<int> done{0};
    const int total = nc * chunks + nc * ((K + sample_block - 1) / sample_block);
    parallel_for(nc * chunks, ctx.jobs, [&](int k) {
      const int i = k / chunks, j = k % chunks;
      auto rng = stream(ctx.seed, "true", cfg[i], static_cast<std::uint64_t>(j));
      const int size = std::min(true_chunk, N_true - j * true_chunk);
      const auto batch = icl::draw_prompts(cfg[i].prompts(), size, rng);
      Eigen::VectorXd g;
      icl::loss_and_gradient(cfg[i].model(), theta0[i], batch, g);
      chunk_g[k] = g * (static_cast<double>(size) / N_true);
      if (ctx.progress) ctx.progress(fmt::format("{}: true gradients", claim_id), ++done, total);
    });
    for (int i = 0; i < nc; ++i) {
      g_true[i] = Eigen::VectorXd::Zero(theta0[i].size());
      for (int j = 0; j < chunks; ++j) g_true[i] += chunk_g[i * chunks + j];
    }
    // Phase 2: the noise norms.
    const int blocks = (K + sample_block - 1) / sample_block;
    std::vector<std::vector<double>> norms(nc, std::vector<double>(static_cast<std::size_t>(K)));
    parallel_for(nc * blocks, ctx.jobs, [&](int k) {
      const int i = k / blocks, b = k % blocks;
      auto rng = stream(ctx.seed, "noise", cfg[i], static_cast<std::uint64_t>(b));
      const auto m = cfg[i].model();
      Eigen::VectorXd g;
      for (int s = b * sample_block; s < std::min(K, (b + 1) * sample_block); ++s) {
        const auto batch = icl::draw_prompts(cfg[i].prompts(), B, rng);
        icl::loss_and_gradient(m, theta0[i], batch, g);
        norms[i][s] = (g - g_true[i]).norm();
      }
      if (ctx.progress) ctx.progress(fmt::format("{}: noise samples", claim_id), ++done, total);
    });

    // Shape statistics per configuration.
    claim_result res;
    nlohmann::json table = nlohmann::json::array();
    std::vector<double> kurt(nc), tail(nc);
    for (int i = 0; i < nc; ++i) {
      const auto& v = norms[i];
      kurt[i] = kurtosis(v), tail[i] = q99_over_median(v);
      table.push_back({{"config", cfg[i].name}, {"n", cfg[i].n}, {"L", cfg[i].L},
                       {"mean", stats::mean(v)}, {"median", stats::median(v)}, {"q90", stats::quantile(v, 0.9)},
                       {"q99", stats::quantile(v, 0.99)}, {"max", *std::max_element(v.begin(), v.end())},
                       {"q99_over_median", tail[i]}, {"max_over_median", *std::max_element(v.begin(), v.end()) / stats::median(v)},
                       {"skewness", skewness(v)}, {"kurtosis", kurt[i]}, {"true_gradient_norm", g_true[i].norm()}});
      res.statistics.push_back({fmt::format("kurtosis {}", cfg[i].name), kurt[i], 0});  // band set below
    }
    // Comparisons (index: 0 S1, 1 S2, 2 S3 gamma, 3 sphere, 4.. depths).
    struct cmp {
      std::string what;
      int a, b;
      bool by_kurtosis;
      double threshold;
      double paper_a, paper_b;
    };
    std::vector<cmp> cmps = {{"kurtosis(S3 gamma) / kurtosis(sphere)", 2, 3, true, 2.0, 13.7, 3.06},
                             {"(q99/median)(S3 gamma) / (q99/median)(sphere)", 2, 3, false, 1.8, 3.04, 1.35},
                             {"kurtosis(S2, n=5) / kurtosis(S1, n=20)", 1, 0, true, 1.0, 14.3, 3.83}};
    {
      const auto it2 = std::find_if(cfg.begin(), cfg.end(), [](const setting& s) { return s.law == icl::covariate_law::gaussian && s.n == 20; });
      int i_lo = static_cast<int>(it2 - cfg.begin()), i_hi = i_lo;  // smallest and largest depth among S1 configs
      for (int i = 0; i < nc; ++i)
        if (cfg[i].law == icl::covariate_law::gaussian && cfg[i].n == 20) {
          if (cfg[i].L < cfg[i_lo].L) i_lo = i;
          if (cfg[i].L > cfg[i_hi].L) i_hi = i;
        }
      if (i_hi != i_lo) {
        const double pa = cfg[i_hi].L == 8 ? 5.52 : cfg[i_hi].L == 6 ? 5.25 : cfg[i_hi].L == 4 ? 4.09 : cfg[i_hi].L == 3 ? 3.83 : NAN;
        const double pb = cfg[i_lo].L == 2 ? 3.79 : cfg[i_lo].L == 3 ? 3.83 : NAN;
        cmps.push_back({fmt::format("kurtosis(L={}) / kurtosis(L={})", cfg[i_hi].L, cfg[i_lo].L), i_hi, i_lo, true, 1.0, pa, pb});
      }
    }
    std::vector<verdict> parts;
    std::vector<std::string> lines;
    nlohmann::json comparisons = nlohmann::json::array();
    for (std::size_t k = 0; k < cmps.size(); ++k) {
      const auto& q = cmps[k];
      const auto stat = q.by_kurtosis ? std::function<double(const std::vector<double>&)>(kurtosis)
                                      : std::function<double(const std::vector<double>&)>(q99_over_median);
      const auto ci = bootstrap_ratio(norms[q.a], norms[q.b], stat, resamples,
                                      model::stream_seed(ctx.seed, "ahn2023.noise/bootstrap", {k}));
      const verdict v = compare_above(ci.low, ci.high, q.threshold, paper_scale);
      parts.push_back(v);
      lines.push_back(fmt::format("{} = {:.2f} [{:.2f}, {:.2f}] (> {}: {}; paper calibration {:.3g}/{:.3g} = {:.2f})", q.what, ci.estimate,
                                  ci.low, ci.high, q.threshold, to_string(v), q.paper_a, q.paper_b, q.paper_a / q.paper_b));
      comparisons.push_back({{"what", q.what}, {"ratio", to_json(ci)}, {"threshold", q.threshold}, {"verdict", to_string(v)},
                             {"paper_calibration", {q.paper_a, q.paper_b}}});
      res.statistics.push_back({q.what, ci.estimate, band_of(ci, 0.05)});
    }
    // Bands of the kurtosis statistics: their bootstrap half-width (resampled alone).
    for (int i = 0; i < nc; ++i) {
      const auto ci = bootstrap_statistic(norms[i], kurtosis, std::max(200, resamples / 5),
                                      model::stream_seed(ctx.seed, "ahn2023.noise/bootstrap-kurtosis", {static_cast<std::uint64_t>(i)}));
      res.statistics[static_cast<std::size_t>(i)].band = band_of(ci, 0.05);
      table[static_cast<std::size_t>(i)]["kurtosis_ci"] = {ci.low, ci.high};
    }
    res.v = combine_verdicts(parts);
    res.bound_name = "kurtosis(gamma)/kurtosis(sphere) must exceed";
    res.bound = 2.0;
    res.measured_name = "lower 95% limit of kurtosis(gamma)/kurtosis(sphere)";
    res.measured = comparisons[0]["ratio"]["low"].get<double>();
    std::string kurts;
    for (int i = 0; i < nc; ++i) kurts += fmt::format("{}{} {:.2f}", i ? ", " : "", cfg[i].name, kurt[i]);
    res.summary = fmt::format(
        "paper: heavy-tailed noise, heavier for gamma covariates, n = 5 and depth (spec P12 calibration: kurtosis gamma 13.7, "
        "sphere 3.06, S1 3.83, S2 14.3, L=2 3.79, L=8 5.52). Measured kurtosis: {}. {}. {} noise vectors, B = {}, true gradient "
        "from {} prompts{}",
        kurts, fmt::join(lines, "; "), K, B, N_true, paper_scale ? "" : " (reduced scale)");
    res.details = {{"per_config", table}, {"comparisons", comparisons}, {"paper_scale", paper_scale},
                   {"kurtosis_definition", "m4/m2^2 with 1/n central moments (3 for a normal law); the calibration used torch's "
                                           "unbiased std, a factor ((K-1)/K)^2 ~ 1"}};
    res.bounds.push_back({"kurtosis ratio gamma/sphere threshold", 2.0});
    res.bounds.push_back({"q99/median ratio gamma/sphere threshold", 1.8});
    // Histograms: the norms divided by their median, so the shapes compare on one axis.
    auto histogram = [&](const std::string& id, const std::string& title, const std::vector<int>& which) {
      figure f;
      f.id = id;
      f.title = title;
      f.xlabel = "||g_B - g|| / median (unitless)";
      f.ylabel = "density";
      double x_max = 0;
      for (int i : which) x_max = std::max(x_max, *std::max_element(norms[i].begin(), norms[i].end()) / stats::median(norms[i]));
      x_max = std::ceil(x_max * 10) / 10;
      for (int i : which)
        f.curves.push_back(density_steps(fmt::format("{} (median {:.3g}, kurtosis {:.2f}, q99/med {:.2f})", cfg[i].name,
                                                     stats::median(norms[i]), kurt[i], tail[i]),
                                         norms[i], x_max, bins));
      return f;
    };
    res.figures.push_back(histogram("noise-settings",
                                    fmt::format("Gradient noise at init, L = 3, B = {} (Fig. 2 row 2, Fig. 7(b))", B),
                                    {0, 1, 2, 3}));
    std::vector<int> depth_idx;
    for (int i = 0; i < nc; ++i)
      if (cfg[i].law == icl::covariate_law::gaussian && cfg[i].n == 20) depth_idx.push_back(i);
    std::sort(depth_idx.begin(), depth_idx.end(), [&](int a, int b) { return cfg[a].L < cfg[b].L; });
    res.figures.push_back(histogram("noise-depth",
                                    fmt::format("Gradient noise at init vs depth, S1, B = {} (Fig. 8(c))", B),
                                    depth_idx));
    res.figures[0].notes = {lines[0], lines[1], lines[2]};
    if (lines.size() > 3) res.figures[1].notes = {lines[3]};
    int worst = 0;
    for (int i = 1; i < nc; ++i)
      if (kurt[i] > kurt[worst]) worst = i;
    res.worst = {{"what", "configuration with the heaviest tail (largest kurtosis)"}, {"config", cfg[worst].name}, {"L", cfg[worst].L},
                 {"value", kurt[worst]}, {"seed", ctx.seed}};
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::ahn2023
