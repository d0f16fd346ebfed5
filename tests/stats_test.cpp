// Tests of claims/stats: every reference value is computed independently of Boost (closed
// forms, direct sums in long double here, or mpmath at 40 digits; derivations in comments).
#include "claims/stats.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <gtest/gtest.h>

namespace st = attnbound::stats;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// P(X >= k) for X ~ Binomial(n, p) by direct summation in long double (independent of
/// Boost's incomplete beta).
double direct_upper_tail(int k, int n, double p) {
  long double s = 0;
  for (int i = k; i <= n; ++i) {
    const long double logc = std::lgamma(static_cast<long double>(n) + 1) -
                             std::lgamma(static_cast<long double>(i) + 1) -
                             std::lgamma(static_cast<long double>(n - i) + 1);
    s += std::exp(logc + i * std::log(static_cast<long double>(p)) +
                  (n - i) * std::log1p(-static_cast<long double>(p)));
  }
  return static_cast<double>(s);
}

/// P(X <= k) by direct summation.
double direct_cdf(int k, int n, double p) {
  return k + 1 > n ? 1.0 : 1.0 - direct_upper_tail(k + 1, n, p);
}

// Anscombe's quartet, data set I (Anscombe 1973, Am. Stat. 27:17-21).
const std::vector<double> kAnscombeX = {10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
const std::vector<double> kAnscombeY = {8.04, 6.95, 7.58, 8.81, 8.33, 9.96,
                                        7.24, 4.26, 10.84, 4.82, 5.68};

/// Synthetic power-law data: samples y = 3 x^-0.5 * exp(sigma * N(0,1)), `per_x` per x.
std::vector<std::vector<double>> power_law_samples(const std::vector<double>& x, int per_x,
                                                   double sigma, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> z(0.0, 1.0);
  std::vector<std::vector<double>> out;
  for (double xk : x) {
    std::vector<double> s;
    for (int i = 0; i < per_x; ++i) s.push_back(3.0 * std::pow(xk, -0.5) * std::exp(sigma * z(rng)));
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<double> kWidths = {8, 16, 32, 64, 128, 256};

}  // namespace

// ---- Order statistics and moments ------------------------------------------------------

TEST(StatsQuantile, SingleElement) {
  EXPECT_EQ(st::median({4.5}), 4.5);
  EXPECT_EQ(st::quantile({4.5}, 0.0), 4.5);
  EXPECT_EQ(st::quantile({4.5}, 0.37), 4.5);
  EXPECT_EQ(st::quantile({4.5}, 1.0), 4.5);
}

TEST(StatsQuantile, MedianOddAndEvenCountsUnsorted) {
  EXPECT_EQ(st::median({3, 1, 2}), 2.0);
  EXPECT_EQ(st::median({4, 1, 3, 2}), 2.5);  // mean of the two middle values
  EXPECT_EQ(st::median({10, -2}), 4.0);
  EXPECT_EQ(st::median({5, 5, 5, 5}), 5.0);
}

TEST(StatsQuantile, Type7Interpolation) {
  // R: quantile(c(1, 2, 3, 4, 10), c(0, .1, .25, .9, 1), type = 7) = 1, 1.4, 2, 7.6, 10.
  const std::vector<double> v = {10, 3, 1, 4, 2};
  EXPECT_EQ(st::quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(st::quantile(v, 0.1), 1.4);  // h = 0.4
  EXPECT_EQ(st::quantile(v, 0.25), 2.0);        // h = 1 exactly
  EXPECT_DOUBLE_EQ(st::quantile(v, 0.9), 7.6);  // h = 3.6: 4 + 0.6 * 6
  EXPECT_EQ(st::quantile(v, 1.0), 10.0);
}

TEST(StatsQuantile, InfinitiesOrderedWithoutNaN) {
  EXPECT_EQ(st::median({1, 2, kInf}), 2.0);
  EXPECT_EQ(st::median({1, kInf}), kInf);
  EXPECT_EQ(st::median({-kInf, 1}), -kInf);
  EXPECT_FALSE(std::isnan(st::median({-kInf, kInf})));
}

TEST(StatsQuantile, InvalidInputThrows) {
  EXPECT_THROW(st::median({}), std::invalid_argument);
  EXPECT_THROW(st::quantile({}, 0.5), std::invalid_argument);
  EXPECT_THROW(st::quantile({1, 2}, -0.01), std::invalid_argument);
  EXPECT_THROW(st::quantile({1, 2}, 1.01), std::invalid_argument);
  EXPECT_THROW(st::quantile({1, 2}, kNaN), std::invalid_argument);
  EXPECT_THROW(st::median({1, kNaN, 2}), std::invalid_argument);
}

TEST(StatsMoments, MeanAndSampleSd) {
  EXPECT_EQ(st::mean({1, 2, 3, 4}), 2.5);
  // sd of {2,4,4,4,5,5,7,9}: mean 5, sum of squares 32, 32/7.
  EXPECT_DOUBLE_EQ(st::sample_sd({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0));
  EXPECT_EQ(st::sample_sd({3, 3, 3}), 0.0);
  EXPECT_THROW(st::mean({}), std::invalid_argument);
  EXPECT_THROW(st::mean({1, kInf}), std::invalid_argument);
  EXPECT_THROW(st::sample_sd({1}), std::invalid_argument);
  EXPECT_THROW(st::sample_sd({1, kNaN}), std::invalid_argument);
}

// ---- Binomial --------------------------------------------------------------------------

TEST(StatsClopperPearson, ZeroOfHundredClosedForm) {
  // k = 0: P(X <= 0 | p) = (1-p)^n = 0.05  =>  p = 1 - 0.05^(1/n).
  EXPECT_NEAR(st::clopper_pearson_upper(0, 100, 0.95), 1.0 - std::pow(0.05, 1.0 / 100.0), 1e-14);
  EXPECT_NEAR(st::clopper_pearson_upper(0, 100, 0.95), 0.0295130496070399345, 1e-14);
  EXPECT_EQ(st::clopper_pearson_lower(0, 100, 0.95), 0.0);
  // k = n: lower solves p^n = 0.05.
  EXPECT_NEAR(st::clopper_pearson_lower(100, 100, 0.95), std::pow(0.05, 1.0 / 100.0), 1e-14);
  EXPECT_EQ(st::clopper_pearson_upper(100, 100, 0.95), 1.0);
}

TEST(StatsClopperPearson, MpmathReferenceValues) {
  // mpmath 1.3.0, mp.dps = 40, findroot on the binomial CDF written as a direct sum
  // sum_{i<=k} C(n,i) p^i (1-p)^(n-i):
  //   upper(3, 50, .95):  root of P(X <= 3 | 50, p) = 0.05      -> 0.14783717636418124055
  //   lower(3, 50, .95):  root of P(X >= 3 | 50, p) = 0.05      -> 0.016551859189231354312
  //   upper(7, 200, .99): root of P(X <= 7 | 200, p) = 0.01     -> 0.078212105647761750025
  EXPECT_NEAR(st::clopper_pearson_upper(3, 50, 0.95), 0.14783717636418124055, 1e-12);
  EXPECT_NEAR(st::clopper_pearson_lower(3, 50, 0.95), 0.016551859189231354312, 1e-12);
  EXPECT_NEAR(st::clopper_pearson_upper(7, 200, 0.99), 0.078212105647761750025, 1e-12);
}

TEST(StatsClopperPearson, DefiningEquationHoldsByDirectSum) {
  struct Case { int k, n; double c; };
  for (const Case& cs : {Case{1, 10, 0.95}, Case{5, 20, 0.9}, Case{12, 300, 0.99},
                         Case{49, 50, 0.95}, Case{0, 7, 0.8}}) {
    const double u = st::clopper_pearson_upper(cs.k, cs.n, cs.c);
    EXPECT_NEAR(direct_cdf(cs.k, cs.n, u), 1.0 - cs.c, 1e-10) << cs.k << "/" << cs.n;
    if (cs.k > 0) {
      const double l = st::clopper_pearson_lower(cs.k, cs.n, cs.c);
      EXPECT_NEAR(direct_upper_tail(cs.k, cs.n, l), 1.0 - cs.c, 1e-10) << cs.k << "/" << cs.n;
      EXPECT_LT(l, static_cast<double>(cs.k) / cs.n);
    }
    EXPECT_GT(u, static_cast<double>(cs.k) / cs.n);
  }
}

TEST(StatsClopperPearson, InvalidInputThrows) {
  EXPECT_THROW(st::clopper_pearson_upper(0, 0, 0.95), std::invalid_argument);
  EXPECT_THROW(st::clopper_pearson_upper(-1, 10, 0.95), std::invalid_argument);
  EXPECT_THROW(st::clopper_pearson_upper(11, 10, 0.95), std::invalid_argument);
  EXPECT_THROW(st::clopper_pearson_upper(1, 10, 1.0), std::invalid_argument);
  EXPECT_THROW(st::clopper_pearson_lower(1, 10, 0.0), std::invalid_argument);
  EXPECT_THROW(st::clopper_pearson_lower(1, 10, kNaN), std::invalid_argument);
}

TEST(StatsBinomialTest, PValueMatchesDirectSum) {
  struct Case { int k, n; double p; };
  for (const Case& cs : {Case{10, 100, 0.05}, Case{9, 100, 0.05}, Case{3, 50, 0.01},
                         Case{1, 20, 0.1}, Case{40, 60, 0.5}, Case{200, 200, 0.9}}) {
    const auto t = st::test_violation_rate(cs.k, cs.n, cs.p);
    const double ref = direct_upper_tail(cs.k, cs.n, cs.p);
    EXPECT_NEAR(t.p_value, ref, 1e-12 + 1e-10 * ref) << cs.k << "/" << cs.n << " p=" << cs.p;
    EXPECT_EQ(t.violations, cs.k);
    EXPECT_EQ(t.trials, cs.n);
    EXPECT_DOUBLE_EQ(t.rate, static_cast<double>(cs.k) / cs.n);
  }
}

TEST(StatsBinomialTest, DecisionAtFivePercent) {
  // X ~ Bin(100, 0.05), mpmath dps 30 direct sums: P(X >= 10) = 0.028188294163416107 < 0.05,
  // P(X >= 9) = 0.063089590627448715 > 0.05.
  const auto t10 = st::test_violation_rate(10, 100, 0.05, 0.95);
  EXPECT_NEAR(t10.p_value, 0.028188294163416107, 1e-12);
  EXPECT_TRUE(t10.rate_exceeds);
  const auto t9 = st::test_violation_rate(9, 100, 0.05, 0.95);
  EXPECT_NEAR(t9.p_value, 0.063089590627448715, 1e-12);
  EXPECT_FALSE(t9.rate_exceeds);
  // Zero violations never reject; the upper bound is the closed form.
  const auto t0 = st::test_violation_rate(0, 100, 0.05, 0.95);
  EXPECT_EQ(t0.p_value, 1.0);
  EXPECT_FALSE(t0.rate_exceeds);
  EXPECT_NEAR(t0.upper_cp, 1.0 - std::pow(0.05, 1.0 / 100.0), 1e-14);
  // nominal = 0: any violation rejects.
  EXPECT_TRUE(st::test_violation_rate(1, 100, 0.0).rate_exceeds);
  EXPECT_FALSE(st::test_violation_rate(0, 100, 0.0).rate_exceeds);
}

TEST(StatsBinomialTest, RejectsExactlyWhenLowerBoundExceedsNominal) {
  for (int n : {20, 100, 333})
    for (int k = 0; k <= n; k += std::max(1, n / 20))
      for (double nominal : {0.01, 0.05, 0.2})
        for (double c : {0.9, 0.95, 0.99}) {
          const auto t = st::test_violation_rate(k, n, nominal, c);
          const double lo = st::clopper_pearson_lower(k, n, c);
          if (std::abs(lo - nominal) > 1e-9) {  // skip exact ties
            EXPECT_EQ(t.rate_exceeds, lo > nominal) << k << "/" << n << " " << nominal << " " << c;
          }
          EXPECT_EQ(t.upper_cp, st::clopper_pearson_upper(k, n, c));
        }
}

TEST(StatsBinomialTest, InvalidInputThrows) {
  EXPECT_THROW(st::test_violation_rate(5, 4, 0.1), std::invalid_argument);
  EXPECT_THROW(st::test_violation_rate(-1, 4, 0.1), std::invalid_argument);
  EXPECT_THROW(st::test_violation_rate(0, 0, 0.1), std::invalid_argument);
  EXPECT_THROW(st::test_violation_rate(1, 4, -0.1), std::invalid_argument);
  EXPECT_THROW(st::test_violation_rate(1, 4, 1.1), std::invalid_argument);
  EXPECT_THROW(st::test_violation_rate(1, 4, 0.1, 1.5), std::invalid_argument);
  EXPECT_THROW(st::binomial_upper_tail(1, 4, kNaN), std::invalid_argument);
}

// ---- OLS -------------------------------------------------------------------------------

TEST(StatsOls, ExactLineHasExactSlopeAndZeroWidthCi) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7};
  std::vector<double> y;
  for (double v : x) y.push_back(2.0 * v + 1.0);
  const auto f = st::ols(x, y);
  EXPECT_EQ(f.slope, 2.0);
  EXPECT_EQ(f.intercept, 1.0);
  EXPECT_EQ(f.ci_low, 2.0);
  EXPECT_EQ(f.ci_high, 2.0);
  EXPECT_EQ(f.r2, 1.0);
  EXPECT_EQ(f.points, 7);

  const auto g = st::ols({-2, 0, 2, 4}, {1.25, 0.25, -0.75, -1.75});  // y = 0.25 - 0.5 x
  EXPECT_EQ(g.slope, -0.5);
  EXPECT_EQ(g.intercept, 0.25);
  EXPECT_EQ(g.ci_high - g.ci_low, 0.0);
}

TEST(StatsOls, AnscombeOneMatchesMpmath) {
  // mpmath 1.3.0, dps 40: slope = Sxy/Sxx, se = sqrt(SSE/(n-2)/Sxx), t = Student-t 97.5%
  // quantile with 9 df found by findroot on 1 - I_{9/(9+t^2)}(4.5, 0.5)/2:
  //   t = 2.2621571627982055426, slope = 0.50009090909090909091,
  //   intercept = 3.0000909090909090909, r2 = 0.6665424595087748976,
  //   se = 0.11790550059563408981, CI = [0.23337013638518734463, 0.76681168179663083718].
  const auto f = st::ols(kAnscombeX, kAnscombeY);
  EXPECT_NEAR(f.slope, 0.50009090909090909091, 1e-13);
  EXPECT_NEAR(f.intercept, 3.0000909090909090909, 1e-12);
  EXPECT_NEAR(f.r2, 0.6665424595087748976, 1e-12);
  EXPECT_NEAR(f.ci_low, 0.23337013638518734463, 1e-11);
  EXPECT_NEAR(f.ci_high, 0.76681168179663083718, 1e-11);
  EXPECT_EQ(f.points, 11);
}

TEST(StatsOls, WiderConfidenceGivesWiderCi) {
  const auto f90 = st::ols(kAnscombeX, kAnscombeY, 0.90);
  const auto f99 = st::ols(kAnscombeX, kAnscombeY, 0.99);
  EXPECT_LT(f99.ci_low, f90.ci_low);
  EXPECT_GT(f99.ci_high, f90.ci_high);
}

TEST(StatsOls, TwoPointsGiveUnboundedCi) {
  const auto f = st::ols({1, 3}, {2, 6});
  EXPECT_EQ(f.slope, 2.0);
  EXPECT_EQ(f.ci_low, -kInf);
  EXPECT_EQ(f.ci_high, kInf);
}

TEST(StatsOls, InvalidInputThrows) {
  EXPECT_THROW(st::ols({}, {}), std::invalid_argument);
  EXPECT_THROW(st::ols({1}, {1}), std::invalid_argument);
  EXPECT_THROW(st::ols({1, 2, 3}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(st::ols({2, 2, 2}, {1, 2, 3}), std::invalid_argument);  // vertical
  EXPECT_THROW(st::ols({1, 2, kNaN}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(st::ols({1, 2, 3}, {1, kInf, 3}), std::invalid_argument);
  EXPECT_THROW(st::ols({1, 2, 3}, {1, 2, 3}, 1.0), std::invalid_argument);
}

// ---- Bootstrap scaling slope -----------------------------------------------------------

TEST(StatsBootstrapSlope, RecoversPowerLawExponent) {
  const auto samples = power_law_samples(kWidths, 25, 0.3, 12345);
  const auto f = st::loglog_median_slope_bootstrap(kWidths, samples, 2000, 7);
  EXPECT_LE(f.ci_low, -0.5);
  EXPECT_GE(f.ci_high, -0.5);
  EXPECT_NEAR(f.slope, -0.5, 0.1);
  EXPECT_LT(f.ci_high - f.ci_low, 0.25);
  EXPECT_GT(f.ci_high - f.ci_low, 0.0);
  EXPECT_LE(f.ci_low, f.slope);
  EXPECT_GE(f.ci_high, f.slope);
  EXPECT_NEAR(f.intercept, std::log(3.0), 0.4);
  EXPECT_EQ(f.points, 6);

  // The point estimate is the OLS fit to log(median) vs log(x).
  std::vector<double> lx, lm;
  for (std::size_t k = 0; k < kWidths.size(); ++k) {
    lx.push_back(std::log(kWidths[k]));
    lm.push_back(std::log(st::median(samples[k])));
  }
  const auto o = st::ols(lx, lm);
  EXPECT_EQ(f.slope, o.slope);
  EXPECT_EQ(f.intercept, o.intercept);
  EXPECT_EQ(f.r2, o.r2);
}

TEST(StatsBootstrapSlope, DeterministicPerSeed) {
  const auto samples = power_law_samples(kWidths, 15, 0.5, 99);
  const auto a = st::loglog_median_slope_bootstrap(kWidths, samples, 500, 42);
  const auto b = st::loglog_median_slope_bootstrap(kWidths, samples, 500, 42);
  const auto c = st::loglog_median_slope_bootstrap(kWidths, samples, 500, 43);
  EXPECT_EQ(a.ci_low, b.ci_low);  // bit-identical
  EXPECT_EQ(a.ci_high, b.ci_high);
  EXPECT_EQ(a.slope, b.slope);
  EXPECT_TRUE(a.ci_low != c.ci_low || a.ci_high != c.ci_high);
  EXPECT_EQ(a.slope, c.slope);  // the point estimate does not depend on the seed
}

TEST(StatsBootstrapSlope, CoverageIsNearNominal) {
  // 200 independent data sets; a 90% percentile-bootstrap CI should cover -0.5 roughly 90%
  // of the time. Binomial(200, 0.9) lies in [165, 195] with probability > 0.9999, so a CI
  // that is badly too narrow (or too wide) fails here.
  int covered = 0;
  const int datasets = 200;
  for (int d = 0; d < datasets; ++d) {
    const auto samples = power_law_samples(kWidths, 21, 0.4, 1000 + d);
    const auto f = st::loglog_median_slope_bootstrap(kWidths, samples, 400, 5000 + d, 0.90);
    covered += (f.ci_low <= -0.5 && -0.5 <= f.ci_high);
  }
  RecordProperty("covered", covered);
  EXPECT_GE(covered, 165);
  EXPECT_LE(covered, 199);
}

TEST(StatsBootstrapSlope, NoiselessDataGivesExactSlopeAndPointCi) {
  // Every sample at x equals 5 x^-1 (all resampled medians identical).
  const std::vector<double> x = {1, 2, 4, 8};
  std::vector<std::vector<double>> s;
  for (double v : x) s.push_back(std::vector<double>(5, 5.0 / v));
  const auto f = st::loglog_median_slope_bootstrap(x, s, 100, 1);
  EXPECT_NEAR(f.slope, -1.0, 1e-14);
  EXPECT_EQ(f.ci_low, f.ci_high);
  EXPECT_NEAR(f.ci_low, -1.0, 1e-14);
}

TEST(StatsBootstrapSlope, LinearXForInvariance) {
  // log(median) = log 2 + 0.1 T  =>  slope 0.1 against T itself.
  const std::vector<double> t = {0, 10, 20, 40};  // T = 0 allowed when log_x is false
  std::vector<std::vector<double>> s;
  for (double v : t) s.push_back({2.0 * std::exp(0.1 * v) * 0.9, 2.0 * std::exp(0.1 * v),
                                  2.0 * std::exp(0.1 * v) * 1.1});
  const auto f = st::loglog_median_slope_bootstrap(t, s, 300, 3, 0.95, /*log_x=*/false);
  EXPECT_NEAR(f.slope, 0.1, 1e-12);
  EXPECT_NEAR(f.intercept, std::log(2.0), 1e-12);
  EXPECT_LE(f.ci_low, 0.1);
  EXPECT_GE(f.ci_high, 0.1);
}

TEST(StatsBootstrapSlope, InvalidInputThrows) {
  const std::vector<double> x = {1, 2, 4};
  const std::vector<std::vector<double>> ok = {{1, 2}, {1, 2}, {1, 2}};
  EXPECT_NO_THROW(st::loglog_median_slope_bootstrap(x, ok, 10, 1));
  // Non-positive values in a log.
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {0, 2}, {1, 2}}, 10, 1),
               std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {1, 2}, {-1, 2}}, 10, 1),
               std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap({0, 2, 4}, ok, 10, 1), std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap({-1, 2, 4}, ok, 10, 1), std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {kNaN}, {1, 2}}, 10, 1),
               std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {kInf}, {1, 2}}, 10, 1),
               std::invalid_argument);
  // Empty and mismatched.
  EXPECT_THROW(st::loglog_median_slope_bootstrap({}, {}, 10, 1), std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {}, {1, 2}}, 10, 1),
               std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, {{1, 2}, {1, 2}}, 10, 1),
               std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap({1}, {{1, 2}}, 10, 1), std::invalid_argument);
  // All x equal, too few resamples, bad confidence.
  EXPECT_THROW(st::loglog_median_slope_bootstrap({2, 2, 2}, ok, 10, 1), std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, ok, 1, 1), std::invalid_argument);
  EXPECT_THROW(st::loglog_median_slope_bootstrap(x, ok, 10, 1, 0.0), std::invalid_argument);
}

