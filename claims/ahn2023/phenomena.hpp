// The training claims of the linear-attention papers (spec ahn2023-linear-attention.md
// section 4, P9-P15): trained models reach the closed forms, and the optimization phenomena
// of [AHN-b] (Adam vs SGD, heavy-tailed noise, smoothness), one file each.
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> phenomena_claims();

}  // namespace attnbound::claims::ahn2023
