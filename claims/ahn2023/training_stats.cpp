#include "claims/ahn2023/training_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

void require_finite(const std::vector<double>& v, std::size_t at_least, const char* what) {
  if (v.size() < at_least) throw std::invalid_argument(std::string(what) + ": too few values");
  for (double x : v)
    if (!std::isfinite(x)) throw std::invalid_argument(std::string(what) + ": non-finite value");
}

/// Central moments m2, m3, m4 with the 1/n denominator.
struct moments {
  double m2 = 0, m3 = 0, m4 = 0;
};
moments central_moments(const std::vector<double>& v) {
  double mu = 0;
  for (double x : v) mu += x;
  mu /= static_cast<double>(v.size());
  moments m;
  for (double x : v) {
    const double e = x - mu, e2 = e * e;
    m.m2 += e2, m.m3 += e2 * e, m.m4 += e2 * e2;
  }
  const double n = static_cast<double>(v.size());
  m.m2 /= n, m.m3 /= n, m.m4 /= n;
  return m;
}

}  // namespace

double kurtosis(const std::vector<double>& v) {
  require_finite(v, 2, "kurtosis");
  const auto m = central_moments(v);
  if (!(m.m2 > 0)) throw std::invalid_argument("kurtosis: all values equal");
  return m.m4 / (m.m2 * m.m2);
}

double skewness(const std::vector<double>& v) {
  require_finite(v, 2, "skewness");
  const auto m = central_moments(v);
  if (!(m.m2 > 0)) throw std::invalid_argument("skewness: all values equal");
  return m.m3 / std::pow(m.m2, 1.5);
}

double lower_median(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("lower_median: empty");
  const auto k = (v.size() - 1) / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

double robust_condition_number(const Eigen::VectorXd& h) {
  if (h.size() == 0) throw std::invalid_argument("robust_condition_number: empty diagonal");
  std::vector<double> a(static_cast<std::size_t>(h.size()));
  for (Eigen::Index i = 0; i < h.size(); ++i) a[static_cast<std::size_t>(i)] = std::abs(h[i]);
  require_finite(a, 1, "robust_condition_number");
  const double mx = *std::max_element(a.begin(), a.end());
  const double med = lower_median(a);
  return med > 0 ? mx / med : inf;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("pearson: sizes differ");
  require_finite(x, 3, "pearson");
  require_finite(y, 3, "pearson");
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double a = x[i] - mx, b = y[i] - my;
    sxy += a * b, sxx += a * a, syy += b * b;
  }
  if (!(sxx > 0) || !(syy > 0)) throw std::invalid_argument("pearson: constant sample");
  return sxy / std::sqrt(sxx * syy);
}

smoothness_point directional_smoothness(const model::icl::lsa_model& m, const Eigen::VectorXd& theta,
                                        const Eigen::VectorXd& next, const model::icl::prompt_batch& batch,
                                        int threads) {
  const Eigen::VectorXd delta = next - theta;
  const double norm = delta.norm();
  smoothness_point p;
  Eigen::VectorXd g;
  model::icl::loss_and_gradient(m, theta, batch, g, threads);
  p.grad_norm = g.norm();
  if (!(norm > 0) || !std::isfinite(norm)) {
    p.ds = std::numeric_limits<double>::quiet_NaN();
    return p;
  }
  const Eigen::VectorXd u = delta / norm;
  p.ds = u.dot(model::icl::hessian_vector(m, theta, batch, u, threads));
  return p;
}

interval mean_t_interval(const std::vector<double>& v, double confidence) {
  std::vector<double> f;
  for (double x : v)
    if (std::isfinite(x)) f.push_back(x);
  interval r;
  r.n = static_cast<int>(f.size());
  if (f.empty()) {
    r.estimate = r.low = r.high = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  if (f.size() < 2) {
    r.estimate = f[0], r.low = -inf, r.high = inf;
    return r;
  }
  bool constant = std::all_of(f.begin(), f.end(), [&](double x) { return x == f[0]; });
  if (constant) {
    r.estimate = r.low = r.high = f[0];
    return r;
  }
  const auto ci = stats::t_interval(f, confidence);
  r.estimate = ci.mean, r.low = ci.low, r.high = ci.high;
  return r;
}

interval paired_log_ratio(const std::vector<double>& num, const std::vector<double>& den, double confidence) {
  if (num.size() != den.size()) throw std::invalid_argument("paired_log_ratio: sizes differ");
  std::vector<double> logs;
  for (std::size_t i = 0; i < num.size(); ++i)
    if (std::isfinite(num[i]) && std::isfinite(den[i]) && num[i] > 0 && den[i] > 0)
      logs.push_back(std::log(num[i] / den[i]));
  const interval l = mean_t_interval(logs, confidence);
  return {std::exp(l.estimate), std::exp(l.low), std::exp(l.high), l.n};
}

interval bootstrap_ratio(const std::vector<double>& a, const std::vector<double>& b,
                         const std::function<double(const std::vector<double>&)>& stat, int resamples,
                         std::uint64_t seed, double confidence) {
  if (a.empty() || b.empty() || resamples < 2) throw std::invalid_argument("bootstrap_ratio: empty input");
  interval r;
  r.estimate = stat(a) / stat(b);
  r.n = resamples;
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<std::size_t> ia(0, a.size() - 1), ib(0, b.size() - 1);
  std::vector<double> ra(a.size()), rb(b.size()), ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  for (int k = 0; k < resamples; ++k) {
    for (auto& x : ra) x = a[ia(rng)];
    for (auto& x : rb) x = b[ib(rng)];
    double q;
    try {
      q = stat(ra) / stat(rb);
    } catch (const std::invalid_argument&) {
      q = std::numeric_limits<double>::quiet_NaN();  // a degenerate resample (all equal)
    }
    if (!std::isnan(q)) ratios.push_back(q);
  }
  if (ratios.size() < 2) {
    r.low = -inf, r.high = inf;
    return r;
  }
  r.low = stats::quantile(ratios, (1 - confidence) / 2);
  r.high = stats::quantile(ratios, (1 + confidence) / 2);
  return r;
}

interval bootstrap_statistic(const std::vector<double>& a, const std::function<double(const std::vector<double>&)>& stat,
                             int resamples, std::uint64_t seed, double confidence) {
  if (a.empty() || resamples < 2) throw std::invalid_argument("bootstrap_statistic: empty input");
  interval r;
  r.estimate = stat(a);
  r.n = resamples;
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<std::size_t> ia(0, a.size() - 1);
  std::vector<double> ra(a.size()), values;
  for (int k = 0; k < resamples; ++k) {
    for (auto& x : ra) x = a[ia(rng)];
    try {
      values.push_back(stat(ra));
    } catch (const std::invalid_argument&) {  // a degenerate resample (all equal)
    }
  }
  if (values.size() < 2) {
    r.low = -inf, r.high = inf;
    return r;
  }
  r.low = stats::quantile(values, (1 - confidence) / 2);
  r.high = stats::quantile(values, (1 + confidence) / 2);
  return r;
}

verdict compare_above(double low, double high, double threshold, bool paper_scale) {
  if (std::isnan(low) || std::isnan(high)) return verdict::inconclusive;
  if (low > threshold) return verdict::holds;
  if (high < threshold) return paper_scale ? verdict::violated : verdict::inconclusive;
  return verdict::inconclusive;
}

}  // namespace attnbound::claims::ahn2023
