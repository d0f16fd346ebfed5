// Tests of model/token_sequences, model/attention_kernel, model/attention_block and
// model/gp_regression (Lavie, Gur-Ari, Ringel 2024; spec lavie2024-transformer-gp-limit.md
// sections 1-3):
//  - base-V indexing (position 0 most significant), the positional action and its composition,
//    action_on_space a bijection, all_permutations;
//  - the closed-form kernels A-D against the literal Variant-S NNGP on the candidates'
//    embeddings (an independent check of the table), hand values at V = L = 2;
//  - S_L invariance of A, C, D and only S_{L-1} invariance of B (B fails for every sigma that
//    moves the last position);
//  - the finite-width block: the Monte Carlo covariance of its outputs equals the kernel within
//    4.5 estimated standard errors for every candidate, and the same data reject 1.25 K;
//  - the laws: exchangeable probabilities exactly invariant, HMM probabilities against a
//    brute-force sum over hidden paths and not invariant, draws with the right frequencies;
//  - GP regression: posterior mean = dense solve, interpolation at delta = 0, singular
//    K(X,X) -> domain_error; spectrum orthonormal in L^2(p), trace identity, eigen-equation,
//    candidate A's V = 2 closed-form spectrum (spec 2.3);
//  - bad input -> std::invalid_argument.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "model/attention_block.hpp"
#include "model/attention_kernel.hpp"
#include "model/gp_regression.hpp"
#include "model/rng.hpp"
#include "model/token_sequences.hpp"

namespace {

using namespace attnbound::model;
using namespace attnbound::model::lavie2024;
using Eigen::MatrixXd;
using Eigen::VectorXd;

const candidate all_candidates[] = {candidate::A, candidate::B, candidate::C, candidate::D};

token_sequence random_sequence(int V, int L, rng_t& rng) {
  boost::random::uniform_int_distribution<int> token(0, V - 1);
  token_sequence x(static_cast<std::size_t>(L));
  for (int& t : x) t = token(rng);
  return x;
}

permutation compose(const permutation& s1, const permutation& s2) {  // (s1 o s2)(mu) = s1(s2(mu))
  permutation s(s2.size());
  for (std::size_t mu = 0; mu < s2.size(); ++mu) s[mu] = s1[static_cast<std::size_t>(s2[mu])];
  return s;
}

VectorXd as_vector(const std::vector<double>& v) { return Eigen::Map<const VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())); }

// ---------------------------------------------------------------- token sequences

TEST(Lavie2024Sequences, BaseVIndexWithPositionZeroMostSignificant) {
  const token_space space{3, 2};
  EXPECT_EQ(space.size(), 9);
  EXPECT_EQ(sequence_at(space, 0), (token_sequence{0, 0}));
  EXPECT_EQ(sequence_at(space, 5), (token_sequence{1, 2}));  // 5 = 1*3 + 2
  EXPECT_EQ(sequence_at(space, 8), (token_sequence{2, 2}));
  const token_space big{3, 5};
  for (std::int64_t i = 0; i < big.size(); ++i) {
    const token_sequence x = sequence_at(big, i);
    ASSERT_EQ(index_of(big, x), i);
    if (i > 0) {
      ASSERT_LT(sequence_at(big, i - 1), x);  // lexicographic order
    }
  }
}

TEST(Lavie2024Sequences, ActionMovesTheTokenAtMuToSigmaMuAndComposes) {
  // sigma = (0 -> 1, 1 -> 2, 2 -> 0): the token at 0 lands at 1.
  EXPECT_EQ(act({1, 2, 0}, {7, 8, 9}), (token_sequence{9, 7, 8}));
  rng_t rng = make_rng(1, "lavie2024.test.act");
  const auto perms = all_permutations(4);
  for (int trial = 0; trial < 20; ++trial) {
    const token_sequence x = random_sequence(5, 4, rng);
    for (const auto& s1 : perms)
      for (const auto& s2 : perms) ASSERT_EQ(act(s1, act(s2, x)), act(compose(s1, s2), x));
  }
}

