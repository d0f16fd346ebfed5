// Small statistics routines behind the claims' verdict rules (design.md, "Claims and
// verdicts"): order statistics, one-sided binomial (Clopper-Pearson) tests for
// probabilistic claims, least-squares slopes with t and bootstrap CIs for scaling and
// invariance claims, and mean intervals for comparisons. Distribution quantiles come from
// Boost.Math; resampling uses Boost.Random (its output is specified, so results are
// reproducible across standard libraries).
//
// Every function validates its input and throws std::invalid_argument (naming the
// function and the problem) rather than returning NaN.
#pragma once

#include <cstdint>
#include <vector>

namespace attnbound::stats {

// ---- Order statistics and moments ------------------------------------------------------

/// Sample p-quantile, linear interpolation between order statistics (Hyndman & Fan type 7,
/// the default of R and NumPy): h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] -
/// x[floor h]). p must lie in [0, 1]; v non-empty and NaN-free (±inf are ordered and
/// interpolate to the infinite end).
double quantile(std::vector<double> v, double p);

/// Sample median (type-7 quantile at 0.5: the mean of the two middle values for even n).
double median(std::vector<double> v);

/// Arithmetic mean; v non-empty and finite.
double mean(const std::vector<double>& v);

/// Sample standard deviation with the n-1 denominator; needs n >= 2 finite values.
double sample_sd(const std::vector<double>& v);

// ---- Binomial (probabilistic claims) ---------------------------------------------------

/// One-sided Clopper-Pearson upper bound on p after k successes in n trials: the p with
/// P(X <= k | n, p) = 1 - confidence, i.e. the `confidence` quantile of Beta(k+1, n-k);
/// 1 when k == n. Needs 0 <= k <= n, n >= 1, 0 < confidence < 1.
double clopper_pearson_upper(int k, int n, double confidence);

/// One-sided Clopper-Pearson lower bound: the p with P(X >= k | n, p) = 1 - confidence,
/// i.e. the (1 - confidence) quantile of Beta(k, n-k+1); 0 when k == 0.
double clopper_pearson_lower(int k, int n, double confidence);

/// Upper-tail binomial probability P(X >= k | n, p); 1 when k == 0.
double binomial_upper_tail(int k, int n, double p);

/// Result of testing H0: violation probability <= nominal against H1: > nominal.
struct binomial_test {
  int violations = 0, trials = 0;
  double rate = 0;       ///< violations / trials
  double upper_cp = 0;   ///< one-sided Clopper-Pearson upper bound at `confidence`
  double p_value = 1;    ///< P(X >= violations | trials, p = nominal)
  bool rate_exceeds = false;  ///< p_value < 1 - confidence: reject H0, the claim's rate is exceeded
};

/// One-sided exact binomial test of an observed violation count against the nominal
/// violation probability (e.g. delta of "holds w.p. >= 1 - delta"). rate_exceeds is
/// equivalent to clopper_pearson_lower(violations, trials, confidence) > nominal.
/// Needs 0 <= violations <= trials, trials >= 1, nominal in [0, 1], confidence in (0, 1).
binomial_test test_violation_rate(int violations, int trials, double nominal,
                                  double confidence = 0.95);

// ---- Slopes (scaling and invariance claims) --------------------------------------------

/// A fitted line y = intercept + slope * x with a confidence interval on the slope.
struct slope_fit {
  double slope = 0, intercept = 0;
  double ci_low = 0, ci_high = 0;  ///< two-sided CI on the slope
  double r2 = 0;                   ///< coefficient of determination (1 when y is constant)
  int points = 0;                  ///< number of (x, y) points fitted
};

/// Ordinary least squares of y on x with a two-sided t-based CI on the slope
/// (slope ± t_{(1+c)/2, n-2} · se). Needs equal sizes, >= 2 finite points and x not all
/// equal. With exactly 2 points the t CI is undefined and is reported as (-inf, +inf):
/// callers should treat such a fit as inconclusive.
slope_fit ols(const std::vector<double>& x, const std::vector<double>& y,
              double confidence = 0.95);

/// The scaling rule: least-squares slope of log(median of samples_per_x[k]) against
/// log(x[k]) (against x[k] itself when log_x is false, e.g. for invariance in T), with a
/// percentile-bootstrap CI: each resample draws, independently for every x, as many
/// samples as there are with replacement, recomputes the medians and refits; the CI is
/// the type-7 quantiles (1-c)/2 and (1+c)/2 of the resampled slopes. slope, intercept and
/// r2 are those of the fit to the original medians. Deterministic for a given seed
/// (boost::random::mt19937_64, uniform_int_distribution).
/// Needs x.size() == samples_per_x.size() >= 2, x not all equal, every sample set
/// non-empty, every sample finite and > 0 (any sample can become a resampled median),
/// x > 0 when log_x, resamples >= 2, confidence in (0, 1).
/// `paired`: sample i at every x comes from the same replicate (seed), as when one
/// initialization is reused across widths or sequence lengths. Each resample then draws one
/// set of replicate indices and applies it at every x, which keeps the correlation between
/// x values (an independent resampling would overstate the CI's width). Needs equal sizes.
slope_fit loglog_median_slope_bootstrap(const std::vector<double>& x,
                                        const std::vector<std::vector<double>>& samples_per_x,
                                        int resamples, std::uint64_t seed,
                                        double confidence = 0.95, bool log_x = true,
                                        bool paired = false);

// ---- Mean intervals (comparison claims) ------------------------------------------------

/// A two-sided interval around a sample mean.
struct mean_ci {
  double mean = 0, low = 0, high = 0;
  int n = 0;
};

/// Student-t interval: mean ± t_{(1+c)/2, n-1} · sd / sqrt(n). Needs n >= 2 finite values.
mean_ci t_interval(const std::vector<double>& v, double confidence = 0.95);

/// The papers' normal-approximation interval mean ± z · sd / sqrt(n) with the literal
/// z = 1.96 by default (not the exact 97.5% normal quantile 1.959964...), so reported
/// numbers match the papers' figures. Needs n >= 2 finite values and z > 0.
mean_ci normal_interval(const std::vector<double>& v, double z = 1.96);

/// The z with P(|Z| <= z) = confidence for a standard normal Z (1.959964... at 0.95).
double normal_two_sided_z(double confidence);

/// Distribution-free interval for the median: order statistics x_(j) <= x_(k) with
/// P(j <= B < k) >= confidence for B ~ Binomial(n, 1/2) (the sign-test interval), the
/// narrowest symmetric pair that reaches it; [min, max] when n is too small to reach it.
/// `mean` holds the sample median. Needs n >= 1 finite values.
mean_ci median_interval(std::vector<double> v, double confidence = 0.95);

// ---- Bands -----------------------------------------------------------------------------

/// Whether the closed intervals [lo, hi] and [band_lo, band_hi] intersect (touching
/// endpoints count). Throws if an interval is reversed or an endpoint is NaN.
bool ci_overlaps(double lo, double hi, double band_lo, double band_hi);

}  // namespace attnbound::stats
