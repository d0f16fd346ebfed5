#include "claims/figure.hpp"

#include <cmath>

namespace attnbound::claims {

namespace {
nlohmann::json numbers(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
  return a;
}
}  // namespace

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
