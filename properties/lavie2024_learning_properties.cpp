// Property-based checks (rapidcheck) of the learnability bounds of Lavie et al. 2024 (spec
// lavie2024-transformer-gp-limit.md 2.4, checks 5.7 and 5.9, [reconstructed]) over random
// configurations: vocabulary V in 2..3, context length L in 2..5, an S_L-invariant candidate kernel
// (A, C or D) on the full space [V]^L with the uniform measure, an irrep lambda carrying part of its
// trace (Tr(P_lambda T) > 0, exact), P, sigma^2 and the seed of the datasets. Every configuration is
// logged with RC_LOG; CI runs with RC_PARAMS=seed=20260123.
//  - the eigenlearning learnability of the top eigenfunction of lambda is at most
//    min(Tr T/(Tr T + f^lambda sigma^2/P), P/f^lambda) (to a 1e-12 relative rounding allowance);
//  - the ridgeless empirical learnabilities of an orthonormal eigenbasis sum to P on P distinct
//    points with K(X,X) nonsingular (the conservation law), and with a ridge delta > 0 and repeats
//    allowed they sum to tr(K(X,X)(K(X,X) + delta I)^{-1}) <= P;
//  - the mean learnability of that target over 16 datasets is at most P/f^lambda + 3 SE (its
//    expectation is at most P/f^lambda: an S_L-invariant quadratic form on S^lambda (x) C^r).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "bounds/lavie2024/kernel_traces.hpp"
#include "bounds/lavie2024/learnability.hpp"
#include "bounds/lavie2024/learning_curves.hpp"
#include "claims/lavie2024/learning_group.hpp"
#include "model/rng.hpp"

namespace {

namespace bl = attnbound::bounds::lavie2024;
namespace lv = attnbound::claims::lavie2024;
namespace mdl = attnbound::model::lavie2024;
namespace md = attnbound::model;

/// Uniform in [lo, hi) at every size (inRange scales its range with rapidcheck's size).
int uniform(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi)); }

struct config {
  mdl::candidate kernel = mdl::candidate::A;
  int V = 2, L = 2, P = 1;
  double sigma2 = 1;
  bl::partition lambda;
  std::uint64_t seed = 0;
};

using lv::kernel_char;
using lv::to_double;

/// A configuration with an irrep that carries part of the trace (so it has a nonzero eigenvalue).
config draw_config(int P_lo, int P_hi) {
  config c;
  c.kernel = *rc::gen::element(mdl::candidate::A, mdl::candidate::C, mdl::candidate::D);
  c.V = uniform(2, 4);
  c.L = uniform(2, 6);
  c.P = uniform(P_lo, P_hi);
  c.sigma2 = *rc::gen::element(0.001, 0.01, 0.1, 0.5, 1.0, 5.0) * uniform(1, 5);
  std::vector<bl::partition> carrying;
  for (const auto& lambda : bl::partitions(c.L))
    if (static_cast<int>(lambda.size()) <= c.V && bl::isotypic_trace(kernel_char(c.kernel), c.V, lambda) > 0)
      carrying.push_back(lambda);
  c.lambda = carrying[static_cast<std::size_t>(uniform(0, static_cast<int>(carrying.size())))];
  c.seed = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32));
  RC_LOG() << "kernel=" << mdl::to_string(c.kernel) << " V=" << c.V << " L=" << c.L << " lambda=" << bl::to_string(c.lambda)
           << " P=" << c.P << " sigma2=" << c.sigma2 << " seed=" << c.seed << "\n";
  return c;
}

}  // namespace

// Spec 2.4 / check 9: eigenlearning learnability <= min(trace bound, P/f^lambda).
RC_GTEST_PROP(Lavie2024LearningProperty, EigenlearningLearnabilityIsBelowBothBounds, ()) {
  const config c = draw_config(1, 31);
  const auto pr = lv::make_problem(c.kernel, c.V, c.L, c.lambda, 1.0);
  const double f = static_cast<double>(bl::irrep_dimension(c.lambda));
  const double trace = to_double(bl::operator_trace(kernel_char(c.kernel), c.V, c.L));
  const auto eig = bl::eigenlearning<double>(pr.groups, c.sigma2, 0.0, c.P);
  const double l = eig.learnability[static_cast<std::size_t>(pr.target_group)];
  const double tb = bl::trace_bound<double>(trace, f, c.sigma2, c.P), cb = bl::conservation_bound<double>(c.P, f);
  const double ek = bl::ek_learnability<double>(pr.target.eigenvalue, c.sigma2, c.P);
  RC_LOG() << "eta=" << pr.target.eigenvalue << " M=" << pr.target.degeneracy << " eigenlearning=" << l << " ek=" << ek
           << " trace bound=" << tb << " P/f=" << cb << "\n";
  RC_ASSERT(pr.target.degeneracy >= f);
  RC_ASSERT(l <= ek * (1 + 1e-12));
  RC_ASSERT(ek <= tb * (1 + 1e-12));
  RC_ASSERT(l <= cb);
  RC_ASSERT(l * pr.groups[static_cast<std::size_t>(pr.target_group)].multiplicity <= c.P);
  RC_CLASSIFY(cb < tb, "conservation bound below trace bound");
}

