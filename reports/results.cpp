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
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw bad_input(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    out << content;
    out.flush();
    if (!out) {
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
  return j;
}

}  // namespace attnbound::reports
