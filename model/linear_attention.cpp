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
// The exact Hessian-vector product H v = d/ds grad f(theta + s v) |_{s=0} is forward-mode
// differentiation of this forward and backward pass (every product X Y gets the tangent
// tX Y + X tY, the ReLU mask is kept), written out next to the value code; the tests check it
// against central differences and against a nested-autodiff Hessian of a naive pass.
//
// Bit-identical for any thread count: prompts are cut into the fixed chunks of
// lanes::chunk_count (batch size and model size only), summed in prompt order inside a chunk,
// and the chunk partials are added in chunk order (lanes::run_chunks).
#pragma GCC optimize("fp-contract=off")

#include "model/linear_attention.hpp"

#include <boost/random/normal_distribution.hpp>

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

// Per-worker scratch for one prompt at a time (sized once per shape: no allocation per prompt).
// The t* members are the tangents of the Hessian-vector product (theta' = theta + s v).
struct prompt_work {
  using M = MatrixXd;
  int D = 0, n = 0, L = -1;
  bool tangents = false;
  std::vector<M> Z;             // Z_0 .. Z_L, D x (n+1)
  std::vector<M> C, PC, K;      // linear: D x D per layer (K already / n)
  std::vector<M> QZ, Sc, A, V;  // relu: D x T, n x T, n x T, D x n (V already / n)
  // backward values per layer (kept for the tangent pass): G_l = df/dZ_{l+1}
  std::vector<M> G, dK, dPC, dCs;  // linear
  std::vector<M> dV, dS, ZdS;      // relu
  M Gprev, dC, dA;
  std::vector<M> accP, accQ;    // chunk sums of df/dP_full, df/dQ_full (or their tangents)
  // linear attention in (d+1) x (d+1) form (compact_prompt): C_l, P C_l, A_l = I + K_l, A_l C_l, q_l
  std::vector<M> cC, cPC, cA, cAC;
  std::vector<Eigen::VectorXd> cq;
  M cdC, cdCn, cS, cdA, cdPC, cT;
  Eigen::VectorXd cdq, cdqn;
  // tangents
  std::vector<M> tZ, tC, tPC, tK, tQZ, tA, tV;
  M tG, tGprev, tdK, tdPC, tdC, tdCs, tdA, tdS, tdV, tZdS, X;

  void shape(int D_, int n_, int L_, bool tangents_) {
    if (D == D_ && n == n_ && L == L_ && tangents == tangents_) return;
    D = D_, n = n_, L = L_, tangents = tangents_;
    const int T = n + 1;
    Z.assign(L + 1, M(D, T));
    accP.assign(L, M(D, D));
    accQ.assign(L, M(D, D));
    C.assign(L, M(D, D)), PC.assign(L, M(D, D)), K.assign(L, M(D, D));
    QZ.assign(L, M(D, T)), Sc.assign(L, M(n, T)), A.assign(L, M(n, T)), V.assign(L, M(D, n));
    G.assign(L, M(D, T)), dK.assign(L, M(D, D)), dPC.assign(L, M(D, D)), dCs.assign(L, M(D, D));
    dV.assign(L, M(D, n)), dS.assign(L, M(n, T)), ZdS.assign(L, M(D, T));
    Gprev.resize(D, T), dC.resize(D, D), dA.resize(n, T);
    cC.assign(L + 1, M(D, D)), cPC.assign(L, M(D, D)), cA.assign(L, M(D, D)), cAC.assign(L, M(D, D));
    cq.assign(L + 1, Eigen::VectorXd(D));
    cdC.resize(D, D), cdCn.resize(D, D), cS.resize(D, D), cdA.resize(D, D), cdPC.resize(D, D), cT.resize(D, D);
    cdq.resize(D), cdqn.resize(D);
    if (!tangents) return;
    tZ.assign(L + 1, M(D, T));
    tC.assign(L, M(D, D)), tPC.assign(L, M(D, D)), tK.assign(L, M(D, D));
    tQZ.assign(L, M(D, T)), tA.assign(L, M(n, T)), tV.assign(L, M(D, n));
    tG.resize(D, T), tGprev.resize(D, T), tdK.resize(D, D), tdPC.resize(D, D), tdC.resize(D, D), tdCs.resize(D, D);
    tdA.resize(n, T), tdS.resize(n, T), tdV.resize(D, n), tZdS.resize(D, T), X.resize(D, D);
  }
};

