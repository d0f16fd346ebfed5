// The L-layer LSA model (see linear_attention.hpp; spec ahn2023-linear-attention.md 1.1-1.2).
//
// Per prompt the work is a few small dense products on the full (d+1) x (d+1) matrices
// P_l, Q_l (a parameterization only decides which entries are trained; its gradient is read
// off the full matrices' gradients at the end). With Z_c = Z M the n context columns:
//   linear : C = Z_c Z_c^T, K = (P C Q) / n, Z' = Z + K Z      (associativity:
//            P Z_c (Z_c^T Q Z) = (P Z_c Z_c^T Q) Z, O((d+1)^2 n) instead of O((d+1) n^2));
//   relu   : S = Z_c^T Q Z ((n x (n+1)): the masked score rows), V = P Z_c / n,
//            Z' = Z + V relu(S).
// Backward (G = df/dZ'):
//   linear : dK = G Z^T / n, dQ += (P C)^T dK, dP += dK Q^T C, dC = P^T dK Q^T,
//            dZ = G + K^T G, dZ_c += (dC + dC^T) Z_c;
//   relu   : dA = V^T G, dP += G A^T Z_c^T / n, dS = dA .* [S > 0], dQ += Z_c dS Z^T,
//            dZ = G + Q^T Z_c dS, dZ_c += P^T G A^T / n + Q Z dS^T.
// The kernel is a template on the scalar: double for f and grad f, and the forward-mode dual
// Eigen::AutoDiffScalar<Matrix<double,1,1>> seeded with theta' = theta + s v for the exact
// Hessian-vector product H v = d/ds grad f(theta + s v) |_{s=0}.
//
// Bit-identical for any thread count: prompts are cut into the fixed chunks of
// lanes::chunk_count (batch size and model size only), summed in prompt order inside a chunk,
// and the chunk partials are added in chunk order (lanes::run_chunks).
#pragma GCC optimize("fp-contract=off")

#include "model/linear_attention.hpp"

#include <boost/random/normal_distribution.hpp>
#include <unsupported/Eigen/AutoDiff>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#pragma GCC diagnostic ignored "-Wpsabi"
#include "model/lanes.hpp"

namespace attnbound::model::icl {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using dual = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("linear_attention: " + what); }

void check_model(const lsa_model& model) {
  if (model.d < 1) fail("d must be >= 1");
  if (model.L < 0) fail("L must be >= 0");
}

void check_theta(const lsa_model& model, const VectorXd& theta) {
  check_model(model);
  if (theta.size() != parameter_count(model))
    fail("theta has " + std::to_string(theta.size()) + " entries, the model has " +
         std::to_string(parameter_count(model)) + " parameters");
}

void check_batch(const lsa_model& model, const prompt_batch& batch) {
  if (batch.d != model.d) fail("batch dimension d = " + std::to_string(batch.d) + " differs from the model's " + std::to_string(model.d));
  if (batch.n < 1) fail("batch has n < 1");
  if (batch.B < 1) fail("empty batch");
  if (batch.Z.rows() != batch.d + 1 || batch.Z.cols() != static_cast<Index>(batch.B) * (batch.n + 1) ||
      batch.y_query.size() != batch.B)
    fail("batch matrices do not match its d, n, B");
}

// The full matrices of theta; `affine` false gives the linear part (fixed entries 0), the
// tangent of a direction v.
std::vector<layer_weights> unpack_impl(const lsa_model& model, const VectorXd& theta, bool affine) {
  const int d = model.d, D = d + 1;
  std::vector<layer_weights> layers(model.L);
  const double* p = theta.data();
  const double one = affine ? 1.0 : 0.0;
  for (auto& lw : layers) {
    lw.P = MatrixXd::Zero(D, D);
    lw.Q = MatrixXd::Zero(D, D);
    switch (model.par) {
      case parameterization::full:
        lw.P = Eigen::Map<const MatrixXd>(p, D, D), p += D * D;
        lw.Q = Eigen::Map<const MatrixXd>(p, D, D), p += D * D;
        break;
      case parameterization::code:
        lw.P.topLeftCorner(d, d) = Eigen::Map<const MatrixXd>(p, d, d), p += d * d;
        lw.P(d, d) = one;
        lw.Q.topLeftCorner(d, d) = Eigen::Map<const MatrixXd>(p, d, d).transpose(), p += d * d;
        break;
      case parameterization::sparse:
        lw.P(d, d) = one;
        lw.Q.topLeftCorner(d, d) = -Eigen::Map<const MatrixXd>(p, d, d), p += d * d;
        break;
    }
  }
  return layers;
}

