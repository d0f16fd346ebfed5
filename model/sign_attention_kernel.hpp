// Internal to model/sign_attention.cpp and model/sign_training.cpp (Li et al. 2024 model):
// input validation, and the gradient kernel that ADDS into `grad`, which must have p's shapes
// and be zero on column 0 and on every column a support touches (training updates only those
// columns). Returns L_S.
#pragma once

#include <vector>

#include "model/sign_attention.hpp"

namespace attnbound::model::li2024::detail {

void check_inputs(const attention_params& p, const signal_noise_law& law, const std::vector<signal_noise_sample>& data);
double accumulate_loss_gradient(const attention_params& p, const signal_noise_law& law,
                                const std::vector<signal_noise_sample>& data, attention_params& grad);

}  // namespace attnbound::model::li2024::detail
