// Token sequences, the positional action of S_L and the data laws of Lavie, Gur-Ari, Ringel
// 2024 (spec lavie2024-transformer-gp-limit.md sections 1.3 and 2.1).
#include "model/token_sequences.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace attnbound::model::lavie2024 {

namespace {

constexpr std::int64_t max_space_size = std::int64_t{1} << 31;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

void check_vocabulary(int V) {
  if (!(V >= 1)) throw std::invalid_argument("vocabulary size V must be >= 1 (got " + std::to_string(V) + ")");
}

void check_length(int L) {
  if (!(L >= 1)) throw std::invalid_argument("context length L must be >= 1 (got " + std::to_string(L) + ")");
}

/// A probability vector: `n` finite non-negative entries summing to 1 (within 1e-9). The name
/// "what[c][s]" is formatted only on failure (this runs on every draw).
void check_distribution(const std::vector<double>& p, std::size_t n, const char* what, long c = -1, long s = -1) {
  auto fail = [&](const std::string& why) {
    std::string name = what;
    if (c >= 0) name += "[" + std::to_string(c) + "]";
    if (s >= 0) name += "[" + std::to_string(s) + "]";
    throw std::invalid_argument(name + " " + why);
  };
  if (p.size() != n) fail("has " + std::to_string(p.size()) + " entries, expected " + std::to_string(n));
  double sum = 0.0;
  for (double v : p) {
    if (!(std::isfinite(v) && v >= 0.0)) fail("has a negative or non-finite entry");
    sum += v;
  }
  if (!(std::abs(sum - 1.0) <= 1e-9)) fail("sums to " + std::to_string(sum) + ", not 1");
}

/// Index drawn from the probability vector p by inverse CDF (never a zero-probability index).
int draw_categorical(const std::vector<double>& p, rng_t& rng) {
  boost::random::uniform_01<double> u01;
  const double u = u01(rng);
  double cumulative = 0.0;
  int last_positive = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] <= 0.0) continue;
    cumulative += p[i];
    last_positive = static_cast<int>(i);
    if (u < cumulative) return last_positive;
  }
  return last_positive;  // u above the rounded total
}

/// A Dirichlet(1, .., 1) row of length n: normalised Exp(1) draws.
std::vector<double> dirichlet_row(int n, rng_t& rng) {
  boost::random::uniform_01<double> u01;
  std::vector<double> row(static_cast<std::size_t>(n));
  double sum = 0.0;
  do {
    sum = 0.0;
    for (double& v : row) {
      v = -std::log1p(-u01(rng));  // u in [0,1): 1 - u in (0,1], so v in [0, inf)
      sum += v;
    }
  } while (!(sum > 0.0));
  for (double& v : row) v /= sum;
  return row;
}

void check_law(const exchangeable_mixture& law) {
  require(law.V >= 1, "exchangeable mixture: V must be >= 1");
  require(!law.weights.empty(), "exchangeable mixture: at least one topic is needed");
  check_distribution(law.weights, law.weights.size(), "exchangeable mixture weights");
  require(law.token_probs.size() == law.weights.size(),
          "exchangeable mixture: token_probs needs one row per topic");
  for (std::size_t z = 0; z < law.token_probs.size(); ++z)
    check_distribution(law.token_probs[z], static_cast<std::size_t>(law.V), "exchangeable mixture token_probs",
                       static_cast<long>(z));
}