TEST(Lavie2024Sequences, ActionOnSpaceIsTheBijectionInducedByAct) {
  const token_space space{3, 4};
  for (const auto& sigma : all_permutations(4)) {
    const auto image = action_on_space(space, sigma);
    ASSERT_EQ(static_cast<std::int64_t>(image.size()), space.size());
    std::vector<char> hit(image.size(), 0);
    for (std::int64_t i = 0; i < space.size(); ++i) {
      const std::int64_t j = image[static_cast<std::size_t>(i)];
      ASSERT_EQ(j, index_of(space, act(sigma, sequence_at(space, i))));
      ASSERT_FALSE(hit[static_cast<std::size_t>(j)]);
      hit[static_cast<std::size_t>(j)] = 1;
    }
  }
}

TEST(Lavie2024Sequences, AllPermutationsAndHistogram) {
  const auto perms = all_permutations(4);
  EXPECT_EQ(perms.size(), 24u);
  EXPECT_EQ(std::set<permutation>(perms.begin(), perms.end()).size(), 24u);
  EXPECT_TRUE(std::is_sorted(perms.begin(), perms.end()));
  EXPECT_EQ(perms.front(), (permutation{0, 1, 2, 3}));
  EXPECT_EQ(all_permutations(1).size(), 1u);
  EXPECT_EQ(histogram({2, 0, 2, 2}, 4), (std::vector<int>{1, 0, 3, 0}));
}

// ---------------------------------------------------------------- kernels

TEST(Lavie2024Kernel, ClosedFormsEqualTheLiteralNngpOnTheEmbeddings) {
  rng_t rng = make_rng(2, "lavie2024.test.kernel");
  const int shapes[][2] = {{1, 3}, {2, 2}, {2, 5}, {3, 4}, {4, 5}, {5, 3}};
  for (const auto& [V, L] : shapes)
    for (candidate c : all_candidates)
      for (int trial = 0; trial < 40; ++trial) {
        const token_sequence x = random_sequence(V, L, rng);
        // Half of the pairs share tokens / positions to exercise h > 0 and B large.
        permutation reverse(static_cast<std::size_t>(L));
        for (int mu = 0; mu < L; ++mu) reverse[static_cast<std::size_t>(mu)] = L - 1 - mu;
        token_sequence y = trial % 2 ? random_sequence(V, L, rng) : act(reverse, x);
        if (trial % 4 == 0) y[0] = x[0];
        const double closed = kernel(c, x, y, V);
        const double literal = nngp_from_embeddings(c, embedding(c, x, V), embedding(c, y, V));
        ASSERT_NEAR(closed, literal, 1e-12 * std::max(1.0, std::abs(literal)))
            << to_string(c) << " V=" << V << " L=" << L << " trial " << trial;
      }
}

TEST(Lavie2024Kernel, HandValuesAtVTwoLTwo) {
  // h and B by hand: (0,1)-(1,0): h = 0, B = 2; (0,0)-(0,1): h = 1, B = 2; (0,0)-(0,0): h = 2, B = 4.
  const token_sequence a{0, 1}, b{1, 0}, c{0, 0}, d{0, 1};
  EXPECT_EQ(hamming_agreement(a, b), 0);
  EXPECT_EQ(bag_overlap(a, b, 2), 2);
  EXPECT_EQ(hamming_agreement(c, d), 1);
  EXPECT_EQ(bag_overlap(c, c, 2), 4);
  // A = h B / (L V^3), B = [t_L = t'_L] B / V^3, C = B^2 / (L^2 V^3), D = (h+L)(B+L+2h)/(8L).
  EXPECT_DOUBLE_EQ(kernel(candidate::A, a, b, 2), 0.0);
  EXPECT_DOUBLE_EQ(kernel(candidate::B, a, b, 2), 0.0);
  EXPECT_DOUBLE_EQ(kernel(candidate::C, a, b, 2), 1.0 / 8);
  EXPECT_DOUBLE_EQ(kernel(candidate::D, a, b, 2), 1.0 / 2);
  EXPECT_DOUBLE_EQ(kernel(candidate::A, c, d, 2), 1.0 / 8);
  EXPECT_DOUBLE_EQ(kernel(candidate::B, c, d, 2), 0.0);
  EXPECT_DOUBLE_EQ(kernel(candidate::B, d, d, 2), 2.0 / 8);
  EXPECT_DOUBLE_EQ(kernel(candidate::C, c, d, 2), 1.0 / 8);
  EXPECT_DOUBLE_EQ(kernel(candidate::D, c, d, 2), 9.0 / 8);
  for (candidate k : {candidate::A, candidate::B, candidate::C}) EXPECT_DOUBLE_EQ(kernel(k, c, c, 2), 0.5);
  EXPECT_DOUBLE_EQ(kernel(candidate::D, c, c, 2), 5.0 / 2);
}

