// The li2024.* claims (spec li2024-signgd-two-layer-transformer.md section 6): SignGD and Adam
// on the reconstructed two-layer Transformer with signal-noise data. Two groups, one file
// per claim: the training dynamics (exact per-step laws, the four stages; stage_claims.cpp)
// and convergence and generalization (generalization_claims.cpp).
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::li2024 {

std::vector<claim> stage_claims();           // li2024.exact-laws, li2024.four-stages
std::vector<claim> generalization_claims();  // li2024.linear-convergence, li2024.poor-generalization, li2024.not-solely-noise

}  // namespace attnbound::claims::li2024