void check_law(const hmm_mixture& law) {
  require(law.V >= 1, "HMM mixture: V must be >= 1");
  require(!law.weights.empty(), "HMM mixture: at least one component is needed");
  check_distribution(law.weights, law.weights.size(), "HMM mixture weights");
  const std::size_t C = law.weights.size();
  require(law.initial.size() == C && law.transition.size() == C && law.emission.size() == C,
          "HMM mixture: initial, transition and emission need one entry per component");
  for (std::size_t c = 0; c < C; ++c) {
    const std::size_t S = law.initial[c].size();
    const auto ci = static_cast<long>(c);
    if (S < 1) throw std::invalid_argument("HMM mixture: component " + std::to_string(c) + " has no hidden states");
    check_distribution(law.initial[c], S, "HMM initial", ci);
    if (law.transition[c].size() != S || law.emission[c].size() != S)
      throw std::invalid_argument("HMM mixture: transition[" + std::to_string(c) + "] and emission[" +
                                  std::to_string(c) + "] need one row per hidden state");
    for (std::size_t s = 0; s < S; ++s) {
      check_distribution(law.transition[c][s], S, "HMM transition", ci, static_cast<long>(s));
      check_distribution(law.emission[c][s], static_cast<std::size_t>(law.V), "HMM emission", ci, static_cast<long>(s));
    }
  }
}

[[noreturn]] void bad_token(int t, int V) {
  throw std::invalid_argument("token " + std::to_string(t) + " outside 0.." + std::to_string(V - 1));
}

void check_tokens(const token_sequence& x, int V) {
  for (int t : x)
    if (t < 0 || t >= V) bad_token(t, V);
}

void check_permutation(const permutation& sigma, std::size_t L) {
  if (sigma.size() != L)
    throw std::invalid_argument("permutation of length " + std::to_string(sigma.size()) +
                                " applied to a sequence of length " + std::to_string(L));
  std::vector<char> seen(L, 0);
  for (int s : sigma) {
    if (s < 0 || static_cast<std::size_t>(s) >= L || seen[static_cast<std::size_t>(s)])
      throw std::invalid_argument("not a permutation of 0..L-1");
    seen[static_cast<std::size_t>(s)] = 1;
  }
}

}  // namespace

std::int64_t token_space::size() const {
  // V^L, saturating at max_space_size + 1 (check_space rejects it) so it never overflows.
  if (V < 1 || L < 1) return 0;
  std::int64_t n = 1;
  for (int mu = 0; mu < L; ++mu) {
    if (n > max_space_size / V) return max_space_size + 1;
    n *= V;
  }
  return n;
}

void check_space(const token_space& space) {
  check_vocabulary(space.V);
  check_length(space.L);
  if (space.size() > max_space_size)
    throw std::invalid_argument("V^L = " + std::to_string(space.V) + "^" + std::to_string(space.L) + " exceeds 2^31");
}

token_sequence sequence_at(const token_space& space, std::int64_t index) {
  check_space(space);
  if (index < 0 || index >= space.size())
    throw std::invalid_argument("index " + std::to_string(index) + " outside [0, V^L = " +
                                std::to_string(space.size()) + ")");
  token_sequence x(static_cast<std::size_t>(space.L));
  for (int mu = space.L - 1; mu >= 0; --mu) {
    x[static_cast<std::size_t>(mu)] = static_cast<int>(index % space.V);
    index /= space.V;
  }
  return x;
}

std::int64_t index_of(const token_space& space, const token_sequence& x) {
  check_space(space);
  if (x.size() != static_cast<std::size_t>(space.L))
    throw std::invalid_argument("sequence of length " + std::to_string(x.size()) + ", expected L = " +
                                std::to_string(space.L));
  check_tokens(x, space.V);
  std::int64_t index = 0;
  for (int t : x) index = index * space.V + t;
  return index;
}

token_sequence act(const permutation& sigma, const token_sequence& x) {
  check_permutation(sigma, x.size());
  token_sequence y(x.size());
  for (std::size_t mu = 0; mu < x.size(); ++mu) y[static_cast<std::size_t>(sigma[mu])] = x[mu];
  return y;
}