TEST(Lavie2024Kernel, FullSpaceGramEqualsGramOfAllSequences) {
  const token_space space{3, 3};
  std::vector<token_sequence> all;
  for (std::int64_t i = 0; i < space.size(); ++i) all.push_back(sequence_at(space, i));
  for (candidate c : all_candidates) {
    const MatrixXd K = full_space_gram(c, space);
    EXPECT_EQ((K - gram(c, all, all, 3)).cwiseAbs().maxCoeff(), 0.0) << to_string(c);
    EXPECT_EQ((K - K.transpose()).cwiseAbs().maxCoeff(), 0.0);
    EXPECT_DOUBLE_EQ(K(5, 17), kernel(c, all[5], all[17], 3));
  }
  // A rectangular Gram matrix.
  const MatrixXd R = gram(candidate::D, {all[1], all[2]}, {all[3], all[4], all[5]}, 3);
  ASSERT_EQ(R.rows(), 2);
  ASSERT_EQ(R.cols(), 3);
  EXPECT_DOUBLE_EQ(R(1, 2), kernel(candidate::D, all[2], all[5], 3));
}

TEST(Lavie2024Kernel, AcdInvariantUnderSLAndBOnlyUnderPermutationsFixingTheLastPosition) {
  const token_space space{3, 4};
  const auto perms = all_permutations(4);
  for (candidate c : all_candidates) {
    const MatrixXd K = full_space_gram(c, space);
    int moving_last = 0, broken = 0;
    for (const auto& sigma : perms) {
      const auto image = action_on_space(space, sigma);
      double worst = 0.0;  // max |K(sigma x, sigma y) - K(x, y)| over the whole space
      for (std::int64_t j = 0; j < space.size(); ++j)
        for (std::int64_t i = 0; i < space.size(); ++i)
          worst = std::max(worst, std::abs(K(image[static_cast<std::size_t>(i)], image[static_cast<std::size_t>(j)]) - K(i, j)));
      const bool fixes_last = sigma[3] == 3;
      if (is_fully_symmetric(c) || fixes_last) {
        EXPECT_EQ(worst, 0.0) << to_string(c);
      } else {
        ++moving_last;
        broken += worst > 1e-3;
      }
    }
    if (!is_fully_symmetric(c)) {
      EXPECT_EQ(moving_last, 18);  // 24 - 3! permutations move the last position
      EXPECT_EQ(broken, moving_last) << "B must fail invariance for every sigma moving the last position";
    }
  }
  EXPECT_TRUE(is_fully_symmetric(candidate::A));
  EXPECT_FALSE(is_fully_symmetric(candidate::B));
}

// ---------------------------------------------------------------- finite-width block

