#include "reports/html.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "reports/format.hpp"

namespace attnbound::reports {

using nlohmann::json;

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

namespace {

// No network: every fetch is refused; images only from data: URIs, style and script inline.
constexpr const char* csp =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'";

constexpr const char* css = R"CSS(
:root { --holds:#1a7f37; --violated:#cf222e; --inconclusive:#9a6700; --vacuous:#57606a; --error:#8250df;
        --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; font:16px/1.5 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 19px; margin: 0 0 8px; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 14px; }
.meta { color: var(--muted); font-size: 14px; margin: 0 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-left: 6px solid var(--c); border-radius: 6px;
        padding: 10px 14px; background: var(--soft); }
.card .n { display: block; font-size: 30px; font-weight: bold; color: var(--c); line-height: 1.1; }
.card.holds { --c: var(--holds); } .card.violated { --c: var(--violated); }
.card.inconclusive { --c: var(--inconclusive); } .card.vacuous { --c: var(--vacuous); } .card.error { --c: var(--error); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.numbers th { width: 32%; }
table.summary td:nth-child(2) { min-width: 200px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff; font-size: 13px; font-weight: bold;
         background: var(--c); vertical-align: middle; }
.badge.holds { --c: var(--holds); } .badge.violated { --c: var(--violated); }
.badge.inconclusive { --c: var(--inconclusive); } .badge.vacuous { --c: var(--vacuous); } .badge.error { --c: var(--error); }
.tag { display: inline-block; padding: 0 8px; border-radius: 4px; font-size: 13px; border: 1px solid var(--line);
       background: var(--soft); margin-right: 6px; white-space: nowrap; }
.tag.reconstructed { border-color: #d4a72c; background: #fff8c5; color: #7d4e00; font-weight: bold; }
.tag.exact { border-color: #4ac26b; background: #dafbe1; color: #116329; }
.claim { border: 1px solid var(--line); border-left: 6px solid var(--c); border-radius: 6px; padding: 16px 20px;
         margin: 0 0 24px; }
.claim.holds { --c: var(--holds); } .claim.violated { --c: var(--violated); }
.claim.inconclusive { --c: var(--inconclusive); } .claim.vacuous { --c: var(--vacuous); } .claim.error { --c: var(--error); }
.statement { margin: 10px 0; padding: 8px 14px; border-left: 4px solid var(--line); background: var(--soft);
             font-style: italic; }
.note { margin: 8px 0; padding: 8px 12px; border-radius: 6px; font-size: 14px; }
.note.reconstructed { background: #fff8c5; border: 1px solid #d4a72c; }
.note.error, .note.warning { background: #ffebe9; border: 1px solid #ff8182; }
.note.ok { background: #dafbe1; border: 1px solid #4ac26b; }
.summary-line { font-weight: bold; }
.tracked { display: flex; flex-wrap: wrap; gap: 16px; } .tracked > div { flex: 1 1 300px; }
figure.plot { margin: 16px 0; }
figure.plot img { display: block; width: 100%; max-width: 960px; height: auto; border: 1px solid var(--line); }
figure.plot figcaption { font-size: 14px; color: var(--ink); max-width: 960px; }
figure.plot figcaption ul { margin: 4px 0 0; padding-left: 20px; color: var(--muted); }
.nodata { max-width: 960px; padding: 24px; text-align: center; border: 1px dashed var(--muted); color: var(--muted);
          background: var(--soft); }
.plot-failed { color: var(--violated); font-weight: bold; }
details pre { max-height: 360px; overflow: auto; background: var(--soft); padding: 8px; border: 1px solid var(--line); }
footer { color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); margin-top: 32px; padding-bottom: 24px; }
a { color: #0969da; }
)CSS";

// Marks each plot loaded or failed (read back by tests/cli/report_browser.sh).
constexpr const char* script = R"JS(
(function () {
  function check() {
    var imgs = document.querySelectorAll('img.plot-img'), ok = 0, bad = 0;
    for (var k = 0; k < imgs.length; k++) {
      var img = imgs[k], good = img.complete && img.naturalWidth > 0;
      img.setAttribute('data-state', good ? 'loaded' : 'failed');
      if (good) { ok++; continue; }
      bad++;
      var p = document.createElement('p');
      p.className = 'plot-failed';
      p.textContent = 'This plot failed to display.';
      img.parentNode.insertBefore(p, img.nextSibling);
    }
    document.body.setAttribute('data-plots-loaded', String(ok));
    document.body.setAttribute('data-plots-failed', String(bad));
    var s = document.getElementById('plot-check');
    if (s) s.textContent = ok + ' of ' + imgs.length + ' plots displayed' + (bad ? ', ' + bad + ' failed' : '') + '.';
  }
  if (document.readyState === 'complete') check(); else window.addEventListener('load', check);
})();
)JS";

std::string str(const json& obj, const char* key) {
  return obj.contains(key) && obj.at(key).is_string() ? obj.at(key).get<std::string>() : "";
}

int count(const json& summary, const char* key) {
  return summary.contains(key) && summary.at(key).is_number_integer() ? summary.at(key).get<int>() : 0;
}

std::string verdict_class(const json& c) { return c.contains("error") ? "error" : str(c, "verdict"); }

std::string verdict_badge(const json& c) {
  return fmt::format("<span class=\"badge {}\">{}{}</span>", html_escape(verdict_class(c)), html_escape(str(c, "verdict")),
                     c.contains("error") ? " · internal error" : "");
}

std::string status_tag(const json& c, bool short_form = false) {
  const std::string st = str(c, "status");
  const std::string suffix = short_form ? "" : " constants";
  if (st == "reconstructed") return "<span class=\"tag reconstructed\">reconstructed" + suffix + "</span>";
  return fmt::format("<span class=\"tag {}\">{}{}</span>", html_escape(st), html_escape(st), suffix);
}

std::string named_value(const json& c, const char* name_key, const char* value_key) {
  const std::string value = number_text(c.contains(value_key) ? c.at(value_key) : json(), 6);
  const std::string name = str(c, name_key);
  return name.empty() ? value : html_escape(name) + " = <b>" + value + "</b>";
}

std::string tightness(const json& c) {
  if (!c.contains("tightness_worst") || !c.at("tightness_worst").is_number() ||
      c.at("tightness_worst").get<double>() < 0)
    return "-";
  return fmt::format("{} / {}", number_text(c.value("tightness_median", json())), number_text(c.at("tightness_worst")));
}

void claim_section(std::ostringstream& h, const json& c, const json& r, const std::vector<rendered_figure>* figs) {
  const std::string id = str(c, "id");
  h << fmt::format("<article class=\"claim {}\" id=\"{}\">\n", html_escape(verdict_class(c)), html_escape(id));
  h << fmt::format("<h3>{} {} · <code>{}</code></h3>\n", verdict_badge(c), html_escape(str(c, "theorem")), html_escape(id));
  h << fmt::format("<p><span class=\"tag\">{}</span>{}</p>\n", html_escape(str(c, "kind")), status_tag(c));
  if (str(c, "status") == "reconstructed")
    h << fmt::format("<p class=\"note reconstructed\"><b>Reconstructed bound.</b> The constants of this bound are "
                     "not printed in the paper; they are derived in <code>bounds/{}/NOTES.md</code>.</p>\n",
                     html_escape(paper_prefix(id)));
  h << "<blockquote class=\"statement\">" << html_escape(str(c, "statement")) << "</blockquote>\n";
  if (c.contains("error"))
    h << "<p class=\"note error\"><b>Internal error:</b> "
      << html_escape(c.at("error").is_string() ? c.at("error").get<std::string>() : c.at("error").dump()) << "</p>\n";
  h << "<p class=\"summary-line\">" << html_escape(str(c, "summary")) << "</p>\n";

  const json worst = c.value("worst", json::object());
  const std::string cfg = configuration_text(worst);
  h << "<table class=\"numbers\">\n";
  h << "<tr><th>bound</th><td class=\"num\">" << named_value(c, "bound_name", "bound") << "</td></tr>\n";
  h << "<tr><th>measured</th><td class=\"num\">" << named_value(c, "measured_name", "measured") << "</td></tr>\n";
  h << "<tr><th>tightness (measured / bound: median / worst)</th><td class=\"num\">" << tightness(c) << "</td></tr>\n";
  h << "<tr><th>worst configuration</th><td>" << (cfg.empty() ? "-" : html_escape(cfg));
  if (worst.contains("what") && worst.at("what").is_string())
    h << fmt::format(" <span class=\"meta\">({} = {})</span>", html_escape(worst.at("what").get<std::string>()),
                     number_text(worst.value("value", json()), 6));
  h << "</td></tr>\n";
  h << "<tr><th>replay seed</th><td class=\"num\">" << html_escape(replay_seed(c, r)) << "</td></tr>\n";
  h << "<tr><th>replay</th><td><code>" << html_escape(replay_command(c, r)) << "</code></td></tr>\n";
  if (c.contains("seconds") && c.at("seconds").is_number())
    h << fmt::format("<tr><th>time</th><td class=\"num\">{:.2f} s</td></tr>\n", c.at("seconds").get<double>());
  h << "</table>\n";

  const json bounds = c.value("bounds", json::array()), stats = c.value("statistics", json::array());
  if (!bounds.empty() || !stats.empty()) {
    h << "<div class=\"tracked\">\n";
    if (!bounds.empty()) {
      h << "<div><table><tr><th>tracked bound</th><th>value</th></tr>\n";
      for (const auto& b : bounds)
        h << fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", html_escape(str(b, "name")),
                         number_text(b.value("value", json()), 10));
      h << "</table></div>\n";
    }
    if (!stats.empty()) {
      h << "<div><table><tr><th>tracked statistic</th><th>value</th><th>band</th></tr>\n";
      for (const auto& s : stats)
        h << fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">± {}</td></tr>\n",
                         html_escape(str(s, "name")), number_text(s.value("value", json()), 6),
                         number_text(s.value("band", json()), 3));
      h << "</table></div>\n";
    }
    h << "</div>\n";
  }

  const json fjs = c.value("figures", json::array());
  for (std::size_t k = 0; k < fjs.size(); ++k) {
    const json& f = fjs[k];
    const std::string title = str(f, "title").empty() ? str(f, "id") : str(f, "title");
    const rendered_figure* rf = figs && k < figs->size() ? &(*figs)[k] : nullptr;
    h << fmt::format("<figure class=\"plot\" id=\"{}\">\n", html_escape(rf ? rf->stem : id + "--" + str(f, "id")));
    if (rf && rf->st == rendered_figure::state::drawn)
      h << fmt::format("<img class=\"plot-img\" alt=\"{}\" width=\"{}\" height=\"{}\" src=\"data:image/png;base64,{}\">\n",
                       html_escape(title), rf->width, rf->height, base64(rf->png));
    else
      h << "<div class=\"nodata\">" << html_escape(rf ? rf->message : "not rendered") << "</div>\n";
    h << "<figcaption><b>" << html_escape(title) << "</b>";
    if (rf && rf->st == rendered_figure::state::drawn)
      h << fmt::format(" <span class=\"meta\">(plots/{}.png; gnuplot script plots/{}.gp)</span>", html_escape(rf->stem),
                       html_escape(rf->stem));
    if (rf && !rf->notes.empty()) {
      h << "<ul>";
      for (const auto& n : rf->notes) h << "<li>" << html_escape(n) << "</li>";
      h << "</ul>";
    }
    h << "</figcaption>\n</figure>\n";
  }
  if (c.contains("details") && c.at("details").is_object() && !c.at("details").empty())
    h << "<details><summary>details (JSON, as in results.json)</summary><pre>" << html_escape(c.at("details").dump(1))
      << "</pre></details>\n";
  h << "</article>\n";
}

}  // namespace

std::string html_report(const json& r, const plot_set& plots) {
  const json& s = r.at("summary");
  const json& claims = r.at("claims");
  std::ostringstream h;
  const std::string headline = fmt::format("{} hold, {} violated, {} inconclusive, {} vacuous", count(s, "holds"),
                                           count(s, "violated"), count(s, "inconclusive"), count(s, "vacuous"));
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta http-equiv=\"Content-Security-Policy\" content=\"" << csp << "\">\n"
    << "<meta name=\"referrer\" content=\"no-referrer\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>attnbound report: " << html_escape(headline) << "</title>\n<style>" << css << "</style>\n</head>\n<body>\n";

  h << "<header>\n<h1>attnbound report</h1>\n<p class=\"meta\">";
  h << fmt::format("Profile <b>{}</b> · seed <b>{}</b> · {} thread(s) · wall time {:.1f} s · started {} · attnbound {} · "
                   "schema <code>{}</code>",
                   html_escape(str(r, "profile")), html_escape(r.at("seed").dump()), r.value("jobs", 1),
                   r.value("wall_seconds", 0.0), html_escape(str(r, "started_utc")),
                   html_escape(str(r, "attnbound_version")), html_escape(str(r, "schema")));
  if (r.contains("cpu_seconds") && r.contains("peak_rss_bytes"))
    h << fmt::format(" · CPU time {:.1f} s · peak memory {:.0f} MiB", r.value("cpu_seconds", 0.0),
                     r.value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0));
  if (r.contains("libraries") && r.at("libraries").is_object()) {
    h << "<br>Libraries:";
    bool first = true;
    for (const auto& [k, v] : r.at("libraries").items())
      h << (first ? " " : ", ") << html_escape(k) << " " << html_escape(v.is_string() ? v.get<std::string>() : v.dump()),
          first = false;
  }
  h << "</p>\n</header>\n<main>\n";

  // Summary first.
  h << "<section id=\"summary\">\n<h2>Summary: " << count(s, "total") << " claims</h2>\n<div class=\"cards\">\n";
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"holds", "hold"}, {"violated", "violated"}, {"inconclusive", "inconclusive"}, {"vacuous", "vacuous"}})
    h << fmt::format("<div class=\"card {}\"><span class=\"n\">{}</span>{}</div>\n", key, count(s, key), label);
  if (count(s, "errors") > 0)
    h << fmt::format("<div class=\"card error\"><span class=\"n\">{}</span>internal error{}</div>\n", count(s, "errors"),
                     count(s, "errors") == 1 ? "" : "s");
  h << "</div>\n";
  h << "<p class=\"meta\"><b>holds</b>: the experiment agrees with the bound · <b>violated</b>: a finding, with its "
       "configuration and seed · <b>inconclusive</b>: too few runs or the event rarely held · <b>vacuous</b>: the "
       "bound exceeds a trivial bound (still checked). Tightness is measured/bound.</p>\n";
  if (!plots.gnuplot_found)
    h << "<p class=\"note warning\"><b>No plots:</b> gnuplot was not found when this report was written. Install the "
         "Debian package <code>gnuplot-nox</code> and run <code>attnbound report --in results.json --out DIR</code> "
         "again; each figure's data and gnuplot script are in <code>plots/*.gp</code>.</p>\n";
  if (r.contains("baseline") && r.at("baseline").is_object()) {
    const json& b = r.at("baseline");
    const json regs = b.value("regressions", json::array());
    h << fmt::format("<p class=\"note {}\"><b>{} regression{}</b> against baseline <code>{}</code>.</p>\n",
                     regs.empty() ? "ok" : "error", regs.size(), regs.size() == 1 ? "" : "s",
                     html_escape(str(b, "file")));
    if (!regs.empty()) {
      h << "<table><tr><th>claim</th><th>kind</th><th>name</th><th>old</th><th>new</th><th>rule</th></tr>\n";
      for (const auto& g : regs)
        h << fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                         "<td class=\"num\">{}</td><td>{}</td></tr>\n",
                         html_escape(str(g, "claim")), html_escape(str(g, "kind")), html_escape(str(g, "name")),
                         html_escape(str(g, "old")), html_escape(str(g, "new")), html_escape(str(g, "rule")));
      h << "</table>\n";
    }
  }
  h << "<table class=\"summary\">\n<tr><th>claim</th><th>theorem</th><th>verdict</th><th>bound</th><th>measured</th>"
       "<th>tightness</th><th>constants</th></tr>\n";
  for (const auto& c : claims)
    h << fmt::format("<tr><td><a href=\"#{}\"><code>{}</code></a></td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                     "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                     html_escape(str(c, "id")), html_escape(str(c, "id")), html_escape(str(c, "theorem")),
                     verdict_badge(c), number_text(c.value("bound", json())), number_text(c.value("measured", json())),
                     tightness(c), status_tag(c, true));
  h << "</table>\n</section>\n";

  // Then one section per paper, claims in the document's order.
  std::vector<std::string> papers;
  for (const auto& c : claims)
    if (std::find(papers.begin(), papers.end(), str(c, "paper")) == papers.end()) papers.push_back(str(c, "paper"));
  for (const auto& paper : papers) {
    h << "<section class=\"paper\">\n<h2>" << html_escape(paper.empty() ? "(no paper)" : paper) << "</h2>\n";
    for (std::size_t i = 0; i < claims.size(); ++i)
      if (str(claims[i], "paper") == paper)
        claim_section(h, claims[i], r, i < plots.claims.size() ? &plots.claims[i] : nullptr);
    h << "</section>\n";
  }
  h << "</main>\n<footer>\n<p>Rendered from <code>results.json</code> (the source of truth) by attnbound. Plots are "
       "drawn by gnuplot; each one's data and script are in <code>plots/</code>. <span id=\"plot-check\"></span></p>\n"
       "</footer>\n<script>" << script << "</script>\n</body>\n</html>\n";
  return h.str();
}

}  // namespace attnbound::reports
