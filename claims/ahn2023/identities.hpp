// The deterministic identities of the linear-attention papers (spec ahn2023-linear-attention.md
// section 4, P1-P8): [AHN-a]/[AHN-b] (ahn2023.*), von Oswald et al. (vonoswald2023.*) and
// Zhang, Frei & Bartlett (zhang2024.*), one file each.
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> identity_claims();

}  // namespace attnbound::claims::ahn2023
