// IndRNN forward pass and BPTT (see indrnn.hpp). Samples are processed in blocks of
// consecutive windows: one product P = W_in X_block gives every W_in x_t of the block, the
// recurrence runs column by column, and the backward pass writes dL/dz_t over P so that
// grad W_in += P X_block^T is one more product.
#include "model/indrnn.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attnbound::model {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---------------------------------------------------------------- indrnn_params

indrnn_params indrnn_params::zeros(int d, int m) {
  indrnn_params p;
  p.c = VectorXd::Zero(m);
  p.u = VectorXd::Zero(m);
  p.W_in = MatrixXd::Zero(m, d);
  return p;
}

double indrnn_params::dot(const indrnn_params& o) const {
  return c.dot(o.c) + u.dot(o.u) + W_in.cwiseProduct(o.W_in).sum();
}

double indrnn_params::squared_norm() const {
  return c.squaredNorm() + u.squaredNorm() + W_in.squaredNorm();
}

void indrnn_params::axpy(double alpha, const indrnn_params& o) {
  c += alpha * o.c;
  u += alpha * o.u;
  W_in += alpha * o.W_in;
}

indrnn_params indrnn_symmetric_init(int d, int m, double u_abs, rng_t& rng) {
  if (d < 1) throw std::invalid_argument("indrnn_symmetric_init: d must be positive");
  if (m <= 0 || m % 2 != 0)
    throw std::invalid_argument("indrnn_symmetric_init: m must be even and positive");
  if (!std::isfinite(u_abs) || u_abs < 0)
    throw std::invalid_argument("indrnn_symmetric_init: |u| must be finite and >= 0");
  indrnn_params phi = indrnn_params::zeros(d, m);
  const int half = m / 2;
  for (int i = 0; i < half; ++i) {
    for (int k = 0; k < d; ++k) phi.W_in(i, k) = standard_normal(rng);
    phi.u(i) = u_abs * rademacher(rng);
    phi.c(i) = rademacher(rng);
  }
  for (int i = 0; i < half; ++i) {  // antisymmetric doubling: f(X; phi0) = 0
    phi.W_in.row(i + half) = phi.W_in.row(i);
    phi.u(i + half) = phi.u(i);
    phi.c(i + half) = -phi.c(i);
  }
  return phi;
}

namespace {

// x <- tanh(x) in place, as sign(x) (2/(1 + exp(-2|x|)) - 1): Eigen vectorizes exp for double
// but not tanh, and the recurrence is dominated by its T*m*n activations (2x faster). No
// overflow for any x; absolute error a few ulp of 1 (tests/model_indrnn_test.cpp checks it
// against std::tanh).
template <class A>
void tanh_in_place(A&& x) {
  x = x.sign() * (2.0 / (1.0 + (-2.0 * x.abs()).exp()) - 1.0);
}

void check_shapes(const indrnn_params& phi, const sequence_data& data) {
  if (phi.u.size() != phi.c.size() || phi.W_in.rows() != phi.c.size() || phi.d() != data.d ||
      data.X.rows() != data.d || data.X.cols() != static_cast<Index>(data.T) * data.n ||
      data.T < 1 || phi.m() < 1)
    throw std::invalid_argument("indrnn: parameter and data shapes do not match");
}

// Samples per block: about 2048 token columns, so that P and H stay in cache.
int block_samples(int T) { return std::max(1, 2048 / T); }

// Forward pass of samples j0 .. j0+b-1 (consecutive): ws.H holds h_1..h_T of each, f[k] the
// outputs.
void forward_block(const indrnn_params& phi, const sequence_data& data, int j0, int b,
                   indrnn_workspace& ws, double* f) {
  const int T = data.T, m = phi.m();
  const Index cols = static_cast<Index>(b) * T;
  const auto X = data.X.middleCols(static_cast<Index>(j0) * T, cols);
  ws.P.resize(m, cols);  // no reallocation while the size is unchanged
  ws.H.resize(m, cols);
  ws.P.noalias() = phi.W_in * X;  // column (k, t) = W_in x_t of sample j0 + k
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  for (int k = 0; k < b; ++k) {
    const Index c0 = static_cast<Index>(k) * T;
    ws.H.col(c0) = ws.P.col(c0);  // h_0 = 0
    tanh_in_place(ws.H.col(c0).array());
    for (Index t = 1; t < T; ++t) {
      ws.H.col(c0 + t) = ws.P.col(c0 + t).array() + phi.u.array() * ws.H.col(c0 + t - 1).array();
      tanh_in_place(ws.H.col(c0 + t).array());
    }
    f[k] = s * phi.c.dot(ws.H.col(c0 + T - 1));
  }
}

// After forward_block: grad += sum_k w[k] grad_phi f(X_{j0+k}) by BPTT.
void backward_block(const indrnn_params& phi, const sequence_data& data, int j0, int b,
                    const double* w, indrnn_params& grad, indrnn_workspace& ws) {
  const int T = data.T, m = phi.m();
  const Index cols = static_cast<Index>(b) * T;
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  ws.delta.resize(m);
  ws.g.resize(m);
  for (int k = 0; k < b; ++k) {
    const Index c0 = static_cast<Index>(k) * T;
    grad.c.noalias() += (w[k] * s) * ws.H.col(c0 + T - 1);
    ws.delta = (w[k] * s) * phi.c;  // dL/dh_T
    for (Index t = T - 1; t >= 0; --t) {
      // dL/dz_t = dL/dh_t (.) tanh'(z_t), tanh' = 1 - h_t^2
      ws.g = ws.delta.array() * (1.0 - ws.H.col(c0 + t).array().square());
      if (t > 0) {
        grad.u.array() += ws.g.array() * ws.H.col(c0 + t - 1).array();
        ws.delta = ws.g.cwiseProduct(phi.u);  // dL/dh_{t-1}
      }
      ws.P.col(c0 + t) = ws.g;
    }
  }
  grad.W_in.noalias() += ws.P.leftCols(cols) * data.X.middleCols(static_cast<Index>(j0) * T, cols).transpose();
}

void zero_like(const indrnn_params& phi, indrnn_params& grad) {
  grad.c.setZero(phi.c.size());
  grad.u.setZero(phi.u.size());
  grad.W_in.setZero(phi.W_in.rows(), phi.W_in.cols());
}

}  // namespace

