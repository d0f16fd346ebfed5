// The lavie2024.* claims (spec lavie2024-transformer-gp-limit.md section 5): the NNGP limit of
// the simplified attention block on one-hot tokens and its S_L symmetry. Two groups, one file
// per claim: the kernel and its symmetry (kernel_claims.cpp: finite width -> kernel, invariance
// and projector identities, isotypic spectrum and character traces, closed forms) and learning
// (learning_claims.cpp: learnability bounds and the scaling law in L, learning curves).
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::lavie2024 {

std::vector<claim> kernel_claims();    // lavie2024.finite-width, .invariance, .isotypic-spectrum, .closed-forms
std::vector<claim> learning_claims();  // lavie2024.learnability-scaling, .learning-curves

}  // namespace attnbound::claims::lavie2024
