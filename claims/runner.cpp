#include "claims/runner.hpp"

#include <chrono>
#include <ctime>

#include <sys/resource.h>

#include <fmt/format.h>

#include "reports/results.hpp"

namespace attnbound::claims {

std::string to_string(verdict v) {
  switch (v) {
    case verdict::holds: return "holds";
    case verdict::violated: return "violated";
    case verdict::inconclusive: return "inconclusive";
    case verdict::vacuous: return "vacuous";
  }
  return "?";
}

verdict combine_verdicts(const std::vector<verdict>& parts) {
  bool all_hold = !parts.empty();
  for (verdict v : parts) {
    if (v == verdict::violated) return verdict::violated;
    all_hold = all_hold && v == verdict::holds;
  }
  return all_hold ? verdict::holds : verdict::inconclusive;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  // Iterative wildcard matching with backtracking on the last '*'.
  std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, mark = t;
    } else if (star != std::string::npos) {
      p = star + 1, t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const claim* find_claim(const std::string& id) {
  for (const auto& c : registry())
    if (c.info.id == id) return &c;
  return nullptr;
}

namespace {

nlohmann::json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json execute(const claim& c, const param_values& params, const check_options& opt) {
  if (c.estimate_bytes) {
    // Runs in flight at once each hold their own state: scale by the thread count.
    const double bytes = c.estimate_bytes(params) * std::max(1, opt.jobs);
    if (bytes > max_run_bytes)
      throw bad_input(fmt::format("{}: these parameters need about {:.1f} GiB, above the {:.0f} GiB "
                                  "limit of one run; lower T, n, m or --jobs",
                                  c.info.id, bytes / (1 << 30), max_run_bytes / (1 << 30)));
  }
  run_context ctx{params, opt.full_profile, opt.seed, opt.jobs, opt.progress};
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json j = {{"id", c.info.id},           {"paper", c.info.paper},
                      {"theorem", c.info.theorem}, {"kind", c.info.kind},
                      {"status", c.info.status},   {"statement", c.info.statement},
                      {"params", params.text}};
  try {
    const claim_result r = c.run(ctx);
    j["verdict"] = to_string(r.v);
    j["bound_name"] = r.bound_name;
    j["bound"] = finite_or_null(r.bound);
    j["measured_name"] = r.measured_name;
    j["measured"] = finite_or_null(r.measured);
    j["tightness_median"] = finite_or_null(r.tightness_median);
    j["tightness_worst"] = finite_or_null(r.tightness_worst);
    j["summary"] = r.summary;
    j["worst"] = r.worst;
    j["details"] = r.details;
    j["figures"] = nlohmann::json::array();
    for (const auto& f : r.figures) j["figures"].push_back(to_json(f));
    // The headline bound and measured value are always tracked; claims add their own.
    j["bounds"] = nlohmann::json::array();
    if (std::isfinite(r.bound)) j["bounds"].push_back({{"name", r.bound_name}, {"value", r.bound}});
    for (const auto& b : r.bounds)
      if (std::isfinite(b.value)) j["bounds"].push_back({{"name", b.name}, {"value", b.value}});
    j["statistics"] = nlohmann::json::array();
    for (const auto& st : r.statistics)
      if (std::isfinite(st.value)) j["statistics"].push_back({{"name", st.name}, {"value", st.value}, {"band", st.band}});
  } catch (const bad_input&) {
    throw;
  } catch (const std::exception& e) {
    j["verdict"] = "inconclusive";
    j["error"] = e.what();
    j["bound_name"] = "";
    j["bound"] = nullptr;
    j["measured_name"] = "";
    j["measured"] = nullptr;
    j["tightness_median"] = nullptr;
    j["tightness_worst"] = nullptr;
    j["summary"] = fmt::format("internal error: {}", e.what());
    j["worst"] = nlohmann::json::object();
    j["details"] = nlohmann::json::object();
    j["figures"] = nlohmann::json::array();
    j["bounds"] = nlohmann::json::array();
    j["statistics"] = nlohmann::json::array();
  }
  j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return j;
}

/// The process's peak resident set (bytes) and CPU time (user + system, seconds, all
/// threads) so far: getrusage(RUSAGE_SELF). Like the wall time, they depend on the machine and
/// on --jobs, so they are document fields and never part of a claim's result.
struct process_usage {
  double peak_rss_bytes = 0, cpu_seconds = 0;
};
process_usage usage_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return {1024.0 * static_cast<double>(u.ru_maxrss), sec(u.ru_utime) + sec(u.ru_stime)};  // ru_maxrss is in KiB on Linux
}

nlohmann::json document(const check_options& opt, nlohmann::json claims_json, double seconds) {
  const process_usage usage = usage_now();
  nlohmann::json summary = {{"holds", 0}, {"violated", 0}, {"inconclusive", 0}, {"vacuous", 0},
                            {"errors", 0}, {"total", claims_json.size()}};
  for (const auto& c : claims_json) {
    summary[c.at("verdict").get<std::string>()] = summary[c.at("verdict").get<std::string>()].get<int>() + 1;
    if (c.contains("error")) summary["errors"] = summary["errors"].get<int>() + 1;
  }
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"schema", reports::results_schema},
          {"attnbound_version", "0.1.0"},
          {"profile", opt.full_profile ? "full" : "quick"},
          {"seed", opt.seed},
          {"jobs", opt.jobs},
          {"claims_glob", opt.claims_glob},
          {"started_utc", stamp},
          {"wall_seconds", seconds},
          {"cpu_seconds", usage.cpu_seconds},
          {"peak_rss_bytes", usage.peak_rss_bytes},
          {"libraries", reports::library_versions()},
          {"summary", summary},
          {"claims", std::move(claims_json)}};
}

}  // namespace

nlohmann::json run_check(const check_options& opt) {
  std::vector<const claim*> selected;
  for (const auto& c : registry())
    if (glob_match(opt.claims_glob, c.info.id)) selected.push_back(&c);
  if (selected.empty()) throw bad_input(fmt::format("no claim matches '{}' (see `attnbound list`)", opt.claims_glob));
  // Resolve every claim's parameters first, so bad input fails before any long run.
  std::vector<param_values> params;
  for (const auto* c : selected) params.push_back(resolve_params(c->info.id, c->params, {}, opt.full_profile));
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json claims_json = nlohmann::json::array();
  for (std::size_t i = 0; i < selected.size(); ++i) {
    check_options o = opt;
    if (opt.progress) {
      const std::string prefix = fmt::format("[{}/{}] {}", i + 1, selected.size(), selected[i]->info.id);
      o.progress = [prefix, p = opt.progress](const std::string& what, int done, int total) {
        p(prefix + (what.empty() ? "" : " " + what), done, total);
      };
    }
    claims_json.push_back(execute(*selected[i], params[i], o));
  }
  return document(opt, std::move(claims_json),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

nlohmann::json run_claim(const claim& c, const std::vector<std::string>& overrides,
                         const check_options& opt) {
  const auto params = resolve_params(c.info.id, c.params, overrides, opt.full_profile);
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json one = nlohmann::json::array({execute(c, params, opt)});
  check_options o = opt;
  o.claims_glob = c.info.id;
  return document(o, std::move(one),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

int exit_code(const nlohmann::json& results) {
  const auto& s = results.at("summary");
  return (s.at("violated").get<int>() > 0 || s.value("errors", 0) > 0) ? 1 : 0;
}

}  // namespace attnbound::claims
