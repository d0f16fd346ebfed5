// The convergence and generalization claims of Li et al. 2024 (claims/li2024/generalization.hpp):
// their shared measurements and verdict rules. The claims themselves are in
// linear_convergence.cpp, poor_generalization.cpp and not_solely_noise.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "claims/li2024/claims.hpp"
#include "claims/li2024/generalization.hpp"
#include "model/sign_attention.hpp"

namespace attnbound::claims::li2024 {

std::vector<claim> generalization_claims() { return {linear_convergence(), poor_generalization(), not_solely_noise()}; }

double value_coordinate(const ml::attention_params& W, int k) {
  return W.WVp.col(k).mean() - W.WVm.col(k).mean();
}

double value_signal(const ml::attention_params& W, const ml::signal_noise_law& law) {
  return law.mu_norm * value_coordinate(W, 0);
}

double mean_value_noise(const ml::attention_params& W, const std::vector<ml::signal_noise_sample>& data) {
  if (data.empty()) return 0;
  double sum = 0;
  for (const auto& x : data) {
    double u = 0;
    for (std::size_t j = 0; j < x.xi.index.size(); ++j) u += x.xi.value[j] * value_coordinate(W, x.xi.index[j]);
    sum += x.y * u;
  }
  return sum / static_cast<double>(data.size());
}

point_losses evaluate_points(const ml::attention_params& W, const ml::signal_noise_law& law,
                             const std::vector<ml::signal_noise_sample>& points) {
  point_losses out;
  out.loss.reserve(points.size());
  int correct = 0;
  for (const auto& x : points) {
    const double z = x.y * ml::forward(W, law, x).f;
    out.loss.push_back(ml::logistic(z));
    correct += z > 0;
  }
  if (!points.empty()) {
    double sum = 0;
    for (double l : out.loss) sum += l;
    out.mean = sum / static_cast<double>(points.size());
    out.accuracy = static_cast<double>(correct) / static_cast<double>(points.size());
  }
  return out;
}

untouched_values untouched_value_summary(const ml::attention_params& W0, const ml::signal_noise_law& law,
                                         const std::vector<ml::signal_noise_sample>& train) {
  const auto free = ml::untouched_coordinates(law, train);
  untouched_values u;
  u.touched = (law.d - 1) - static_cast<int>(free.size());
  double sum = 0;
  for (int k : free) {
    const double v = value_coordinate(W0, k);
    sum += v * v;
  }
  u.mean_v0_sq = free.empty() ? 0.0 : sum / static_cast<double>(free.size());
  return u;
}

std::pair<double, double> noise_l1_range(const std::vector<ml::signal_noise_sample>& train) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& x : train) {
    const double l1 = x.xi.l1();
    lo = std::min(lo, l1), hi = std::max(hi, l1);
  }
  return {lo, hi};
}

// ---- li2024.linear-convergence ----------------------------------------------------------------

log_slope fit_log_loss_slope(const std::vector<double>& loss, int from, int to, double floor) {
  log_slope out;
  out.slope = std::numeric_limits<double>::quiet_NaN();
  if (from < 0 || loss.empty()) return out;
  to = std::min(to, static_cast<int>(loss.size()) - 1);
  std::vector<double> x, y;
  for (int t = from; t <= to; ++t) {
    const double l = loss[static_cast<std::size_t>(t)];
    if (!std::isfinite(l) || !(l >= floor) || !(l > 0)) break;
    x.push_back(t), y.push_back(std::log(l));
  }
  out.points = static_cast<int>(x.size());
  if (out.points == 0) return out;
  out.from = from, out.to = from + out.points - 1;
  if (out.points >= 2) out.slope = stats::ols(x, y).slope;
  return out;
}