// ---- Mean intervals --------------------------------------------------------------------

TEST(StatsMeanCi, TIntervalMatchesMpmath) {
  // Anscombe I y values. mpmath dps 40: mean = 7.5009090909090909091,
  // sd = 2.0315681359258150437, t_{.975, 10} = 2.2281388519862747484,
  // CI = [6.1360830462878111126, 8.8657351355303707055].
  const auto c = st::t_interval(kAnscombeY);
  EXPECT_NEAR(c.mean, 7.5009090909090909091, 1e-13);
  EXPECT_NEAR(c.low, 6.1360830462878111126, 1e-11);
  EXPECT_NEAR(c.high, 8.8657351355303707055, 1e-11);
  EXPECT_EQ(c.n, 11);
}

TEST(StatsMeanCi, NormalIntervalUsesLiteral196) {
  // mean ± 1.96 sd/sqrt(11), mpmath: [6.3003290439909975549, 8.7014891378271842633].
  const auto c = st::normal_interval(kAnscombeY);
  EXPECT_NEAR(c.low, 6.3003290439909975549, 1e-12);
  EXPECT_NEAR(c.high, 8.7014891378271842633, 1e-12);
  // Closed form on a tiny sample: {1, 3}: mean 2, sd sqrt(2), half = 1.96 sqrt(2)/sqrt(2).
  const auto d = st::normal_interval({1, 3});
  EXPECT_NEAR(d.low, 2.0 - 1.96, 1e-14);  // absolute: 2 - 1.96 cancels
  EXPECT_NEAR(d.high, 2.0 + 1.96, 1e-14);
  // The t interval is wider than the normal one for small n.
  EXPECT_LT(st::t_interval({1, 3}).low, d.low);
}