// The weights and, for Hessian-vector products, their tangents (empty otherwise).
struct weights {
  std::vector<MatrixXd> P, Q, tP, tQ;
  bool tangents() const { return !tP.empty(); }
};

// Forward pass of prompt b into w.Z; returns the residual r = [Z_L]_{d, n} + y_q. With
// `only_output`, the last linear layer computes [Z_L]_{d,n} alone (the rest of w.Z[L] is then
// Z_{L-1}).
double forward_prompt(const lsa_model& model, const weights& wt, const prompt_batch& batch, int b, prompt_work& w,
                      bool only_output = false) {
  const int d = model.d, n = batch.n, T = n + 1;
  const double inv_n = 1.0 / n;
  w.Z[0] = batch.Z.middleCols(static_cast<Index>(b) * T, T);
  for (int l = 0; l < model.L; ++l) {
    const auto& P = wt.P[l];
    const auto& Q = wt.Q[l];
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    auto& Zn = w.Z[l + 1];
    Zn = Z;
    if (model.act == attention::linear) {
      w.C[l].noalias() = Zc * Zc.transpose();
      w.PC[l].noalias() = P * w.C[l];
      w.K[l].noalias() = w.PC[l] * Q;
      w.K[l] *= inv_n;
      if (only_output && l == model.L - 1) {
        Zn(d, n) += w.K[l].row(d).dot(Z.col(n));
      } else {
        Zn.noalias() += w.K[l] * Z;
      }
    } else {
      w.QZ[l].noalias() = Q * Z;
      w.Sc[l].noalias() = Zc.transpose() * w.QZ[l];
      w.A[l] = w.Sc[l].cwiseMax(0.0);
      w.V[l].noalias() = P * Zc;
      w.V[l] *= inv_n;
      Zn.noalias() += w.V[l] * w.A[l];
    }
  }
  return w.Z[model.L](d, n) + batch.y_query(b);
}

