// The training claims P9-P15 of spec ahn2023-linear-attention.md section 4, one file each,
// registered by phenomena.cpp.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "claims/ahn2023/training_runs.hpp"
#include "claims/claim.hpp"

namespace attnbound::claims::ahn2023 {

inline const char* paper_b =
    "Ahn, Cheng, Song, Yun, Jadbabaie & Sra 2024, 'Linear attention is (maybe) all you need (to understand "
    "Transformer optimization)' (ICLR 2024, arXiv 2310.01082)";
inline const char* paper_a =
    "Ahn, Cheng, Daneshmand & Sra 2023, 'Transformers learn to implement preconditioned gradient descent for "
    "in-context learning' (NeurIPS 2023, arXiv 2306.00297)";

claim trained_one_layer();          // P9  ahn2023.trained-one-layer
claim adam_vs_sgd();                // P10 ahn2023.adam-vs-sgd
claim depth_gap();                  // P11 ahn2023.depth-gap
claim heavy_tailed_noise();         // P12 ahn2023.heavy-tailed-noise
claim directional_smoothness_gap(); // P13 ahn2023.directional-smoothness
claim robust_condition_number_gap();// P14 ahn2023.robust-condition-number
claim generalized_smoothness();     // P15 ahn2023.generalized-smoothness

/// Settings given as codes in an integer list parameter: 1 = S1, 2 = S2, 3 = S3, 4 = sphere.
setting setting_code(int code);

/// Shared by the smoothness claims (P13-P15; defined in p13_directional_smoothness.cpp): the
/// configurations (settings by code, then S1 at each extra depth in "Ls"), the run specs
/// (per configuration and replicate, Adam then SGDM) and their common parameters.
std::vector<setting> smoothness_configs(const param_values& p);
std::vector<run_spec> smoothness_specs(const std::vector<setting>& cfg, const param_values& p, std::uint64_t seed);
std::vector<param_spec> smoothness_params(const std::string& settings_quick, const std::string& settings_full,
                                          const std::string& Ls_quick, const std::string& Ls_full, const std::string& iters_full);
/// Memory estimate of a smoothness claim's runs (claim::estimate_bytes) from smoothness_params.
double smoothness_estimate_bytes(const param_values& p);

/// What every smoothness claim's run reads first: sizes, configurations and run specs.
struct smoothness_setup {
  int seeds = 0, iterations = 0, hessian_prompts = 0;
  bool paper_runs = false;  // batch >= 1000, seeds >= 6, hessian_prompts >= 1000 (iterations aside)
  std::vector<setting> cfg;
  std::vector<run_spec> specs;  // smoothness_specs(cfg, ...): per cfg and replicate, Adam then SGDM
};
smoothness_setup smoothness_run_setup(const run_context& ctx);

/// A JSON object for an interval.
inline nlohmann::json to_json(const interval& i) {
  return {{"estimate", i.estimate}, {"low", i.low}, {"high", i.high}, {"n", i.n}};
}

/// Half-width of an interval as a regression band (at least `floor`; finite).
double band_of(const interval& i, double floor);

/// Loss-vs-iteration curves of one setting: per optimizer, the median test loss over seeds with
/// its distribution-free CI at (at most ~60) checkpoints.
figure loss_curves_figure(const std::string& id, const std::string& title, const std::vector<run_spec>& specs,
                          const std::vector<std::shared_ptr<const trajectory>>& runs);

}  // namespace attnbound::claims::ahn2023