TEST(StatsMeanCi, NormalZQuantile) {
  EXPECT_NEAR(st::normal_two_sided_z(0.95), 1.959963984540054, 1e-12);  // Phi^-1(0.975)
  EXPECT_NEAR(st::normal_two_sided_z(0.6826894921370859), 1.0, 1e-12);  // erf(1/sqrt 2)
}

TEST(StatsMeanCi, InvalidInputThrows) {
  EXPECT_THROW(st::t_interval({}), std::invalid_argument);
  EXPECT_THROW(st::t_interval({1}), std::invalid_argument);
  EXPECT_THROW(st::t_interval({1, 2}, 1.0), std::invalid_argument);
  EXPECT_THROW(st::t_interval({1, kNaN}), std::invalid_argument);
  EXPECT_THROW(st::normal_interval({1}), std::invalid_argument);
  EXPECT_THROW(st::normal_interval({1, 2}, 0.0), std::invalid_argument);
  EXPECT_THROW(st::normal_two_sided_z(1.0), std::invalid_argument);
}

// ---- Bands -----------------------------------------------------------------------------

TEST(StatsOverlap, ClosedIntervals) {
  EXPECT_TRUE(st::ci_overlaps(-0.6, -0.4, -0.55, -0.45));  // band inside
  EXPECT_TRUE(st::ci_overlaps(-0.5, -0.5, -0.6, -0.4));    // point CI inside
  EXPECT_TRUE(st::ci_overlaps(0, 1, 1, 2));                // touching
  EXPECT_TRUE(st::ci_overlaps(1, 2, 0, 1));
  EXPECT_FALSE(st::ci_overlaps(0, 1, 1.0001, 2));
  EXPECT_FALSE(st::ci_overlaps(2, 3, 0, 1.5));
  EXPECT_TRUE(st::ci_overlaps(-kInf, kInf, 5, 6));
  EXPECT_THROW(st::ci_overlaps(1, 0, 0, 1), std::invalid_argument);
  EXPECT_THROW(st::ci_overlaps(0, 1, 1, 0), std::invalid_argument);
  EXPECT_THROW(st::ci_overlaps(kNaN, 1, 0, 1), std::invalid_argument);
}

