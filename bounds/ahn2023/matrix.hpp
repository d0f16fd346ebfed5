// Dense matrices of a Scalar for bounds/ahn2023 (Eigen; Boost.Multiprecision's Eigen traits for
// mp_real / mp_interval), and the one inverse the closed forms need: of a symmetric positive
// definite matrix (G = E[S^2], Gamma_n, a Hankel matrix of moments), by Gauss-Jordan
// elimination without pivoting. No pivoting means no comparisons, so the same code runs for
// double, MPFR and MPFI (an interval result encloses the exact inverse).
#pragma once

#include <boost/multiprecision/eigen.hpp>

#include <Eigen/Dense>

#include <stdexcept>
#include <vector>

#include "bounds/common/scalar.hpp"

namespace attnbound::bounds::ahn2023 {

template <class S>
using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// A B, coefficient-based (Eigen's lazyProduct). Eigen's blocked GEMM (used from about 8 x 8 on)
/// packs blocks into default-constructed scalars, and a default-constructed mp_interval is NaN
/// (MPFI), which poisons the product; the coefficient-based product never reads such padding.
/// Use this (not operator*) for every matrix product in bounds/ahn2023.
template <class S>
matrix<S> mul(const matrix<S>& A, const matrix<S>& B) {
  return A.lazyProduct(B);
}

/// diag(v).
template <class S>
matrix<S> diagonal_matrix(const std::vector<S>& v) {
  const auto d = static_cast<Eigen::Index>(v.size());
  matrix<S> D = matrix<S>::Zero(d, d);
  for (Eigen::Index i = 0; i < d; ++i) D(i, i) = v[static_cast<std::size_t>(i)];
  return D;
}

/// c I_d.
template <class S>
matrix<S> scaled_identity(int d, const S& c) {
  matrix<S> D = matrix<S>::Zero(d, d);
  for (int i = 0; i < d; ++i) D(i, i) = c;
  return D;
}

/// A^{-1} for a symmetric positive definite A (Gauss-Jordan, no pivoting: every pivot of an
/// SPD matrix is positive). Throws std::domain_error when A is not square.
template <class S>
matrix<S> spd_inverse(const matrix<S>& A) {
  if (A.rows() != A.cols()) throw std::domain_error("spd_inverse: matrix is not square");
  const Eigen::Index d = A.rows();
  matrix<S> M = A;
  matrix<S> R = matrix<S>::Identity(d, d);
  for (Eigen::Index k = 0; k < d; ++k) {
    const S piv = M(k, k);
    for (Eigen::Index j = 0; j < d; ++j) {
      M(k, j) /= piv;
      R(k, j) /= piv;
    }
    for (Eigen::Index i = 0; i < d; ++i) {
      if (i == k) continue;
      const S f = M(i, k);
      for (Eigen::Index j = 0; j < d; ++j) {
        M(i, j) -= f * M(k, j);
        R(i, j) -= f * R(k, j);
      }
    }
  }
  return R;
}

}  // namespace attnbound::bounds::ahn2023
