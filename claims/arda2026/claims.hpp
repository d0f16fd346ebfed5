// The claims of Arda, Cayci & Eryilmaz 2026, one file each.
#pragma once

#include <vector>

#include "claims/claim.hpp"

namespace attnbound::claims::arda2026 {

claim lemma3_linearization();
claim lemma5_approximation();
claim width_log_n();
claim t_independence();
claim theorem1_projgd();
claim prop1_projsgd();
claim rnn_contrast();
claim ar_lag();
claim memory();

inline std::vector<claim> all_claims() {
  return {lemma3_linearization(), lemma5_approximation(), width_log_n(),
          t_independence(),       theorem1_projgd(),      prop1_projsgd(),
          rnn_contrast(),         ar_lag(),               memory()};
}

}  // namespace attnbound::claims::arda2026
