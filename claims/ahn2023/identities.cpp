#include "claims/ahn2023/identities.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> identity_claims() { return {}; }

}  // namespace attnbound::claims::ahn2023