TEST(Lavie2024Block, SampleOutputsRowsAreTheDrawnNetworks) {
  const block_shape shape{candidate::D, 3, 4, 3, 2, 3};
  const std::vector<token_sequence> xs{{0, 1, 2, 0}, {2, 2, 1, 0}};
  const MatrixXd out = sample_outputs(shape, xs, 5, 77);
  ASSERT_EQ(out.rows(), 5);
  ASSERT_EQ(out.cols(), 2);
  for (int r = 0; r < 5; ++r) {
    rng_t rng = make_rng(77, "lavie2024.block", {static_cast<std::uint64_t>(r)});
    const block_params theta = draw_block(shape, rng);
    ASSERT_EQ(theta.WQ.size(), 3u);
    EXPECT_EQ(theta.WQ[0].cols(), 3 + 4);  // d = V + L with one-hot PE
    for (int i = 0; i < 2; ++i) EXPECT_EQ(out(r, i), block_output(shape, theta, xs[static_cast<std::size_t>(i)]));
  }
  // The first rows do not depend on how many draws were asked for.
  EXPECT_EQ((sample_outputs(shape, xs, 3, 77) - out.topRows(3)).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Lavie2024Block, BlockOutputMatchesTheLiteralFormulaWithDenseEmbeddings) {
  // f written with dense embeddings and the attention matrix, independent of the column tricks.
  rng_t rng = make_rng(5, "lavie2024.test.literal");
  for (candidate c : all_candidates) {
    const block_shape s{c, 3, 4, 2, 3, 2};
    const block_params theta = draw_block(s, rng);
    const token_sequence x = random_sequence(3, 4, rng);
    const MatrixXd X = embedding(c, x, 3);  // L x d: rows x_mu
    const double d = c == candidate::D ? 1.0 : 3.0;
    double f = 0.0;
    for (int h = 0; h < s.heads; ++h) {
      const MatrixXd Q = X * theta.WQ[h].transpose(), K = X * theta.WK[h].transpose(), Vv = X * theta.WV[h].transpose();
      const MatrixXd G = Q * K.transpose() / (std::sqrt(double(s.d_k)) * d);
      const MatrixXd out = G * Vv / std::sqrt(d);  // L x d_v
      if (c == candidate::A || c == candidate::D) f += (theta.a[h].array() * out.array()).sum();
      if (c == candidate::B) f += (theta.a[h].row(0).array() * out.row(3).array()).sum();
      if (c == candidate::C) f += (theta.a[h].row(0).array() * (out.colwise().sum() / 4).array()).sum();
    }
    f /= std::sqrt(double(s.heads) * s.d_v * ((c == candidate::A || c == candidate::D) ? 4 : 1));
    EXPECT_NEAR(block_output(s, theta, x), f, 1e-12 * std::max(1.0, std::abs(f))) << to_string(c);
  }
}

TEST(Lavie2024Block, MonteCarloCovarianceMatchesTheKernel) {
  const int V = 3, L = 4, draws = 20000;
  const std::vector<token_sequence> xs{{0, 1, 2, 0}, {1, 0, 2, 0}, {2, 2, 2, 2}, {0, 1, 1, 2}, {1, 2, 0, 0}, {0, 0, 0, 1}};
  const auto n = static_cast<Eigen::Index>(xs.size());
  for (candidate c : all_candidates) {
    const block_shape shape{c, V, L, 4, 3, 3};
    const MatrixXd f = sample_outputs(shape, xs, draws, 2024);
    ASSERT_TRUE(f.allFinite());
    const MatrixXd K = gram(c, xs, xs, V);
    double worst_z = 0.0, worst_z_scaled = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i; j < n; ++j) {
        // E f = 0, so the covariance estimate is the mean of f_i f_j; its standard error is
        // the standard deviation of the products over sqrt(draws).
        const Eigen::ArrayXd prod = f.col(i).array() * f.col(j).array();
        const double mean = prod.mean();
        const double se = std::sqrt((prod - mean).square().sum() / (draws - 1) / draws);
        ASSERT_GT(se, 0.0);
        worst_z = std::max(worst_z, std::abs(mean - K(i, j)) / se);
        worst_z_scaled = std::max(worst_z_scaled, std::abs(mean - 1.25 * K(i, j)) / se);
      }
    EXPECT_LT(worst_z, 4.5) << to_string(c) << ": empirical covariance off the kernel";
    EXPECT_GT(worst_z_scaled, 4.5) << to_string(c) << ": the check cannot tell K from 1.25 K";
  }
}

// ---------------------------------------------------------------- laws

