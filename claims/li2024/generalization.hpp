// The convergence and generalization claims of Li et al. 2024 (spec
// li2024-signgd-two-layer-transformer.md sections 4.3, 4.4, 4.6 and 6.4-6.5), one file each:
// li2024.linear-convergence, li2024.poor-generalization, li2024.not-solely-noise. This header
// declares their factories, the measurements they share and their verdict rules, which are plain
// functions of per-seed records so that tests can feed them a wrong band or a shifted bound.
// Notation: v = mean rows of W_{V,+1} - mean rows of W_{V,-1}, <v, mu> the mean value signal,
// <v, y_i xi_i> the mean value noise, L_S the training loss, L_D the test loss, t the step.
#pragma once

#include <string>
#include <vector>

#include "claims/li2024/common.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::li2024 {

claim linear_convergence();   // li2024.linear-convergence (spec 4.3, 6.4; Figure 2(c))
claim poor_generalization();  // li2024.poor-generalization (spec 4.4, 6.5)
claim not_solely_noise();     // li2024.not-solely-noise (spec 4.6, 5.3)

// ---- Measurements shared by the three claims (generalization_claims.cpp) -------------------

/// v_k = mean_r W_{V,+1}[r, k] - mean_r W_{V,-1}[r, k] (0-based; k = 0 is the signal coordinate).
double value_coordinate(const ml::attention_params& W, int k);
/// <v, mu> = ||mu|| v_0.
double value_signal(const ml::attention_params& W, const ml::signal_noise_law& law);
/// mean_i <v, y_i xi_i> (the mean value noise averaged over the samples).
double mean_value_noise(const ml::attention_params& W, const std::vector<ml::signal_noise_sample>& data);

/// Per-point logistic losses l(y f(X)) = log(1 + exp(-y f(X))) (stable for any sign), their
/// mean, and the fraction of points with y f(X) > 0.
struct point_losses {
  std::vector<double> loss;
  double mean = 0, accuracy = 0;
};
point_losses evaluate_points(const ml::attention_params& W, const ml::signal_noise_law& law,
                             const std::vector<ml::signal_noise_sample>& points);

/// The coordinates of [d] \ {1} that training supports touch (their number) and the mean of
/// (v^(0)_k)^2 over the others: the inputs of the spec 4.4 bound.
struct untouched_values {
  int touched = 0;
  double mean_v0_sq = 0;
};
untouched_values untouched_value_summary(const ml::attention_params& W0, const ml::signal_noise_law& law,
                                         const std::vector<ml::signal_noise_sample>& train);

/// min_i ||xi_i||_1 and max_i ||xi_i||_1 over the training samples.
std::pair<double, double> noise_l1_range(const std::vector<ml::signal_noise_sample>& train);

// ---- li2024.linear-convergence ---------------------------------------------------------------

/// Least-squares fit of log L_S(t) against t over the steps from..to (inclusive) of `loss`
/// (indexed by t), stopping before the first step whose loss is below `floor` or not finite.
struct log_slope {
  int from = -1, to = -1;  // the steps actually fitted
  int points = 0;
  double slope = 0;        // per step; NaN when fewer than 2 points
};
log_slope fit_log_loss_slope(const std::vector<double>& loss, int from, int to, double floor);

/// The rule, fixed before any run: the SignGD late window is [T_4, last step with L_S >= floor]
/// and needs >= min_window steps; Adam's late window is [T_4 of the SignGD run on the same data,
/// adam_steps], cut at its midpoint m; Adam is sublinear on a seed when its second-half slope is
/// <= adam_ratio_max times its first-half slope (a linear rate gives 1; any power law L ~ t^-a gives
/// ln(T/m) / ln(m/T_4)) and its magnitude is <= adam_fraction_max * 2 eta min||xi||_1 (the slowest
/// rate the SignGD band allows), with the first-half slope < 0.
struct convergence_rule {
  int min_window = 20;
  double loss_floor = 1e-200;
  double adam_ratio_max = 0.75;
  double adam_fraction_max = 0.25;
};

/// One seed's measurements.
struct convergence_seed {
  int replicate = 0;
  int T4 = -1;                     // measured (measure_stage_times); -1 when Stage IV is not reached
  log_slope signgd;                // SignGD fit over the late window
  double band_lo = 0, band_hi = 0; // [-4 eta max||xi||_1, -2 eta min||xi||_1] from this seed's data
  log_slope adam_first, adam_second;  // Adam's late window, first and second half
  int adam_steps = 0;
};

/// Adam's halves as the rule reads them: ratio second/first, the power-law reference ratio and
/// whether the seed satisfies the sublinear criterion (false also when a half is too short).
struct adam_reading {
  bool judged = false;  // both halves have >= min_window / 2 + 1 points
  double ratio = 0, power_law_ratio = 0;
  bool sublinear = false;
};
adam_reading read_adam(const convergence_seed& s, const convergence_rule& rule);

struct convergence_judgement {
  verdict v = verdict::inconclusive;
  int judged = 0, inside = 0;                 // SignGD seeds with a long-enough window; inside the band
  int adam_judged = 0, adam_sublinear = 0;
  std::vector<int> outside, too_short, adam_not_sublinear;  // replicate indices
  std::string reason;
};
/// holds: every seed judged, every SignGD slope in the band and Adam sublinear on every seed;
/// violated: some judged SignGD slope outside the band, or Adam not sublinear on a judged seed;
/// inconclusive: otherwise (a window too short, Stage IV not reached).
convergence_judgement judge_linear_convergence(const std::vector<convergence_seed>& seeds, const convergence_rule& rule);

// ---- li2024.poor-generalization --------------------------------------------------------------

/// One seed at T_eps: the measured test loss (mean over the test points with its Student-t 95%
/// interval) against the spec 4.4 lower bound.
struct generalization_seed {
  int replicate = 0;
  int T_eps = -1;  // -1: L_S never reached epsilon within the run
  double train_loss = 0;
  double test_mean = 0, test_low = 0, test_high = 0, accuracy = 0;
  double bound = 0;
  double miss_probability = 0, union_factor = 0;
  double value_signal = 0, mean_v0_sq = 0;
  int touched = 0;
};
struct bound_judgement {
  verdict v = verdict::inconclusive;
  int judged = 0;
  std::vector<int> violations, not_reached;  // replicate indices
  stats::binomial_test test;
};
/// A seed violates the bound when its test loss interval lies entirely below it (the interval's
/// upper end is a one-sided 97.5% bound, so a correct bound is crossed with probability <= 2.5%
/// per seed: `nominal`). violated when the one-sided binomial test rejects that rate at 95%;
/// inconclusive when fewer than half of the seeds reach T_eps; holds otherwise (single crossings
/// are reported with their replicate).
bound_judgement judge_test_loss_bound(const std::vector<generalization_seed>& seeds, double nominal = 0.025);

// ---- li2024.not-solely-noise -----------------------------------------------------------------

/// A comparison "a > b" from the CI of the paired differences a_r - b_r over seeds: holds when
/// the CI lies above 0, violated when it lies below 0, inconclusive when it straddles 0.
verdict judge_ordered(const stats::mean_ci& difference);

}  // namespace attnbound::claims::li2024