// Linear attention acts on every token by the same matrix: Z_{l+1} = (I + K_l) Z_l with
// K_l = P_l C_l Q_l / n, C_l = Z_{l,c} Z_{l,c}^T. So with A_l = I + K_l the pass needs only
//   C_{l+1} = A_l C_l A_l^T,   q_{l+1} = A_l q_l   (q the query token),   r = [q_L]_d + y_q,
// and its gradient only (d+1) x (d+1) products (C_0 is the one product over the n tokens):
//   dA_l = (dC_{l+1} + dC_{l+1}^T) A_l C_l + dq_{l+1} q_l^T = dK_l,
//   dQ_l += (P_l C_l)^T dK_l / n,  dP_l += (dK_l / n) Q_l^T C_l,
//   dC_l = A_l^T dC_{l+1} A_l + P_l^T (dK_l / n) Q_l^T,   dq_l = A_l^T dq_{l+1}.
// Used for f and grad f with linear attention; the token-wise pass above serves forward_tokens,
// ReLU attention and the tangents.
double compact_prompt(const lsa_model& model, const weights& wt, const prompt_batch& batch, int b, prompt_work& w,
                      bool gradient) {
  const int d = model.d, n = batch.n, T = n + 1, L = model.L;
  const double inv_n = 1.0 / n;
  const auto Z0 = batch.Z.middleCols(static_cast<Index>(b) * T, T);
  w.cC[0].noalias() = Z0.leftCols(n) * Z0.leftCols(n).transpose();
  w.cq[0] = Z0.col(n);
  for (int l = 0; l < L; ++l) {
    w.cPC[l].noalias() = wt.P[l].lazyProduct(w.cC[l]);
    w.cA[l].noalias() = w.cPC[l].lazyProduct(wt.Q[l]);
    w.cA[l] *= inv_n;
    w.cA[l].diagonal().array() += 1.0;
    w.cq[l + 1].noalias() = w.cA[l] * w.cq[l];
    if (l + 1 < L) {
      w.cAC[l].noalias() = w.cA[l].lazyProduct(w.cC[l]);
      w.cC[l + 1].noalias() = w.cAC[l].lazyProduct(w.cA[l].transpose());
    }
  }
  const double r = w.cq[L](d) + batch.y_query(b);
  if (!gradient || L == 0) return r;
  w.cdq.setZero();
  w.cdq(d) = 2.0 * r;
  for (int l = L - 1; l >= 0; --l) {
    // dK_l / n into cdA
    if (l == L - 1) {
      w.cdA.noalias() = w.cdq * w.cq[l].transpose();  // dC_L = 0
    } else {
      w.cS = w.cdC + w.cdC.transpose();
      w.cdA.noalias() = w.cS.lazyProduct(w.cAC[l]);
      w.cdA.noalias() += w.cdq * w.cq[l].transpose();
    }
    w.cdA *= inv_n;
    w.accQ[l].noalias() += w.cPC[l].transpose().lazyProduct(w.cdA);
    w.cdPC.noalias() = w.cdA.lazyProduct(wt.Q[l].transpose());
    w.accP[l].noalias() += w.cdPC.lazyProduct(w.cC[l]);
    if (l > 0) {
      if (l == L - 1) {
        w.cdCn.noalias() = wt.P[l].transpose().lazyProduct(w.cdPC);
      } else {
        w.cT.noalias() = w.cA[l].transpose().lazyProduct(w.cdC);
        w.cdCn.noalias() = w.cT.lazyProduct(w.cA[l]);
        w.cdCn.noalias() += wt.P[l].transpose().lazyProduct(w.cdPC);
      }
      w.cdC.swap(w.cdCn);
      w.cdqn.noalias() = w.cA[l].transpose() * w.cdq;
      w.cdq.swap(w.cdqn);
    }
  }
  return r;
}

// Tangent of the forward pass (after forward_prompt) for weight tangents that vanish below
// layer l_from (so tZ_{l_from} = 0); returns the tangent of r.
double forward_tangent(const lsa_model& model, const weights& wt, int n, int l_from, prompt_work& w) {
  const double inv_n = 1.0 / n;
  w.tZ[l_from].setZero();
  for (int l = l_from; l < model.L; ++l) {
    const auto& P = wt.P[l];
    const auto& Q = wt.Q[l];
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    const auto& tZ = w.tZ[l];
    const auto tZc = tZ.leftCols(n);
    auto& tZn = w.tZ[l + 1];
    tZn = tZ;
    if (model.act == attention::linear) {
      w.X.noalias() = tZc * Zc.transpose();
      w.tC[l] = w.X + w.X.transpose();
      w.tPC[l].noalias() = wt.tP[l] * w.C[l];
      w.tPC[l].noalias() += P * w.tC[l];
      w.tK[l].noalias() = w.tPC[l] * Q;
      w.tK[l].noalias() += w.PC[l] * wt.tQ[l];
      w.tK[l] *= inv_n;
      tZn.noalias() += w.tK[l] * Z;
      tZn.noalias() += w.K[l] * tZ;
    } else {
      w.tQZ[l].noalias() = wt.tQ[l] * Z;
      w.tQZ[l].noalias() += Q * tZ;
      auto& tS = w.tA[l];
      tS.noalias() = tZc.transpose() * w.QZ[l];
      tS.noalias() += Zc.transpose() * w.tQZ[l];
      tS = (w.Sc[l].array() > 0.0).select(tS, 0.0);
      w.tV[l].noalias() = wt.tP[l] * Zc;
      w.tV[l].noalias() += P * tZc;
      w.tV[l] *= inv_n;
      tZn.noalias() += w.tV[l] * w.A[l];
      tZn.noalias() += w.V[l] * w.tA[l];
    }
  }
  return w.tZ[model.L](model.d, n);
}