// Gradient (or its tangent) with respect to theta from the full matrices' gradients, stored
// layer-major as dP_full then dQ_full, each column-major (D x D).
void fold(const lsa_model& model, const double* full, VectorXd& out) {
  const int d = model.d, D = d + 1;
  out.resize(parameter_count(model));
  double* p = out.data();
  for (int l = 0; l < model.L; ++l) {
    Eigen::Map<const MatrixXd> dP(full + (2 * l) * D * D, D, D), dQ(full + (2 * l + 1) * D * D, D, D);
    switch (model.par) {
      case parameterization::full:
        Eigen::Map<MatrixXd>(p, D, D) = dP, p += D * D;
        Eigen::Map<MatrixXd>(p, D, D) = dQ, p += D * D;
        break;
      case parameterization::code:
        Eigen::Map<MatrixXd>(p, d, d) = dP.topLeftCorner(d, d), p += d * d;
        Eigen::Map<MatrixXd>(p, d, d) = dQ.topLeftCorner(d, d).transpose(), p += d * d;
        break;
      case parameterization::sparse:
        Eigen::Map<MatrixXd>(p, d, d) = -dQ.topLeftCorner(d, d), p += d * d;
        break;
    }
  }
}

inline double value_of(double x) { return x; }
inline double value_of(const dual& x) { return x.value(); }
inline double tangent_of(const dual& x) { return x.derivatives()(0); }

// Per-worker scratch for one prompt at a time (sized once per shape: no allocation per prompt).
template <class S>
struct prompt_work {
  using M = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  int D = 0, n = 0, L = -1;
  std::vector<M> Z;             // Z_0 .. Z_L, D x (n+1)
  std::vector<M> C, PC, K;      // linear: D x D per layer (K already / n)
  std::vector<M> QZ, Sc, A, V;  // relu: D x T, n x T, n x T, D x n (V already / n)
  M G, Gprev, dK, dPC, dC, dA, dS, dV, ZdS;
  std::vector<M> accP, accQ;    // chunk sums of df/dP_full, df/dQ_full

  void shape(int D_, int n_, int L_, attention act) {
    if (D == D_ && n == n_ && L == L_) return;
    D = D_, n = n_, L = L_;
    const int T = n + 1;
    Z.assign(L + 1, M(D, T));
    accP.assign(L, M(D, D));
    accQ.assign(L, M(D, D));
    C.assign(L, M(D, D)), PC.assign(L, M(D, D)), K.assign(L, M(D, D));
    QZ.assign(L, M(D, T)), Sc.assign(L, M(n, T)), A.assign(L, M(n, T)), V.assign(L, M(D, n));
    G.resize(D, T), Gprev.resize(D, T), dK.resize(D, D), dPC.resize(D, D), dC.resize(D, D);
    dA.resize(n, T), dS.resize(n, T), dV.resize(D, n), ZdS.resize(D, T);
  }
};

