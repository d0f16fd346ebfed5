// Shared pieces of the li2024.* claims (spec li2024-signgd-two-layer-transformer.md): the
// synthetic setting as claim parameters, one replicate's data and initialization, a recorded
// training trajectory, and the measured stage times of spec section 6.2.
// Notation: d dimension, n training samples, s noise sparsity, m_k / m_v query-key / value
// widths, sigma0 initialization scale, eta step size, t step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "claims/claim.hpp"
#include "model/sign_training.hpp"

namespace attnbound::claims::li2024 {

namespace ml = attnbound::model::li2024;

inline constexpr const char* paper =
    "Li, Huang, Han, Zhou, Suzuki, Zhu & Chen 2024 (arXiv 2410.04870, ICLR 2025)";

/// The synthetic setting (spec 5.3: the paper's values are [unknown]; these are the spec's
/// scratch-run values d = 1e4, n = 20, s = 50, sigma_p = 1, ||mu|| = 1, sigma0 = 0.01,
/// eta = 1e-3, m_k = m_v = 10).
struct setting {
  ml::signal_noise_law law;
  int n = 20;
  int m_k = 10, m_v = 10;
  double sigma0 = 0.01;
  double eta = 1e-3;
  int steps = 300;
  int seeds = 8;
  int test_points = 500;
  bool disjoint = true;  // training supports pairwise disjoint (spec 6.1)
};

/// The parameter specs of `setting` (keys d, n, s, sigma_p, mu_norm, m_k, m_v, sigma0, eta,
/// steps, seeds, test_points, disjoint) with the given quick/full defaults for steps and seeds.
std::vector<param_spec> setting_params(const std::string& steps_quick, const std::string& steps_full,
                                       const std::string& seeds_quick, const std::string& seeds_full);
/// Reads a setting; bad_input when n s > d - 1 with disjoint = 1.
setting read_setting(const param_values& p);
/// The setting as JSON (for results' `worst` and details).
nlohmann::json to_json(const setting& s);

/// One replicate: training data (disjoint supports if asked), independent test data from the
/// same law, and W^(0). Streams keyed by (seed, claim id, replicate).
struct replicate {
  std::vector<ml::signal_noise_sample> train, test;
  ml::attention_params W0;
};
replicate draw_replicate(const setting& s, std::uint64_t seed, const std::string& claim_id, int rep);
/// Rough peak bytes of one training run of `s` (W^(0), iterate, gradient, Adam moments, data)
/// that keeps `recorded_points` trajectory points (for claims' estimate_bytes).
double run_bytes(const setting& s, int recorded_points);

/// One recorded step: the tracked scalars at W^(t), L_S, and L_D on the test points
/// (NaN where not evaluated).
struct trajectory_point {
  int t = 0;
  double train_loss = 0;
  double test_loss = 0;
  ml::tracked_scalars tracked;
};
struct trajectory {
  std::vector<trajectory_point> points;  // every `record_every` steps, plus the last
  ml::attention_params W;                 // last iterate
};
/// Trains W0 with `opt` on r.train for opt.steps steps, recording every `record_every` steps
/// (and the final one); test loss every `test_every` steps (0: only at the end).
trajectory record_trajectory(const setting& s, const replicate& r, const ml::train_options& opt, int record_every,
                             int test_every);

/// Measured stage times (spec 6.2-6.3) on a trajectory recorded every step; -1 when the
/// event never happens within the run.
struct stage_times {
  int T1 = -1;  // first t with A_i = <v,mu> - <v,y_i xi_i> < 0 for all i
  int T2 = -1;  // first t with sgn(query noise) = sgn(key noise) for every (s, i)
  int T3 = -1;  // first t after which no query-signal sign changes until the end of the run
  int T4 = -1;  // first t with every query and key noise of neuron s having the sign of query signal_s
  int stage4_s21_time = -1;  // first t with max_i s_{i,21} < 1e-2
};
stage_times measure_stage_times(const trajectory& tr);

/// The training-dynamics claims, one file each (collected by stage_claims.cpp).
claim exact_laws_claim();   // li2024.exact-laws (exact_laws.cpp)
claim four_stages_claim();  // li2024.four-stages (four_stages.cpp)

}  // namespace attnbound::claims::li2024
