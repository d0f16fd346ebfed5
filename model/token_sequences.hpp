// Token sequences of Lavie, Gur-Ari, Ringel 2024 (spec lavie2024-transformer-gp-limit.md
// sections 1.3 and 2.1): x = (t_1..t_L), tokens t_mu in [V] (0-based here: 0..V-1), the
// full space [V]^L in base-V order, the positional action of S_L, and the data laws.
// Notation as in the spec: V vocabulary size, L context length, P training samples.
#pragma once

#include <cstdint>
#include <vector>

#include "model/rng.hpp"

namespace attnbound::model::lavie2024 {

using token_sequence = std::vector<int>;  // t_1..t_L, each in 0..V-1
using permutation = std::vector<int>;     // sigma on positions 0..L-1: sigma[mu] = sigma(mu)

/// The full input space [V]^L, |[V]^L| = V^L. Index = sum_mu t_mu V^(L-1-mu) (position 0 most
/// significant), so index 0 is (0,..,0) and the order is lexicographic.
struct token_space {
  int V = 2;
  int L = 2;
  std::int64_t size() const;                         // V^L
};

/// std::invalid_argument unless V >= 1, L >= 1, V^L <= 2^31 (dense work stays small).
void check_space(const token_space& space);

token_sequence sequence_at(const token_space& space, std::int64_t index);
std::int64_t index_of(const token_space& space, const token_sequence& x);

/// Positional action (sigma x)_mu = x_{sigma^{-1}(mu)}: the token at position mu moves to sigma(mu).
token_sequence act(const permutation& sigma, const token_sequence& x);

/// i -> index_of(sigma x_i) for every index of the full space (a permutation of 0..V^L-1).
std::vector<std::int64_t> action_on_space(const token_space& space, const permutation& sigma);

/// All L! permutations of 0..L-1 in lexicographic order (L <= 10; std::invalid_argument otherwise).
std::vector<permutation> all_permutations(int L);

/// Histogram n_a(x) = #{mu : t_mu = a}, a = 0..V-1.
std::vector<int> histogram(const token_sequence& x, int V);

/// Exchangeable mixture (spec 2.1, [reconstructed]): a latent topic z ~ weights, then L tokens
/// i.i.d. from token_probs[z]. An HMM with a frozen hidden state; exactly S_L-invariant.
struct exchangeable_mixture {
  int V = 2;
  std::vector<double> weights;                       // over topics, sums to 1
  std::vector<std::vector<double>> token_probs;      // [topic][token], rows sum to 1
};

/// Mixture of Markov HMMs (spec 2.1): component c ~ weights; hidden chain with initial[c] and
/// transition[c] (rows sum to 1); emission[c][state][token]. Only approximately S_L-invariant.
struct hmm_mixture {
  int V = 2;
  std::vector<double> weights;
  std::vector<std::vector<double>> initial;                       // [c][state]
  std::vector<std::vector<std::vector<double>>> transition;       // [c][state][state]
  std::vector<std::vector<std::vector<double>>> emission;         // [c][state][token]
};

/// The uniform i.i.d. law on [V]^L (the measure of the closed forms): one topic, uniform tokens.
exchangeable_mixture uniform_tokens(int V);

/// Random laws for experiments: Dirichlet(1) token rows / transition rows, uniform weights.
exchangeable_mixture random_exchangeable(int V, int topics, rng_t& rng);
hmm_mixture random_hmm_mixture(int V, int components, int states, rng_t& rng);

token_sequence draw(const exchangeable_mixture& law, int L, rng_t& rng);
token_sequence draw(const hmm_mixture& law, int L, rng_t& rng);

/// Exact probability of every point of [V]^L under the law (index order); sums to 1.
std::vector<double> probabilities(const exchangeable_mixture& law, const token_space& space);
std::vector<double> probabilities(const hmm_mixture& law, const token_space& space);

}  // namespace attnbound::model::lavie2024
