#include "reports/markdown.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "reports/format.hpp"
#include "reports/results.hpp"

namespace attnbound::reports {

using nlohmann::json;

namespace {

std::string str(const json& obj, const char* key) {
  return obj.contains(key) && obj.at(key).is_string() ? obj.at(key).get<std::string>() : "";
}

int count(const json& summary, const char* key) {
  return summary.contains(key) && summary.at(key).is_number_integer() ? summary.at(key).get<int>() : 0;
}

/// One line of table or text: no newline, and '|' escaped.
std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

/// Inline code that survives backticks inside the text.
std::string code(const std::string& s) {
  return s.find('`') == std::string::npos ? fmt::format("`{}`", cell(s)) : fmt::format("`` {} ``", cell(s));
}

std::string named_value(const json& c, const char* name_key, const char* value_key) {
  const std::string name = str(c, name_key);
  const std::string value = number_text(c.contains(value_key) ? c.at(value_key) : json(), 6);
  return name.empty() ? value : fmt::format("{} = {}", cell(name), value);
}

std::string tightness(const json& c) {
  if (!c.contains("tightness_worst") || !c.at("tightness_worst").is_number() ||
      c.at("tightness_worst").get<double>() < 0)
    return "-";
  return fmt::format("{} / {}", number_text(c.value("tightness_median", json())), number_text(c.at("tightness_worst")));
}

std::string worst_text(const json& c, const json& r) {
  const std::string cfg = configuration_text(c.value("worst", json::object()));
  return fmt::format("{} (seed {})", cfg.empty() ? "-" : cfg, replay_seed(c, r));
}

}  // namespace


std::string markdown_report(const json& r, const plot_set* plots) {
  std::ostringstream md;
  const json& s = r.at("summary");
  const json& claims = r.at("claims");
  md << "# attnbound report\n\n";
  md << fmt::format("Profile `{}`, seed {}, {} claims: **{} hold, {} violated, {} inconclusive, {} vacuous**",
                    str(r, "profile"), r.at("seed").dump(), count(s, "total"), count(s, "holds"),
                    count(s, "violated"), count(s, "inconclusive"), count(s, "vacuous"));
  if (count(s, "errors") > 0) md << fmt::format(" ({} with an internal error)", count(s, "errors"));
  md << fmt::format(". Wall time {:.1f} s", r.value("wall_seconds", 0.0));
  if (r.contains("cpu_seconds") && r.contains("peak_rss_bytes"))
    md << fmt::format(", CPU time {:.1f} s, peak memory {:.0f} MiB", r.value("cpu_seconds", 0.0),
                      r.value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0));
  md << ".\n\n";
  md << fmt::format("attnbound {}, results schema `{}`, started {}, {} thread(s).", str(r, "attnbound_version"),
                    str(r, "schema"), str(r, "started_utc"), r.value("jobs", 1));
  if (r.contains("libraries") && r.at("libraries").is_object()) {
    md << " Libraries:";
    bool first = true;
    for (const auto& [k, v] : r.at("libraries").items())
      md << (first ? " " : ", ") << k << " " << (v.is_string() ? v.get<std::string>() : v.dump()), first = false;
    md << ".";
  }
  md << "\n\n";
  if (plots && !plots->gnuplot_found)
    md << "> **No plots:** gnuplot was not found when this report was written (install the Debian "
          "package `gnuplot-nox` and re-run `attnbound report --in results.json --out DIR`). Each "
          "figure's data and gnuplot script are in `plots/*.gp`.\n\n";
  md << "Bounds marked *reconstructed* use constants derived in `bounds/<paper>/NOTES.md`, not printed in "
        "the paper. `tightness` is measured/bound (median / worst). `results.json` is the source of "
        "truth; this page is rendered from it.\n\n";

