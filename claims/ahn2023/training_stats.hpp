// Statistics behind the training claims of [AHN-b] (spec ahn2023-linear-attention.md 3.2 and
// section 4, P9-P15): shape of the gradient-noise distribution (kurtosis, quantile ratios),
// the robust condition number of Jiang et al. (max |diag H| / median |diag H|, torch's lower
// median), the directional smoothness u^T H u of Pan & Li along an update, Pearson/Fisher-z
// correlations, bootstrap and paired log-ratio intervals, and the comparison verdict rule
// (design.md: holds when the CI excludes the opposite; violated when the CI shows the
// opposite at the paper's scale; otherwise inconclusive).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Dense>

#include "claims/claim.hpp"
#include "model/linear_attention.hpp"

namespace attnbound::claims::ahn2023 {

/// Pearson's kurtosis m4 / m2^2 with the biased (1/n) central moments (3 for a normal law;
/// not the excess). Needs >= 2 finite values that are not all equal.
double kurtosis(const std::vector<double>& v);

/// Sample skewness m3 / m2^{3/2} (biased moments).
double skewness(const std::vector<double>& v);

/// torch.median: the lower median, sorted[(n - 1) / 2] (no averaging for even n). Non-empty.
double lower_median(std::vector<double> v);

/// Robust condition number R = max_i |H_ii| / lower-median_i |H_ii| ([AHN-b] section 2.3,
/// footnote; Jiang et al. 2022). +inf when the lower median is 0 (e.g. one layer: half the
/// diagonal is the structural zeros of the last P block, spec 1.2).
double robust_condition_number(const Eigen::VectorXd& hessian_diagonal);

/// Pearson correlation of paired finite samples (>= 3 pairs, neither constant).
double pearson(const std::vector<double>& x, const std::vector<double>& y);

/// Directional smoothness at theta along the update theta -> next (spec 3.2):
/// u = (next - theta)/||next - theta||, ds = u^T H(theta) u, and ||grad f(theta)|| on `batch`.
struct smoothness_point {
  double ds = 0;
  double grad_norm = 0;
};
smoothness_point directional_smoothness(const model::icl::lsa_model& m, const Eigen::VectorXd& theta,
                                        const Eigen::VectorXd& next, const model::icl::prompt_batch& batch,
                                        int threads = 1);

/// A point estimate with a two-sided interval.
struct interval {
  double estimate = 0, low = 0, high = 0;
  int n = 0;
};

/// Paired geometric-mean ratio: exp(mean_i log(num_i / den_i)) with the exp of a Student-t
/// interval on the mean log ratio. Pairs where either value is not finite and > 0 are skipped
/// (counted in n = pairs used). Fewer than 2 pairs: (-inf, +inf) around the estimate (NaN
/// when none).
interval paired_log_ratio(const std::vector<double>& num, const std::vector<double>& den, double confidence = 0.95);

/// Student-t interval on the mean of the finite values (fewer than 2: infinite interval).
interval mean_t_interval(const std::vector<double>& v, double confidence = 0.95);

/// Percentile-bootstrap interval of stat(a) / stat(b), resampling a and b independently
/// (each with replacement, its own size), deterministic for `seed`.
interval bootstrap_ratio(const std::vector<double>& a, const std::vector<double>& b,
                         const std::function<double(const std::vector<double>&)>& stat, int resamples,
                         std::uint64_t seed, double confidence = 0.95);

/// Percentile-bootstrap interval of stat(a) (resampling a with replacement).
interval bootstrap_statistic(const std::vector<double>& a, const std::function<double(const std::vector<double>&)>& stat,
                             int resamples, std::uint64_t seed, double confidence = 0.95);

/// The comparison rule for "quantity > threshold" given the quantity's interval [low, high]:
/// holds when low > threshold; when high < threshold the opposite is shown: violated at the
/// paper's scale, inconclusive at a reduced scale (a finding about the reduced run); otherwise
/// (the CI straddles the threshold, or is not finite) inconclusive.
verdict compare_above(double low, double high, double threshold, bool paper_scale);

}  // namespace attnbound::claims::ahn2023
