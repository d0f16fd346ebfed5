#include "reports/results.hpp"

#include <Eigen/Core>
#include <boost/version.hpp>
#include <mpfi.h>
#include <mpfr.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <algorithm>
#include <unistd.h>

#include <fmt/format.h>

#include "claims/params.hpp"

namespace attnbound::reports {

using claims::bad_input;

nlohmann::json library_versions() {
  return {{"eigen", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
                                EIGEN_MINOR_VERSION)},
          {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                                BOOST_VERSION % 100)},
          {"mpfr", mpfr_get_version()},
          {"mpfi", mpfi_get_version()},
          {"compiler", fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__)}};
}

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", target.filename().string(), ::getpid());
  {
    std::FILE* out = std::fopen(tmp.c_str(), "wb");
    if (!out) throw bad_input(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    const bool ok = std::fwrite(content.data(), 1, content.size(), out) == content.size() &&
                    std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
    if (std::fclose(out) != 0 || !ok) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw bad_input(fmt::format("cannot write '{}': write failed", path));
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw bad_input(fmt::format("cannot write '{}': {}", path, ec.message()));
  }
}

namespace {

bool number_or_null(const nlohmann::json& v) { return v.is_number() || v.is_null(); }

/// bounds: [{name, value}], statistics: [{name, value, band >= 0}] (optional).
void validate_tracked(const std::string& path, const nlohmann::json& c, const std::string& where) {
  for (const char* list : {"bounds", "statistics"}) {
    if (!c.contains(list)) continue;
    if (!c.at(list).is_array())
      throw bad_input(fmt::format("'{}': {}.{} is not an array", path, where, list));
    for (std::size_t k = 0; k < c.at(list).size(); ++k) {
      const auto& e = c.at(list)[k];
      const std::string at = fmt::format("{}.{}[{}]", where, list, k);
      if (!e.is_object() || !e.contains("name") || !e.at("name").is_string() || !e.contains("value") ||
          !e.at("value").is_number())
        throw bad_input(fmt::format("'{}': {} needs a string 'name' and a number 'value'", path, at));
      if (std::string(list) == "statistics" &&
          (!e.contains("band") || !e.at("band").is_number() || !(e.at("band").get<double>() >= 0)))
        throw bad_input(fmt::format("'{}': {} needs a number 'band' >= 0", path, at));
    }
  }
}

/// figures: [{id, title, xlabel, ylabel, logx, logy, notes: [string],
///            series: [{label, style: points|line, x, y, lo?, hi?}]}] (optional).
void validate_figures(const std::string& path, const nlohmann::json& c, const std::string& where) {
  if (!c.contains("figures")) return;
  const auto& figs = c.at("figures");
  if (!figs.is_array()) throw bad_input(fmt::format("'{}': {}.figures is not an array", path, where));
  std::set<std::string> ids;
  for (std::size_t k = 0; k < figs.size(); ++k) {
    const auto& f = figs[k];
    const std::string at = fmt::format("{}.figures[{}]", where, k);
    if (!f.is_object()) throw bad_input(fmt::format("'{}': {} is not an object", path, at));
    for (const char* key : {"id", "title", "xlabel", "ylabel"})
      if (!f.contains(key) || !f.at(key).is_string())
        throw bad_input(fmt::format("'{}': {} lacks a string '{}'", path, at, key));
    if (f.at("id").get<std::string>().empty() || !ids.insert(f.at("id").get<std::string>()).second)
      throw bad_input(fmt::format("'{}': {} has an empty or repeated id '{}'", path, at, f.at("id").get<std::string>()));
    for (const char* key : {"logx", "logy"})
      if (f.contains(key) && !f.at(key).is_boolean())
        throw bad_input(fmt::format("'{}': {}.{} is not true or false", path, at, key));
    if (f.contains("notes") && !(f.at("notes").is_array() &&
                                 std::all_of(f.at("notes").begin(), f.at("notes").end(),
                                             [](const nlohmann::json& n) { return n.is_string(); })))
      throw bad_input(fmt::format("'{}': {}.notes is not a list of strings", path, at));
    if (!f.contains("series") || !f.at("series").is_array())
      throw bad_input(fmt::format("'{}': {} lacks a 'series' array", path, at));
    for (std::size_t s = 0; s < f.at("series").size(); ++s) {
      const auto& sr = f.at("series")[s];
      const std::string as = fmt::format("{}.series[{}]", at, s);
      if (!sr.is_object() || !sr.contains("label") || !sr.at("label").is_string())
        throw bad_input(fmt::format("'{}': {} lacks a string 'label'", path, as));
      const std::string style = sr.value("style", "");
      if (style != "points" && style != "line")
        throw bad_input(fmt::format("'{}': {} has style '{}' (points or line expected)", path, as, style));
      std::size_t n = 0;
      for (const char* key : {"x", "y", "lo", "hi"}) {
        const bool required = key[0] == 'x' || key[0] == 'y';
        if (!sr.contains(key)) {
          if (required) throw bad_input(fmt::format("'{}': {} lacks '{}'", path, as, key));
          continue;
        }
        const auto& a = sr.at(key);
        if (!a.is_array() || !std::all_of(a.begin(), a.end(), number_or_null))
          throw bad_input(fmt::format("'{}': {}.{} is not a list of numbers (null for non-finite)", path, as, key));
        if (key[0] == 'x') n = a.size();
        else if (a.size() != n)
          throw bad_input(fmt::format("'{}': {}.{} has {} values, x has {}", path, as, key, a.size(), n));
      }
    }
  }
}

}  // namespace

