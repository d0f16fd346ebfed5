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
#include <sstream>
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

std::string num(const nlohmann::json& v) {
  if (!v.is_number()) return "-";
  const double x = v.get<double>();
  if (!std::isfinite(x)) return "-";
  return fmt::format("{:.4g}", x);
}

std::string md_escape(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n') out += ' ';
    else out += ch;
  }
  return out;
}

}  // namespace

std::string markdown_report(const nlohmann::json& r) {
  std::ostringstream md;
  const auto& s = r.at("summary");
  md << "# attnbound report\n\n";
  md << fmt::format("Profile `{}`, seed {}, {} claims: **{} hold, {} violated, {} inconclusive, "
                    "{} vacuous**. Wall time {:.1f} s.\n\n",
                    r.at("profile").get<std::string>(), r.at("seed").get<std::uint64_t>(),
                    s.at("total").get<int>(), s.at("holds").get<int>(), s.at("violated").get<int>(),
                    s.at("inconclusive").get<int>(), s.at("vacuous").get<int>(),
                    r.value("wall_seconds", 0.0));
  md << "Bounds marked *reconstructed* use constants derived in `bounds/<paper>/NOTES.md`, not "
        "printed in the paper. `tightness` is measured/bound (median, worst).\n\n";
  md << "| claim | theorem | bound | measured | tightness (median / worst) | verdict | constants | "
        "worst configuration (seed) |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : r.at("claims")) {
    std::string tight = "-";
    if (c.value("tightness_worst", -1.0) >= 0)
      tight = fmt::format("{} / {}", num(c.at("tightness_median")), num(c.at("tightness_worst")));
    md << fmt::format("| `{}` | {} | {} = {} | {} = {} | {} | **{}** | {} | `{}` |\n",
                      c.at("id").get<std::string>(), md_escape(c.at("theorem")),
                      md_escape(c.at("bound_name")), num(c.at("bound")),
                      md_escape(c.at("measured_name")), num(c.at("measured")), tight,
                      c.at("verdict").get<std::string>(), c.at("status").get<std::string>(),
                      md_escape(c.at("worst").dump()));
  }
  md << "\n";
  for (const auto& c : r.at("claims")) {
    md << fmt::format("## `{}` — {}\n\n", c.at("id").get<std::string>(),
                      c.at("verdict").get<std::string>());
    md << fmt::format("*{}, {}* ({}; constants {}).\n\n", md_escape(c.at("paper")),
                      md_escape(c.at("theorem")), c.at("kind").get<std::string>(),
                      c.at("status").get<std::string>());
    md << "> " << md_escape(c.at("statement")) << "\n\n";
    md << md_escape(c.at("summary")) << "\n\n";
  }
  return md.str();
}

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
    const std::string where = fmt::format("claims[{}]", i);
    if (!c.is_object()) throw bad_input(fmt::format("'{}': {} is not an object", path, where));
    for (const char* key : {"id", "paper", "theorem", "kind", "status", "statement", "verdict",
                            "bound_name", "measured_name", "summary"})
      need(c, key, &nlohmann::json::is_string, where);
    for (const char* key : {"bound", "measured", "tightness_median", "tightness_worst"})
      if (!c.contains(key) || !(c.at(key).is_number() || c.at(key).is_null()))
        throw bad_input(fmt::format("'{}': {} lacks a valid '{}'", path, where, key));
    need(c, "worst", &nlohmann::json::is_object, where);
  }
  return j;
}

}  // namespace attnbound::reports
