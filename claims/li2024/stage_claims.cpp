// The training-dynamics claims of Li et al. 2024 (spec li2024-signgd-two-layer-transformer.md
// 6.1-6.3): the exact per-step laws of SignGD and the four stages. One file per claim.
#include "claims/li2024/claims.hpp"
#include "claims/li2024/common.hpp"

namespace attnbound::claims::li2024 {

std::vector<claim> stage_claims() {
  std::vector<claim> v;
  v.push_back(exact_laws_claim());
  v.push_back(four_stages_claim());
  return v;
}

}  // namespace attnbound::claims::li2024