template <class S>
using mat_t = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// Forward pass of prompt b into w.Z; returns the residual [Z_L]_{d, n} + y_q.
template <class S>
S forward_prompt(const lsa_model& model, const std::vector<mat_t<S>>& P, const std::vector<mat_t<S>>& Q,
                 const prompt_batch& batch, int b, prompt_work<S>& w) {
  const int d = model.d, n = batch.n, T = n + 1;
  const S inv_n = S(1.0 / n);
  const auto Z0 = batch.Z.middleCols(static_cast<Index>(b) * T, T);
  for (Index j = 0; j < T; ++j)
    for (Index i = 0; i <= d; ++i) w.Z[0](i, j) = S(Z0(i, j));
  for (int l = 0; l < model.L; ++l) {
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    auto& Zn = w.Z[l + 1];
    Zn = Z;
    if (model.act == attention::linear) {
      w.C[l].noalias() = Zc * Zc.transpose();
      w.PC[l].noalias() = P[l] * w.C[l];
      w.K[l].noalias() = w.PC[l] * Q[l];
      w.K[l] *= inv_n;
      Zn.noalias() += w.K[l] * Z;
    } else {
      w.QZ[l].noalias() = Q[l] * Z;
      w.Sc[l].noalias() = Zc.transpose() * w.QZ[l];
      for (Index j = 0; j < T; ++j)
        for (Index i = 0; i < n; ++i) w.A[l](i, j) = value_of(w.Sc[l](i, j)) > 0 ? w.Sc[l](i, j) : S(0.0);
      w.V[l].noalias() = P[l] * Zc;
      w.V[l] *= inv_n;
      Zn.noalias() += w.V[l] * w.A[l];
    }
  }
  return w.Z[model.L](d, n) + S(batch.y_query(b));
}

// Backward pass from df/dZ_L = 2 r e_{d,n}, adding df/dP_l, df/dQ_l into w.accP, w.accQ.
template <class S>
void backward_prompt(const lsa_model& model, const std::vector<mat_t<S>>& P, const std::vector<mat_t<S>>& Q,
                     int n, const S& r, prompt_work<S>& w) {
  const int d = model.d;
  const S inv_n = S(1.0 / n);
  w.G.setZero();
  w.G(d, n) = S(2.0) * r;
  for (int l = model.L - 1; l >= 0; --l) {
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    w.Gprev = w.G;
    if (model.act == attention::linear) {
      w.dK.noalias() = w.G * Z.transpose();
      w.dK *= inv_n;  // df/d(P C Q)
      w.Gprev.noalias() += w.K[l].transpose() * w.G;
      w.accQ[l].noalias() += w.PC[l].transpose() * w.dK;
      w.dPC.noalias() = w.dK * Q[l].transpose();
      w.accP[l].noalias() += w.dPC * w.C[l];  // C symmetric
      w.dC.noalias() = P[l].transpose() * w.dPC;
      w.dK = w.dC + w.dC.transpose();  // reuse dK as dC + dC^T
      w.Gprev.leftCols(n).noalias() += w.dK * Zc;
    } else {
      w.dA.noalias() = w.V[l].transpose() * w.G;
      w.dV.noalias() = w.G * w.A[l].transpose();
      w.dV *= inv_n;  // df/d(P Z_c)
      w.accP[l].noalias() += w.dV * Zc.transpose();
      w.Gprev.leftCols(n).noalias() += P[l].transpose() * w.dV;
      for (Index j = 0; j < w.dS.cols(); ++j)
        for (Index i = 0; i < n; ++i) w.dS(i, j) = value_of(w.Sc[l](i, j)) > 0 ? w.dA(i, j) : S(0.0);
      w.ZdS.noalias() = Zc * w.dS;
      w.accQ[l].noalias() += w.ZdS * Z.transpose();
      w.Gprev.leftCols(n).noalias() += w.QZ[l] * w.dS.transpose();
      w.Gprev.noalias() += Q[l].transpose() * w.ZdS;
    }
    w.G.swap(w.Gprev);
  }
}

struct chunk_grad {
  lanes::double_buffer v;
};

// Per calling thread: the team, the chunk partials and the workers' scratch.
struct batch_state {
  std::unique_ptr<lanes::thread_team> team;
  std::vector<chunk_grad> partial;
  std::vector<double> partial_loss;
  std::vector<prompt_work<double>> work_d;
  std::vector<prompt_work<dual>> work_dual;
  template <class S>
  std::vector<prompt_work<S>>& work() {
    if constexpr (std::is_same_v<S, double>) {
      return work_d;
    } else {
      return work_dual;
    }
  }
};

batch_state& state() {
  thread_local batch_state st;
  return st;
}

