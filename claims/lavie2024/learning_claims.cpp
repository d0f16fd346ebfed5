// The learning claims of Lavie, Gur-Ari, Ringel 2024 (claims/lavie2024/learning_group.hpp): the
// group's factory list and the pieces both claims share (one setting's spectrum / target / eigenvalue
// groups, datasets of GP regression, verdict rules).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/random/uniform_int_distribution.hpp>

#include "claims/lavie2024/claims.hpp"
#include "claims/lavie2024/learning_group.hpp"
#include "claims/parallel.hpp"
#include "model/rng.hpp"

namespace attnbound::claims::lavie2024 {

std::vector<claim> learning_claims() { return {learnability_scaling(), learning_curves()}; }

learning_problem make_problem(mdl::candidate kernel, int V, int L, const partition& lambda, double kernel_scale) {
  if (!(kernel_scale > 0) || !std::isfinite(kernel_scale)) throw std::invalid_argument("make_problem: kernel_scale must be > 0");
  learning_problem pr;
  pr.kernel = kernel;
  pr.space = {V, L};
  pr.lambda = lambda;
  pr.kernel_scale = kernel_scale;
  pr.K = mdl::full_space_gram(kernel, pr.space) * kernel_scale;
  pr.p = uniform_measure(pr.space);
  pr.spectrum = mdl::spectrum(pr.K, pr.p);
  const Eigen::MatrixXd projector = content_projector(pr.space, lambda);
  pr.clusters = isotypic_clusters(pr.spectrum, {projector}, {lambda}, 1e-9);
  pr.target = target_in_irrep(pr.spectrum, pr.clusters, projector, lambda, pr.p);
  // <phi_i, g>_p for every eigenfunction; the group weights sum to <g, g>_p = 1.
  const Eigen::VectorXd coeff = pr.spectrum.eigenfunctions.transpose() * pr.p.cwiseProduct(pr.target.g);
  const double top = std::max(pr.spectrum.eigenvalues.cwiseAbs().maxCoeff(), 1e-300);
  for (std::size_t k = 0; k < pr.clusters.size(); ++k) {
    const auto& c = pr.clusters[k];
    double w = 0;
    for (int col : c.columns) w += coeff(col) * coeff(col);
    const double value = c.value > 1e-12 * top ? c.value : 0.0;
    pr.groups.push_back({value, static_cast<double>(c.multiplicity), w});
    if (c.value == pr.target.eigenvalue) pr.target_group = static_cast<int>(k);
  }
  if (pr.target_group < 0) throw std::logic_error("make_problem: the target's eigenvalue is not a cluster value");
  return pr;
}

dataset_samples measure_datasets(const learning_problem& problem, int P, double delta, double eps2, int datasets,
                                 std::uint64_t seed, const std::string& stream, int jobs) {
  if (P < 1 || datasets < 1) throw std::invalid_argument("measure_datasets: P >= 1 and datasets >= 1");
  if (!(eps2 >= 0)) throw std::invalid_argument("measure_datasets: eps^2 must be >= 0");
  const std::uint64_t kernel_key = static_cast<std::uint64_t>(problem.kernel);
  const std::uint64_t V = static_cast<std::uint64_t>(problem.space.V), L = static_cast<std::uint64_t>(problem.space.L);
  const std::uint64_t index_seed = model::stream_seed(seed, stream, {kernel_key, V, L, static_cast<std::uint64_t>(P)});
  const double eps = std::sqrt(eps2);
  dataset_samples out;
  out.test_error.assign(static_cast<std::size_t>(datasets), 0.0);
  out.learnability.assign(static_cast<std::size_t>(datasets), 0.0);
  parallel_for(datasets, jobs, [&](int r) {
    const auto idx = mdl::draw_indices(problem.p, P, index_seed, static_cast<std::uint64_t>(r));
    Eigen::VectorXd y(P);
    for (int i = 0; i < P; ++i) y(i) = problem.target.g(idx[static_cast<std::size_t>(i)]);
    if (eps2 > 0) {
      auto rng = model::make_rng(seed, stream + "/noise", {kernel_key, V, L, static_cast<std::uint64_t>(P), static_cast<std::uint64_t>(r)});
      for (int i = 0; i < P; ++i) y(i) += eps * model::standard_normal(rng);
    }
    const Eigen::VectorXd f = mdl::posterior_mean(problem.K, idx, y, delta);
    out.test_error[static_cast<std::size_t>(r)] = mdl::mse(f, problem.target.g, problem.p) + eps2;
    out.learnability[static_cast<std::size_t>(r)] = mdl::learnability(f, problem.target.g, problem.p);
  });
  return out;
}

mean_se summarize(const std::vector<double>& v) {
  mean_se m;
  m.n = static_cast<int>(v.size());
  m.mean = stats::mean(v);
  if (m.n >= 2) {
    m.se = stats::sample_sd(v) / std::sqrt(static_cast<double>(m.n));
    const auto ci = stats::t_interval(v);
    m.low = ci.low, m.high = ci.high;
  } else {
    m.se = m.low = m.high = std::numeric_limits<double>::quiet_NaN();
  }
  return m;
}

curve_point_check check_curve_point(int P, int judged_from, const mean_se& measured, double predicted, double ek) {
  curve_point_check c;
  c.judged = P >= judged_from;
  c.deviation = std::abs(measured.mean - predicted);
  c.tolerance = std::max(curve_rel_tol * predicted, se_multiple * measured.se);
  // NaN (too few datasets for an SE) compares false everywhere: never a pass.
  c.agrees = !c.judged || c.deviation <= c.tolerance;
  c.ek_below_measured = ek <= measured.mean + se_multiple * measured.se;
  c.ek_below_eigenlearning = ek <= predicted;
  return c;
}

scaling_point_check check_scaling_point(const mean_se& measured, double eigenlearning, double trace_bound_lo,
                                        double conservation_bound_lo) {
  scaling_point_check c;
  c.measured_below = measured.mean <= std::min(trace_bound_lo, conservation_bound_lo) + se_multiple * measured.se;
  c.eigenlearning_below = eigenlearning <= trace_bound_lo && eigenlearning <= conservation_bound_lo;
  return c;
}

stats::slope_fit loglog_mean_slope_bootstrap(const std::vector<double>& x, const std::vector<std::vector<double>>& samples,
                                             int resamples, std::uint64_t seed) {
  if (x.size() != samples.size() || x.size() < 2) throw std::invalid_argument("loglog_mean_slope_bootstrap: >= 2 x values, one sample set each");
  if (resamples < 2) throw std::invalid_argument("loglog_mean_slope_bootstrap: resamples >= 2");
  std::vector<double> lx, ly;
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (!(x[k] > 0) || samples[k].empty()) throw std::invalid_argument("loglog_mean_slope_bootstrap: x > 0 and non-empty samples");
    const double m = stats::mean(samples[k]);
    if (!(m > 0)) throw std::invalid_argument("loglog_mean_slope_bootstrap: a mean is <= 0 (no logarithm)");
    lx.push_back(std::log(x[k])), ly.push_back(std::log(m));
  }
  stats::slope_fit fit = stats::ols(lx, ly);
  auto rng = model::make_rng(seed, "lavie2024.loglog-mean-bootstrap");
  std::vector<double> slopes;
  bool undefined = false;
  std::vector<double> by(x.size());
  for (int b = 0; b < resamples && !undefined; ++b) {
    for (std::size_t k = 0; k < x.size(); ++k) {
      const auto& s = samples[k];
      boost::random::uniform_int_distribution<std::size_t> pick(0, s.size() - 1);
      double sum = 0;
      for (std::size_t i = 0; i < s.size(); ++i) sum += s[pick(rng)];
      const double m = sum / static_cast<double>(s.size());
      if (!(m > 0)) {
        undefined = true;
        break;
      }
      by[k] = std::log(m);
    }
    if (!undefined) slopes.push_back(stats::ols(lx, by).slope);
  }
  if (undefined) {
    fit.ci_low = -std::numeric_limits<double>::infinity();
    fit.ci_high = std::numeric_limits<double>::infinity();
  } else {
    fit.ci_low = stats::quantile(slopes, 0.025);
    fit.ci_high = stats::quantile(slopes, 0.975);
  }
  return fit;
}

verdict judge_decreasing(const stats::slope_fit& fit) {
  if (fit.ci_high < 0) return verdict::holds;
  if (fit.ci_low > 0) return verdict::violated;
  return verdict::inconclusive;
}

}  // namespace attnbound::claims::lavie2024