double forward_one(const indrnn_params& phi, const sequence_data& data, int j,
                   indrnn_workspace& ws) {
  check_shapes(phi, data);
  if (j < 0 || j >= data.n) throw std::invalid_argument("indrnn forward_one: sample out of range");
  double f = 0;
  forward_block(phi, data, j, 1, ws, &f);
  return f;
}

void forward(const indrnn_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             indrnn_workspace& ws) {
  check_shapes(phi, data);
  f.resize(data.n);
  const int B = block_samples(data.T);
  for (int j0 = 0; j0 < data.n; j0 += B)
    forward_block(phi, data, j0, std::min(B, data.n - j0), ws, f.data() + j0);
}

void gradient_one(const indrnn_params& phi, const sequence_data& data, int j,
                  indrnn_params& grad, indrnn_workspace& ws) {
  check_shapes(phi, data);
  if (j < 0 || j >= data.n) throw std::invalid_argument("indrnn gradient_one: sample out of range");
  zero_like(phi, grad);
  double f = 0;
  const double w = 1.0;
  forward_block(phi, data, j, 1, ws, &f);
  backward_block(phi, data, j, 1, &w, grad, ws);
}

double loss_and_gradient(const indrnn_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, indrnn_params& grad, indrnn_workspace& ws) {
  check_shapes(phi, data);
  zero_like(phi, grad);
  const Index count = idx.empty() ? data.n : static_cast<Index>(idx.size());
  if (count == 0) return 0.0;
  const double inv = 1.0 / static_cast<double>(count);
  double sum = 0;
  auto run_block = [&](int j0, int b) {
    double f[2048], w[2048];  // b <= block_samples(T) <= 2048
    forward_block(phi, data, j0, b, ws, f);
    for (int k = 0; k < b; ++k) {
      const double r = f[k] - data.y(j0 + k);  // residual
      sum += r * r;
      w[k] = 2.0 * r * inv;  // d(r^2)/df / |B|
    }
    backward_block(phi, data, j0, b, w, grad, ws);
  };
  if (idx.empty()) {
    const int B = block_samples(data.T);
    for (int j0 = 0; j0 < data.n; j0 += B) run_block(j0, std::min(B, data.n - j0));
  } else {
    for (int j : idx) {
      if (j < 0 || j >= data.n) throw std::invalid_argument("indrnn loss_and_gradient: index out of range");
      run_block(j, 1);
    }
  }
  return sum * inv;
}

double loss(const indrnn_params& phi, const sequence_data& data, indrnn_workspace& ws) {
  check_shapes(phi, data);
  if (data.n == 0) return 0.0;
  const int B = block_samples(data.T);
  double sum = 0, f[2048];
  for (int j0 = 0; j0 < data.n; j0 += B) {
    const int b = std::min(B, data.n - j0);
    forward_block(phi, data, j0, b, ws, f);
    for (int k = 0; k < b; ++k) sum += (f[k] - data.y(j0 + k)) * (f[k] - data.y(j0 + k));
  }
  return sum / data.n;
}

// ---------------------------------------------------------------- streaming

indrnn_stream::indrnn_stream(const indrnn_params& phi)
    : phi_(&phi), h_(VectorXd::Zero(phi.m())), z_(phi.m()) {}

void indrnn_stream::step(const double* x) {
  const Eigen::Map<const VectorXd> xv(x, phi_->d());
  z_.noalias() = phi_->W_in * xv;
  h_ = z_.array() + phi_->u.array() * h_.array();
  tanh_in_place(h_.array());
}

double indrnn_stream::prediction() const {
  return phi_->c.dot(h_) / std::sqrt(static_cast<double>(phi_->m()));
}

void indrnn_stream::reset() { h_.setZero(); }

double indrnn_tanh(double x) {
  Eigen::Array<double, 1, 1> a(x);
  tanh_in_place(a);
  return a(0);
}

}  // namespace attnbound::model
