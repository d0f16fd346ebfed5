// The kernel and symmetry claims of Lavie, Gur-Ari, Ringel 2024 (spec
// lavie2024-transformer-gp-limit.md section 5, checks 1-6). One file per claim.
#include "claims/lavie2024/claims.hpp"

namespace attnbound::claims::lavie2024 {

std::vector<claim> kernel_claims() { return {}; }

}  // namespace attnbound::claims::lavie2024
