// Shallow m-head softmax Transformer (spec section 1), batched over heads.
//
// Per sample X (d x T) with query q = X_T, all heads at once (layout in transformer.hpp):
//   Wq   = W q                       (d*m; viewed as d x m, column i = W_i q)
//   Z    = X^T Wq                    (T x m logits), then column-wise stable softmax -> alpha
//   A    = X alpha                   (d x m, column i = a_i)
//   pre  = colwise U_i . a_i,  h = tanh(pre),  dh = 1 - h^2
//   MU   = X (alpha .* X^T U) - A diag(pre)     (column i = M_i U_i, Remark 5:
//          M_i U_i = sum_t alpha_t X_t (X_t . U_i) - a_i (a_i . U_i))
// Lemma 1: d f/d c_i = m^-1/2 h_i, grad_{U_i} f = m^-1/2 c_i dh_i a_i,
//          grad_{W_i} f = m^-1/2 c_i dh_i (M_i U_i) q^T.
// Nothing in the per-sample path allocates once the workspace is sized.
#include "model/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attnbound::model {

using Eigen::Index;
using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---------------------------------------------------------------- transformer_params

transformer_params transformer_params::zeros(int d, int m) {
  transformer_params p;
  p.c = VectorXd::Zero(m);
  p.U = MatrixXd::Zero(d, m);
  p.W = MatrixXd::Zero(static_cast<Index>(d) * m, d);
  return p;
}

double transformer_params::dot(const transformer_params& o) const {
  return c.dot(o.c) + U.cwiseProduct(o.U).sum() + W.cwiseProduct(o.W).sum();
}

double transformer_params::squared_norm() const {
  return c.squaredNorm() + U.squaredNorm() + W.squaredNorm();
}

void transformer_params::axpy(double alpha, const transformer_params& o) {
  c += alpha * o.c;
  U += alpha * o.U;
  W += alpha * o.W;
}

void transformer_workspace::resize(int d, int T, int m) {
  // Eigen's resize keeps the buffer when the size is unchanged: no allocation after first use.
  const Index dm = static_cast<Index>(d) * m;
  Wq.resize(dm);
  Z.resize(T, m);
  A.resize(d, m);
  XtU.resize(T, m);
  MU.resize(d, m);
  pre.resize(m);
  h.resize(m);
  dh.resize(m);
}

// ---------------------------------------------------------------- per-sample kernels

