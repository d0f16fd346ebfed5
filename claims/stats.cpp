#include "claims/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace attnbound::stats {
namespace {

[[noreturn]] void fail(const char* fn, const std::string& what) {
  throw std::invalid_argument(std::string("stats::") + fn + ": " + what);
}

void require_confidence(const char* fn, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    fail(fn, "confidence must lie in (0, 1), got " + std::to_string(confidence));
}

void require_finite(const char* fn, const std::vector<double>& v, const char* name) {
  for (double x : v)
    if (!std::isfinite(x)) fail(fn, std::string(name) + " contains a non-finite value");
}

void require_kn(const char* fn, int k, int n) {
  if (n < 1) fail(fn, "need at least one trial, got n = " + std::to_string(n));
  if (k < 0 || k > n)
    fail(fn, "need 0 <= k <= n, got k = " + std::to_string(k) + ", n = " + std::to_string(n));
}

/// Quantile of an already sorted, NaN-free, non-empty vector (type 7).
double sorted_quantile(const std::vector<double>& s, double p) {
  const double h = static_cast<double>(s.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= s.size()) return s.back();
  const double frac = h - static_cast<double>(lo);
  const double a = s[lo], b = s[lo + 1];
  if (frac == 0.0 || a == b) return a;
  // Infinite ends: interpolation tends to the infinite one (avoids inf - inf = NaN).
  if (std::isinf(a)) return a;
  if (std::isinf(b)) return b;
  return a + frac * (b - a);
}

/// Two-sided Student-t critical value t_{(1+c)/2, df}.
double t_critical(double df, double confidence) {
  boost::math::students_t dist(df);
  return boost::math::quantile(dist, 0.5 * (1.0 + confidence));
}

/// OLS core on already validated finite data with x not all equal.
slope_fit ols_core(const std::vector<double>& x, const std::vector<double>& y,
                   double confidence) {
  const std::size_t n = x.size();
  double xbar = 0, ybar = 0;
  for (std::size_t i = 0; i < n; ++i) {
    xbar += x[i];
    ybar += y[i];
  }
  xbar /= static_cast<double>(n);
  ybar /= static_cast<double>(n);
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x[i] - xbar, dy = y[i] - ybar;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) fail("ols", "x values are all equal; the slope is undefined");

  slope_fit f;
  f.points = static_cast<int>(n);
  f.slope = sxy / sxx;
  f.intercept = ybar - f.slope * xbar;
  double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - (f.intercept + f.slope * x[i]);
    sse += r * r;
  }
  f.r2 = syy > 0 ? std::max(0.0, 1.0 - sse / syy) : 1.0;
  if (n > 2) {
    const double se = std::sqrt(sse / static_cast<double>(n - 2) / sxx);
    const double half = t_critical(static_cast<double>(n - 2), confidence) * se;
    f.ci_low = f.slope - half;
    f.ci_high = f.slope + half;
  } else {
    f.ci_low = -std::numeric_limits<double>::infinity();
    f.ci_high = std::numeric_limits<double>::infinity();
  }
  return f;
}

mean_ci mean_interval(const char* fn, const std::vector<double>& v, double crit) {
  if (v.size() < 2) fail(fn, "need at least 2 values, got " + std::to_string(v.size()));
  mean_ci r;
  r.n = static_cast<int>(v.size());
  r.mean = mean(v);
  const double half = crit * sample_sd(v) / std::sqrt(static_cast<double>(v.size()));
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

}  // namespace

// ---- Order statistics and moments ------------------------------------------------------

double quantile(std::vector<double> v, double p) {
  if (v.empty()) fail("quantile", "empty sample");
  if (!(p >= 0.0 && p <= 1.0)) fail("quantile", "p must lie in [0, 1], got " + std::to_string(p));
  for (double x : v)
    if (std::isnan(x)) fail("quantile", "sample contains NaN");
  std::sort(v.begin(), v.end());
  return sorted_quantile(v, p);
}

double median(std::vector<double> v) {
  if (v.empty()) fail("median", "empty sample");
  return quantile(std::move(v), 0.5);
}