// Paired resampling keeps the correlation between x values: when every replicate is the same
// power law times its own constant, the paired CI collapses onto the slope, while the
// independent resampling (which mixes replicates across x) spreads out.
TEST(StatsBootstrapPaired, PerfectlyCorrelatedReplicatesGiveAPointCI) {
  const std::vector<double> x = {1, 2, 4, 8, 16};
  std::vector<std::vector<double>> s(x.size());
  const std::vector<double> level = {0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 0.25};
  for (std::size_t k = 0; k < x.size(); ++k)
    for (double c : level) s[k].push_back(c * std::pow(x[k], -0.5));
  const auto paired = attnbound::stats::loglog_median_slope_bootstrap(x, s, 500, 3, 0.95, true, true);
  const auto indep = attnbound::stats::loglog_median_slope_bootstrap(x, s, 500, 3, 0.95, true, false);
  EXPECT_NEAR(paired.ci_low, -0.5, 1e-12);
  EXPECT_NEAR(paired.ci_high, -0.5, 1e-12);
  EXPECT_GT(indep.ci_high - indep.ci_low, 0.1);
  s[0].pop_back();
  EXPECT_THROW(attnbound::stats::loglog_median_slope_bootstrap(x, s, 500, 3, 0.95, true, true),
               std::invalid_argument);
}

// ---- median_interval: the sign-test order statistics (tables: n = 20 -> x(6), x(15) at
// 95.86% coverage; n = 10 -> x(2), x(9) at 97.85%; n <= 5 -> [min, max]) -----------------

TEST(StatsMedianInterval, OrderStatisticsMatchTables) {
  std::vector<double> v20, v10;
  for (int i = 20; i >= 1; --i) v20.push_back(i);  // unsorted on purpose
  for (int i = 1; i <= 10; ++i) v10.push_back(i);
  const auto a = st::median_interval(v20);
  EXPECT_DOUBLE_EQ(a.low, 6);
  EXPECT_DOUBLE_EQ(a.high, 15);
  EXPECT_DOUBLE_EQ(a.mean, 10.5);
  const auto b = st::median_interval(v10);
  EXPECT_DOUBLE_EQ(b.low, 2);
  EXPECT_DOUBLE_EQ(b.high, 9);
  const auto c = st::median_interval({3, 1, 2});
  EXPECT_DOUBLE_EQ(c.low, 1);
  EXPECT_DOUBLE_EQ(c.high, 3);
  EXPECT_THROW(st::median_interval({}), std::invalid_argument);
  EXPECT_THROW(st::median_interval({1, NAN}), std::invalid_argument);
}