namespace {

using SampleRef = Eigen::Ref<const MatrixXd>;  // d x T, a column block of data.X

// Token-chunked products. Eigen's GEMM packs a block of each operand into a buffer that lives
// on the stack only up to 128 KB; for long sequences the token dimension is split so that the
// packed blocks stay small and nothing is allocated per sample. For T <= chunk (the usual
// case) each is a single product.
Index token_chunk(Index other_dim) {
  return std::max<Index>(8, 8192 / std::max<Index>(1, other_dim));
}

// dst = X^T B  (T x m; B is d x m): split over output rows.
template <class Rhs>
void tokens_times(const SampleRef& X, const Rhs& B, MatrixXd& dst) {
  const Index T = X.cols(), chunk = token_chunk(X.rows());
  for (Index t0 = 0; t0 < T; t0 += chunk) {
    const Index len = std::min(chunk, T - t0);
    dst.middleRows(t0, len).noalias() = X.middleCols(t0, len).transpose() * B;
  }
}

// dst = X B  (d x m; B is T x m): split over the depth T.
void times_tokens(const SampleRef& X, const MatrixXd& B, MatrixXd& dst) {
  const Index T = X.cols(), chunk = token_chunk(B.cols());
  dst.noalias() = X.leftCols(std::min(T, chunk)) * B.topRows(std::min(T, chunk));
  for (Index t0 = chunk; t0 < T; t0 += chunk) {
    const Index len = std::min(chunk, T - t0);
    dst.noalias() += X.middleCols(t0, len) * B.middleRows(t0, len);
  }
}

// Forward pass of one sample: fills ws.Wq, ws.Z (softmax weights), ws.A, ws.pre, ws.h, ws.dh.
// Returns f(X; phi) = m^-1/2 sum_i c_i h_i.
double forward_kernel(const transformer_params& phi, const SampleRef& X,
                      transformer_workspace& ws) {
  const int d = phi.d(), m = phi.m();
  const Index T = X.cols();
  const auto q = X.col(T - 1);

  ws.Wq.noalias() = phi.W * q;
  const Map<const MatrixXd> Wq(ws.Wq.data(), d, m);  // column i = W_i q
  tokens_times(X, Wq, ws.Z);                         // logits z_t = X_t^T W_i q

  // Column-wise softmax with the column maximum subtracted (no overflow for huge logits).
  for (int i = 0; i < m; ++i) {
    auto z = ws.Z.col(i);
    const double mx = z.maxCoeff();
    z = (z.array() - mx).exp();
    z /= z.sum();  // the max entry is exp(0) = 1, so the sum is >= 1
  }

  times_tokens(X, ws.Z, ws.A);  // a_i = X alpha_i, a convex combination of tokens
  ws.pre = phi.U.cwiseProduct(ws.A).colwise().sum().transpose();
  ws.h = ws.pre.array().tanh();
  ws.dh = 1.0 - ws.h.array().square();
  return phi.c.dot(ws.h) / std::sqrt(static_cast<double>(m));
}

// After forward_kernel: ws.MU column i = M_i U_i. Overwrites ws.XtU with alpha .* (X^T U).
void mu_kernel(const transformer_params& phi, const SampleRef& X, transformer_workspace& ws) {
  tokens_times(X, phi.U, ws.XtU);
  ws.XtU.array() *= ws.Z.array();  // alpha_t (X_t . U_i)
  times_tokens(X, ws.XtU, ws.MU);
  ws.MU.noalias() -= ws.A * ws.pre.asDiagonal();  // - a_i (a_i . U_i)
}

// grad += weight * grad_phi f(X; phi), after forward_kernel and mu_kernel (Lemma 1).
void accumulate_kernel(const transformer_params& phi, const SampleRef& X, double weight,
                       transformer_params& grad, transformer_workspace& ws) {
  const int d = phi.d(), m = phi.m();
  const double s = weight / std::sqrt(static_cast<double>(m));
  const auto q = X.col(X.cols() - 1);
  // coef_i = weight m^-1/2 c_i dh_i (a lazy expression: evaluated per coefficient, no temporary)
  const auto coef = (s * phi.c.array() * ws.dh.array()).matrix().asDiagonal();

  grad.c.noalias() += s * ws.h;
  grad.U.noalias() += ws.A * coef;
  // All W_i blocks at once: grad_W += vec(MU diag(coef)) q^T, a rank-1 update of (d*m) x d.
  // ws.Wq (no longer needed) holds vec(MU diag(coef)).
  Map<MatrixXd> G(ws.Wq.data(), d, m);
  G.noalias() = ws.MU * coef;
  grad.W.noalias() += ws.Wq * q.transpose();
}

void check_shapes(const transformer_params& phi, const sequence_data& data) {
  if (phi.d() != data.d || phi.U.cols() != phi.m() ||
      phi.W.rows() != static_cast<Index>(phi.d()) * phi.m() || phi.W.cols() != phi.d() ||
      data.X.rows() != data.d || data.X.cols() != static_cast<Index>(data.T) * data.n || data.T < 1)
    throw std::invalid_argument("transformer: parameter and data shapes do not match");
}

void zero_like(const transformer_params& phi, transformer_params& grad) {
  grad.c.setZero(phi.c.size());
  grad.U.setZero(phi.U.rows(), phi.U.cols());
  grad.W.setZero(phi.W.rows(), phi.W.cols());
}

}  // namespace

// ---------------------------------------------------------------- public API

