// Shared pieces of the deterministic-identity claims P1-P8 (spec ahn2023-linear-attention.md
// section 4): paper citations, Monte Carlo over independent prompt batches with confidence
// intervals (Student t over batch means, Bonferroni over a claim's tests), zero-gradient tests,
// covariate laws with their moments, and the parameter vectors of the three parameterizations.
//
// Monte Carlo rule used by every probabilistic part: a population value v (a closed form) is
// compared with K independent batch means m_1..m_K (each over B fresh prompts, its own stream
// keyed by (seed, claim, configuration, batch)); the claim is violated when v lies outside the
// two-sided t-interval mean +- t_{K-1} sd/sqrt(K) at confidence 1 - alpha/tests (Bonferroni: the
// family-wise chance of a false "violated" is <= alpha). Batches are reduced in index order, so
// results are bit-identical for any --jobs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "bounds/ahn2023/one_layer.hpp"
#include "claims/claim.hpp"
#include "claims/parallel.hpp"
#include "model/icl_prompts.hpp"
#include "model/linear_attention.hpp"
#include "model/rng.hpp"

namespace attnbound::claims::ahn2023 {

namespace icl = model::icl;

inline const char* paper_ahn_a = "Ahn, Cheng, Daneshmand & Sra 2023 (NeurIPS, arXiv 2306.00297)";
inline const char* paper_vo = "von Oswald et al. 2023 (ICML, arXiv 2212.07677)";
inline const char* paper_zfb = "Zhang, Frei & Bartlett 2024 (JMLR 25(49), arXiv 2306.09927)";

// ---- the claims (one file each) -----------------------------------------------------------
claim p1_one_layer_quadratic();  // ahn2023.one-layer-quadratic
claim p2_theorem1();             // ahn2023.theorem1
claim p3_von_oswald();           // vonoswald2023.one-step
claim p4_lemma1();               // ahn2023.lemma1
claim p5_test_length();          // zhang2024.test-length
claim p6_multistep_gd();         // ahn2023.multistep-gd
claim p7_invariances();          // ahn2023.invariances
claim p8_relu_attention();       // ahn2023.theorem5

// ---- Monte Carlo intervals ----------------------------------------------------------------

/// Mean of independent batch values with a two-sided t-interval.
struct mc_interval {
  double mean = 0, sd = 0, half = 0, lo = 0, hi = 0;
  int batches = 0;
  bool contains(double v) const { return v >= lo && v <= hi; }
  /// (v - mean) / standard error (0 when the values are all equal and v == mean).
  double z_of(double v) const;
};

/// t-interval of the batch values at `confidence` (needs >= 2 finite values).
mc_interval batch_interval(const std::vector<double>& v, double confidence);

/// Per-test confidence for `tests` simultaneous tests at family-wise level alpha (Bonferroni).
inline double per_test_confidence(double alpha, int tests) { return 1 - alpha / std::max(1, tests); }

/// Generator of batch k of a configuration: (seed, stream, config key, k).
model::rng_t batch_rng(std::uint64_t seed, const std::string& stream, std::uint64_t config, int batch);

/// Calls body(k, batch) for k = 0..batches-1 on batch k (B fresh prompts of `data` from
/// batch_rng(seed, stream, config, k)), in parallel over `jobs`; body writes only slot k.
template <class F>
void for_each_batch(const icl::prompt_options& data, int batches, int B, std::uint64_t seed,
                    const std::string& stream, std::uint64_t config, int jobs, F&& body) {
  parallel_for(batches, jobs, [&](int k) {
    auto rng = batch_rng(seed, stream, config, k);
    const icl::prompt_batch batch = icl::draw_prompts(data, B, rng);
    body(k, batch);
  });
}

/// Monte Carlo losses with common random numbers: out[t][k] = loss of thetas[t] on batch k
/// (B fresh prompts of `data`). Batches run in parallel (jobs), each with its own stream.
std::vector<std::vector<double>> batch_losses(const icl::lsa_model& m, const std::vector<Eigen::VectorXd>& thetas,
                                              const icl::prompt_options& data, int batches, int B,
                                              std::uint64_t seed, const std::string& stream,
                                              std::uint64_t config, int jobs);

/// Per-batch gradients (parameters x batches) at theta.
Eigen::MatrixXd batch_gradients(const icl::lsa_model& m, const Eigen::VectorXd& theta,
                                const icl::prompt_options& data, int batches, int B, std::uint64_t seed,
                                const std::string& stream, std::uint64_t config, int jobs);

/// "The population gradient is 0": for every coordinate, |mean| <= t sd/sqrt(K) at the given
/// per-coordinate confidence (Bonferroni over the coordinates is the caller's choice).
/// Coordinates that are exactly 0 in every batch are counted in exact_zero, not tested.
struct zero_gradient_test {
  int tested = 0, exact_zero = 0, outside = 0;
  double max_abs_t = 0;     // largest |mean| / se over the tested coordinates
  int worst = -1;           // its coordinate
  double max_abs_mean = 0;  // largest |mean| (gradient units)
  double max_half = 0;      // largest CI half-width
  double critical = 0;      // the t quantile used
  bool holds() const { return outside == 0; }
};
zero_gradient_test test_zero_gradient(const Eigen::MatrixXd& grads, double confidence);

// ---- covariate laws ---------------------------------------------------------------------

/// A covariate law of spec 1.3 with its moments (Sigma, K4) for the closed forms.
struct law_case {
  std::string name;
  icl::prompt_options data;
  bounds::ahn2023::covariate_moments<double> mom;
  std::vector<double> lambda;  // eigenvalues of Sigma (Gaussian cases)
};
/// x ~ N(0, U diag(lambda) U^T); U = I when empty.
law_case gaussian_law(int d, int n, const std::vector<double>& lambda, const Eigen::MatrixXd& U = {});
law_case sphere_law(int d, int n);
law_case gamma_law(int d, int n, double k, double theta);

/// Haar-random rotation (QR of a Gaussian matrix, R's diagonal made positive).
Eigen::MatrixXd random_rotation(int d, model::rng_t& rng);

/// An anisotropic spectrum: the [AHN-a] experiments' (1, 1, 0.25, 0.0625, 1) for d = 5 (spec
/// 1.3), else 4^{-(i mod 3)}.
inline std::vector<double> anisotropic_spectrum(int d) {
  if (d == 5) return {1, 1, 0.25, 0.0625, 1};
  std::vector<double> l;
  for (int i = 0; i < d; ++i) l.push_back(i % 3 == 0 ? 1.0 : i % 3 == 1 ? 0.25 : 0.0625);
  return l;
}

// ---- parameter vectors ------------------------------------------------------------------

/// Code parameterization, one layer per (P, C) pair: P block as given, Q block = -C (so
/// y_hat = x_q^T C (1/n) sum_i y_i x_i). Built through icl::pack.
Eigen::VectorXd code_theta(const icl::lsa_model& m, const std::vector<Eigen::MatrixXd>& P,
                           const std::vector<Eigen::MatrixXd>& C);
/// Sparse parameterization ([AHN-a] eq. (8)): the A_l.
Eigen::VectorXd sparse_theta(const icl::lsa_model& m, const std::vector<Eigen::MatrixXd>& A);

// ---- small helpers ----------------------------------------------------------------------

/// |a - b| / max(|b|, tiny).
double relative_error(double a, double b);
/// {mean, lo, hi, sd, batches} of an interval.
nlohmann::json interval_json(const mc_interval& ci);
nlohmann::json worst_case(const std::string& what, double value, std::uint64_t seed, nlohmann::json config);
std::uint64_t config_key(std::initializer_list<std::uint64_t> keys);

}  // namespace attnbound::claims::ahn2023
