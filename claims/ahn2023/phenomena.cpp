#include "claims/ahn2023/phenomena.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> phenomena_claims() { return {}; }

}  // namespace attnbound::claims::ahn2023