double forward_one(const transformer_params& phi, const sequence_data& data, int j,
                   transformer_workspace& ws) {
  ws.resize(phi.d(), data.T, phi.m());
  return forward_kernel(phi, data.sample(j), ws);
}

void forward(const transformer_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             transformer_workspace& ws) {
  check_shapes(phi, data);
  ws.resize(phi.d(), data.T, phi.m());
  f.resize(data.n);
  for (int j = 0; j < data.n; ++j) f(j) = forward_kernel(phi, data.sample(j), ws);
}

void gradient_one(const transformer_params& phi, const sequence_data& data, int j,
                  transformer_params& grad, transformer_workspace& ws) {
  ws.resize(phi.d(), data.T, phi.m());
  zero_like(phi, grad);
  const auto X = data.sample(j);
  forward_kernel(phi, X, ws);
  mu_kernel(phi, X, ws);
  accumulate_kernel(phi, X, 1.0, grad, ws);
}

void accumulate_weighted_gradient(const transformer_params& phi, const sequence_data& data,
                                  const std::vector<int>& idx, const Eigen::VectorXd& w,
                                  transformer_params& grad, transformer_workspace& ws) {
  check_shapes(phi, data);
  const Index count = idx.empty() ? data.n : static_cast<Index>(idx.size());
  if (w.size() != count)
    throw std::invalid_argument("accumulate_weighted_gradient: weights do not match samples");
  if (grad.c.size() != phi.c.size() || grad.U.size() != phi.U.size() ||
      grad.W.size() != phi.W.size())
    zero_like(phi, grad);
  ws.resize(phi.d(), data.T, phi.m());
  for (Index k = 0; k < count; ++k) {
    const int j = idx.empty() ? static_cast<int>(k) : idx[k];
    const auto X = data.sample(j);
    forward_kernel(phi, X, ws);
    mu_kernel(phi, X, ws);
    accumulate_kernel(phi, X, w(k), grad, ws);
  }
}

double loss_and_gradient(const transformer_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, transformer_params& grad,
                         transformer_workspace& ws) {
  check_shapes(phi, data);
  ws.resize(phi.d(), data.T, phi.m());
  zero_like(phi, grad);
  const Index count = idx.empty() ? data.n : static_cast<Index>(idx.size());
  if (count == 0) return 0.0;
  const double inv = 1.0 / static_cast<double>(count);
  double sum = 0;
  for (Index k = 0; k < count; ++k) {
    const int j = idx.empty() ? static_cast<int>(k) : idx[k];
    const auto X = data.sample(j);
    const double r = forward_kernel(phi, X, ws) - data.y(j);  // residual r_j = f_j - y_j
    sum += r * r;
    mu_kernel(phi, X, ws);
    accumulate_kernel(phi, X, 2.0 * r * inv, grad, ws);  // d(r^2)/d phi = 2 r grad f
  }
  return sum / static_cast<double>(count);
}

double loss(const transformer_params& phi, const sequence_data& data, transformer_workspace& ws) {
  check_shapes(phi, data);
  if (data.n == 0) return 0.0;
  ws.resize(phi.d(), data.T, phi.m());
  double sum = 0;
  for (int j = 0; j < data.n; ++j) {
    const double r = forward_kernel(phi, data.sample(j), ws) - data.y(j);
    sum += r * r;
  }
  return sum / data.n;
}

