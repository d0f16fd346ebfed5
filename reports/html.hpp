// report.html: one self-contained page (inline CSS, plots embedded as base64 PNG data URIs,
// a Content-Security-Policy that forbids every network fetch), so it opens offline.
// It leads with the summary (how many claims hold, are violated, inconclusive, vacuous),
// then one section per paper and claim: theorem statement, exact/reconstructed constants,
// bound, measured value, tightness, worst configuration with its replay seed and command,
// tracked bounds and statistics, and the plots with their notes. A small inline script
// marks each plot image data-state="loaded" or "failed" once the page has loaded (and says
// so visibly when one fails); tests/cli/report_browser.sh reads it back from the DOM.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/plots.hpp"

namespace attnbound::reports {

std::string html_report(const nlohmann::json& results, const plot_set& plots);

/// Text or attribute value escaped for HTML (& < > " ').
std::string html_escape(const std::string& s);

}  // namespace attnbound::reports
