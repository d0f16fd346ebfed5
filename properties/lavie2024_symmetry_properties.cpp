// Property-based checks (rapidcheck) of the S_L symmetry of the Lavie, Gur-Ari, Ringel 2024 kernels
// (spec lavie2024-transformer-gp-limit.md 1.3 and 2.2) over random configurations: V in 2..4,
// L in 2..5, the candidate, permutations and token sequences. CI runs with
// RC_PARAMS=seed=20260123; every configuration is logged with RC_LOG.
//  - K(sigma x, sigma x') = K(x, x') bit for bit for A, C, D and any sigma in S_L, for B and any
//    sigma fixing the last position; the bag overlap <n(sigma x), n(tau x')> = <n(x), n(x')>;
//  - the isotypic projectors of [V]^L (V^L <= 256): tr P_lambda = f^lambda s_lambda(1^V) (exact),
//    and on a random vector v: P(P v) = P v, sum_lambda P v = v, <P_lambda v, P_mu v> = 0, and
//    T P v = P T v for T = K / V^L of A, C, D (relative 1e-12).
// Projectors and Gram matrices are cached per (V, L), so each case costs a few matrix-vector
// products.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <vector>

#include "bounds/lavie2024/young.hpp"
#include "claims/lavie2024/kernel_group.hpp"
#include "model/attention_kernel.hpp"
#include "model/rng.hpp"

namespace {

namespace lc = attnbound::claims::lavie2024;
namespace mdl = attnbound::model::lavie2024;
namespace bl = attnbound::bounds::lavie2024;

/// Uniform in [lo, hi) at every size (inRange scales its range with rapidcheck's size).
int uniform(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi)); }

mdl::token_sequence random_sequence(int V, int L) {
  mdl::token_sequence x(static_cast<std::size_t>(L));
  for (auto& t : x) t = uniform(0, V);
  return x;
}

/// A uniform permutation of 0..n-1 placed on positions 0..n-1 (Fisher-Yates with rapidcheck draws);
/// positions n..L-1 fixed.
mdl::permutation random_permutation(int L, int n) {
  mdl::permutation s(static_cast<std::size_t>(L));
  std::iota(s.begin(), s.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(s[static_cast<std::size_t>(i)], s[static_cast<std::size_t>(uniform(0, i + 1))]);
  return s;
}

struct cached_space {
  std::vector<Eigen::MatrixXd> P;
  std::vector<Eigen::MatrixXd> T;  // A, C, D
};

const cached_space& space_data(int V, int L) {
  static std::mutex mutex;
  static std::map<std::pair<int, int>, cached_space> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find({V, L});
  if (it != cache.end()) return it->second;
  const mdl::token_space s{V, L};
  cached_space c;
  c.P = lc::all_projectors(s);
  for (auto k : {mdl::candidate::A, mdl::candidate::C, mdl::candidate::D})
    c.T.push_back(mdl::full_space_gram(k, s) / static_cast<double>(s.size()));
  return cache.emplace(std::make_pair(V, L), std::move(c)).first->second;
}

}  // namespace

// Spec 1.3: A, C, D are S_L-invariant, B is S_{L-1}-invariant; the closed forms are exact in
// integer counts, so the values agree bit for bit. The bag overlap is separately invariant.
RC_GTEST_PROP(Lavie2024Symmetry, KernelIsInvariantUnderPositionPermutations, ()) {
  const int V = uniform(2, 5), L = uniform(2, 6);
  const auto cand = static_cast<mdl::candidate>(uniform(0, 4));
  const auto x = random_sequence(V, L), y = random_sequence(V, L);
  const auto sigma = random_permutation(L, cand == mdl::candidate::B ? L - 1 : L);
  const auto tau = random_permutation(L, L);
  RC_LOG() << "V=" << V << " L=" << L << " candidate=" << mdl::to_string(cand) << "\n";
  RC_ASSERT(mdl::kernel(cand, mdl::act(sigma, x), mdl::act(sigma, y), V) == mdl::kernel(cand, x, y, V));
  RC_ASSERT(mdl::bag_overlap(mdl::act(sigma, x), mdl::act(tau, y), V) == mdl::bag_overlap(x, y, V));
  RC_ASSERT(mdl::kernel(cand, x, y, V) == mdl::kernel(cand, y, x, V));  // symmetric
}

// Spec 2.2: isotypic projectors of [V]^L — ranks f s(1^V), idempotent, orthogonal, complete, and
// commuting with T of every S_L-invariant candidate.
RC_GTEST_PROP(Lavie2024Symmetry, IsotypicProjectorsAreCompleteOrthogonalIdempotents, ()) {
  const int V = uniform(2, 5);
  const int L = uniform(2, V == 4 ? 5 : 6);  // V^L <= 256
  const auto seed = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32));
  RC_LOG() << "V=" << V << " L=" << L << " seed=" << seed << "\n";
  const auto& d = space_data(V, L);
  const auto lambdas = bl::partitions(L);
  auto rng = attnbound::model::make_rng(seed, "lavie2024.property.vector");
  const Eigen::Index N = d.P[0].rows();
  Eigen::VectorXd v(N);
  for (Eigen::Index i = 0; i < N; ++i) v(i) = attnbound::model::standard_normal(rng);
  const double tol = 1e-12 * v.cwiseAbs().maxCoeff() * static_cast<double>(N);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(N);
  std::vector<Eigen::VectorXd> Pv;
  for (std::size_t l = 0; l < lambdas.size(); ++l) {
    const double rank = d.P[l].trace();
    RC_ASSERT(std::abs(rank - static_cast<double>(bl::isotypic_dimension(lambdas[l], V))) <= 1e-9);
    Pv.push_back(d.P[l] * v);
    RC_ASSERT((d.P[l] * Pv.back() - Pv.back()).cwiseAbs().maxCoeff() <= tol);
    sum += Pv.back();
    for (const auto& T : d.T) {
      const double scale = T.cwiseAbs().maxCoeff();
      RC_ASSERT((T * Pv.back() - d.P[l] * (T * v)).cwiseAbs().maxCoeff() <= tol * scale);
    }
  }
  RC_ASSERT((sum - v).cwiseAbs().maxCoeff() <= tol);
  for (std::size_t a = 0; a < Pv.size(); ++a)
    for (std::size_t b = a + 1; b < Pv.size(); ++b) RC_ASSERT(std::abs(Pv[a].dot(Pv[b])) <= tol * v.norm());
}
