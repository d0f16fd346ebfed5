// GP regression on a finite space (spec lavie2024-transformer-gp-limit.md section 3): posterior
// mean, test error, learnability and the spectrum of T = diag(sqrt p) K diag(sqrt p).
#include "model/gp_regression.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "model/rng.hpp"

namespace attnbound::model::lavie2024 {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

void check_kernel(const Eigen::MatrixXd& K) {
  if (!(K.rows() == K.cols()))
    throw std::invalid_argument("kernel matrix is " + std::to_string(K.rows()) + " x " + std::to_string(K.cols()) +
                                ", not square");
  require(K.allFinite(), "kernel matrix has a non-finite entry");
}

/// A measure on the space: finite non-negative entries summing to 1 (within 1e-9).
void check_measure(const Eigen::VectorXd& p, Eigen::Index n) {
  if (!(p.size() == n))
    throw std::invalid_argument("measure has " + std::to_string(p.size()) + " entries, expected " + std::to_string(n));
  require(p.allFinite() && (p.array() >= 0.0).all(), "measure has a negative or non-finite entry");
  if (!(std::abs(p.sum() - 1.0) <= 1e-9))
    throw std::invalid_argument("measure sums to " + std::to_string(p.sum()) + ", not 1");
}

void check_same_size(const Eigen::VectorXd& f, const Eigen::VectorXd& g, const Eigen::VectorXd& p) {
  require(f.size() == g.size() && g.size() == p.size(), "predictor, target and measure differ in size");
  require(f.allFinite() && g.allFinite(), "predictor or target has a non-finite entry");
  check_measure(p, p.size());
}

}  // namespace

Eigen::VectorXd posterior_mean(const Eigen::MatrixXd& K_full, const std::vector<std::int64_t>& train,
                               const Eigen::VectorXd& y, double delta) {
  check_kernel(K_full);
  const Eigen::Index N = K_full.rows();
  const auto P = static_cast<Eigen::Index>(train.size());
  if (!(y.size() == P))
    throw std::invalid_argument(std::to_string(y.size()) + " labels for " + std::to_string(P) + " training points");
  require(y.allFinite(), "labels have a non-finite entry");
  if (!(std::isfinite(delta) && delta >= 0.0))
    throw std::invalid_argument("ridge delta must be finite and >= 0 (got " + std::to_string(delta) + ")");
  for (std::int64_t i : train)
    if (i < 0 || i >= N)
      throw std::invalid_argument("training index " + std::to_string(i) + " outside [0, " + std::to_string(N) + ")");
  if (P == 0) return Eigen::VectorXd::Zero(N);  // the prior mean
  Eigen::MatrixXd Ktrain(P, P), Kcross(N, P);
  for (Eigen::Index b = 0; b < P; ++b) {
    Kcross.col(b) = K_full.col(train[static_cast<std::size_t>(b)]);
    for (Eigen::Index a = 0; a < P; ++a)
      Ktrain(a, b) = K_full(train[static_cast<std::size_t>(a)], train[static_cast<std::size_t>(b)]);
  }
  Ktrain.diagonal().array() += delta;
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(Ktrain);
  // Singular (e.g. delta = 0 with a repeated point) or numerically so: rcond below 1e-12, or a
  // non-positive pivot (K(X,X) + delta I is positive semi-definite for a kernel).
  const double rcond = ldlt.info() == Eigen::Success ? ldlt.rcond() : 0.0;
  if (!(rcond >= 1e-12) || !(ldlt.vectorD().minCoeff() > 0.0))
    throw std::domain_error("posterior_mean: K(X,X) + delta I is singular or not positive definite (rcond " +
                            std::to_string(rcond) + ", delta " + std::to_string(delta) + ", P " + std::to_string(P) +
                            "); use delta > 0 or distinct training points");
  const Eigen::VectorXd alpha = ldlt.solve(y);
  return Kcross * alpha;
}

double mse(const Eigen::VectorXd& f, const Eigen::VectorXd& g, const Eigen::VectorXd& p) {
  check_same_size(f, g, p);
  return (p.array() * (f - g).array().square()).sum();
}

double learnability(const Eigen::VectorXd& f, const Eigen::VectorXd& g, const Eigen::VectorXd& p) {
  check_same_size(f, g, p);
  const double gg = (p.array() * g.array().square()).sum();
  require(gg > 0.0, "learnability of a target with <g, g>_p = 0 is undefined");
  return (p.array() * g.array() * f.array()).sum() / gg;
}

std::vector<std::int64_t> draw_indices(const Eigen::VectorXd& p, int P, std::uint64_t seed,
                                       std::uint64_t replicate) {
  require(p.size() >= 1, "empty measure");
  check_measure(p, p.size());
  if (!(P >= 0))
    throw std::invalid_argument("number of samples P must be >= 0 (got " + std::to_string(P) + ")");
  std::vector<double> cumulative(static_cast<std::size_t>(p.size()));
  double total = 0.0;
  for (Eigen::Index i = 0; i < p.size(); ++i) cumulative[static_cast<std::size_t>(i)] = total += p[i];
  // The last index carrying mass (the fallback if u * total rounds up to total).
  Eigen::Index last = p.size() - 1;
  while (last > 0 && p[last] <= 0.0) --last;
  rng_t rng = make_rng(seed, "lavie2024.indices", {replicate});
  boost::random::uniform_01<double> u01;
  std::vector<std::int64_t> indices(static_cast<std::size_t>(P));
  for (auto& index : indices) {
    const double u = u01(rng) * total;
    // First i with cumulative[i] > u: never a zero-mass point.
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    index = it == cumulative.end() ? last : std::min<std::int64_t>(it - cumulative.begin(), last);
  }
  return indices;
}

operator_spectrum spectrum(const Eigen::MatrixXd& K_full, const Eigen::VectorXd& p) {
  check_kernel(K_full);
  require(K_full.rows() >= 1, "empty kernel matrix");
  check_measure(p, K_full.rows());
  require((p.array() > 0.0).all(), "spectrum needs p > 0 everywhere (eigenfunctions are v / sqrt p)");
  const Eigen::VectorXd s = p.array().sqrt();
  const Eigen::MatrixXd T = s.asDiagonal() * K_full * s.asDiagonal();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(T);
  if (eig.info() != Eigen::Success) throw std::domain_error("spectrum: the eigensolver did not converge");
  operator_spectrum out;
  out.eigenvalues = eig.eigenvalues();
  out.eigenfunctions = s.cwiseInverse().asDiagonal() * eig.eigenvectors();
  return out;
}

}  // namespace attnbound::model::lavie2024
