// report.md: the summary table of every claim, then one section per paper and claim with its
// statement, numbers, worst configuration and replay command, tracked values, and its plots
// linked as plots/<claim-id>--<figure-id>.png (relative, so the directory can be moved).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/plots.hpp"

namespace attnbound::reports {

/// `plots` says which figures were drawn (null: figures are listed, not linked).
std::string markdown_report(const nlohmann::json& results, const plot_set* plots);

}  // namespace attnbound::reports