TEST(Lavie2024Laws, ExchangeableProbabilitiesExactlyInvariantAndNormalised) {
  rng_t rng = make_rng(3, "lavie2024.test.exchangeable");
  const exchangeable_mixture law = random_exchangeable(3, 3, rng);
  const token_space space{3, 4};
  const auto p = probabilities(law, space);
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12);
  for (std::int64_t i = 0; i < space.size(); ++i) {  // the definition sum_z w_z prod_mu p_z(t_mu)
    const token_sequence x = sequence_at(space, i);
    double direct = 0.0;
    for (std::size_t z = 0; z < 3; ++z) {
      double prod = law.weights[z];
      for (int t : x) prod *= law.token_probs[z][static_cast<std::size_t>(t)];
      direct += prod;
    }
    ASSERT_NEAR(p[static_cast<std::size_t>(i)], direct, 1e-15);
  }
  for (const auto& sigma : all_permutations(4)) {
    const auto image = action_on_space(space, sigma);
    for (std::int64_t i = 0; i < space.size(); ++i)
      ASSERT_EQ(p[static_cast<std::size_t>(image[static_cast<std::size_t>(i)])], p[static_cast<std::size_t>(i)]);
  }
  const auto u = probabilities(uniform_tokens(3), space);
  for (double v : u) EXPECT_NEAR(v, 1.0 / 81, 1e-17);
}

TEST(Lavie2024Laws, HmmProbabilitiesEqualTheSumOverHiddenPathsAndAreNotInvariant) {
  rng_t rng = make_rng(4, "lavie2024.test.hmm");
  const hmm_mixture law = random_hmm_mixture(2, 2, 3, rng);
  const token_space space{2, 4};
  const auto p = probabilities(law, space);
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12);
  for (std::int64_t i = 0; i < space.size(); ++i) {
    const token_sequence x = sequence_at(space, i);
    double brute = 0.0;
    for (std::size_t c = 0; c < 2; ++c)
      for (int path = 0; path < 81; ++path) {  // 3^4 hidden paths
        int s[4], rest = path;
        for (int& v : s) v = rest % 3, rest /= 3;
        double prob = law.weights[c] * law.initial[c][static_cast<std::size_t>(s[0])];
        for (int mu = 0; mu < 4; ++mu) {
          if (mu > 0) prob *= law.transition[c][static_cast<std::size_t>(s[mu - 1])][static_cast<std::size_t>(s[mu])];
          prob *= law.emission[c][static_cast<std::size_t>(s[mu])][static_cast<std::size_t>(x[static_cast<std::size_t>(mu)])];
        }
        brute += prob;
      }
    ASSERT_NEAR(p[static_cast<std::size_t>(i)], brute, 1e-15);
  }
  double worst = 0.0;
  for (const auto& sigma : all_permutations(4)) {
    const auto image = action_on_space(space, sigma);
    for (std::int64_t i = 0; i < space.size(); ++i)
      worst = std::max(worst, std::abs(p[static_cast<std::size_t>(image[static_cast<std::size_t>(i)])] - p[static_cast<std::size_t>(i)]));
  }
  EXPECT_GT(worst, 1e-3) << "a random mixing HMM should not be S_L-invariant";
}

template <class Law>
void expect_draw_frequencies(const Law& law, const token_space& space, const char* name) {
  const auto p = probabilities(law, space);
  const int n = 20000;
  std::vector<int> count(p.size(), 0);
  rng_t rng = make_rng(6, "lavie2024.test.draw");
  for (int k = 0; k < n; ++k) ++count[static_cast<std::size_t>(index_of(space, draw(law, space.L, rng)))];
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double se = std::sqrt(p[i] * (1 - p[i]) / n);
    EXPECT_LT(std::abs(count[i] / double(n) - p[i]), 4.5 * se + 1e-12) << name << " point " << i;
  }
}

TEST(Lavie2024Laws, DrawsHaveTheExactProbabilities) {
  rng_t rng = make_rng(7, "lavie2024.test.laws");
  expect_draw_frequencies(random_exchangeable(2, 2, rng), token_space{2, 3}, "exchangeable");
  expect_draw_frequencies(random_hmm_mixture(2, 2, 2, rng), token_space{2, 3}, "hmm");
}

