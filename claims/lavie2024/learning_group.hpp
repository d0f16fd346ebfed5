// The learning claims of Lavie, Gur-Ari, Ringel 2024 (spec lavie2024-transformer-gp-limit.md
// sections 2.4 and 3, checks 5.7-5.9, all [reconstructed]): GP regression with the NNGP kernel
// of the simplified attention block on the full token space [V]^L (uniform measure), a target in
// one S_L irrep, its measured learnability and test error over random datasets of P i.i.d.
// points, against the eigenlearning / EK predictions and the irrep-dimension bounds.
//   lavie2024.learnability-scaling (learnability_scaling.cpp): spec 2.4, checks 7 and 9
//   lavie2024.learning-curves      (learning_curves.cpp):      spec 3, check 8
// This header declares the two factories and the pieces they share (learning_claims.cpp; the
// isotypic projector from content sums is in common.hpp), which
// are plain functions so that tests can feed them a wrong spectrum or a shifted prediction.
// Notation: P training points, delta = sigma^2 the ridge (GP noise) in K(X,X) + delta I,
// eps^2 the label-noise variance, eta an eigenvalue of T, f^lambda the irrep dimension.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "bounds/lavie2024/learning_curves.hpp"
#include "claims/claim.hpp"
#include "claims/lavie2024/common.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::lavie2024 {

claim learnability_scaling();  // lavie2024.learnability-scaling
claim learning_curves();       // lavie2024.learning-curves

namespace bl = attnbound::bounds::lavie2024;

/// One setting: candidate kernel on [V]^L times `kernel_scale`, uniform measure, the spectrum of
/// T, its eigenvalue clusters (with their multiplicity in lambda), the unit target in lambda
/// (target_in_irrep: top eigenvalue of lambda) and the eigenvalue groups of T carrying the
/// target's weight sum_{i in group} <g, phi_i>_p^2 (the input of eigenlearning).
struct learning_problem {
  mdl::candidate kernel = mdl::candidate::A;
  mdl::token_space space;
  partition lambda;
  double kernel_scale = 1;
  Eigen::MatrixXd K;   // scaled full-space Gram matrix
  Eigen::VectorXd p;   // uniform measure 1/N
  mdl::operator_spectrum spectrum;
  std::vector<eigen_cluster> clusters;  // descending; irreps lists lambda only
  irrep_target target;
  int target_group = -1;                // index of the target's eigenvalue in `groups`
  std::vector<bl::mode_group<double>> groups;  // one per cluster; eigenvalues below 1e-12 max set to 0
};
learning_problem make_problem(mdl::candidate kernel, int V, int L, const partition& lambda, double kernel_scale);

/// Measured GP regression over `datasets` independent datasets of P i.i.d. points from p:
/// labels y = g(X) + eps N(0,1), posterior mean with ridge delta; per dataset the test error
/// E_p (f - g)^2 + eps^2 (the error against a fresh noisy label, the convention of eigenlearning's
/// test MSE = E0 (sum (1 - L_i)^2 g_i^2 + eps^2)) and the learnability <g, f>_p / <g, g>_p.
/// Streams keyed by the configuration (candidate, V, L, P), not by delta, so settings that differ
/// only in delta share their datasets: indices from draw_indices with stream_seed(seed, stream,
/// {candidate, V, L, P}) and the replicate index, label noise from make_rng(seed, stream +
/// "/noise", {candidate, V, L, P, replicate}). Bit-identical for any `jobs`.
struct dataset_samples {
  std::vector<double> test_error, learnability;
};
dataset_samples measure_datasets(const learning_problem& problem, int P, double delta, double eps2, int datasets,
                                 std::uint64_t seed, const std::string& stream, int jobs);

/// Mean with its standard error and Student-t 95% interval (NaN interval for fewer than 2 values).
struct mean_se {
  double mean = 0, se = 0, low = 0, high = 0;
  int n = 0;
};
mean_se summarize(const std::vector<double>& v);

/// Spec 5.8 rule for one learning-curve point: judged (P >= judged_from) points agree when
/// |measured - predicted| <= max(rel_tol predicted, se_mult SE); the EK test error is a lower
/// bound when EK <= measured + se_mult SE (every P); EK <= eigenlearning exactly (every P).
struct curve_point_check {
  bool judged = false, agrees = true, ek_below_measured = true, ek_below_eigenlearning = true;
  double deviation = 0;   // |measured - predicted|
  double tolerance = 0;   // max(rel_tol predicted, se_mult SE)
};
inline constexpr double curve_rel_tol = 0.05;
inline constexpr double se_multiple = 3.0;
curve_point_check check_curve_point(int P, int judged_from, const mean_se& measured, double predicted, double ek);

/// Spec 5.7/5.9 rule for one length L: measured mean learnability <= min(bounds) + se_mult SE, and
/// the eigenlearning prediction <= both bounds (the bounds' lower ends: no pass from rounding).
struct scaling_point_check {
  bool measured_below = true, eigenlearning_below = true;
};
scaling_point_check check_scaling_point(const mean_se& measured, double eigenlearning, double trace_bound_lo,
                                        double conservation_bound_lo);

/// Least-squares slope of log(mean of samples[k]) against log(x[k]) with a percentile-bootstrap
/// 95% CI (each resample redraws every x's samples with replacement, independently, and refits).
/// The datasets at different L are independent, so the resampling is unpaired.
stats::slope_fit loglog_mean_slope_bootstrap(const std::vector<double>& x, const std::vector<std::vector<double>>& samples,
                                             int resamples, std::uint64_t seed);
/// The scaling-law verdict: decreasing in L when the slope CI lies below 0 (holds), increasing
/// when it lies above 0 (violated), inconclusive otherwise.
verdict judge_decreasing(const stats::slope_fit& fit);

}  // namespace attnbound::claims::lavie2024