std::vector<std::int64_t> action_on_space(const token_space& space, const permutation& sigma) {
  check_space(space);
  check_permutation(sigma, static_cast<std::size_t>(space.L));
  const std::int64_t N = space.size();
  // Place value of each position after the move: the token at mu lands at sigma(mu).
  std::vector<std::int64_t> place(static_cast<std::size_t>(space.L));
  for (int mu = 0; mu < space.L; ++mu) {
    std::int64_t w = 1;
    for (int k = 0; k < space.L - 1 - sigma[static_cast<std::size_t>(mu)]; ++k) w *= space.V;
    place[static_cast<std::size_t>(mu)] = w;
  }
  std::vector<std::int64_t> image(static_cast<std::size_t>(N));
  for (std::int64_t i = 0; i < N; ++i) {
    std::int64_t rest = i, j = 0;
    for (int mu = space.L - 1; mu >= 0; --mu) {
      j += (rest % space.V) * place[static_cast<std::size_t>(mu)];
      rest /= space.V;
    }
    image[static_cast<std::size_t>(i)] = j;
  }
  return image;
}

std::vector<permutation> all_permutations(int L) {
  if (!(L >= 1 && L <= 10))
    throw std::invalid_argument("all_permutations needs 1 <= L <= 10 (got " + std::to_string(L) + ")");
  permutation sigma(static_cast<std::size_t>(L));
  std::iota(sigma.begin(), sigma.end(), 0);
  std::vector<permutation> all;
  do all.push_back(sigma);
  while (std::next_permutation(sigma.begin(), sigma.end()));
  return all;
}

namespace {

/// A valid law on a valid space with the same vocabulary (the preamble of probabilities()).
template <class Law>
void check_law_on_space(const Law& law, const token_space& space) {
  check_law(law);
  check_space(space);
  if (!(law.V == space.V))
    throw std::invalid_argument("law over V = " + std::to_string(law.V) + " tokens on a space with V = " +
                                std::to_string(space.V));
}

}  // namespace

std::vector<int> histogram(const token_sequence& x, int V) {
  check_vocabulary(V);
  check_tokens(x, V);
  std::vector<int> n(static_cast<std::size_t>(V), 0);
  for (int t : x) ++n[static_cast<std::size_t>(t)];
  return n;
}

exchangeable_mixture uniform_tokens(int V) {
  check_vocabulary(V);
  exchangeable_mixture law;
  law.V = V;
  law.weights = {1.0};
  law.token_probs = {std::vector<double>(static_cast<std::size_t>(V), 1.0 / V)};
  return law;
}

exchangeable_mixture random_exchangeable(int V, int topics, rng_t& rng) {
  check_vocabulary(V);
  if (!(topics >= 1))
    throw std::invalid_argument("number of topics must be >= 1 (got " + std::to_string(topics) + ")");
  exchangeable_mixture law;
  law.V = V;
  law.weights.assign(static_cast<std::size_t>(topics), 1.0 / topics);
  for (int z = 0; z < topics; ++z) law.token_probs.push_back(dirichlet_row(V, rng));
  return law;
}

hmm_mixture random_hmm_mixture(int V, int components, int states, rng_t& rng) {
  check_vocabulary(V);
  if (!(components >= 1))
    throw std::invalid_argument("number of HMM components must be >= 1 (got " + std::to_string(components) + ")");
  if (!(states >= 1))
    throw std::invalid_argument("number of hidden states must be >= 1 (got " + std::to_string(states) + ")");
  hmm_mixture law;
  law.V = V;
  law.weights.assign(static_cast<std::size_t>(components), 1.0 / components);
  for (int c = 0; c < components; ++c) {
    law.initial.push_back(dirichlet_row(states, rng));
    std::vector<std::vector<double>> transition, emission;
    for (int s = 0; s < states; ++s) transition.push_back(dirichlet_row(states, rng));
    for (int s = 0; s < states; ++s) emission.push_back(dirichlet_row(V, rng));
    law.transition.push_back(std::move(transition));
    law.emission.push_back(std::move(emission));
  }
  return law;
}

