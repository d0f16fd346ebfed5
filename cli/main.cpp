// attnbound: checks the optimization theory of shallow Transformers against experiments.
// The CLI contract (design.md): list / bound / run / check / report; exit 0 all claims hold,
// 1 a claim is violated, 2 bad input (one line on stderr naming the problem).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "claims/bound_registry.hpp"
#include "claims/runner.hpp"
#include "reports/baseline.hpp"
#include "reports/report.hpp"
#include "reports/results.hpp"

namespace ac = attnbound::claims;
namespace ar = attnbound::reports;

namespace {

/// Progress on stderr, only when it is a terminal: claim, step, ETA.
ac::progress_fn terminal_progress() {
  if (!::isatty(2)) return {};
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  auto last_done = std::make_shared<int>(0);
  return [start, last_done](const std::string& what, int done, int total) {
    const auto now = std::chrono::steady_clock::now();
    if (done <= *last_done) *start = now;  // a new loop (next claim or stage) starts the clock again
    *last_done = done;
    const double el = std::chrono::duration<double>(now - *start).count();
    const double eta = done > 0 ? el / done * (total - done) : 0.0;
    std::fprintf(stderr, "\r\033[K%s  %d/%d  ETA %.0fs", what.c_str(), done, total, eta);
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

std::string params_help(const std::vector<ac::param_spec>& specs) {
  std::string s;
  for (const auto& p : specs)
    s += fmt::format("  {:<14} {:<30} {:<28} {}\n", p.key, ac::describe_kind(p.kind),
                     p.quick == p.full ? "default=" + p.quick : "quick=" + p.quick + " full=" + p.full,
                     p.help);
  return s;
}

nlohmann::json params_json(const std::vector<ac::param_spec>& specs) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : specs)
    j.push_back({{"key", p.key}, {"kind", ac::describe_kind(p.kind)}, {"quick", p.quick},
                 {"full", p.full}, {"help", p.help}});
  return j;
}

int cmd_list(bool json) {
  if (json) {
    nlohmann::json out = {{"claims", nlohmann::json::array()}, {"bounds", nlohmann::json::array()}};
    for (const auto& c : ac::registry())
      out["claims"].push_back({{"id", c.info.id}, {"paper", c.info.paper}, {"theorem", c.info.theorem},
                               {"kind", c.info.kind}, {"status", c.info.status},
                               {"statement", c.info.statement}, {"params", params_json(c.params)}});
    for (const auto& b : ac::bound_registry())
      out["bounds"].push_back({{"id", b.id}, {"description", b.description}, {"status", b.status},
                               {"params", params_json(b.params)}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Claims (attnbound check / attnbound run <id>):\n";
  for (const auto& c : ac::registry())
    std::cout << fmt::format("  {:<34} {:<13} {:<20} {}\n    {}: {}\n", c.info.id, c.info.kind,
                             c.info.status, c.info.theorem, c.info.paper, c.info.statement);
  std::cout << "\nBounds (attnbound bound <id> -p key=value ...):\n";
  for (const auto& b : ac::bound_registry())
    std::cout << fmt::format("  {:<34} {}\n{}", b.id, b.description, params_help(b.params));
  std::cout << "\nParameters of a claim: attnbound run <id> --help-params\n";
  return 0;
}

int cmd_bound(const std::string& id, const std::vector<std::string>& overrides, int digits, bool json) {
  const auto* b = ac::find_bound(id);
  if (!b) throw ac::bad_input(fmt::format("unknown bound '{}' (see `attnbound list`)", id));
  if (digits < 1 || digits > 10000) throw ac::bad_input(fmt::format("--digits {} is outside [1, 10000]", digits));
  const auto params = ac::resolve_params(id, b->params, overrides, false);
  const auto r = b->evaluate(params, static_cast<unsigned>(digits));
  if (json) {
    nlohmann::json out = {{"bound", id}, {"digits", digits}, {"status", b->status},
                          {"params", params.text}, {"terms", r.at("terms")}, {"labels", r.at("labels")}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{} ({}), {} significant digits\n", id, b->status, digits);
    for (const auto& [k, v] : params.text) std::cout << fmt::format("  {} = {}\n", k, v);
    for (const auto& [k, v] : r.at("terms").items())
      std::cout << fmt::format("{:>14} = {}   [{}]\n", k, v.get<std::string>(),
                               r.at("labels").value(k, ""));
  }
  return 0;
}

/// results.json, report.md, report.html, junit.xml and plots/ (reports/report.hpp).
void write_outputs(const nlohmann::json& results, const std::string& dir) { ar::write_report(results, dir); }

void print_summary(const nlohmann::json& results) {
  for (const auto& c : results.at("claims"))
    std::cerr << fmt::format("{:<12} {:<34} {}\n", c.at("verdict").get<std::string>(),
                             c.at("id").get<std::string>(), c.at("summary").get<std::string>());
  const auto& s = results.at("summary");
  std::cerr << fmt::format("{} claims: {} hold, {} violated, {} inconclusive, {} vacuous ({:.1f} s wall, {:.1f} s CPU, "
                           "peak memory {:.0f} MiB)\n",
                           s.at("total").get<int>(), s.at("holds").get<int>(), s.at("violated").get<int>(),
                           s.at("inconclusive").get<int>(), s.at("vacuous").get<int>(),
                           results.value("wall_seconds", 0.0), results.value("cpu_seconds", 0.0),
                           results.value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0));
}

/// Compares `results` with a baseline, records the comparison in results["baseline"] (so
/// every report shows it) and returns the number of regressions.
std::size_t apply_baseline(const nlohmann::json& base, const std::string& file, nlohmann::json& results) {
  const auto regressions = ar::compare_to_baseline(base, results);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : regressions) list.push_back(ar::to_json(r));
  results["baseline"] = {{"file", file}, {"regressions", list}};
  return regressions.size();
}

void print_regressions(const nlohmann::json& results) {
  const auto& b = results.at("baseline");
  for (const auto& r : b.at("regressions"))
    std::cerr << fmt::format("REGRESSION {}: {} '{}': {} -> {} ({})\n", r.at("claim").get<std::string>(),
                             r.at("kind").get<std::string>(), r.at("name").get<std::string>(),
                             r.at("old").get<std::string>(), r.at("new").get<std::string>(),
                             r.at("rule").get<std::string>());
  std::cerr << fmt::format("{} regression(s) against baseline {}\n", b.at("regressions").size(),
                           b.at("file").get<std::string>());
}

/// Checks an output directory can be written before a long run starts.
void require_writable_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0)
    throw ac::bad_input(fmt::format("output directory '{}' is not writable", dir));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"attnbound: theorem bounds of shallow-Transformer optimization papers, computed in "
               "high precision and checked against training runs.\n"
               "Exit codes: 0 every claim holds (and no regression), 1 a claim is violated or regressed against --baseline, 2 bad input."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  bool list_json = false;
  auto* list = app.add_subcommand("list", "List claims and bounds with their parameters and defaults");
  list->add_flag("--json", list_json, "One JSON document on stdout");

  std::string bound_id;
  std::vector<std::string> bound_params;
  int digits = 40;
  bool bound_json = false;
  auto* bound = app.add_subcommand("bound", "Evaluate a closed-form bound in high precision");
  bound->add_option("id", bound_id, "Bound id, e.g. arda2026.theorem1 (see `list`)")->required();
  bound->add_option("-p,--param", bound_params, "key=value (repeatable); omitted keys take the paper's experiment values");
  bound->add_option("--digits", digits, "Significant digits of every term")->capture_default_str();
  bound->add_flag("--json", bound_json, "One JSON document on stdout");
  {
    std::string footer = "\nBounds and their parameters (defaults are the paper's experiment values):\n";
    for (const auto& b : ac::bound_registry()) footer += fmt::format("  {}\n{}", b.id, params_help(b.params));
    bound->footer(footer);
  }

  std::string run_id, profile = "quick", claims_glob = "*", out_dir = "results", baseline;
  std::vector<std::string> run_params;
  std::uint64_t seed = 20260123;
  int jobs = 1;
  bool run_json = false, help_params = false;
  auto* run = app.add_subcommand("run", "Run one claim's experiment with parameter overrides");
  run->add_option("id", run_id, "Claim id (see `list`)")->required();
  run->add_option("-p,--param", run_params, "key=value (repeatable)");
  run->add_option("--seed", seed, "Master seed")->capture_default_str();
  run->add_option("--profile", profile, "Defaults: quick or full")->check(CLI::IsMember({"quick", "full"}))->capture_default_str();
  run->add_option("--jobs", jobs, "Threads")->check(CLI::Range(1, 256))->capture_default_str();
  run->add_flag("--json", run_json, "One JSON document on stdout");
  run->add_flag("--help-params", help_params, "Print the claim's parameters and defaults");
  run->footer("\nClaims: see `attnbound list`; a claim's parameters: attnbound run <id> --help-params");

  auto* check = app.add_subcommand("check", "Run every claim (or a glob of them); write results.json, report.md, report.html, junit.xml and plots/");
  check->add_option("--profile", profile, "quick (CI, < 10 min on 2 cores) or full (the papers' scale)")
      ->check(CLI::IsMember({"quick", "full"}))->capture_default_str();
  check->add_option("--claims", claims_glob, "Glob over claim ids, e.g. 'arda2026.lemma*'")->capture_default_str();
  check->add_option("--seed", seed, "Master seed; every run's generator derives from it")->capture_default_str();
  check->add_option("--jobs", jobs, "Threads (results are identical for any value)")->check(CLI::Range(1, 256))->capture_default_str();
  check->add_option("--out", out_dir, "Output directory")->capture_default_str();
  check->add_option("--baseline", baseline, "Stored baseline (see `baseline`): exit 1 on a regression (a claim that held and no longer does, a bound changed beyond its stored digits, a statistic moved outside its band)");

  std::string baseline_in, baseline_out;
  auto* baseline_cmd = app.add_subcommand("baseline", "Write a baseline (verdicts, bounds, tracked statistics) from a results.json, for `check --baseline`");
  baseline_cmd->add_option("--in", baseline_in, "results.json of a check run")->required();
  baseline_cmd->add_option("--out", baseline_out, "Baseline file to write")->required();

  std::string report_in, report_out = "results", report_baseline;
  auto* report = app.add_subcommand("report", "Re-render the reports (Markdown, HTML, JUnit, plots) from a results.json");
  report->add_option("--in", report_in, "results.json")->required();
  report->add_option("--out", report_out, "Output directory")->capture_default_str();
  report->add_option("--baseline", report_baseline, "Compare the stored results with a baseline (as `check --baseline`; exit 1 on a regression)");

  if (argc > 1 && argv[1][0] != '-') {
    const std::string cmd = argv[1];
    if (cmd != "list" && cmd != "bound" && cmd != "run" && cmd != "check" && cmd != "report" && cmd != "baseline") {
      std::cerr << "attnbound: unknown command '" << cmd << "' (commands: list, bound, run, check, report, baseline)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "attnbound: " << e.what() << " (see --help)\n";
    return 2;
  }

  try {
    if (*list) return cmd_list(list_json);
    if (*bound) return cmd_bound(bound_id, bound_params, digits, bound_json);
    ac::check_options opt;
    opt.full_profile = profile == "full";
    opt.seed = seed;
    opt.jobs = jobs;
    opt.progress = terminal_progress();
    if (*run) {
      const auto* c = ac::find_claim(run_id);
      if (!c) throw ac::bad_input(fmt::format("unknown claim '{}' (see `attnbound list`)", run_id));
      if (help_params) {
        std::cout << run_id << " parameters:\n" << params_help(c->params);
        return 0;
      }
      const auto results = ac::run_claim(*c, run_params, opt);
      if (run_json) std::cout << results.dump(2) << "\n";
      else print_summary(results);
      return ac::exit_code(results);
    }
    if (*check) {
      // Read the baseline before the run: a bad file fails in a second, not after the run.
      const nlohmann::json base = baseline.empty() ? nlohmann::json() : ar::read_baseline(baseline);
      if (!base.is_null() && base.at("profile") != profile)
        throw ac::bad_input(fmt::format("baseline '{}' was made with profile {}, this run is {}", baseline,
                                        base.at("profile").get<std::string>(), profile));
      if (!base.is_null() && base.at("seed").get<std::uint64_t>() != seed)
        throw ac::bad_input(fmt::format("baseline '{}' was made with seed {}, this run uses {}", baseline,
                                        base.at("seed").get<std::uint64_t>(), seed));
      require_writable_dir(out_dir);
      opt.claims_glob = claims_glob;
      auto results = ac::run_check(opt);
      const std::size_t regressions = base.is_null() ? 0 : apply_baseline(base, baseline, results);
      write_outputs(results, out_dir);
      print_summary(results);
      if (!base.is_null()) print_regressions(results);
      std::cerr << fmt::format("wrote {}/results.json and its reports\n", out_dir);
      return regressions == 0 ? ac::exit_code(results) : 1;
    }
    if (*baseline_cmd) {
      const auto results = ar::read_results(baseline_in);
      const std::string text = ar::make_baseline(results).dump(2) + "\n";
      ar::write_file_atomically(baseline_out, text);
      std::cerr << fmt::format("wrote baseline {} ({} claims, profile {}, seed {})\n", baseline_out,
                               results.at("claims").size(), results.at("profile").get<std::string>(),
                               results.at("seed").get<std::uint64_t>());
      return 0;
    }
    if (*report) {
      auto results = ar::read_results(report_in);
      const nlohmann::json base = report_baseline.empty() ? nlohmann::json() : ar::read_baseline(report_baseline);
      require_writable_dir(report_out);
      const std::size_t regressions = base.is_null() ? 0 : apply_baseline(base, report_baseline, results);
      write_outputs(results, report_out);
      if (!base.is_null()) print_regressions(results);
      return regressions == 0 ? 0 : 1;
    }
  } catch (const ac::bad_input& e) {
    std::cerr << "attnbound: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "attnbound: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
