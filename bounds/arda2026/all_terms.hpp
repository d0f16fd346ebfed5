// Every named term of Arda et al. 2026's bounds for one configuration, in one place for the
// CLI (`attnbound bound arda2026.theorem1`) and the reports.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bounds/arda2026/lemma1_gradient.hpp"

namespace attnbound::bounds::arda2026 {

/// (name, value) pairs in the order `attnbound bound arda2026.theorem1` prints them.
template <class Scalar>
std::vector<std::pair<std::string, Scalar>> theorem1_terms(const config<Scalar>& c) {
  return {{"B_U", B_U(c)},
          {"B_U0", B_U0(c)},
          {"L1", L1(c)},
          {"L2", L2(c)},
          {"B_lin", B_lin(c)},
          {"B_app", B_app(c)},
          {"B_app_safe", B_app_safe(c)},
          {"eps_pool", eps_pool(c)},
          {"eps_CoF", eps_CoF(c)},
          {"r_max", r_max(c)},
          {"G2", G2(c)},
          {"rhs_best", rhs_best(c)},
          {"rhs_avg", rhs_avg(c)},
          {"trivial_bound", trivial_loss_bound(c)},
          {"grad_W_f_bound", grad_W_f_bound(c)}};
}

}  // namespace attnbound::bounds::arda2026
