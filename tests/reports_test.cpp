// reports/: results validation (schema /2 figures, bounds, statistics), gnuplot scripts,
// and the report files written from the fixture tests/data/report_fixture_results.json
// (every verdict, an internal error, log-log and linear figures, nulls, a figure without
// data, a reconstructed and an exact claim).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <iterator>

#include <pugixml.hpp>

#include "claims/params.hpp"
#include "reports/format.hpp"
#include "reports/plots.hpp"
#include "reports/report.hpp"
#include "reports/results.hpp"

namespace fs = std::filesystem;
namespace ar = attnbound::reports;
using nlohmann::json;

namespace {

const std::string fixture = std::string(ATTNBOUND_TEST_DATA_DIR) + "/report_fixture_results.json";

struct temp_dir {
  fs::path path;
  explicit temp_dir(const std::string& name)
      : path(fs::temp_directory_path() / ("attnbound-reports-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

json load_fixture() { return json::parse(slurp(fixture)); }

/// read_results on `doc` written to a file: the bad_input message, or "" when it passes.
std::string validation_error(const json& doc, const temp_dir& t) {
  const fs::path p = t.path / "results.json";
  std::ofstream(p) << doc.dump();
  try {
    ar::read_results(p.string());
  } catch (const attnbound::claims::bad_input& e) {
    return e.what();
  }
  return "";
}

int count_files(const fs::path& dir, const std::string& ext) {
  int n = 0;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ext;
  return n;
}

int count_substr(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

/// src="..." and href="..." values that are neither data: URIs nor in-page anchors.
int external_references(const std::string& html) {
  int n = 0;
  for (const std::string attr : {"src=\"", "href=\""})
    for (auto at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
      const auto value = html.substr(at + attr.size(), 5);
      n += value != "data:" && value[0] != '#';
    }
  return n;
}

}  // namespace

TEST(Reports, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(ar::base64(""), "");
  EXPECT_EQ(ar::base64("f"), "Zg==");
  EXPECT_EQ(ar::base64("fo"), "Zm8=");
  EXPECT_EQ(ar::base64("foo"), "Zm9v");
  EXPECT_EQ(ar::base64("foob"), "Zm9vYg==");
  EXPECT_EQ(ar::base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(ar::base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(ar::base64(std::string("\x00\xff\xfe", 3)), "AP/+");
}

TEST(Reports, ReadResultsValidatesFiguresBoundsAndStatistics) {
  temp_dir t("validate");
  const json good = load_fixture();
  EXPECT_EQ(validation_error(good, t), "");
  {  // figures, bounds and statistics are optional per claim
    json j = good;
    for (auto& c : j["claims"]) c.erase("figures"), c.erase("bounds"), c.erase("statistics");
    EXPECT_EQ(validation_error(j, t), "");
  }
  struct tamper {
    std::function<void(json&)> edit;
    std::string message;
  };
  const std::vector<tamper> cases = {
      {[](json& j) { j["claims"][0]["figures"] = json::object(); }, "figures is not an array"},
      {[](json& j) { j["claims"][0]["figures"][0]["series"][0]["style"] = "bars"; }, "style 'bars'"},
      {[](json& j) { j["claims"][0]["figures"][0]["series"][0]["y"].push_back(1.0); }, ".y has 6 values, x has 5"},
      {[](json& j) { j["claims"][0]["figures"][0]["series"][0]["hi"].erase(0); }, ".hi has 4 values"},
      {[](json& j) { j["claims"][0]["figures"][0]["series"][0]["x"][1] = "16"; }, "x is not a list of numbers"},
      {[](json& j) { j["claims"][0]["figures"][0]["series"][0].erase("y"); }, "lacks 'y'"},
      {[](json& j) { j["claims"][0]["figures"][0]["logx"] = "yes"; }, "logx is not true or false"},
      {[](json& j) { j["claims"][0]["figures"][0]["notes"] = json::array({1}); }, "notes is not a list of strings"},
      {[](json& j) { j["claims"][0]["figures"][0].erase("xlabel"); }, "lacks a string 'xlabel'"},
      {[](json& j) { j["claims"][0]["figures"].push_back(j["claims"][0]["figures"][0]); }, "repeated id 'error-vs-m'"},
      {[](json& j) { j["claims"][0]["bounds"][0]["value"] = "0.28"; }, "bounds[0] needs a string 'name' and a number"},
      {[](json& j) { j["claims"][0]["statistics"][0]["band"] = -1; }, "band' >= 0"},
      {[](json& j) { j["claims"][0]["statistics"][1].erase("band"); }, "statistics[1] needs a number 'band'"},
      {[](json& j) { j["claims"][1]["error"] = 3; }, "non-string 'error'"},
      {[](json& j) { j["claims"][1]["verdict"] = "passed"; }, "unknown verdict 'passed'"},
      {[](json& j) { j["claims"][2].erase("worst"); }, "claims[2] (arda2026.width_log_n) lacks a valid 'worst'"},
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    json j = good;
    cases[k].edit(j);
    const std::string msg = validation_error(j, t);
    EXPECT_NE(msg.find(cases[k].message), std::string::npos) << "case " << k << ": '" << msg << "'";
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line";
  }
  // Truncated file.
  const std::string text = good.dump();
  std::ofstream(t.path / "cut.json") << text.substr(0, text.size() / 2);
  EXPECT_THROW(ar::read_results((t.path / "cut.json").string()), attnbound::claims::bad_input);
}

TEST(Reports, GnuplotScriptSkipsNonFiniteAndNonPositiveOnLogAxes) {
  const json j = load_fixture();
  int omitted = -1;
  // Lemma 3 (log-log): m=64 has a null median -> one row left out, no NaN in the script.
  const std::string s = ar::gnuplot_script(j["claims"][0]["figures"][0], "stem", &omitted);
  EXPECT_EQ(omitted, 1);
  EXPECT_EQ(s.find("nan"), std::string::npos);
  EXPECT_EQ(s.find("inf"), std::string::npos);
  EXPECT_NE(s.find("set logscale x 10"), std::string::npos);
  EXPECT_NE(s.find("set logscale y 10"), std::string::npos);
  EXPECT_NE(s.find("'Lemma 3''s linearization error vs width (log-log)'"), std::string::npos) << "quoted title";
  EXPECT_NE(s.find("set xlabel 'width m (heads)'"), std::string::npos);
  EXPECT_NE(s.find("with filledcurves"), std::string::npos) << "CI band";
  EXPECT_NE(s.find("with yerrorbars"), std::string::npos) << "CI error bars";
  EXPECT_NE(s.find("dt 2 lc rgb '#333333' title 'bound B_lin = C/sqrt(m)'"), std::string::npos) << "bound dashed";
  EXPECT_NE(s.find("dt 1 lc rgb '#1f77b4' title 'fitted power law'"), std::string::npos) << "fit solid";
  EXPECT_NE(s.find("set xtics (8, 16, 32, 128)"), std::string::npos) << "tics at the measured widths";
  EXPECT_NE(s.find("if (!exists(\"outfile\")) outfile = 'stem.png'"), std::string::npos);
  // Linear axes keep zeros; a median of 0 on a log axis is left out.
  EXPECT_NE(ar::gnuplot_script(j["claims"][1]["figures"][0], "s", &omitted).find("\n16 0 0 0.168\n"), std::string::npos);
  EXPECT_EQ(omitted, 0);
  ar::gnuplot_script(j["claims"][5]["figures"][0], "s", &omitted);
  EXPECT_EQ(omitted, 1);
  // Only nulls: no script at all ("no data").
  EXPECT_EQ(ar::gnuplot_script(j["claims"][3]["figures"][1], "s", &omitted), "");
  EXPECT_EQ(omitted, 6);
}

TEST(Reports, WriteReportWritesEveryFileDeterministically) {
  temp_dir t("write");
  const json r = load_fixture();
  const fs::path d = t.path / "out";
  ar::write_report(r, d.string());
  for (const char* f : {"results.json", "report.md", "report.html", "junit.xml"})
    ASSERT_TRUE(fs::is_regular_file(d / f)) << f;
  EXPECT_EQ(json::parse(slurp(d / "results.json")), r) << "results.json is the source of truth";

  // Plots: the five figures with data, none for the all-null one; PNG files and scripts.
  EXPECT_EQ(count_files(d / "plots", ".png"), 5);
  EXPECT_EQ(count_files(d / "plots", ".gp"), 5);
  const fs::path png = d / "plots" / "arda2026.lemma3.linearization--error-vs-m.png";
  ASSERT_TRUE(fs::is_regular_file(png));
  EXPECT_EQ(slurp(png).substr(0, 4), "\x89PNG");
  EXPECT_FALSE(fs::exists(d / "plots" / "arda2026.t_independence--loss-vs-T.png"));

  // HTML: self-contained, summary first, every drawn plot embedded, no network reference.
  const std::string html = slurp(d / "report.html");
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(count_substr(html, "src=\"data:image/png;base64,"), 5);
  EXPECT_EQ(external_references(html), 0) << "every src/href is embedded or in-page";
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_LT(html.find("Summary"), html.find("Arda, Cayci &amp; Eryilmaz 2026"));
  EXPECT_NE(html.find("Reconstructed bound."), std::string::npos);
  EXPECT_NE(html.find("no data: the figure has no finite value to plot"), std::string::npos);
  EXPECT_NE(html.find("&lt;= B_lin"), std::string::npos) << "statement escaped";
  EXPECT_NE(html.find("fitted slope -0.505 [-0.58, -0.43]; predicted -0.5"), std::string::npos) << "notes";

  // Markdown: images linked relative to the report.
  const std::string md = slurp(d / "report.md");
  EXPECT_NE(md.find("](plots/arda2026.lemma3.linearization--error-vs-m.png)"), std::string::npos);
  EXPECT_EQ(count_substr(md, "](plots/"), 5);
  EXPECT_NE(md.find("**2 hold, 1 violated, 2 inconclusive, 1 vacuous**"), std::string::npos);
  EXPECT_NE(md.find("constants **reconstructed**"), std::string::npos);

  // JUnit: counts and the failure naming the worst configuration and seed.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(slurp(d / "junit.xml").c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_EQ(suite.attribute("tests").as_int(), 6);
  EXPECT_EQ(suite.attribute("failures").as_int(), 1);
  EXPECT_EQ(suite.attribute("errors").as_int(), 1);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 1);
  const auto failure = suite.find_child_by_attribute("testcase", "name", "arda2026.width_log_n").child("failure");
  const std::string message = failure.attribute("message").as_string();
  EXPECT_NE(message.find("n=3200"), std::string::npos) << message;
  EXPECT_NE(message.find("replay seed 7"), std::string::npos) << message;

  // Same input, same bytes (plots included); stale plots of an earlier report go away.
  std::ofstream(d / "plots" / "old.claim--gone.png") << "x";
  std::map<std::string, std::string> first;
  for (const auto& e : fs::recursive_directory_iterator(d))
    if (e.is_regular_file()) first[fs::relative(e.path(), d).string()] = slurp(e.path());
  ar::write_report(r, d.string());
  std::map<std::string, std::string> second;
  for (const auto& e : fs::recursive_directory_iterator(d))
    if (e.is_regular_file()) second[fs::relative(e.path(), d).string()] = slurp(e.path());
  first.erase("plots/old.claim--gone.png");
  EXPECT_EQ(first.size(), second.size());
  for (const auto& [name, bytes] : first) EXPECT_EQ(second[name], bytes) << name;
}

TEST(Reports, MissingOrFailingGnuplotLeavesAReportWithoutPlots) {
  temp_dir t("nognuplot");
  const json r = load_fixture();
  ar::write_report(r, (t.path / "a").string(), {"/nonexistent/gnuplot"});
  const std::string html = slurp(t.path / "a" / "report.html");
  EXPECT_NE(html.find("<b>No plots:</b> gnuplot was not found"), std::string::npos);
  EXPECT_EQ(count_substr(html, "<img "), 0);
  EXPECT_NE(slurp(t.path / "a" / "report.md").find("**No plots:** gnuplot was not found"), std::string::npos);
  EXPECT_EQ(count_files(t.path / "a" / "plots", ".png"), 0);
  EXPECT_EQ(count_files(t.path / "a" / "plots", ".gp"), 5) << "the data stays re-renderable";
  EXPECT_TRUE(fs::is_regular_file(t.path / "a" / "junit.xml"));

  // A plotting program that fails: every figure says so, nothing half-written.
  ar::write_report(r, (t.path / "b").string(), {"/bin/false"});
  const std::string html_b = slurp(t.path / "b" / "report.html");
  EXPECT_EQ(count_substr(html_b, "not drawn: gnuplot failed"), 5);
  EXPECT_EQ(count_files(t.path / "b" / "plots", ".png"), 0);
  for (const auto& e : fs::directory_iterator(t.path / "b" / "plots"))
    EXPECT_EQ(e.path().filename().string()[0] == '.', false) << "temporary file left: " << e.path();
}

TEST(Reports, UnwritableDirectoryIsBadInput) {
  EXPECT_THROW(ar::write_report(load_fixture(), "/proc/attnbound-report"), attnbound::claims::bad_input);
}