  if (r.contains("baseline") && r.at("baseline").is_object()) {
    const json& b = r.at("baseline");
    const json regs = b.value("regressions", json::array());
    md << fmt::format("## Regressions against baseline `{}`: {}\n\n", str(b, "file"), regs.size());
    if (!regs.empty()) {
      md << "| claim | kind | name | old | new | rule |\n|---|---|---|---|---|---|\n";
      for (const auto& g : regs)
        md << fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", cell(str(g, "claim")), cell(str(g, "kind")),
                          cell(str(g, "name")), cell(str(g, "old")), cell(str(g, "new")), cell(str(g, "rule")));
      md << "\n";
    }
  }

  md << "| claim | theorem | bound | measured | tightness (median / worst) | verdict | constants | "
        "worst configuration (seed) |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : claims)
    md << fmt::format("| [`{}`](#{}) | {} | {} | {} | {} | **{}{}** | {} | {} |\n", cell(str(c, "id")),
                      str(c, "id"), cell(str(c, "theorem")), named_value(c, "bound_name", "bound"),
                      named_value(c, "measured_name", "measured"), tightness(c), str(c, "verdict"),
                      c.contains("error") ? " (error)" : "", str(c, "status"), cell(worst_text(c, r)));
  md << "\n";

  std::vector<std::string> papers;
  for (const auto& c : claims)
    if (std::find(papers.begin(), papers.end(), str(c, "paper")) == papers.end()) papers.push_back(str(c, "paper"));
  for (const auto& paper : papers) {
    md << "## " << cell(paper.empty() ? "(no paper)" : paper) << "\n\n";
    for (std::size_t i = 0; i < claims.size(); ++i) {
      const json& c = claims[i];
      if (str(c, "paper") != paper) continue;
      const std::string id = str(c, "id");
      md << fmt::format("<a id=\"{}\"></a>\n\n### {} `{}`: {}{}\n\n", id, cell(str(c, "theorem")), id,
                        str(c, "verdict"), c.contains("error") ? " (internal error)" : "");
      if (str(c, "status") == "reconstructed")
        md << fmt::format("*{}*; constants **reconstructed** (derived in `bounds/{}/NOTES.md`, not printed in the "
                          "paper).\n\n", str(c, "kind"), paper_prefix(id));
      else
        md << fmt::format("*{}*; constants **{}**.\n\n", str(c, "kind"), str(c, "status"));
      md << "> " << cell(str(c, "statement")) << "\n\n";
      if (c.contains("error"))
        md << "**Internal error:** " << cell(c.at("error").is_string() ? c.at("error").get<std::string>() : c.at("error").dump())
           << "\n\n";
      md << cell(str(c, "summary")) << "\n\n";
      md << "| | |\n|---|---|\n";
      md << "| bound | " << named_value(c, "bound_name", "bound") << " |\n";
      md << "| measured | " << named_value(c, "measured_name", "measured") << " |\n";
      md << "| tightness (median / worst) | " << tightness(c) << " |\n";
      md << "| worst configuration | " << cell(worst_text(c, r)) << " |\n";
      md << "| replay | " << code(replay_command(c, r)) << " |\n";
      if (c.contains("seconds") && c.at("seconds").is_number())
        md << fmt::format("| time | {:.2f} s |\n", c.at("seconds").get<double>());
      md << "\n";
      if (c.contains("bounds") && c.at("bounds").is_array() && !c.at("bounds").empty()) {
        md << "Tracked bounds: ";
        bool first = true;
        for (const auto& b : c.at("bounds"))
          md << (first ? "" : "; ") << cell(str(b, "name")) << " = " << number_text(b.value("value", json()), 10),
              first = false;
        md << ".\n\n";
      }
      if (c.contains("statistics") && c.at("statistics").is_array() && !c.at("statistics").empty()) {
        md << "Tracked statistics (value ± regression band): ";
        bool first = true;
        for (const auto& st : c.at("statistics"))
          md << (first ? "" : "; ") << cell(str(st, "name")) << " = " << number_text(st.value("value", json()), 6)
             << " ± " << number_text(st.value("band", json()), 3),
              first = false;
        md << ".\n\n";
      }
      const json figs = c.value("figures", json::array());
      for (std::size_t k = 0; k < figs.size(); ++k) {
        const json& f = figs[k];
        const rendered_figure* rf =
            plots && i < plots->claims.size() && k < plots->claims[i].size() ? &plots->claims[i][k] : nullptr;
        const std::string title = cell(str(f, "title").empty() ? str(f, "id") : str(f, "title"));
        if (rf && rf->st == rendered_figure::state::drawn)
          md << fmt::format("![{}](plots/{}.png)\n\n", title, rf->stem);
        else
          md << fmt::format("**Figure: {}**: {}\n\n", title,
                            rf ? rf->message : std::string("not rendered (see report.html)"));
        std::vector<std::string> notes;
        if (rf) notes = rf->notes;
        else
          for (const auto& n : f.value("notes", json::array()))
            if (n.is_string()) notes.push_back(n.get<std::string>());
        for (const auto& n : notes) md << "- *" << cell(n) << "*\n";
        if (!notes.empty()) md << "\n";
      }
    }
  }
  return md.str();
}

}  // namespace attnbound::reports
