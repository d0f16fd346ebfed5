// Closed-form bounds exposed by `attnbound bound <id>`: each evaluates its terms in MPFR at
// the requested number of significant digits.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "claims/params.hpp"

namespace attnbound::claims {

struct bound_entry {
  std::string id;
  std::string description;
  std::string status;  // exact | reconstructed (of the headline terms)
  std::vector<param_spec> params;
  /// {"terms": {name: decimal string}, "labels": {name: provenance}}.
  std::function<nlohmann::json(const param_values&, unsigned digits)> evaluate;
};

const std::vector<bound_entry>& bound_registry();
const bound_entry* find_bound(const std::string& id);

/// The paper's experiment configuration as parameter specs (Arda et al. 2026, section 6.1).
std::vector<param_spec> arda2026_bound_params();

}  // namespace attnbound::claims
