#include "claims/arda2026/claims.hpp"
#include "claims/claim.hpp"

namespace attnbound::claims {

const std::vector<claim>& registry() {
  static const std::vector<claim> all = [] {
    std::vector<claim> v;
    for (auto& c : arda2026::all_claims()) v.push_back(std::move(c));
    return v;
  }();
  return all;
}

}  // namespace attnbound::claims
