#include "reports/baseline.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "claims/claim.hpp"
#include "claims/params.hpp"

namespace attnbound::reports {

using claims::bad_input;

namespace {

/// `digits` significant digits, scientific: the stored form of a bound.
std::string decimal(double x, int digits) { return fmt::format("{:.{}e}", x, digits - 1); }

/// Half a unit in the last stored digit of `stored` (a decimal of `digits` significant digits).
double half_unit_last_digit(double stored, int digits) {
  if (stored == 0) return 0;
  const int exponent = static_cast<int>(std::floor(std::log10(std::abs(stored))));
  return 0.5 * std::pow(10.0, exponent - digits + 1);
}

std::string value_text(double x) { return fmt::format("{:.6g}", x); }

}  // namespace

nlohmann::json make_baseline(const nlohmann::json& results) {
  nlohmann::json claims = nlohmann::json::array();
  for (const auto& c : results.at("claims")) {
    nlohmann::json bounds = nlohmann::json::array(), statistics = nlohmann::json::array();
    for (const auto& b : c.value("bounds", nlohmann::json::array()))
      bounds.push_back({{"name", b.at("name")}, {"value", decimal(b.at("value").get<double>(), baseline_bound_digits)}});
    for (const auto& s : c.value("statistics", nlohmann::json::array()))
      statistics.push_back({{"name", s.at("name")}, {"value", s.at("value")}, {"band", s.at("band")}});
    claims.push_back({{"id", c.at("id")},
                      {"verdict", c.at("verdict")},
                      {"params", c.value("params", nlohmann::json::object())},
                      {"bounds", bounds},
                      {"statistics", statistics}});
  }
  return {{"schema", baseline_schema},
          {"profile", results.at("profile")},
          {"seed", results.at("seed")},
          {"digits", baseline_bound_digits},
          {"from", {{"attnbound_version", results.value("attnbound_version", "")},
                    {"started_utc", results.value("started_utc", "")},
                    {"libraries", results.value("libraries", nlohmann::json::object())}}},
          {"claims", claims}};
}

nlohmann::json read_baseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw bad_input(fmt::format("cannot read baseline '{}': {}", path, std::strerror(errno)));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    throw bad_input(fmt::format("baseline '{}' is not valid JSON (truncated?)", path));
  }
  if (!j.is_object() || !j.contains("schema") || j.at("schema") != baseline_schema)
    throw bad_input(fmt::format("'{}' is not an attnbound baseline (schema {} expected; write one with "
                                "`attnbound baseline --in results.json --out FILE`)", path, baseline_schema));
  auto fail = [&](const std::string& what) { throw bad_input(fmt::format("baseline '{}': {}", path, what)); };
  if (!j.contains("profile") || !j.at("profile").is_string()) fail("lacks a valid 'profile'");
  if (!j.contains("seed") || !j.at("seed").is_number_unsigned()) fail("lacks a valid 'seed'");
  if (!j.contains("digits") || !j.at("digits").is_number_integer() || j.at("digits").get<int>() < 1 ||
      j.at("digits").get<int>() > 17)
    fail("lacks a valid 'digits' (1..17)");
  if (!j.contains("claims") || !j.at("claims").is_array()) fail("lacks a 'claims' array");
  for (std::size_t i = 0; i < j.at("claims").size(); ++i) {
    const auto& c = j.at("claims")[i];
    const std::string where = fmt::format("claims[{}]", i);
    if (!c.is_object() || !c.contains("id") || !c.at("id").is_string()) fail(where + " lacks a valid 'id'");
    if (!c.contains("verdict") || !c.at("verdict").is_string()) fail(where + " lacks a valid 'verdict'");
    if (!c.contains("bounds") || !c.at("bounds").is_array()) fail(where + " lacks a 'bounds' array");
    if (!c.contains("statistics") || !c.at("statistics").is_array()) fail(where + " lacks a 'statistics' array");
    for (const auto& b : c.at("bounds")) {
      if (!b.is_object() || !b.contains("name") || !b.at("name").is_string() || !b.contains("value") ||
          !b.at("value").is_string())
        fail(where + ": a bound lacks a name or a decimal-string value");
      try {
        std::size_t used = 0;
        const double v = std::stod(b.at("value").get<std::string>(), &used);
        if (used != b.at("value").get<std::string>().size() || !std::isfinite(v)) throw std::invalid_argument("");
      } catch (const std::exception&) {
        fail(fmt::format("{}: bound '{}' has a malformed value", where, b.at("name").get<std::string>()));
      }
    }
    for (const auto& s : c.at("statistics"))
      if (!s.is_object() || !s.contains("name") || !s.at("name").is_string() || !s.contains("value") ||
          !s.at("value").is_number() || !s.contains("band") || !s.at("band").is_number() ||
          !(s.at("band").get<double>() >= 0))
        fail(where + ": a statistic lacks a name, a numeric value or a band >= 0");
  }
  return j;
}

