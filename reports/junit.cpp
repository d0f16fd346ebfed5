#include "reports/junit.hpp"

#include <sstream>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "reports/format.hpp"

namespace attnbound::reports {

using nlohmann::json;

namespace {

std::string str(const json& obj, const char* key) {
  return obj.contains(key) && obj.at(key).is_string() ? obj.at(key).get<std::string>() : "";
}

void property(pugi::xml_node props, const std::string& name, const std::string& value) {
  auto p = props.append_child("property");
  p.append_attribute("name") = xml_safe(name).c_str();
  p.append_attribute("value") = xml_safe(value).c_str();
}

void text_child(pugi::xml_node parent, const char* tag, const std::string& text) {
  parent.append_child(tag).append_child(pugi::node_pcdata).set_value(xml_safe(text).c_str());
}

}  // namespace

std::string junit_report(const json& r) {
  const json& claims = r.at("claims");
  int failures = 0, errors = 0, skipped = 0;
  double total_time = 0;
  for (const auto& c : claims) {
    if (c.contains("error")) ++errors;
    else if (str(c, "verdict") == "violated") ++failures;
    else if (str(c, "verdict") == "inconclusive") ++skipped;
    total_time += c.value("seconds", 0.0);
  }
  // A check against a baseline adds one testcase that fails when anything regressed.
  const bool has_baseline = r.contains("baseline") && r.at("baseline").is_object();
  const json regressions = has_baseline ? r.at("baseline").value("regressions", json::array()) : json::array();
  if (!regressions.empty()) ++failures;
  const std::string time = fmt::format("{:.3f}", r.contains("wall_seconds") && r.at("wall_seconds").is_number()
                                                      ? r.at("wall_seconds").get<double>() : total_time);

  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "attnbound";
  for (auto node : {suites, suites.append_child("testsuite")}) {
    if (node != suites) node.append_attribute("name") = xml_safe("attnbound." + str(r, "profile")).c_str();
    node.append_attribute("tests") = static_cast<unsigned>(claims.size() + (has_baseline ? 1 : 0));
    node.append_attribute("failures") = failures;
    node.append_attribute("errors") = errors;
    node.append_attribute("skipped") = skipped;
    node.append_attribute("time") = time.c_str();
  }
  auto suite = suites.child("testsuite");
  if (!str(r, "started_utc").empty()) suite.append_attribute("timestamp") = xml_safe(str(r, "started_utc")).c_str();

  auto sprops = suite.append_child("properties");
  property(sprops, "schema", str(r, "schema"));
  property(sprops, "attnbound_version", str(r, "attnbound_version"));
  property(sprops, "profile", str(r, "profile"));
  property(sprops, "seed", r.at("seed").dump());
  if (r.contains("jobs")) property(sprops, "jobs", r.at("jobs").dump());
  if (r.contains("libraries") && r.at("libraries").is_object())
    for (const auto& [k, v] : r.at("libraries").items())
      property(sprops, "library." + k, v.is_string() ? v.get<std::string>() : v.dump());

  for (const auto& c : claims) {
    const std::string id = str(c, "id"), verdict = str(c, "verdict");
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = xml_safe(paper_prefix(id)).c_str();
    tc.append_attribute("name") = xml_safe(id).c_str();
    tc.append_attribute("time") = fmt::format("{:.3f}", c.value("seconds", 0.0)).c_str();
    auto props = tc.append_child("properties");
    property(props, "verdict", verdict);
    property(props, "status", str(c, "status"));
    property(props, "theorem", str(c, "theorem"));
    property(props, "kind", str(c, "kind"));
    property(props, "bound_name", str(c, "bound_name"));
    property(props, "bound", exact_text(c.value("bound", json())));
    property(props, "measured_name", str(c, "measured_name"));
    property(props, "measured", exact_text(c.value("measured", json())));
    property(props, "tightness_median", exact_text(c.value("tightness_median", json())));
    property(props, "tightness_worst", exact_text(c.value("tightness_worst", json())));
    property(props, "replay_seed", replay_seed(c, r));
    property(props, "worst_configuration", configuration_text(c.value("worst", json::object())));
    property(props, "replay_command", replay_command(c, r));

    const std::string cfg = configuration_text(c.value("worst", json::object()));
    const std::string where = fmt::format("worst configuration {} (replay seed {}: {})", cfg.empty() ? "-" : cfg,
                                          replay_seed(c, r), replay_command(c, r));
    if (c.contains("error")) {
      auto e = tc.append_child("error");
      const std::string msg = c.at("error").is_string() ? c.at("error").get<std::string>() : c.at("error").dump();
      e.append_attribute("type") = "internal-error";
      e.append_attribute("message") = xml_safe("internal error: " + msg).c_str();
      e.append_child(pugi::node_pcdata).set_value(xml_safe(str(c, "summary")).c_str());
    } else if (verdict == "violated") {
      auto f = tc.append_child("failure");
      f.append_attribute("type") = "violated";
      f.append_attribute("message") =
          xml_safe(fmt::format("violated: {} = {} against {} = {}; {}", str(c, "measured_name"),
                               number_text(c.value("measured", json()), 6), str(c, "bound_name"),
                               number_text(c.value("bound", json()), 6), where)).c_str();
      f.append_child(pugi::node_pcdata).set_value(
          xml_safe(str(c, "summary") + "\nworst: " + c.value("worst", json::object()).dump()).c_str());
    } else if (verdict == "inconclusive") {
      tc.append_child("skipped").append_attribute("message") =
          xml_safe("inconclusive: " + str(c, "summary")).c_str();
    }
    std::string out = fmt::format("{} ({}, constants {}): {}", verdict, str(c, "theorem"), str(c, "status"),
                                  str(c, "summary"));
    if (verdict == "vacuous")
      out += "\nvacuous: the bound was checked and held, but it exceeds a trivial bound.";
    text_child(tc, "system-out", out);
  }
  if (has_baseline) {
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = "attnbound.baseline";
    tc.append_attribute("name") = xml_safe("regressions against " + str(r.at("baseline"), "file")).c_str();
    tc.append_attribute("time") = "0";
    std::string lines;
    for (const auto& g : regressions)
      lines += fmt::format("{}: {} '{}': {} -> {} ({})\n", str(g, "claim"), str(g, "kind"), str(g, "name"),
                           str(g, "old"), str(g, "new"), str(g, "rule"));
    if (!regressions.empty()) {
      auto f = tc.append_child("failure");
      f.append_attribute("type") = "regression";
      f.append_attribute("message") = xml_safe(fmt::format("{} regression(s) against baseline {}", regressions.size(),
                                                           str(r.at("baseline"), "file"))).c_str();
      f.append_child(pugi::node_pcdata).set_value(xml_safe(lines).c_str());
    }
  }
  std::ostringstream xml;
  doc.save(xml, "  ", pugi::format_default, pugi::encoding_utf8);
  return xml.str();
}

}  // namespace attnbound::reports