nlohmann::json read_results(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw bad_input(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw bad_input(fmt::format("'{}' is not valid JSON (truncated?)", path));
  }
  if (!j.is_object() || j.value("schema", "") != results_schema)
    throw bad_input(fmt::format("'{}' is not an attnbound results file (schema {} expected)",
                                path, results_schema));
  for (const char* key : {"summary", "claims", "profile", "seed"})
    if (!j.contains(key)) throw bad_input(fmt::format("'{}' lacks the key '{}'", path, key));
  auto need = [&](const nlohmann::json& obj, const char* key, bool (nlohmann::json::*is)() const,
                  const std::string& where) {
    if (!obj.contains(key) || !(obj.at(key).*is)())
      throw bad_input(fmt::format("'{}': {} lacks a valid '{}'", path, where, key));
  };
  if (!j.at("summary").is_object() || !j.at("claims").is_array() || !j.at("profile").is_string() ||
      !j.at("seed").is_number_unsigned())
    throw bad_input(fmt::format("'{}': summary, claims, profile or seed has the wrong type", path));
  for (const char* key : {"holds", "violated", "inconclusive", "vacuous", "total"})
    need(j.at("summary"), key, &nlohmann::json::is_number_integer, "summary");
  for (std::size_t i = 0; i < j.at("claims").size(); ++i) {
    const auto& c = j.at("claims")[i];
    std::string where = fmt::format("claims[{}]", i);
    if (!c.is_object()) throw bad_input(fmt::format("'{}': {} is not an object", path, where));
    if (c.contains("id") && c.at("id").is_string()) where += " (" + c.at("id").get<std::string>() + ")";
    for (const char* key : {"id", "paper", "theorem", "kind", "status", "statement", "verdict",
                            "bound_name", "measured_name", "summary"})
      need(c, key, &nlohmann::json::is_string, where);
    for (const char* key : {"bound", "measured", "tightness_median", "tightness_worst"})
      if (!c.contains(key) || !(c.at(key).is_number() || c.at(key).is_null()))
        throw bad_input(fmt::format("'{}': {} lacks a valid '{}'", path, where, key));
    need(c, "worst", &nlohmann::json::is_object, where);
    const std::string v = c.at("verdict").get<std::string>();
    if (v != "holds" && v != "violated" && v != "inconclusive" && v != "vacuous")
      throw bad_input(fmt::format("'{}': {} has the unknown verdict '{}'", path, where, v));
    if (c.contains("error") && !c.at("error").is_string())
      throw bad_input(fmt::format("'{}': {} has a non-string 'error'", path, where));
    validate_tracked(path, c, where);
    validate_figures(path, c, where);
  }
  return j;
}

}  // namespace attnbound::reports