// Spec 5.7: sum over an orthonormal eigenbasis of the ridgeless empirical learnabilities = P on P
// distinct points with K(X,X) nonsingular; with a ridge, tr(K (K + delta I)^{-1}) <= P.
RC_GTEST_PROP(Lavie2024LearningProperty, EmpiricalLearnabilitiesOfAnEigenbasisSumToP, ()) {
  const config c = draw_config(1, 41);
  const mdl::token_space space{c.V, c.L};
  const Eigen::MatrixXd K = mdl::full_space_gram(c.kernel, space);
  const auto N = space.size();
  const Eigen::VectorXd p = Eigen::VectorXd::Constant(N, 1.0 / static_cast<double>(N));
  const auto spec = mdl::spectrum(K, p);
  // Distinct points in random order, each kept only if it raises the rank of K(X,X) (Schur
  // complement above 1e-6 of the largest diagonal), up to P points.
  std::vector<std::int64_t> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), 0);
  auto rng = md::make_rng(c.seed, "lavie2024.property.points");
  for (std::size_t i = order.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i - 1], order[pick(rng)]);
  }
  const double dmax = K.diagonal().maxCoeff();
  std::vector<std::int64_t> X;
  for (std::int64_t i : order) {
    if (static_cast<int>(X.size()) == c.P) break;
    const auto n = static_cast<Eigen::Index>(X.size());
    double schur = K(i, i);
    if (n > 0) {
      Eigen::MatrixXd KX(n, n);
      Eigen::VectorXd k(n);
      for (Eigen::Index a = 0; a < n; ++a) {
        k(a) = K(X[static_cast<std::size_t>(a)], i);
        for (Eigen::Index b = 0; b < n; ++b) KX(a, b) = K(X[static_cast<std::size_t>(a)], X[static_cast<std::size_t>(b)]);
      }
      schur -= k.dot(KX.ldlt().solve(k));
    }
    if (schur > 1e-6 * dmax) X.push_back(i);
  }
  const int P = static_cast<int>(X.size());
  RC_LOG() << "distinct points kept=" << P << "\n";
  RC_CLASSIFY(P < c.P, "fewer points than asked (rank of K)");
  double sum = 0;
  for (Eigen::Index j = 0; j < N; ++j) {
    const Eigen::VectorXd phi = spec.eigenfunctions.col(j);
    Eigen::VectorXd y(P);
    for (int a = 0; a < P; ++a) y(a) = phi(X[static_cast<std::size_t>(a)]);
    sum += mdl::learnability(mdl::posterior_mean(K, X, y, 0.0), phi, p);
  }
  RC_LOG() << "ridgeless sum=" << sum << "\n";
  RC_ASSERT(std::abs(sum - P) <= 1e-6 * std::max(1, P));

  // With a ridge and i.i.d. points (repeats allowed): the sum is tr(K (K + delta I)^{-1}) <= P.
  const auto Xr = mdl::draw_indices(p, c.P, c.seed, 1);
  Eigen::MatrixXd KX(c.P, c.P);
  for (int a = 0; a < c.P; ++a)
    for (int b = 0; b < c.P; ++b) KX(a, b) = K(Xr[static_cast<std::size_t>(a)], Xr[static_cast<std::size_t>(b)]);
  Eigen::MatrixXd shifted = KX;
  shifted.diagonal().array() += c.sigma2;
  const double trace = shifted.ldlt().solve(KX).trace();
  double ridge_sum = 0;
  for (Eigen::Index j = 0; j < N; ++j) {
    const Eigen::VectorXd phi = spec.eigenfunctions.col(j);
    Eigen::VectorXd y(c.P);
    for (int a = 0; a < c.P; ++a) y(a) = phi(Xr[static_cast<std::size_t>(a)]);
    ridge_sum += mdl::learnability(mdl::posterior_mean(K, Xr, y, c.sigma2), phi, p);
  }
  RC_LOG() << "ridge sum=" << ridge_sum << " tr K(K+delta)^-1=" << trace << "\n";
  RC_ASSERT(std::abs(ridge_sum - trace) <= 1e-8 * c.P);
  RC_ASSERT(ridge_sum <= c.P * (1 + 1e-12));
}

// Spec 2.4 (ii) / check 9: the mean learnability of the irrep target over 16 datasets is at most
// P/f^lambda + 3 SE.
RC_GTEST_PROP(Lavie2024LearningProperty, MeasuredLearnabilityIsBelowTheConservationBound, ()) {
  const config c = draw_config(1, 6);
  const auto pr = lv::make_problem(c.kernel, c.V, c.L, c.lambda, 1.0);
  const double f = static_cast<double>(bl::irrep_dimension(c.lambda));
  const auto s = lv::measure_datasets(pr, c.P, c.sigma2, 0.0, 16, c.seed, "lavie2024.property", 1);
  const auto m = lv::summarize(s.learnability);
  RC_LOG() << "mean learnability=" << m.mean << " se=" << m.se << " P/f=" << c.P / f << "\n";
  RC_CLASSIFY(c.P < f, "P < f^lambda (the bound is below 1)");
  for (double l : s.learnability) RC_ASSERT(l >= -1e-12 && l <= 1 + 1e-12);  // an eigenfunction's learnability is in [0, 1]
  RC_ASSERT(m.mean <= c.P / f + lv::se_multiple * m.se + 1e-12);
}