// ---------------------------------------------------------------- GP regression

MatrixXd random_spd(int N, rng_t& rng) {
  MatrixXd A(N, N);
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < N; ++i) A(i, j) = standard_normal(rng);
  return A * A.transpose() / N + 0.1 * MatrixXd::Identity(N, N);
}

TEST(Lavie2024Gp, PosteriorMeanEqualsADenseSolve) {
  const MatrixXd K = full_space_gram(candidate::D, token_space{2, 3});
  const std::vector<std::int64_t> train{1, 4, 4, 7, 0};  // a repeated point is fine with delta > 0
  const VectorXd y = (VectorXd(5) << 0.3, -1.0, 0.5, 2.0, 0.1).finished();
  const double delta = 0.7;
  MatrixXd Kxx(5, 5), Kfx(8, 5);
  for (int b = 0; b < 5; ++b) {
    Kfx.col(b) = K.col(train[static_cast<std::size_t>(b)]);
    for (int a = 0; a < 5; ++a) Kxx(a, b) = K(train[static_cast<std::size_t>(a)], train[static_cast<std::size_t>(b)]);
  }
  const VectorXd direct = Kfx * (Kxx + delta * MatrixXd::Identity(5, 5)).fullPivLu().inverse() * y;
  const VectorXd f = posterior_mean(K, train, y, delta);
  EXPECT_LT((f - direct).cwiseAbs().maxCoeff(), 1e-12 * std::max(1.0, direct.cwiseAbs().maxCoeff()));
  EXPECT_TRUE(posterior_mean(K, {}, VectorXd(0), delta).isZero(0.0));  // prior mean
}

TEST(Lavie2024Gp, InterpolatesAtDeltaZeroAndRejectsASingularSystem) {
  rng_t rng = make_rng(8, "lavie2024.test.interp");
  const MatrixXd K = random_spd(20, rng);
  const std::vector<std::int64_t> train{3, 11, 0, 19, 7, 8};
  VectorXd y(6);
  for (int i = 0; i < 6; ++i) y[i] = standard_normal(rng);
  const VectorXd f = posterior_mean(K, train, y, 0.0);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(f[train[static_cast<std::size_t>(i)]], y[i], 1e-10);
  EXPECT_THROW(posterior_mean(K, {3, 11, 3}, VectorXd::Ones(3), 0.0), std::domain_error);
  // Kernel C sees only the histogram: (0,1) and (1,0) are the same point for it.
  const MatrixXd KC = full_space_gram(candidate::C, token_space{2, 2});
  EXPECT_THROW(posterior_mean(KC, {1, 2}, VectorXd::Ones(2), 0.0), std::domain_error);
  EXPECT_NO_THROW(posterior_mean(KC, {1, 2}, VectorXd::Ones(2), 0.1));
}

TEST(Lavie2024Gp, MseAndLearnability) {
  const VectorXd p = (VectorXd(3) << 0.5, 0.25, 0.25).finished();
  const VectorXd g = (VectorXd(3) << 1.0, -2.0, 0.0).finished();
  const VectorXd f = (VectorXd(3) << 0.5, 0.0, 1.0).finished();
  EXPECT_DOUBLE_EQ(mse(f, g, p), 0.5 * 0.25 + 0.25 * 4.0 + 0.25 * 1.0);
  EXPECT_DOUBLE_EQ(learnability(f, g, p), (0.5 * 0.5) / (0.5 + 0.25 * 4.0));
  EXPECT_DOUBLE_EQ(learnability(g, g, p), 1.0);
  EXPECT_DOUBLE_EQ(mse(g, g, p), 0.0);
  EXPECT_THROW(learnability(f, VectorXd::Zero(3), p), std::invalid_argument);
}

