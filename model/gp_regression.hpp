// GP regression (kernel ridge regression) with a kernel given as a Gram matrix, for the
// learning-curve checks of spec lavie2024-transformer-gp-limit.md section 3: the posterior
// mean f(x) = K(x, X) (K(X, X) + delta I)^{-1} y with ridge delta (= the GP noise sigma^2),
// its test error and learnability against a target g under a measure p on a finite space.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace attnbound::model::lavie2024 {

/// Posterior mean on every point of the space: K_full is the N x N kernel on the space, `train`
/// the P training indices (repeats allowed), y the P labels. Solved by LDLT of
/// K(X,X) + delta I; delta = 0 is allowed when K(X,X) is nonsingular (std::domain_error
/// otherwise).
Eigen::VectorXd posterior_mean(const Eigen::MatrixXd& K_full, const std::vector<std::int64_t>& train,
                               const Eigen::VectorXd& y, double delta);

/// E_p (f - g)^2 and the learnability <g, f>_p / <g, g>_p (spec 3: L(g)).
double mse(const Eigen::VectorXd& f, const Eigen::VectorXd& g, const Eigen::VectorXd& p);
double learnability(const Eigen::VectorXd& f, const Eigen::VectorXd& g, const Eigen::VectorXd& p);

/// Draws P indices i.i.d. from p (alias-free: inverse CDF on the cumulative sums).
std::vector<std::int64_t> draw_indices(const Eigen::VectorXd& p, int P, std::uint64_t seed,
                                       std::uint64_t replicate);

/// Eigen-decomposition of the operator T = diag(sqrt p) K diag(sqrt p) (symmetrised form of
/// (T f)(x) = sum_x' p(x') K(x,x') f(x')): eigenvalues ascending, and eigenfunctions phi_i on the
/// space normalised so that <phi_i, phi_j>_p = delta_ij (phi = eigenvector / sqrt p).
struct operator_spectrum {
  Eigen::VectorXd eigenvalues;
  Eigen::MatrixXd eigenfunctions;  // N x N, column i = phi_i
};
operator_spectrum spectrum(const Eigen::MatrixXd& K_full, const Eigen::VectorXd& p);

}  // namespace attnbound::model::lavie2024
