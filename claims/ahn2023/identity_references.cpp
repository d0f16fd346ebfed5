#include "claims/ahn2023/identity_references.hpp"

#include <algorithm>
#include <cmath>

namespace attnbound::claims::ahn2023 {

prompt_view view_prompt(const model::icl::prompt_batch& batch, int b) {
  const int d = batch.d, n = batch.n;
  const Eigen::Index c0 = static_cast<Eigen::Index>(b) * (n + 1);
  prompt_view p;
  p.X = batch.Z.block(0, c0, d, n);
  p.y = batch.Z.block(d, c0, 1, n).transpose();
  p.xq = batch.Z.block(0, c0 + n, d, 1);
  p.yq = batch.y_query(b);
  p.w = batch.w.col(b);
  return p;
}

namespace {
Eigen::VectorXd vec(const Eigen::MatrixXd& C) { return Eigen::Map<const Eigen::VectorXd>(C.data(), C.size()); }
}  // namespace

double empirical_quadratic::value(const Eigen::MatrixXd& C) const {
  const Eigen::VectorXd c = vec(C);
  return a0 - 2 * g.dot(c) + c.dot(H * c);
}

double empirical_quadratic::magnitude(const Eigen::MatrixXd& C) const {
  const Eigen::VectorXd c = vec(C);
  return a0 + 2 * std::abs(g.dot(c)) + c.dot(H * c);
}

empirical_quadratic one_layer_empirical_quadratic(const model::icl::prompt_batch& batch) {
  const int d = batch.d, B = batch.B;
  empirical_quadratic q;
  q.g = Eigen::VectorXd::Zero(d * d);
  q.H = Eigen::MatrixXd::Zero(d * d, d * d);
  Eigen::VectorXd k(d * d);
  for (int b = 0; b < B; ++b) {
    const prompt_view p = view_prompt(batch, b);
    const Eigen::VectorXd h = p.X * p.y / static_cast<double>(batch.n);
    for (int j = 0; j < d; ++j)
      for (int i = 0; i < d; ++i) k(i + d * j) = p.xq(i) * h(j);  // x_q^T C h = sum_ij x_q,i C_ij h_j
    q.a0 += p.yq * p.yq;
    q.g += p.yq * k;
    q.H.noalias() += k * k.transpose();
  }
  q.a0 /= B, q.g /= B, q.H /= B;
  return q;
}

Eigen::MatrixXd vo_expected_tokens(const prompt_view& p, const Eigen::RowVectorXd& W0, double eta, int K) {
  const Eigen::Index d = p.X.rows(), n = p.X.cols();
  Eigen::RowVectorXd W = W0;
  for (int k = 0; k < K; ++k) {
    Eigen::RowVectorXd grad = Eigen::RowVectorXd::Zero(d);
    for (Eigen::Index i = 0; i < n; ++i) grad += (W.dot(p.X.col(i)) - p.y(i)) * p.X.col(i).transpose();
    W -= (eta / static_cast<double>(n)) * grad;
  }
  Eigen::MatrixXd Z(d + 1, n + 1);
  Z.topLeftCorner(d, n) = p.X;
  Z.block(0, n, d, 1) = p.xq;
  const Eigen::RowVectorXd dW = W - W0;
  for (Eigen::Index i = 0; i < n; ++i) Z(d, i) = p.y(i) - dW.dot(p.X.col(i));
  Z(d, n) = -W.dot(p.xq);
  return Z;
}

Eigen::VectorXd preconditioned_gd(const prompt_view& p, const std::vector<Eigen::MatrixXd>& M) {
  const Eigen::Index d = p.X.rows(), n = p.X.cols();
  Eigen::VectorXd w = Eigen::VectorXd::Zero(d);
  for (const auto& Ml : M) {
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(d);
    for (Eigen::Index i = 0; i < n; ++i) grad += (p.X.col(i).dot(w) - p.y(i)) * p.X.col(i);
    grad /= static_cast<double>(n);
    w -= Ml * grad;
  }
  return w;
}

Eigen::MatrixXd lemma1_expected_tokens(const prompt_view& p, const Eigen::VectorXd& wL) {
  const Eigen::Index d = p.X.rows(), n = p.X.cols();
  Eigen::MatrixXd Z(d + 1, n + 1);
  Z.topLeftCorner(d, n) = p.X;
  Z.block(0, n, d, 1) = p.xq;
  for (Eigen::Index i = 0; i < n; ++i) Z(d, i) = p.y(i) - p.X.col(i).dot(wL);
  Z(d, n) = -p.xq.dot(wL);
  return Z;
}

double scaled_max_error(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  const double scale = std::max(1.0, B.cwiseAbs().maxCoeff());
  return (A - B).cwiseAbs().maxCoeff() / scale;
}

}  // namespace attnbound::claims::ahn2023