TEST(Lavie2024Gp, DrawIndicesFollowsPAndIsReproducible) {
  const VectorXd p = (VectorXd(5) << 0.1, 0.0, 0.6, 0.3, 0.0).finished();
  const auto a = draw_indices(p, 20000, 9, 3);
  EXPECT_EQ(a, draw_indices(p, 20000, 9, 3));
  EXPECT_NE(a, draw_indices(p, 20000, 9, 4));
  std::vector<int> count(5, 0);
  for (auto i : a) ++count[static_cast<std::size_t>(i)];
  EXPECT_EQ(count[1], 0);
  EXPECT_EQ(count[4], 0);
  for (int i : {0, 2, 3}) EXPECT_LT(std::abs(count[static_cast<std::size_t>(i)] / 20000.0 - p[i]), 4.5 * std::sqrt(p[i] * (1 - p[i]) / 20000));
  EXPECT_TRUE(draw_indices(p, 0, 9, 3).empty());
}

TEST(Lavie2024Gp, SpectrumIsOrthonormalInL2pWithTheTraceIdentity) {
  rng_t rng = make_rng(10, "lavie2024.test.spectrum");
  const token_space space{2, 4};
  const VectorXd p = as_vector(probabilities(random_exchangeable(2, 2, rng), space));
  for (candidate c : all_candidates) {
    const MatrixXd K = full_space_gram(c, space);
    const operator_spectrum sp = spectrum(K, p);
    const MatrixXd& Phi = sp.eigenfunctions;
    const MatrixXd gramp = Phi.transpose() * p.asDiagonal() * Phi;
    EXPECT_LT((gramp - MatrixXd::Identity(16, 16)).cwiseAbs().maxCoeff(), 1e-10) << to_string(c);
    EXPECT_NEAR(sp.eigenvalues.sum(), (p.array() * K.diagonal().array()).sum(), 1e-12 * K.diagonal().maxCoeff());
    // (T phi)(x) = sum_x' K(x,x') p(x') phi(x') = lambda phi(x).
    const MatrixXd lhs = K * p.asDiagonal() * Phi, rhs = Phi * sp.eigenvalues.asDiagonal();
    EXPECT_LT((lhs - rhs).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, Phi.cwiseAbs().maxCoeff())) << to_string(c);
    EXPECT_TRUE(std::is_sorted(sp.eigenvalues.data(), sp.eigenvalues.data() + 16));
  }
}

TEST(Lavie2024Gp, CandidateAClosedFormSpectrumAtVTwo) {
  // Spec 2.3 [reconstructed]: K = h B / L (here times 1/V^3 = 1/8), T = K / N; nonzero
  // eigenvalues L/2, r_+-, and L/4, (L-2)/(4L) with multiplicity L-1 each.
  for (int L : {3, 5}) {
    const token_space space{2, L};
    const auto N = static_cast<Eigen::Index>(space.size());
    const VectorXd p = VectorXd::Constant(N, 1.0 / N);
    const VectorXd ev = spectrum(full_space_gram(candidate::A, space), p).eigenvalues * 8.0;
    const double s = (L * L * L + 3.0 * L - 2) / (4.0 * L), q = L * (L - 1) / 8.0;
    const double disc = std::sqrt(s * s - 4 * q);
    std::vector<double> expected{L / 2.0, (s + disc) / 2, (s - disc) / 2};
    for (int k = 0; k < L - 1; ++k) expected.push_back(L / 4.0), expected.push_back((L - 2) / (4.0 * L));
    expected.resize(static_cast<std::size_t>(N), 0.0);
    std::sort(expected.begin(), expected.end());
    for (Eigen::Index i = 0; i < N; ++i) EXPECT_NEAR(ev[i], expected[static_cast<std::size_t>(i)], 1e-12) << "L=" << L << " i=" << i;
  }
}

// ---------------------------------------------------------------- bad input

