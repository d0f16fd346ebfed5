// The deterministic-identity claims P1-P8 (spec ahn2023-linear-attention.md section 4), one
// file each (claims/ahn2023/p1_..p8_*.cpp); shared pieces in identity_common.hpp and the
// independent reference computations in identity_references.hpp.
#include "claims/ahn2023/identities.hpp"

#include "claims/ahn2023/identity_common.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> identity_claims() {
  return {p1_one_layer_quadratic(), p2_theorem1(), p3_von_oswald(), p4_lemma1(), p5_test_length(), p6_multistep_gd(), p7_invariances(), p8_relu_attention()};
}

}  // namespace attnbound::claims::ahn2023
