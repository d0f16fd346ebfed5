#include "claims/figure.hpp"

#include <algorithm>
#include <cmath>

#include "claims/stats.hpp"

#include <fmt/format.h>

namespace attnbound::claims {

namespace {
nlohmann::json numbers(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
  return a;
}
}  // namespace

series median_points(std::string label, const std::vector<double>& x,
                     const std::vector<std::vector<double>>& samples_per_x) {
  series s{std::move(label), "points", {}, {}, {}, {}};
  for (std::size_t k = 0; k < x.size() && k < samples_per_x.size(); ++k) {
    std::vector<double> finite;
    for (double v : samples_per_x[k])
      if (std::isfinite(v)) finite.push_back(v);
    if (finite.empty()) continue;
    const auto ci = stats::median_interval(finite);
    s.x.push_back(x[k]), s.y.push_back(ci.mean), s.lo.push_back(ci.low), s.hi.push_back(ci.high);
  }
  return s;
}

series power_law(std::string label, const std::vector<double>& x, double slope, double intercept) {
  series s{std::move(label), "line", x, {}, {}, {}};
  for (double xi : x) s.y.push_back(std::exp(intercept + slope * std::log(xi)));
  return s;
}

series fitted_power_law(const std::vector<double>& x, const stats::slope_fit& fit, const std::string& what) {
  return power_law(fmt::format("fit{}: slope {:.3f} [{:.3f}, {:.3f}]", what.empty() ? "" : " (" + what + ")", fit.slope,
                               fit.ci_low, fit.ci_high),
                   x, fit.slope, fit.intercept);
}

tracked_statistic slope_statistic(std::string name, const stats::slope_fit& fit) {
  return {std::move(name), fit.slope, std::max(0.02, (fit.ci_high - fit.ci_low) / 2)};
}

nlohmann::json to_json(const series& s) {
  nlohmann::json j = {{"label", s.label}, {"style", s.style}, {"x", numbers(s.x)}, {"y", numbers(s.y)}};
  if (!s.lo.empty()) j["lo"] = numbers(s.lo);
  if (!s.hi.empty()) j["hi"] = numbers(s.hi);
  return j;
}

nlohmann::json to_json(const figure& f) {
  nlohmann::json curves = nlohmann::json::array();
  for (const auto& s : f.curves) curves.push_back(to_json(s));
  return {{"id", f.id},     {"title", f.title}, {"xlabel", f.xlabel}, {"ylabel", f.ylabel},
          {"logx", f.logx}, {"logy", f.logy},   {"series", curves},   {"notes", f.notes}};
}

}  // namespace attnbound::claims