// Backward pass from df/dZ_L = 2 r e_{d,n}; with `accumulate`, adds df/dP_l, df/dQ_l into
// w.accP, w.accQ. Keeps the per-layer values the tangent pass needs.
void backward_prompt(const lsa_model& model, const weights& wt, int n, double r, prompt_work& w, bool accumulate) {
  const int d = model.d, L = model.L;
  const double inv_n = 1.0 / n;
  if (L == 0) return;
  w.G[L - 1].setZero();
  w.G[L - 1](d, n) = 2.0 * r;
  for (int l = L - 1; l >= 0; --l) {
    const auto& P = wt.P[l];
    const auto& Q = wt.Q[l];
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    const auto& G = w.G[l];
    const bool need_prev = l > 0;  // df/dZ_0 is not needed
    if (need_prev) w.Gprev = G;
    if (model.act == attention::linear) {
      // The last layer's G is 2 r e_d e_n^T: its products by G are a row and a column.
      const bool rank_one = l == L - 1;
      if (rank_one) {
        w.dK[l].setZero();
        w.dK[l].row(d) = (2.0 * r) * Z.col(n).transpose();
      } else {
        w.dK[l].noalias() = G * Z.transpose();
      }
      w.dK[l] *= inv_n;  // df/d(P C Q)
      w.dPC[l].noalias() = w.dK[l] * Q.transpose();
      if (accumulate) {
        w.accQ[l].noalias() += w.PC[l].transpose() * w.dK[l];
        w.accP[l].noalias() += w.dPC[l] * w.C[l];  // C symmetric
      }
      w.dC.noalias() = P.transpose() * w.dPC[l];
      w.dCs[l] = w.dC + w.dC.transpose();
      if (need_prev) {
        if (rank_one) {
          w.Gprev.col(n) += (2.0 * r) * w.K[l].row(d).transpose();
        } else {
          w.Gprev.noalias() += w.K[l].transpose() * G;
        }
        w.Gprev.leftCols(n).noalias() += w.dCs[l] * Zc;
      }
    } else {
      w.dA.noalias() = w.V[l].transpose() * G;
      w.dV[l].noalias() = G * w.A[l].transpose();
      w.dV[l] *= inv_n;  // df/d(P Z_c)
      w.dS[l] = (w.Sc[l].array() > 0.0).select(w.dA, 0.0);
      w.ZdS[l].noalias() = Zc * w.dS[l];
      if (accumulate) {
        w.accP[l].noalias() += w.dV[l] * Zc.transpose();
        w.accQ[l].noalias() += w.ZdS[l] * Z.transpose();
      }
      if (need_prev) {
        w.Gprev.leftCols(n).noalias() += P.transpose() * w.dV[l];
        w.Gprev.leftCols(n).noalias() += w.QZ[l] * w.dS[l].transpose();
        w.Gprev.noalias() += Q.transpose() * w.ZdS[l];
      }
    }
    if (need_prev) w.G[l - 1] = w.Gprev;
  }
}