TEST(Lavie2024Model, BadInputThrowsInvalidArgument) {
  EXPECT_THROW(check_space({0, 3}), std::invalid_argument);
  EXPECT_THROW(check_space({2, 0}), std::invalid_argument);
  EXPECT_THROW(check_space({2, 32}), std::invalid_argument);
  EXPECT_NO_THROW(check_space({2, 31}));
  EXPECT_THROW(check_space({1000, 1000}), std::invalid_argument);
  EXPECT_THROW(sequence_at({2, 3}, 8), std::invalid_argument);
  EXPECT_THROW(sequence_at({2, 3}, -1), std::invalid_argument);
  EXPECT_THROW(index_of({2, 3}, {0, 2, 1}), std::invalid_argument);
  EXPECT_THROW(index_of({2, 3}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(act({0, 0, 1}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(act({0, 1}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(all_permutations(11), std::invalid_argument);
  EXPECT_THROW(all_permutations(0), std::invalid_argument);
  EXPECT_THROW(histogram({0, 3}, 3), std::invalid_argument);
  EXPECT_THROW(parse_candidate("E"), std::invalid_argument);
  EXPECT_EQ(parse_candidate("C"), candidate::C);
  EXPECT_THROW(kernel(candidate::A, {0, 1}, {0, 1, 1}, 2), std::invalid_argument);
  EXPECT_THROW(kernel(candidate::A, {0, 2}, {0, 1}, 2), std::invalid_argument);
  EXPECT_THROW(kernel(candidate::A, {}, {}, 2), std::invalid_argument);
  EXPECT_THROW(nngp_from_embeddings(candidate::A, MatrixXd::Ones(2, 3), MatrixXd::Ones(3, 3)), std::invalid_argument);
  EXPECT_THROW(gram(candidate::A, {{0, 1}, {0}}, {{0, 1}}, 2), std::invalid_argument);
  EXPECT_THROW(check_shape({candidate::A, 2, 2, 0, 3, 3}), std::invalid_argument);
  EXPECT_THROW(check_shape({candidate::A, 2, 2, 2, 0, 3}), std::invalid_argument);
  EXPECT_THROW(sample_outputs({candidate::A, 2, 3, 2, 2, 2}, {{0, 1}}, 10, 1), std::invalid_argument);
  EXPECT_THROW(sample_outputs({candidate::A, 2, 2, 2, 2, 2}, {{0, 1}}, -1, 1), std::invalid_argument);
  rng_t rng = make_rng(11, "lavie2024.test.bad");
  const block_params theta = draw_block({candidate::A, 2, 2, 2, 2, 2}, rng);
  EXPECT_THROW(block_output({candidate::D, 2, 2, 2, 2, 2}, theta, {0, 1}), std::invalid_argument);
  exchangeable_mixture bad = uniform_tokens(2);
  bad.token_probs[0][0] = 0.7;  // row sums to 1.2
  EXPECT_THROW(probabilities(bad, {2, 2}), std::invalid_argument);
  EXPECT_THROW(probabilities(uniform_tokens(3), {2, 2}), std::invalid_argument);
  hmm_mixture hmm = random_hmm_mixture(2, 1, 2, rng);
  hmm.transition[0].pop_back();
  EXPECT_THROW(probabilities(hmm, {2, 2}), std::invalid_argument);
  EXPECT_THROW(random_exchangeable(2, 0, rng), std::invalid_argument);
  const MatrixXd K = MatrixXd::Identity(3, 3);
  EXPECT_THROW(posterior_mean(K, {3}, VectorXd::Ones(1), 0.1), std::invalid_argument);
  EXPECT_THROW(posterior_mean(K, {0}, VectorXd::Ones(2), 0.1), std::invalid_argument);
  EXPECT_THROW(posterior_mean(K, {0}, VectorXd::Ones(1), -0.1), std::invalid_argument);
  EXPECT_THROW(posterior_mean(MatrixXd::Ones(2, 3), {0}, VectorXd::Ones(1), 0.1), std::invalid_argument);
  EXPECT_THROW(spectrum(K, (VectorXd(3) << 0.5, 0.5, 0.0).finished()), std::invalid_argument);
  EXPECT_THROW(spectrum(K, (VectorXd(3) << 0.5, 0.5, 0.5).finished()), std::invalid_argument);
  EXPECT_THROW(draw_indices((VectorXd(2) << -0.5, 1.5).finished(), 3, 1, 1), std::invalid_argument);
  EXPECT_THROW(draw_indices((VectorXd(2) << 0.5, 0.5).finished(), -1, 1, 1), std::invalid_argument);
}

}  // namespace