token_sequence draw(const exchangeable_mixture& law, int L, rng_t& rng) {
  check_law(law);
  check_length(L);
  const auto& row = law.token_probs[static_cast<std::size_t>(draw_categorical(law.weights, rng))];
  token_sequence x(static_cast<std::size_t>(L));
  for (int& t : x) t = draw_categorical(row, rng);
  return x;
}

token_sequence draw(const hmm_mixture& law, int L, rng_t& rng) {
  check_law(law);
  check_length(L);
  const auto c = static_cast<std::size_t>(draw_categorical(law.weights, rng));
  token_sequence x(static_cast<std::size_t>(L));
  int state = draw_categorical(law.initial[c], rng);
  for (int mu = 0; mu < L; ++mu) {
    if (mu > 0) state = draw_categorical(law.transition[c][static_cast<std::size_t>(state)], rng);
    x[static_cast<std::size_t>(mu)] = draw_categorical(law.emission[c][static_cast<std::size_t>(state)], rng);
  }
  return x;
}

std::vector<double> probabilities(const exchangeable_mixture& law, const token_space& space) {
  check_law_on_space(law, space);
  const std::int64_t N = space.size();
  std::vector<double> p(static_cast<std::size_t>(N), 0.0);
  std::vector<int> n(static_cast<std::size_t>(space.V));
  for (std::int64_t i = 0; i < N; ++i) {
    // prod_mu p_z(t_mu) = prod_a p_z(a)^{n_a}, multiplied in token order so that the result
    // depends on the histogram only: exactly S_L-invariant in floating point.
    std::fill(n.begin(), n.end(), 0);
    for (std::int64_t rest = i, mu = 0; mu < space.L; ++mu, rest /= space.V) ++n[static_cast<std::size_t>(rest % space.V)];
    double total = 0.0;
    for (std::size_t z = 0; z < law.weights.size(); ++z) {
      double prod = law.weights[z];
      for (int a = 0; a < space.V; ++a)
        for (int k = 0; k < n[static_cast<std::size_t>(a)]; ++k) prod *= law.token_probs[z][static_cast<std::size_t>(a)];
      total += prod;
    }
    p[static_cast<std::size_t>(i)] = total;
  }
  return p;
}

std::vector<double> probabilities(const hmm_mixture& law, const token_space& space) {
  check_law_on_space(law, space);
  const std::int64_t N = space.size();
  const auto V = static_cast<std::size_t>(space.V);
  std::vector<double> p(static_cast<std::size_t>(N), 0.0);
  for (std::size_t c = 0; c < law.weights.size(); ++c) {
    const std::size_t S = law.initial[c].size();
    const auto& T = law.transition[c];
    const auto& E = law.emission[c];
    // Forward algorithm shared over prefixes: alpha[prefix index * S + s] = P(t_0..t_l, state_l = s).
    std::vector<double> alpha(V * S), next;
    for (std::size_t t = 0; t < V; ++t)
      for (std::size_t s = 0; s < S; ++s) alpha[t * S + s] = law.initial[c][s] * E[s][t];
    std::size_t prefixes = V;
    for (int l = 1; l < space.L; ++l) {
      next.assign(prefixes * V * S, 0.0);
      for (std::size_t i = 0; i < prefixes; ++i)
        for (std::size_t s2 = 0; s2 < S; ++s2) {
          double reach = 0.0;  // P(prefix i, state_l = s2)
          for (std::size_t s = 0; s < S; ++s) reach += alpha[i * S + s] * T[s][s2];
          for (std::size_t t = 0; t < V; ++t) next[(i * V + t) * S + s2] = reach * E[s2][t];
        }
      alpha.swap(next);
      prefixes *= V;
    }
    for (std::size_t i = 0; i < prefixes; ++i) {
      double total = 0.0;
      for (std::size_t s = 0; s < S; ++s) total += alpha[i * S + s];
      p[i] += law.weights[c] * total;
    }
  }
  return p;
}

}  // namespace attnbound::model::lavie2024