double mean(const std::vector<double>& v) {
  if (v.empty()) fail("mean", "empty sample");
  require_finite("mean", v, "sample");
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sample_sd(const std::vector<double>& v) {
  if (v.size() < 2) fail("sample_sd", "need at least 2 values, got " + std::to_string(v.size()));
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// ---- Binomial --------------------------------------------------------------------------

double clopper_pearson_upper(int k, int n, double confidence) {
  require_kn("clopper_pearson_upper", k, n);
  require_confidence("clopper_pearson_upper", confidence);
  if (k == n) return 1.0;
  boost::math::beta_distribution<double> dist(k + 1.0, static_cast<double>(n - k));
  return boost::math::quantile(dist, confidence);
}

double clopper_pearson_lower(int k, int n, double confidence) {
  require_kn("clopper_pearson_lower", k, n);
  require_confidence("clopper_pearson_lower", confidence);
  if (k == 0) return 0.0;
  boost::math::beta_distribution<double> dist(static_cast<double>(k), n - k + 1.0);
  return boost::math::quantile(dist, 1.0 - confidence);
}

double binomial_upper_tail(int k, int n, double p) {
  require_kn("binomial_upper_tail", k, n);
  if (!(p >= 0.0 && p <= 1.0))
    fail("binomial_upper_tail", "p must lie in [0, 1], got " + std::to_string(p));
  if (k == 0) return 1.0;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  boost::math::binomial_distribution<double> dist(static_cast<double>(n), p);
  // P(X >= k) = P(X > k - 1).
  return boost::math::cdf(boost::math::complement(dist, static_cast<double>(k - 1)));
}

binomial_test test_violation_rate(int violations, int trials, double nominal,
                                  double confidence) {
  require_kn("test_violation_rate", violations, trials);
  require_confidence("test_violation_rate", confidence);
  if (!(nominal >= 0.0 && nominal <= 1.0))
    fail("test_violation_rate", "nominal must lie in [0, 1], got " + std::to_string(nominal));
  binomial_test t;
  t.violations = violations;
  t.trials = trials;
  t.rate = static_cast<double>(violations) / static_cast<double>(trials);
  t.upper_cp = clopper_pearson_upper(violations, trials, confidence);
  t.p_value = binomial_upper_tail(violations, trials, nominal);
  t.rate_exceeds = t.p_value < 1.0 - confidence;
  return t;
}

// ---- Slopes ----------------------------------------------------------------------------

slope_fit ols(const std::vector<double>& x, const std::vector<double>& y, double confidence) {
  if (x.size() != y.size())
    fail("ols", "x and y differ in size (" + std::to_string(x.size()) + " vs " +
                    std::to_string(y.size()) + ")");
  if (x.size() < 2) fail("ols", "need at least 2 points, got " + std::to_string(x.size()));
  require_confidence("ols", confidence);
  require_finite("ols", x, "x");
  require_finite("ols", y, "y");
  return ols_core(x, y, confidence);
}

slope_fit loglog_median_slope_bootstrap(const std::vector<double>& x,
                                        const std::vector<std::vector<double>>& samples_per_x,
                                        int resamples, std::uint64_t seed, double confidence,
                                        bool log_x, bool paired) {
  const char* fn = "loglog_median_slope_bootstrap";
  if (x.size() != samples_per_x.size())
    fail(fn, "x and samples_per_x differ in size (" + std::to_string(x.size()) + " vs " +
                 std::to_string(samples_per_x.size()) + ")");
  if (x.size() < 2) fail(fn, "need at least 2 x values, got " + std::to_string(x.size()));
  if (resamples < 2) fail(fn, "need at least 2 resamples, got " + std::to_string(resamples));
  require_confidence(fn, confidence);
  require_finite(fn, x, "x");

  const std::size_t m = x.size();
  std::vector<double> tx(m), ty(m);
  for (std::size_t k = 0; k < m; ++k) {
    if (log_x && !(x[k] > 0))
      fail(fn, "x must be > 0 for a log-log fit, got " + std::to_string(x[k]));
    const auto& s = samples_per_x[k];
    if (s.empty()) fail(fn, "no samples at x = " + std::to_string(x[k]));
    for (double v : s)
      if (!std::isfinite(v) || !(v > 0))
        fail(fn, "samples must be finite and > 0 to take logs, got " + std::to_string(v) +
                     " at x = " + std::to_string(x[k]));
    tx[k] = log_x ? std::log(x[k]) : x[k];
    ty[k] = std::log(median(s));
  }
  // Validates that the (transformed) x are not all equal.
  slope_fit fit = ols_core(tx, ty, confidence);
  if (paired)
    for (const auto& s : samples_per_x)
      if (s.size() != samples_per_x.front().size())
        fail(fn, "paired resampling needs the same number of samples at every x");

  boost::random::mt19937_64 rng(seed);
  std::vector<double> slopes(static_cast<std::size_t>(resamples));
  std::vector<double> buf;
  std::vector<std::size_t> shared_idx(samples_per_x.front().size());
  for (int b = 0; b < resamples; ++b) {
    if (paired) {
      boost::random::uniform_int_distribution<std::size_t> pick(0, shared_idx.size() - 1);
      for (auto& i : shared_idx) i = pick(rng);
    }
    for (std::size_t k = 0; k < m; ++k) {
      const auto& s = samples_per_x[k];
      buf.resize(s.size());
      if (paired) {
        for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = s[shared_idx[i]];
      } else {
        boost::random::uniform_int_distribution<std::size_t> pick(0, s.size() - 1);
        for (auto& v : buf) v = s[pick(rng)];
      }
      std::sort(buf.begin(), buf.end());
      ty[k] = std::log(sorted_quantile(buf, 0.5));
    }
    slopes[static_cast<std::size_t>(b)] = ols_core(tx, ty, confidence).slope;
  }
  std::sort(slopes.begin(), slopes.end());
  fit.ci_low = sorted_quantile(slopes, 0.5 * (1.0 - confidence));
  fit.ci_high = sorted_quantile(slopes, 0.5 * (1.0 + confidence));
  return fit;
}

// ---- Mean intervals --------------------------------------------------------------------

mean_ci t_interval(const std::vector<double>& v, double confidence) {
  require_confidence("t_interval", confidence);
  if (v.size() < 2) fail("t_interval", "need at least 2 values, got " + std::to_string(v.size()));
  return mean_interval("t_interval", v, t_critical(static_cast<double>(v.size() - 1), confidence));
}

mean_ci normal_interval(const std::vector<double>& v, double z) {
  if (!(z > 0) || !std::isfinite(z))
    fail("normal_interval", "z must be finite and > 0, got " + std::to_string(z));
  return mean_interval("normal_interval", v, z);
}

double normal_two_sided_z(double confidence) {
  require_confidence("normal_two_sided_z", confidence);
  boost::math::normal_distribution<double> dist(0.0, 1.0);
  return boost::math::quantile(dist, 0.5 * (1.0 + confidence));
}

// ---- Bands -----------------------------------------------------------------------------

bool ci_overlaps(double lo, double hi, double band_lo, double band_hi) {
  if (std::isnan(lo) || std::isnan(hi) || std::isnan(band_lo) || std::isnan(band_hi))
    fail("ci_overlaps", "an endpoint is NaN");
  if (lo > hi) fail("ci_overlaps", "interval is reversed (lo > hi)");
  if (band_lo > band_hi) fail("ci_overlaps", "band is reversed (band_lo > band_hi)");
  return lo <= band_hi && band_lo <= hi;
}

mean_ci median_interval(std::vector<double> v, double confidence) {
  if (v.empty()) throw std::invalid_argument("median_interval: no values");
  for (double x : v)
    if (!std::isfinite(x)) throw std::invalid_argument("median_interval: non-finite value");
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("median_interval: confidence");
  std::sort(v.begin(), v.end());
  const int n = static_cast<int>(v.size());
  mean_ci ci;
  ci.n = n;
  ci.mean = median(v);
  // Symmetric ranks j (1-based) and n+1-j: coverage 1 - 2 P(B <= j-1) = 1 - 2 P(B < j).
  int j = 1;
  while (j + 1 <= (n + 1) / 2 &&
         1 - 2 * boost::math::cdf(boost::math::binomial(n, 0.5), j) >= confidence)
    ++j;
  ci.low = v[j - 1];
  ci.high = v[n - j];
  return ci;
}

}  // namespace attnbound::stats
