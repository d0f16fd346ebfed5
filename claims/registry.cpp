#include "claims/ahn2023/identities.hpp"
#include "claims/ahn2023/phenomena.hpp"
#include "claims/arda2026/claims.hpp"
#include "claims/claim.hpp"
#include "claims/lavie2024/claims.hpp"
#include "claims/li2024/claims.hpp"

namespace attnbound::claims {

const std::vector<claim>& registry() {
  static const std::vector<claim> all = [] {
    std::vector<claim> v;
    for (auto& c : arda2026::all_claims()) v.push_back(std::move(c));
    for (auto& c : ahn2023::identity_claims()) v.push_back(std::move(c));
    for (auto& c : ahn2023::phenomena_claims()) v.push_back(std::move(c));
    for (auto& c : li2024::stage_claims()) v.push_back(std::move(c));
    for (auto& c : li2024::generalization_claims()) v.push_back(std::move(c));
    for (auto& c : lavie2024::kernel_claims()) v.push_back(std::move(c));
    for (auto& c : lavie2024::learning_claims()) v.push_back(std::move(c));
    for (auto& c : lavie2024::data_claims()) v.push_back(std::move(c));
    return v;
  }();
  return all;
}

}  // namespace attnbound::claims