adam_reading read_adam(const convergence_seed& s, const convergence_rule& rule) {
  adam_reading a;
  const int half_min = rule.min_window / 2 + 1;
  a.judged = s.T4 >= 0 && s.adam_first.points >= half_min && s.adam_second.points >= half_min &&
             std::isfinite(s.adam_first.slope) && std::isfinite(s.adam_second.slope);
  if (!a.judged) return a;
  a.ratio = s.adam_second.slope / s.adam_first.slope;
  // Any L ~ c t^-a: the mean slope of log L over [t0, t1] is -a ln(t1/t0) / (t1 - t0); the halves
  // have equal length, so the ratio is ln(T/m) / ln(m/t0) whatever a is (time origin t = 0).
  const double t0 = std::max(1, s.adam_first.from), m = s.adam_second.from, T = s.adam_second.to;
  a.power_law_ratio = (m > t0 && T > m) ? std::log(T / m) / std::log(m / t0) : std::numeric_limits<double>::quiet_NaN();
  a.sublinear = s.adam_first.slope < 0 && a.ratio <= rule.adam_ratio_max &&
                std::abs(s.adam_second.slope) <= rule.adam_fraction_max * std::abs(s.band_hi);
  return a;
}

convergence_judgement judge_linear_convergence(const std::vector<convergence_seed>& seeds, const convergence_rule& rule) {
  convergence_judgement j;
  for (const auto& s : seeds) {
    const bool judged = s.T4 >= 0 && s.signgd.points >= rule.min_window && std::isfinite(s.signgd.slope);
    if (!judged) {
      j.too_short.push_back(s.replicate);
    } else {
      ++j.judged;
      if (s.signgd.slope >= s.band_lo && s.signgd.slope <= s.band_hi) ++j.inside;
      else j.outside.push_back(s.replicate);
    }
    const auto a = read_adam(s, rule);
    if (a.judged) {
      ++j.adam_judged;
      if (a.sublinear) ++j.adam_sublinear;
      else j.adam_not_sublinear.push_back(s.replicate);
    }
  }
  const int n = static_cast<int>(seeds.size());
  if (!j.outside.empty() || !j.adam_not_sublinear.empty()) {
    j.v = verdict::violated;
    j.reason = fmt::format("{}{}{}", j.outside.empty() ? "" : fmt::format("SignGD slope outside the band on replicate(s) {}", fmt::join(j.outside, ",")),
                           (!j.outside.empty() && !j.adam_not_sublinear.empty()) ? "; " : "",
                           j.adam_not_sublinear.empty() ? "" : fmt::format("Adam not sublinear on replicate(s) {}", fmt::join(j.adam_not_sublinear, ",")));
  } else if (n == 0 || j.judged < n || j.adam_judged < n) {
    j.v = verdict::inconclusive;
    j.reason = fmt::format("late window too short or Stage IV not reached on {} of {} seeds (SignGD), Adam judged on {} of {}",
                           n - j.judged, n, j.adam_judged, n);
  } else {
    j.v = verdict::holds;
    j.reason = "every SignGD slope inside its band, Adam sublinear on every seed";
  }
  return j;
}

// ---- li2024.poor-generalization ---------------------------------------------------------------

bound_judgement judge_test_loss_bound(const std::vector<generalization_seed>& seeds, double nominal) {
  bound_judgement j;
  for (const auto& s : seeds) {
    if (s.T_eps < 0) {
      j.not_reached.push_back(s.replicate);
      continue;
    }
    ++j.judged;
    if (s.test_high < s.bound) j.violations.push_back(s.replicate);
  }
  if (j.judged == 0) return j;  // inconclusive
  j.test = stats::test_violation_rate(static_cast<int>(j.violations.size()), j.judged, nominal);
  if (j.test.rate_exceeds) j.v = verdict::violated;
  else j.v = 2 * j.judged >= static_cast<int>(seeds.size()) ? verdict::holds : verdict::inconclusive;
  return j;
}

// ---- li2024.not-solely-noise ------------------------------------------------------------------

verdict judge_ordered(const stats::mean_ci& difference) {
  if (!std::isfinite(difference.low) || !std::isfinite(difference.high)) return verdict::inconclusive;
  if (difference.low > 0) return verdict::holds;
  if (difference.high < 0) return verdict::violated;
  return verdict::inconclusive;
}

}  // namespace attnbound::claims::li2024