// Sum over the batch of r_b^2 (value part); with `gradient`, the sum of the full matrices'
// gradients (S = double) or of their tangents (S = dual) into `full_out` (2 L D^2).
template <class S>
double run_batch(const lsa_model& model, const std::vector<mat_t<S>>& P, const std::vector<mat_t<S>>& Q,
                 const prompt_batch& batch, int threads, bool gradient, std::vector<double>* full_out) {
  const int D = model.d + 1, L = model.L, n = batch.n;
  const std::size_t size = static_cast<std::size_t>(2) * L * D * D;
  const int K = lanes::chunk_count(batch.B, size);
  threads = std::clamp(threads, 1, K);
  batch_state& st = state();
  auto& works = st.work<S>();
  if (static_cast<int>(works.size()) < threads) works.resize(threads);
  for (int t = 0; t < threads; ++t) works[t].shape(D, n, L, model.act);
  if (static_cast<int>(st.partial.size()) < K) st.partial.resize(K);
  for (int k = 0; k < K; ++k)
    if (st.partial[k].v.size() != size) st.partial[k].v.assign(size, 0.0);

  const double total = lanes::run_chunks(K, threads, st.team, st.partial, st.partial_loss, gradient, [&](int worker, int k) {
    prompt_work<S>& w = works[worker];
    if (gradient)
      for (int l = 0; l < L; ++l) w.accP[l].setZero(), w.accQ[l].setZero();
    double sum = 0;
    const int b0 = static_cast<int>(lanes::chunk_begin(batch.B, K, k)), b1 = static_cast<int>(lanes::chunk_begin(batch.B, K, k + 1));
    for (int b = b0; b < b1; ++b) {
      const S r = forward_prompt<S>(model, P, Q, batch, b, w);
      const double rv = value_of(r);
      sum += rv * rv;
      if (gradient) backward_prompt<S>(model, P, Q, n, r, w);
    }
    if (gradient) {
      double* out = st.partial[k].v.data();
      for (int l = 0; l < L; ++l)
        for (int which = 0; which < 2; ++which) {
          const auto& acc = which == 0 ? w.accP[l] : w.accQ[l];
          double* o = out + (2 * l + which) * D * D;
          for (Index j = 0; j < D; ++j)
            for (Index i = 0; i < D; ++i) {
              if constexpr (std::is_same_v<S, double>) {
                o[i + j * D] = acc(i, j);
              } else {
                o[i + j * D] = tangent_of(acc(i, j));
              }
            }
        }
    }
    return sum;
  });
  if (gradient) full_out->assign(st.partial[0].v.begin(), st.partial[0].v.end());
  return total;
}

void split_double(const std::vector<layer_weights>& layers, std::vector<MatrixXd>& P, std::vector<MatrixXd>& Q) {
  P.clear(), Q.clear();
  for (const auto& lw : layers) P.push_back(lw.P), Q.push_back(lw.Q);
}

}  // namespace

int parameter_count(const lsa_model& model) {
  check_model(model);
  const int d = model.d;
  switch (model.par) {
    case parameterization::full:
      return 2 * model.L * (d + 1) * (d + 1);
    case parameterization::code:
      return 2 * model.L * d * d;
    case parameterization::sparse:
      return model.L * d * d;
  }
  return 0;
}

std::vector<layer_weights> unpack(const lsa_model& model, const VectorXd& theta) {
  check_theta(model, theta);
  return unpack_impl(model, theta, true);
}

VectorXd pack(const lsa_model& model, const std::vector<layer_weights>& layers) {
  check_model(model);
  const int d = model.d, D = d + 1;
  if (static_cast<int>(layers.size()) != model.L) fail("pack: expected " + std::to_string(model.L) + " layers");
  VectorXd theta(parameter_count(model));
  double* p = theta.data();
  for (const auto& lw : layers) {
    if (lw.P.rows() != D || lw.P.cols() != D || lw.Q.rows() != D || lw.Q.cols() != D)
      fail("pack: P and Q must be (d+1) x (d+1)");
    switch (model.par) {
      case parameterization::full:
        Eigen::Map<MatrixXd>(p, D, D) = lw.P, p += D * D;
        Eigen::Map<MatrixXd>(p, D, D) = lw.Q, p += D * D;
        break;
      case parameterization::code:
        Eigen::Map<MatrixXd>(p, d, d) = lw.P.topLeftCorner(d, d), p += d * d;
        Eigen::Map<MatrixXd>(p, d, d) = lw.Q.topLeftCorner(d, d).transpose(), p += d * d;
        break;
      case parameterization::sparse:
        Eigen::Map<MatrixXd>(p, d, d) = -lw.Q.topLeftCorner(d, d), p += d * d;
        break;
    }
  }
  // The fixed entries must be those of the parameterization.
  const auto back = unpack_impl(model, theta, true);
  for (int l = 0; l < model.L; ++l)
    if (back[l].P != layers[l].P || back[l].Q != layers[l].Q)
      fail("pack: layer " + std::to_string(l) + " has fixed entries that differ from the parameterization");
  return theta;
}