void forward_linearized(const transformer_params& phi0, const transformer_params& phi,
                        const sequence_data& data, Eigen::VectorXd& f_lin,
                        transformer_workspace& ws) {
  check_shapes(phi0, data);
  if (phi.c.size() != phi0.c.size() || phi.U.size() != phi0.U.size() ||
      phi.W.size() != phi0.W.size())
    throw std::invalid_argument("forward_linearized: phi and phi0 differ in shape");
  const int d = phi0.d(), m = phi0.m();
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  const MatrixXd dW = phi.W - phi0.W;  // once per call, outside the sample loop
  const MatrixXd dU = phi.U - phi0.U;
  const VectorXd dc = phi.c - phi0.c;
  ws.resize(d, data.T, m);
  f_lin.resize(data.n);
  for (int j = 0; j < data.n; ++j) {
    const auto X = data.sample(j);
    const double f0 = forward_kernel(phi0, X, ws);
    mu_kernel(phi0, X, ws);
    ws.Wq.noalias() = dW * data.query(j);  // column i of the d x m view = dW_i q
    const Map<const MatrixXd> dWq(ws.Wq.data(), d, m);
    // Definition 3 with Lemma 1: sum_i [h_i dc_i + c_i dh_i (a_i . dU_i + (M_i U_i) . dW_i q)]
    const double lin =
        ws.h.dot(dc) +
        (phi0.c.array() * ws.dh.array() *
         (ws.A.cwiseProduct(dU).colwise().sum() + ws.MU.cwiseProduct(dWq).colwise().sum())
             .transpose()
             .array())
            .sum();
    f_lin(j) = f0 + s * lin;
  }
}

transformer_params symmetric_init(int d, int m, rng_t& rng) {
  if (d < 1) throw std::invalid_argument("symmetric_init: d must be positive");
  if (m <= 0 || m % 2 != 0)
    throw std::invalid_argument("symmetric_init: m must be even and positive");
  transformer_params phi = transformer_params::zeros(d, m);
  const int half = m / 2;
  for (int i = 0; i < half; ++i) {
    for (int r = 0; r < d; ++r)  // W_i row-major
      for (int k = 0; k < d; ++k) phi.W(static_cast<Index>(i) * d + r, k) = standard_normal(rng);
    for (int r = 0; r < d; ++r) phi.U(r, i) = standard_normal(rng);
    phi.c(i) = rademacher(rng);
  }
  // Antisymmetric doubling: head i + m/2 copies W_i, U_i with c = -c_i, so f(X; phi0) = 0.
  for (int i = 0; i < half; ++i) {
    phi.W.middleRows(static_cast<Index>(i + half) * d, d) =
        phi.W.middleRows(static_cast<Index>(i) * d, d);
    phi.U.col(i + half) = phi.U.col(i);
    phi.c(i + half) = -phi.c(i);
  }
  return phi;
}

namespace {

// Radial clipping of x toward x0: x0 + (x - x0) min(1, r / ||x - x0||).
template <class Block, class Block0>
void clip_block(Block&& x, const Block0& x0, double r) {
  const double norm = (x - x0).norm();
  if (norm > r) x = x0 + (r / norm) * (x - x0);
}

}  // namespace

void project(transformer_params& phi, const transformer_params& phi0, const radii& rho) {
  const int d = phi0.d(), m = phi0.m();
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  const double rc = rho.c * s, ru = rho.u * s, rw = rho.w * s;
  for (int i = 0; i < m; ++i) {
    const double dc = phi.c(i) - phi0.c(i);
    if (std::abs(dc) > rc) phi.c(i) = phi0.c(i) + std::copysign(rc, dc);
    clip_block(phi.U.col(i), phi0.U.col(i), ru);
    clip_block(phi.W.middleRows(static_cast<Index>(i) * d, d),
               phi0.W.middleRows(static_cast<Index>(i) * d, d), rw);
  }
}

bool in_ball(const transformer_params& phi, const transformer_params& phi0, const radii& rho,
             double tol) {
  const int d = phi0.d(), m = phi0.m();
  const double s = (1.0 + tol) / std::sqrt(static_cast<double>(m));
  for (int i = 0; i < m; ++i) {
    if (!(std::abs(phi.c(i) - phi0.c(i)) <= rho.c * s)) return false;
    if (!((phi.U.col(i) - phi0.U.col(i)).norm() <= rho.u * s)) return false;
    const Index r0 = static_cast<Index>(i) * d;
    if (!((phi.W.middleRows(r0, d) - phi0.W.middleRows(r0, d)).norm() <= rho.w * s)) return false;
  }
  return true;
}

}  // namespace attnbound::model