std::vector<regression> compare_to_baseline(const nlohmann::json& baseline, const nlohmann::json& results) {
  if (baseline.at("profile") != results.at("profile") || baseline.at("seed") != results.at("seed"))
    throw bad_input(fmt::format("the baseline was made with profile {} and seed {}, this run uses profile {} and "
                                "seed {}: nothing is comparable",
                                baseline.at("profile").get<std::string>(), baseline.at("seed").dump(),
                                results.at("profile").get<std::string>(), results.at("seed").dump()));
  const int digits = baseline.at("digits").get<int>();
  const std::string glob = results.value("claims_glob", "*");
  std::map<std::string, const nlohmann::json*> now;
  for (const auto& c : results.at("claims")) now[c.at("id").get<std::string>()] = &c;

  std::vector<regression> out;
  for (const auto& old : baseline.at("claims")) {
    const std::string id = old.at("id").get<std::string>();
    const auto it = now.find(id);
    if (it == now.end()) {
      if (claims::glob_match(glob, id))
        out.push_back({id, "missing", "claim", "present", "absent", "the baseline's claim is no longer run"});
      continue;
    }
    const nlohmann::json& c = *it->second;
    const std::string v_old = old.at("verdict").get<std::string>(), v_new = c.at("verdict").get<std::string>();
    if (v_old == "holds" && v_new != "holds")
      out.push_back({id, "verdict", "verdict", v_old, v_new, "held before and does not now"});

    std::map<std::string, double> bounds_now, stats_now;
    for (const auto& b : c.value("bounds", nlohmann::json::array()))
      bounds_now[b.at("name").get<std::string>()] = b.at("value").get<double>();
    for (const auto& s : c.value("statistics", nlohmann::json::array()))
      stats_now[s.at("name").get<std::string>()] = s.at("value").get<double>();

    for (const auto& b : old.at("bounds")) {
      const std::string name = b.at("name").get<std::string>(), stored = b.at("value").get<std::string>();
      const auto f = bounds_now.find(name);
      if (f == bounds_now.end()) {
        out.push_back({id, "missing", name, stored, "absent", "a bound of the baseline is no longer reported"});
        continue;
      }
      const double old_v = std::stod(stored), tol = half_unit_last_digit(old_v, digits);
      // A move of more than half a unit in the last stored digit: the rounded value changed.
      if (!(std::abs(f->second - old_v) <= tol * (1 + 1e-9)))
        out.push_back({id, "bound", name, stored, decimal(f->second, digits),
                       fmt::format("changed beyond its {} stored digits", digits)});
    }
    for (const auto& s : old.at("statistics")) {
      const std::string name = s.at("name").get<std::string>();
      const double old_v = s.at("value").get<double>(), band = s.at("band").get<double>();
      const auto f = stats_now.find(name);
      if (f == stats_now.end()) {
        out.push_back({id, "missing", name, value_text(old_v), "absent", "a statistic of the baseline is no longer reported"});
        continue;
      }
      if (!(std::abs(f->second - old_v) <= band))
        out.push_back({id, "statistic", name, value_text(old_v), value_text(f->second),
                       fmt::format("|change| {:.3g} > band {:.3g}", std::abs(f->second - old_v), band)});
    }
  }
  return out;
}

nlohmann::json to_json(const regression& r) {
  return {{"claim", r.claim}, {"kind", r.kind}, {"name", r.name},
          {"old", r.old_value}, {"new", r.new_value}, {"rule", r.rule}};
}


}  // namespace attnbound::reports
