// The lavie2024.* claims (spec lavie2024-transformer-gp-limit.md section 5): the NNGP limit of
// the simplified attention block on one-hot tokens and its S_L symmetry. Three groups, one file
// per claim: the kernel and its symmetry (kernel_claims.cpp: finite width -> kernel, invariance
// and projector identities, isotypic spectrum and character traces, closed forms) and learning
// (learning_claims.cpp: learnability bounds and the scaling law in L, learning curves), and the
// symmetry of the data the theory assumes (data_symmetry.cpp).
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::lavie2024 {

std::vector<claim> kernel_claims();    // lavie2024.finite-width, .invariance, .isotypic-spectrum, .closed-forms
std::vector<claim> learning_claims();  // lavie2024.learnability-scaling, .learning-curves
std::vector<claim> data_claims();      // lavie2024.data-symmetry (data_symmetry.cpp)

}  // namespace attnbound::claims::lavie2024
