// Teacher-student data (spec 5.1) and the transport class F_nu (spec section 3, eq. 9-10).
#include "model/teacher_student.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

namespace attnbound::model {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---------------------------------------------------------------- tokens

Eigen::MatrixXd clipped_gaussian_tokens(int d, int T, int n, rng_t& rng) {
  if (d < 1 || T < 1 || n < 0) throw std::invalid_argument("clipped_gaussian_tokens: bad sizes");
  MatrixXd X(d, static_cast<Index>(T) * n);
  for (Index col = 0; col < X.cols(); ++col) {
    for (int r = 0; r < d; ++r) X(r, col) = standard_normal(rng);
    const double norm = X.col(col).norm();
    if (norm > 1.0) X.col(col) /= norm;  // x_t * min(1, 1/||x_t||)
  }
  return X;
}

Eigen::MatrixXd antipodal_tokens(int d, int T, int n, rng_t& rng) {
  if (d < 1 || T < 1 || n < 0) throw std::invalid_argument("antipodal_tokens: bad sizes");
  MatrixXd X(d, static_cast<Index>(T) * n);
  VectorXd u(d);
  for (int j = 0; j < n; ++j) {
    double norm = 0;
    while (!(norm > 0)) {  // u_j uniform on the sphere: a normalized Gaussian vector
      for (int r = 0; r < d; ++r) u(r) = standard_normal(rng);
      norm = u.norm();
    }
    u /= norm;
    for (int t = 0; t < T; ++t) X.col(static_cast<Index>(j) * T + t) = rademacher(rng) * u;
  }
  return X;
}

// ---------------------------------------------------------------- random features

namespace {

// One head (U, W) at input X (d x T, query X_T): softmax weights, a = X alpha, pre = U.a,
// mu = M U = sum_t alpha_t X_t (X_t.U) - a (a.U). Scratch vectors are caller-owned.
struct head_scratch {
  VectorXd z, xu, a, mu, wq;
  double pre = 0;
};

void eval_head(const VectorXd& U, const MatrixXd& W, const Eigen::Ref<const MatrixXd>& X,
               head_scratch& s) {
  const auto q = X.col(X.cols() - 1);
  s.wq.noalias() = W * q;
  s.z.noalias() = X.transpose() * s.wq;
  s.z = (s.z.array() - s.z.maxCoeff()).exp();
  s.z /= s.z.sum();
  s.a.noalias() = X * s.z;
  s.pre = U.dot(s.a);
  s.xu.noalias() = X.transpose() * U;
  s.xu.array() *= s.z.array();
  s.mu.noalias() = X * s.xu;
  s.mu -= s.pre * s.a;
}

}  // namespace

random_features features(const Eigen::VectorXd& U, const Eigen::MatrixXd& W,
                         const Eigen::Ref<const Eigen::MatrixXd>& X) {
  head_scratch s;
  eval_head(U, W, X, s);
  const double h = std::tanh(s.pre), dh = 1.0 - h * h;
  random_features f;
  f.c = h;                                            // sigma(U^T a)
  f.u = dh * s.a;                                     // sigma'(U^T a) a
  f.w = dh * s.mu * X.col(X.cols() - 1).transpose();  // sigma'(U^T a) (M U) q^T
  return f;
}

// ---------------------------------------------------------------- transport map

void transport_map::evaluate(const Eigen::VectorXd& U, const Eigen::MatrixXd& W, double& vc,
                             Eigen::VectorXd& vu, Eigen::MatrixXd& vw) const {
  vc = 0;
  vu.setZero(d);
  vw.setZero(d, d);
  head_scratch s;
  for (int r = 0; r < R(); ++r) {
    const auto X = anchors.middleCols(static_cast<Index>(r) * T, T);
    const auto q = X.col(T - 1);
    eval_head(U, W, X, s);
    const double h = std::tanh(s.pre), dh = 1.0 - h * h;
    const double norm_u = std::abs(dh) * s.a.norm();              // ||phi_u||
    const double norm_w = std::abs(dh) * s.mu.norm() * q.norm();  // ||phi_w||_F
    double vc_r, ku, kw;  // v^(r) = (vc_r, ku phi_u, kw phi_w)
    if (full_norm) {      // every anchor feature rescaled to norm nu exactly
      vc_r = h > 0 ? nu_c : (h < 0 ? -nu_c : 0.0);  // nu_c sign(phi_c)
      ku = norm_u > 0 ? nu_u / norm_u : 0.0;
      kw = norm_w > 0 ? nu_w / norm_w : 0.0;
    } else {                                     // sigma0 = sigma1 = 1 for tanh
      vc_r = nu_c * h;                           // (nu_c / sigma0) phi_c
      ku = nu_u;                                 // (nu_u / sigma1) phi_u
      kw = norm_w > nu_w ? nu_w / norm_w : 1.0;  // clip_F(phi_w, nu_w)
    }
    const double ar = alpha(r);
    vc += ar * vc_r;
    vu.noalias() += (ar * ku * dh) * s.a;
    vw.noalias() += (ar * kw * dh) * s.mu * q.transpose();
  }
}

transport_map make_transport_map(const sequence_data& data, int R, mixture_weights weights,
                                 double nu_c, double nu_u, double nu_w, bool full_norm,
                                 rng_t& rng) {
  if (R < 1 || R > data.n) throw std::invalid_argument("make_transport_map: need 1 <= R <= n");
  if (!(nu_c >= 0 && nu_u >= 0 && nu_w >= 0))
    throw std::invalid_argument("make_transport_map: nu must be >= 0");
  // R distinct indices: the first R steps of a Fisher-Yates shuffle.
  std::vector<int> idx(data.n);
  std::iota(idx.begin(), idx.end(), 0);
  for (int r = 0; r < R; ++r) {
    boost::random::uniform_int_distribution<int> pick(r, data.n - 1);
    std::swap(idx[r], idx[pick(rng)]);
  }
  transport_map v;
  v.d = data.d;
  v.T = data.T;
  v.nu_c = nu_c;
  v.nu_u = nu_u;
  v.nu_w = nu_w;
  v.full_norm = full_norm;
  v.anchors.resize(data.d, static_cast<Index>(data.T) * R);
  for (int r = 0; r < R; ++r)
    v.anchors.middleCols(static_cast<Index>(r) * data.T, data.T) = data.sample(idx[r]);
  if (weights == mixture_weights::uniform) {
    v.alpha = VectorXd::Constant(R, 1.0 / R);
  } else {  // a_r ~ N(0,1), alpha = a / sum|a| (the authors' code)
    v.alpha.resize(R);
    for (int r = 0; r < R; ++r) v.alpha(r) = standard_normal(rng);
    v.alpha /= v.alpha.cwiseAbs().sum();
  }
  return v;
}

transformer_params transport(const transformer_params& phi0, const transport_map& v) {
  const int d = phi0.d(), m = phi0.m();
  if (v.d != d) throw std::invalid_argument("transport: dimension mismatch");
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  transformer_params phi = phi0;
  VectorXd U0(d), vu;
  MatrixXd W0(d, d), vw;
  double vc = 0;
  for (int i = 0; i < m; ++i) {
    const Index r0 = static_cast<Index>(i) * d;
    U0 = phi0.U.col(i);
    W0 = phi0.W.middleRows(r0, d);
    v.evaluate(U0, W0, vc, vu, vw);
    const double ci = phi0.c(i);  // eq. (10)
    phi.c(i) += s * vc;
    phi.U.col(i) += (s * ci) * vu;
    phi.W.middleRows(r0, d) += (s * ci) * vw;
  }
  return phi;
}

// ---------------------------------------------------------------- teacher labels

// y_j = (1/P) sum_k <phi(X_j; U_k, W_k), v_k>, v_k = v(U_k, W_k). With the draws as the heads of
// a model with c_k = 1 and the direction (v_c, v_u, v_w)_k, Definition 3's first-order term is
//   <grad f(X_j; pool), dir> = P^(-1/2) sum_k [phi_c v_c + <phi_u, v_u> + <phi_w, v_w>_F]_k
// (directional_derivative, batched over draws and threaded over samples), so y = that / sqrt(P).
// Pools above kMaxDraws are taken in blocks (bounded memory): y = (1/P) sum_b sqrt(P_b) dd_b.
Eigen::VectorXd teacher_labels(const transport_map& v, const sequence_data& data, int pool,
                               rng_t& rng, int threads) {
  if (pool < 1) throw std::invalid_argument("teacher_labels: pool must be >= 1");
  if (v.d != data.d) throw std::invalid_argument("teacher_labels: dimension mismatch");
  threads = std::max(1, threads);
  const int d = data.d;
  constexpr int kMaxDraws = 1 << 16;  // ~40 MB of draws and directions per block at d = 8

  transformer_workspace ws;
  ws.threads = threads;
  VectorXd y = VectorXd::Zero(data.n), dd;
  for (int k0 = 0; k0 < pool; k0 += kMaxDraws) {
    const int B = std::min(kMaxDraws, pool - k0);
    transformer_params draws = transformer_params::zeros(d, B), dir = transformer_params::zeros(d, B);
    draws.c.setOnes();
    for (int k = 0; k < B; ++k) {  // draw order: U_k, then W_k row-major
      for (int r = 0; r < d; ++r) draws.U(r, k) = standard_normal(rng);
      for (int r = 0; r < d; ++r)
        for (int c = 0; c < d; ++c) draws.W(static_cast<Index>(k) * d + r, c) = standard_normal(rng);
    }
    // v(draw_k) for each draw; each evaluation writes only its own column/rows.
    auto evaluate = [&](int begin, int end) {
      VectorXd U(d), vu;
      MatrixXd W(d, d), vw;
      double vc = 0;
      for (int k = begin; k < end; ++k) {
        U = draws.U.col(k);
        W = draws.W.middleRows(static_cast<Index>(k) * d, d);
        v.evaluate(U, W, vc, vu, vw);
        dir.c(k) = vc;
        dir.U.col(k) = vu;
        dir.W.middleRows(static_cast<Index>(k) * d, d) = vw;
      }
    };
    const int team = std::min(threads, B);
    if (team > 1) {
      std::vector<std::thread> helpers;
      for (int t = 1; t < team; ++t)
        helpers.emplace_back(evaluate, static_cast<int>(static_cast<long long>(B) * t / team),
                             static_cast<int>(static_cast<long long>(B) * (t + 1) / team));
      evaluate(0, B / team);
      for (auto& h : helpers) h.join();
    } else {
      evaluate(0, B);
    }
    directional_derivative(draws, dir, data, dd, ws);
    if (B == pool) return dd / std::sqrt(static_cast<double>(pool));
    y += std::sqrt(static_cast<double>(B)) * dd;
  }
  return y / static_cast<double>(pool);
}

double max_phi_w_norm(const transformer_params& phi0, const sequence_data& data,
                      double* frac_above) {
  transformer_workspace ws;
  transformer_params grad;
  double mx = 0;
  long long above = 0;
  for (int j = 0; j < data.n; ++j) {
    gradient_one(phi0, data, j, grad, ws);  // leaves ws.MU (M_i U_i) and ws.dh
    const double qn = data.query(j).norm();
    for (int i = 0; i < phi0.m(); ++i) {
      const double nw = std::abs(ws.dh(i)) * ws.MU.col(i).norm() * qn;  // |dh| ||M U|| ||q||
      mx = std::max(mx, nw);
      if (nw > 1.0) ++above;
    }
  }
  if (frac_above) {
    const double pairs = static_cast<double>(data.n) * phi0.m();
    *frac_above = pairs > 0 ? above / pairs : 0.0;
  }
  return mx;
}

}  // namespace attnbound::model