// Tangent of the backward pass (after forward_prompt, forward_tangent and backward_prompt),
// from layer L-1 down to l_to, adding the tangents of df/dP_l, df/dQ_l for l >= l_to into
// w.accP, w.accQ.
void backward_tangent(const lsa_model& model, const weights& wt, int n, double tr, int l_to, prompt_work& w) {
  const int d = model.d, L = model.L;
  const double inv_n = 1.0 / n;
  w.tG.setZero();
  w.tG(d, n) = 2.0 * tr;
  for (int l = L - 1; l >= l_to; --l) {
    const auto& P = wt.P[l];
    const auto& Q = wt.Q[l];
    const auto& Z = w.Z[l];
    const auto Zc = Z.leftCols(n);
    const auto& tZ = w.tZ[l];
    const auto tZc = tZ.leftCols(n);
    const auto& G = w.G[l];
    const bool need_prev = l > l_to;
    if (model.act == attention::linear) {
      w.tdK.noalias() = w.tG * Z.transpose();
      w.tdK.noalias() += G * tZ.transpose();
      w.tdK *= inv_n;
      w.accQ[l].noalias() += w.tPC[l].transpose() * w.dK[l];
      w.accQ[l].noalias() += w.PC[l].transpose() * w.tdK;
      w.tdPC.noalias() = w.tdK * Q.transpose();
      w.tdPC.noalias() += w.dK[l] * wt.tQ[l].transpose();
      w.accP[l].noalias() += w.tdPC * w.C[l];
      w.accP[l].noalias() += w.dPC[l] * w.tC[l];
      if (need_prev) {
        w.tGprev = w.tG;
        w.tGprev.noalias() += w.tK[l].transpose() * G;
        w.tGprev.noalias() += w.K[l].transpose() * w.tG;
        w.tdC.noalias() = wt.tP[l].transpose() * w.dPC[l];
        w.tdC.noalias() += P.transpose() * w.tdPC;
        w.tdCs = w.tdC + w.tdC.transpose();
        w.tGprev.leftCols(n).noalias() += w.tdCs * Zc;
        w.tGprev.leftCols(n).noalias() += w.dCs[l] * tZc;
      }
    } else {
      w.tdA.noalias() = w.tV[l].transpose() * G;
      w.tdA.noalias() += w.V[l].transpose() * w.tG;
      w.tdV.noalias() = w.tG * w.A[l].transpose();
      w.tdV.noalias() += G * w.tA[l].transpose();
      w.tdV *= inv_n;
      w.accP[l].noalias() += w.tdV * Zc.transpose();
      w.accP[l].noalias() += w.dV[l] * tZc.transpose();
      w.tdS = (w.Sc[l].array() > 0.0).select(w.tdA, 0.0);
      w.tZdS.noalias() = tZc * w.dS[l];
      w.tZdS.noalias() += Zc * w.tdS;
      w.accQ[l].noalias() += w.tZdS * Z.transpose();
      w.accQ[l].noalias() += w.ZdS[l] * tZ.transpose();
      if (need_prev) {
        w.tGprev = w.tG;
        w.tGprev.leftCols(n).noalias() += wt.tP[l].transpose() * w.dV[l];
        w.tGprev.leftCols(n).noalias() += P.transpose() * w.tdV;
        w.tGprev.leftCols(n).noalias() += w.tQZ[l] * w.dS[l].transpose();
        w.tGprev.leftCols(n).noalias() += w.QZ[l] * w.tdS.transpose();
        w.tGprev.noalias() += wt.tQ[l].transpose() * w.ZdS[l];
        w.tGprev.noalias() += Q.transpose() * w.tZdS;
      }
    }
    if (need_prev) w.tG.swap(w.tGprev);
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
  std::vector<prompt_work> work;
};

batch_state& state() {
  thread_local batch_state st;
  return st;
}

// Sum over the batch of r_b^2; with `gradient`, the sum of the full matrices' gradients (or,
// when wt has tangents, of their tangents) into `full_out` (2 L D^2, layer-major, P then Q).
double run_batch(const lsa_model& model, const weights& wt, const prompt_batch& batch, int threads, bool gradient,
                 std::vector<double>* full_out) {
  const int D = model.d + 1, L = model.L, n = batch.n;
  const bool tan = wt.tangents();
  const std::size_t size = static_cast<std::size_t>(2) * L * D * D;
  const int K = lanes::chunk_count(batch.B, size);
  threads = std::clamp(threads, 1, K);
  batch_state& st = state();
  if (static_cast<int>(st.work.size()) < threads) st.work.resize(threads);
  for (int t = 0; t < threads; ++t) st.work[t].shape(D, n, L, tan);
  if (static_cast<int>(st.partial.size()) < K) st.partial.resize(K);
  for (int k = 0; k < K; ++k)
    if (st.partial[k].v.size() != size) st.partial[k].v.assign(size, 0.0);

  const double total = lanes::run_chunks(K, threads, st.team, st.partial, st.partial_loss, gradient, [&](int worker, int k) {
    prompt_work& w = st.work[worker];
    if (gradient)
      for (int l = 0; l < L; ++l) w.accP[l].setZero(), w.accQ[l].setZero();
    double sum = 0;
    const int b0 = static_cast<int>(lanes::chunk_begin(batch.B, K, k)), b1 = static_cast<int>(lanes::chunk_begin(batch.B, K, k + 1));
    for (int b = b0; b < b1; ++b) {
      if (!tan && model.act == attention::linear) {
        const double r = compact_prompt(model, wt, batch, b, w, gradient);
        sum += r * r;
        continue;
      }
      const double r = forward_prompt(model, wt, batch, b, w, !tan);
      sum += r * r;
      if (tan) {
        const double tr = forward_tangent(model, wt, n, 0, w);
        backward_prompt(model, wt, n, r, w, false);
        backward_tangent(model, wt, n, tr, 0, w);
      } else if (gradient) {
        backward_prompt(model, wt, n, r, w, true);
      }
    }
    if (gradient) {
      double* out = st.partial[k].v.data();
      for (int l = 0; l < L; ++l) {
        Eigen::Map<MatrixXd>(out + (2 * l) * D * D, D, D) = w.accP[l];
        Eigen::Map<MatrixXd>(out + (2 * l + 1) * D * D, D, D) = w.accQ[l];
      }
    }
    return sum;
  });
  if (gradient) full_out->assign(st.partial[0].v.begin(), st.partial[0].v.end());
  return total;
}

weights make_weights(const lsa_model& model, const VectorXd& theta, const VectorXd* v = nullptr) {
  weights wt;
  for (const auto& lw : unpack_impl(model, theta, true)) wt.P.push_back(lw.P), wt.Q.push_back(lw.Q);
  if (v)
    for (const auto& lw : unpack_impl(model, *v, false)) wt.tP.push_back(lw.P), wt.tQ.push_back(lw.Q);
  return wt;
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
  const weights wt = make_weights(model, theta);
  prompt_work w;
  w.shape(model.d + 1, batch.n, model.L, false);
  forward_prompt(model, wt, batch, b, w);
  return w.Z[model.L];
}

VectorXd predict(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch) {
  check_theta(model, theta);
  check_batch(model, batch);
  const weights wt = make_weights(model, theta);
  prompt_work w;
  w.shape(model.d + 1, batch.n, model.L, false);
  VectorXd out(batch.B);
  for (int b = 0; b < batch.B; ++b) {
    forward_prompt(model, wt, batch, b, w);
    out(b) = -w.Z[model.L](model.d, batch.n);
  }
  return out;
}

double loss(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  return run_batch(model, make_weights(model, theta), batch, threads, false, nullptr) / batch.B;
}

double loss_and_gradient(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, VectorXd& grad,
                         int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  std::vector<double> full;
  const double f = run_batch(model, make_weights(model, theta), batch, threads, true, &full) / batch.B;
  fold(model, full.data(), grad);
  grad /= static_cast<double>(batch.B);
  return f;
}

VectorXd hessian_vector(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, const VectorXd& v,
                        int threads) {
  check_theta(model, theta);
  check_batch(model, batch);
  if (v.size() != theta.size()) fail("hessian_vector: v and theta differ in size");
  std::vector<double> full;
  run_batch(model, make_weights(model, theta, &v), batch, threads, true, &full);
  VectorXd hv;
  fold(model, full.data(), hv);
  hv /= static_cast<double>(batch.B);
  return hv;
}

VectorXd hessian_diagonal(const lsa_model& model, const VectorXd& theta, const prompt_batch& batch, int threads) {
  // H_ii = e_i^T H e_i. Per prompt the value passes run once; for coordinate i, a weight of
  // layer l0, the weight tangent vanishes off layer l0, so its forward tangent starts at l0
  // and only the backward tangent down to l0 is needed for the entry (i, i).
  check_theta(model, theta);
  check_batch(model, batch);
  const int d = model.d, D = d + 1, L = model.L, n = batch.n;
  const int p = static_cast<int>(theta.size());
  if (p == 0) return VectorXd();
  // Coordinate i seeds (and reads) entry (row, col) of layer l's P_full or Q_full with `sign`.
  struct coord {
    int l, row, col;
    bool q;
    double sign;
  };
  std::vector<coord> coords;
  coords.reserve(p);
  for (int l = 0; l < L; ++l) {
    switch (model.par) {
      case parameterization::full:
        for (int which = 0; which < 2; ++which)
          for (int j = 0; j < D; ++j)
            for (int i = 0; i < D; ++i) coords.push_back({l, i, j, which == 1, 1.0});
        break;
      case parameterization::code:
        for (int j = 0; j < d; ++j)
          for (int i = 0; i < d; ++i) coords.push_back({l, i, j, false, 1.0});
        for (int j = 0; j < d; ++j)
          for (int i = 0; i < d; ++i) coords.push_back({l, j, i, true, 1.0});  // Q_full = [[Q^T,0],[0,0]]
        break;
      case parameterization::sparse:
        for (int j = 0; j < d; ++j)
          for (int i = 0; i < d; ++i) coords.push_back({l, i, j, true, -1.0});  // Q_full = -[[A,0],[0,0]]
        break;
    }
  }
  const weights base = make_weights(model, theta);
  const int K = lanes::chunk_count(batch.B, static_cast<std::size_t>(p));
  threads = std::clamp(threads, 1, K);
  batch_state& st = state();
  if (static_cast<int>(st.work.size()) < threads) st.work.resize(threads);
  for (int t = 0; t < threads; ++t) st.work[t].shape(D, n, L, true);
  std::vector<weights> wts(threads, base);
  for (auto& wt : wts) {
    wt.tP.assign(L, MatrixXd::Zero(D, D));
    wt.tQ.assign(L, MatrixXd::Zero(D, D));
  }
  std::vector<chunk_grad> partial(K);
  for (auto& c : partial) c.v.assign(p, 0.0);
  std::vector<double> partial_loss;
  lanes::run_chunks(K, threads, st.team, partial, partial_loss, true, [&](int worker, int k) {
    prompt_work& w = st.work[worker];
    weights& wt = wts[worker];
    double* out = partial[k].v.data();
    const int b0 = static_cast<int>(lanes::chunk_begin(batch.B, K, k)), b1 = static_cast<int>(lanes::chunk_begin(batch.B, K, k + 1));
    for (int b = b0; b < b1; ++b) {
      const double r = forward_prompt(model, wt, batch, b, w, true);
      backward_prompt(model, wt, n, r, w, false);
      for (int i = 0; i < p; ++i) {
        const coord& c = coords[i];
        double& seed = c.q ? wt.tQ[c.l](c.row, c.col) : wt.tP[c.l](c.row, c.col);
        seed = c.sign;
        const double tr = forward_tangent(model, wt, n, c.l, w);
        w.accP[c.l].setZero();
        w.accQ[c.l].setZero();
        backward_tangent(model, wt, n, tr, c.l, w);
        out[i] += c.sign * (c.q ? w.accQ[c.l](c.row, c.col) : w.accP[c.l](c.row, c.col));
        seed = 0.0;
      }
    }
    return 0.0;
  });
  VectorXd diag = Eigen::Map<const VectorXd>(partial[0].v.data(), p);
  diag /= static_cast<double>(batch.B);
  return diag;
}

}  // namespace attnbound::model::icl