VectorXd initial_parameters(const lsa_model& model, rng_t& rng, double std) {
  check_model(model);
  if (!(std >= 0) || !std::isfinite(std)) fail("initial_parameters: std must be finite and >= 0");
  boost::random::normal_distribution<double> normal(0.0, std);
  VectorXd theta(parameter_count(model));
  for (Index i = 0; i < theta.size(); ++i) theta(i) = normal(rng);
  return theta;
}

MatrixXd forward_tokens(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, int b) {
  check_theta(model, theta);
  check_batch(model, batch);
  if (b < 0 || b >= batch.B) fail("prompt index out of range");
  std::vector<MatrixXd> P, Q;
  split_double(unpack_impl(model, theta, true), P, Q);
  prompt_work<double> w;
  w.shape(model.d + 1, batch.n, model.L, model.act);
  forward_prompt<double>(model, P, Q, batch, b, w);
  return w.Z[model.L];
}

VectorXd predict(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch) {
  check_theta(model, theta);
  check_batch(model, batch);
  std::vector<MatrixXd> P, Q;
  split_double(unpack_impl(model, theta, true), P, Q);
  prompt_work<double> w;
  w.shape(model.d + 1, batch.n, model.L, model.act);
  VectorXd out(batch.B);
  for (int b = 0; b < batch.B; ++b) {
    forward_prompt<double>(model, P, Q, batch, b, w);
    out(b) = -w.Z[model.L](model.d, batch.n);
  }
  return out;
}

double loss(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  std::vector<MatrixXd> P, Q;
  split_double(unpack_impl(model, theta, true), P, Q);
  return run_batch<double>(model, P, Q, batch, threads, false, nullptr) / batch.B;
}

double loss_and_gradient(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, VectorXd& grad,
                         int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  std::vector<MatrixXd> P, Q;
  split_double(unpack_impl(model, theta, true), P, Q);
  std::vector<double> full;
  const double f = run_batch<double>(model, P, Q, batch, threads, true, &full) / batch.B;
  fold(model, full.data(), grad);
  grad /= static_cast<double>(batch.B);
  return f;
}

VectorXd hessian_vector(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, const VectorXd& v,
                        int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  if (v.size() != theta.size()) fail("hessian_vector: v and theta differ in size");
  const auto val = unpack_impl(model, theta, true), tan = unpack_impl(model, v, false);
  const int D = model.d + 1;
  std::vector<mat_t<dual>> P(model.L, mat_t<dual>(D, D)), Q(model.L, mat_t<dual>(D, D));
  for (int l = 0; l < model.L; ++l)
    for (Index j = 0; j < D; ++j)
      for (Index i = 0; i < D; ++i) {
        P[l](i, j) = dual(val[l].P(i, j), Eigen::Matrix<double, 1, 1>(tan[l].P(i, j)));
        Q[l](i, j) = dual(val[l].Q(i, j), Eigen::Matrix<double, 1, 1>(tan[l].Q(i, j)));
      }
  std::vector<double> full;
  run_batch<dual>(model, P, Q, batch, threads, true, &full);
  VectorXd hv;
  fold(model, full.data(), hv);
  hv /= static_cast<double>(batch.B);
  return hv;
}

VectorXd hessian_diagonal(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, int threads) {
  check_theta(model, theta);
  const Index p = theta.size();
  VectorXd diag(p), e = VectorXd::Zero(p);
  for (Index i = 0; i < p; ++i) {
    e(i) = 1.0;
    diag(i) = hessian_vector(model, theta, batch, e, threads)(i);
    e(i) = 0.0;
  }
  return diag;
}

}  // namespace attnbound::model::icl
