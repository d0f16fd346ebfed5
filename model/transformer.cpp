// Shallow m-head softmax Transformer (spec section 1): forward pass, Lemma 1 gradients,
// linearization, symmetric initialization and projection.
//
// Per sample X (d x T) with query q = X_T and head i:
//   Wq_i  = W_i q                                  (d)
//   z_t   = X_t . Wq_i,  alpha = softmax(z)         stable: the maximum is subtracted
//   a_i   = sum_t alpha_t X_t,  pre_i = U_i . a_i,  h_i = tanh(pre_i),  dh_i = 1 - h_i^2
//   M_i U_i = sum_t alpha_t (X_t . U_i) X_t - a_i pre_i                       (Remark 5)
// Lemma 1: d f/d c_i = m^-1/2 h_i, grad_{U_i} f = m^-1/2 c_i dh_i a_i,
//          grad_{W_i} f = m^-1/2 c_i dh_i (M_i U_i) q^T.
//
// Kernels. Heads are packed in blocks of B, one head per lane of a native vector (GCC vector
// extensions: B = 2 doubles for SSE2, 4 for AVX2, 8 for AVX-512): block b holds c, U (d vectors)
// and W (d*d vectors) of heads bB .. bB+B-1 (lanes past m are zero and never read back). Every
// quantity above is then a short loop over tokens or coordinates of whole-vector operations:
// no shuffles, no reductions across lanes. The kernel is compiled for all three widths and the
// widest the CPU supports is picked at run time (kernel_isa), so the binary needs no -march.
//
// Bit-identical results. (1) Each lane's arithmetic is the same sequence of IEEE double
// operations whatever the vector width, and the pragma below forbids contracting a*b+c into an
// FMA (which only some widths would have). exp and tanh are evaluated by the lane-wise routines
// of model/lanes.hpp, not by libm. (2) Sums over samples use a fixed partition of the samples
// into chunks (lanes::chunk_count: it depends on the number of samples and the model size
// only), each chunk's partial sums run in sample order, and the partials are added in chunk
// order. So the result does not depend on the thread count, the ISA or the order in which
// threads finish.
#pragma GCC optimize("fp-contract=off")

#include "model/transformer.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"  // vectors by value inside always-inlined helpers only
#include "model/lanes.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

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

// ---------------------------------------------------------------- lane-wise arithmetic

namespace {

// Native vectors, aligned buffers, exp_parts and tanh_lanes: model/lanes.hpp.
using lanes::double_buffer;
using lanes::exp_parts;
using lanes::splat;
using lanes::tanh_lanes;
using lanes::vec;

#define ATTN_INLINE ATTN_LANES_INLINE

template <int W, class V = typename vec<W>::type>
ATTN_INLINE V vmax(V a, V b) { return a > b ? a : b; }

// e^x for x <= 0 (0 below -708; NaN stays NaN).
template <int W, class V = typename vec<W>::type>
ATTN_INLINE V exp_nonpositive(V x) {
  const auto tiny = x < -708.0;
  V s, q;
  exp_parts<W>(tiny ? splat<W>(-708.0) : x, s, q);
  return tiny ? splat<W>(0.0) : s + s * q;
}

// ---------------------------------------------------------------- packed parameters

// phi in head blocks of B heads (B = the vector width of the kernel that reads it): block b is
// the entries [c | U_0..U_{d-1} | W_00 W_01 .. W_{d-1,d-1}], each B doubles, lane l = head
// bB + l; W_rk = (W_i)_{rk}. Lanes past m are zero.
// Entry e of head i: 0: c, 1 + r: U_r, 1 + d + r d + k: W_rk.
using packed_params = lanes::packed_blocks;

// Packs phi (or phi - phi0 when `minus` is given) in blocks of B heads.
void pack(const transformer_params& phi, const transformer_params* minus, int B, packed_params& P) {
  const int d = phi.d(), m = phi.m();
  P.shape(d, 1 + static_cast<std::size_t>(d) + static_cast<std::size_t>(d) * d, m, B);
  for (int i = 0; i < m; ++i) {
    P.at(i, 0) = phi.c(i) - (minus ? minus->c(i) : 0.0);
    for (int r = 0; r < d; ++r) P.at(i, 1 + r) = phi.U(r, i) - (minus ? minus->U(r, i) : 0.0);
    for (int r = 0; r < d; ++r)
      for (int k = 0; k < d; ++k) {
        const Index row = static_cast<Index>(i) * d + r;
        P.at(i, 1 + d + r * d + k) = phi.W(row, k) - (minus ? minus->W(row, k) : 0.0);
      }
  }
}

// grad += G (packed), or grad = G when `assign`.
void unpack(const packed_params& G, transformer_params& grad, bool assign) {
  const int d = G.d;
  auto put = [&](double& dst, double v) { dst = assign ? v : dst + v; };
  for (int i = 0; i < G.m; ++i) {
    put(grad.c(i), G.at(i, 0));
    for (int r = 0; r < d; ++r) put(grad.U(r, i), G.at(i, 1 + r));
    for (int r = 0; r < d; ++r)
      for (int k = 0; k < d; ++k)
        put(grad.W(static_cast<Index>(i) * d + r, k), G.at(i, 1 + d + r * d + k));
  }
}

// ---------------------------------------------------------------- one block of one sample

// Per (sample, block) results kept for the gradient pass: h, dh, pre, a (d), MU (d) vectors.
constexpr int kOutHead = 3;
std::size_t out_size(int d) { return kOutHead + 2 * static_cast<std::size_t>(d); }

// Forward pass of the heads of block `blk` on sample X (d x T, column-major, query = last
// token). Scratch: Wq (d), z (T: softmax weights on return), xu (T: X_t . U). out: see above;
// MU only when need_mu. D > 0 compiles the coordinate loops for d = D (fully unrolled).
template <int W, bool need_mu, int D = 0, class V = typename vec<W>::type>
ATTN_INLINE void block_forward(const V* blk, const double* X, int d_runtime, int T, V* Wq, V* z,
                               V* xu, V* out) {
  const int d = D > 0 ? D : d_runtime;  // D > 0: the token dimension known at compile time
  const V* U = blk + 1;
  const V* Wb = blk + 1 + d;
  const double* q = X + static_cast<std::size_t>(T - 1) * d;
  for (int r = 0; r < d; ++r) {  // Wq = W q
    const V* Wr = Wb + static_cast<std::size_t>(r) * d;
    V acc = Wr[0] * q[0];
    for (int k = 1; k < d; ++k) acc = acc + Wr[k] * q[k];
    Wq[r] = acc;
  }
  V mx = splat<W>(0.0);
  for (int t = 0; t < T; ++t) {  // logits z_t = X_t . W q, and X_t . U; their maximum
    const double* x = X + static_cast<std::size_t>(t) * d;
    V zt = Wq[0] * x[0];
    V ut = need_mu ? U[0] * x[0] : splat<W>(0.0);
    for (int r = 1; r < d; ++r) {
      zt = zt + Wq[r] * x[r];
      if (need_mu) ut = ut + U[r] * x[r];
    }
    z[t] = zt;
    if (need_mu) xu[t] = ut;
    mx = t == 0 ? zt : vmax<W>(mx, zt);
  }
  V sum = splat<W>(0.0);  // softmax with the maximum subtracted: no overflow for huge logits
  for (int t = 0; t < T; ++t) {
    z[t] = exp_nonpositive<W>(z[t] - mx);
    sum = sum + z[t];
  }
  const V inv = 1.0 / sum;  // sum >= 1 (the maximum contributes e^0)
  // a = X alpha and MU = sum_t alpha_t (X_t.U) X_t (so far), token tile by token tile (a tile's
  // weights stay in L1 for all d coordinates); each sum still runs over t in order.
  V* a = out + kOutHead;
  V* mu = a + d;
  constexpr int kTile = 128;
  for (int t0 = 0; t0 < T; t0 += kTile) {
    const int t1 = std::min(T, t0 + kTile);
    for (int t = t0; t < t1; ++t) {
      const V al = z[t] * inv;
      z[t] = al;
      if (need_mu) xu[t] = al * xu[t];  // alpha_t (X_t . U)
    }
    for (int r = 0; r < d; ++r) {
      V ar, mr = splat<W>(0.0);
      int t = t0;
      if (t0 == 0) {
        ar = z[0] * X[r];
        if (need_mu) mr = xu[0] * X[r];
        t = 1;
      } else {
        ar = a[r];
        if (need_mu) mr = mu[r];
      }
      for (; t < t1; ++t) {
        const double xr = X[static_cast<std::size_t>(t) * d + r];
        ar = ar + z[t] * xr;
        if (need_mu) mr = mr + xu[t] * xr;
      }
      a[r] = ar;
      if (need_mu) mu[r] = mr;
    }
  }
  V pre = U[0] * a[0];
  for (int r = 1; r < d; ++r) pre = pre + U[r] * a[r];
  const V h = tanh_lanes<W>(pre);
  out[0] = h;
  out[1] = 1.0 - h * h;
  out[2] = pre;
  if (need_mu)
    for (int r = 0; r < d; ++r) mu[r] = mu[r] - a[r] * pre;  // M U = ... - a (a . U)
}

// ---------------------------------------------------------------- chunks of samples

enum class job_kind { values, loss, loss_gradient, weighted_gradient, linearized, derivative };

// One batched call: which samples, what to compute.
struct batch_job {
  job_kind kind = job_kind::values;
  const packed_params* P = nullptr;
  const packed_params* D = nullptr;  // direction: phi - phi0 (linearized) or delta (derivative)
  const double* X = nullptr;
  int d = 0, T = 0;
  const int* idx = nullptr;  // samples idx[k], or k when null
  Index count = 0;
  const double* y = nullptr;        // labels, by sample (loss kinds)
  const double* weight = nullptr;   // by position k (weighted_gradient)
  double inv_count = 0;
  double* values = nullptr;         // by position k (values, linearized, derivative)
  bool gradient() const { return kind == job_kind::loss_gradient || kind == job_kind::weighted_gradient; }
  int sample(Index k) const { return idx ? idx[k] : static_cast<int>(k); }
  const double* sample_X(Index k) const {
    return X + static_cast<std::size_t>(sample(k)) * T * d;
  }
};

constexpr int S = 8;  // samples per sub-batch: a block's parameters are reused S times

// One worker's scratch, in doubles (B lanes per vector).
struct worker_buffers {
  double_buffer Wq, z, xu, outs;
  void size_for(int d, int T, int nb, int B) {
    Wq.resize(static_cast<std::size_t>(d) * B), z.resize(static_cast<std::size_t>(T) * B);
    xu.resize(static_cast<std::size_t>(T) * B);
    outs.resize(static_cast<std::size_t>(S) * nb * out_size(d) * B);
  }
};

// Pass 2 of a sub-batch (Lemma 1), block by block: G += sum_s of sample s's gradient terms,
// each entry's terms added in sample order. NS > 0: a full sub-batch of NS samples (the loops
// over samples have a compile-time length, so their accumulators stay in registers).
template <int W, int D, int NS>
ATTN_INLINE void gradient_pass(const packed_params& P, packed_params* G,
                               const typename vec<W>::type* outs_base, const double* wt,
                               const double* const* qs, int nb, int d_runtime, std::size_t osz,
                               int ns_runtime = 0) {
  using V = typename vec<W>::type;
  const int ns = NS > 0 ? NS : ns_runtime;
  const int d = D > 0 ? D : d_runtime;
  for (int b = 0; b < nb; ++b) {
    const V c = reinterpret_cast<const V*>(P.block(b))[0];
    V* g = reinterpret_cast<V*>(G->block(b));
    V* gU = g + 1;
    V* gW = g + 1 + d;
    V coef[S];
    const V* outs[S];
    for (int s = 0; s < ns; ++s) {
      outs[s] = outs_base + (static_cast<std::size_t>(s) * nb + b) * osz;
      coef[s] = wt[s] * c * outs[s][1];  // m^-1/2 w_j c_i dh_i
      g[0] = g[0] + wt[s] * outs[s][0];  // m^-1/2 w_j h_i
    }
    for (int r = 0; r < d; ++r) {
      V gu = gU[r];
      V gmu[S];
      for (int s = 0; s < ns; ++s) {
        gu = gu + coef[s] * outs[s][kOutHead + r];
        gmu[s] = coef[s] * outs[s][kOutHead + d + r];  // m^-1/2 w_j c_i dh_i (M_i U_i)_r
      }
      gU[r] = gu;
      V* gWr = gW + static_cast<std::size_t>(r) * d;
      for (int k = 0; k < d; ++k) {
        V acc = gWr[k];
        for (int s = 0; s < ns; ++s) acc = acc + gmu[s] * qs[s][k];
        gWr[k] = acc;
      }
    }
  }
}

// Processes positions [begin, end) of the job. Gradient kinds add into G (a zeroed packed
// gradient of this chunk); loss kinds return the sum of squared residuals in sample order.
template <int W, int D>
ATTN_INLINE double run_chunk_body(const batch_job& job, Index begin, Index end,
                                  worker_buffers& wb, packed_params* G) {
  using V = typename vec<W>::type;
  const int d = D > 0 ? D : job.d, T = job.T;
  const packed_params& P = *job.P;
  const int nb = P.nb;
  const double sqrt_m = std::sqrt(static_cast<double>(P.m));
  const bool grad = job.gradient();
  const std::size_t osz = out_size(d);
  V* Wq = reinterpret_cast<V*>(wb.Wq.data());
  V* z = reinterpret_cast<V*>(wb.z.data());
  V* xu = reinterpret_cast<V*>(wb.xu.data());
  V* outs_base = reinterpret_cast<V*>(wb.outs.data());
  auto block = [&](const packed_params& Q, int b) { return reinterpret_cast<const V*>(Q.block(b)); };
  double loss_sum = 0;
  for (Index s0 = begin; s0 < end; s0 += S) {
    const int ns = static_cast<int>(std::min<Index>(S, end - s0));
    double fsum[S] = {}, lin[S] = {};
    // Pass 1: every block of every sample of the sub-batch; sums over heads in head order.
    for (int b = 0; b < nb; ++b) {
      const V* blk = block(P, b);
      const int lanes = P.lanes(b);
      for (int s = 0; s < ns; ++s) {
        const double* X = job.sample_X(s0 + s);
        V* out = grad ? outs_base + (static_cast<std::size_t>(s) * nb + b) * osz : outs_base;
        const bool directional = job.kind == job_kind::linearized || job.kind == job_kind::derivative;
        if (grad || directional)
          block_forward<W, true, D>(blk, X, d, T, Wq, z, xu, out);
        else
          block_forward<W, false, D>(blk, X, d, T, Wq, z, xu, out);
        for (int l = 0; l < lanes; ++l) fsum[s] += blk[0][l] * out[0][l];
        if (directional) {
          // Definition 3 with Lemma 1: h dc + c dh (a . dU + (M U) . dW q), per head.
          const V* Db = block(*job.D, b);
          const double* q = X + static_cast<std::size_t>(T - 1) * d;
          const V* a = out + kOutHead;
          const V* mu = a + d;
          V dot = splat<W>(0.0);
          for (int r = 0; r < d; ++r) {
            const V* dWr = Db + 1 + d + static_cast<std::size_t>(r) * d;
            V dwq = dWr[0] * q[0];
            for (int k = 1; k < d; ++k) dwq = dwq + dWr[k] * q[k];
            dot = dot + a[r] * Db[1 + r] + mu[r] * dwq;
          }
          const V term = out[0] * Db[0] + blk[0] * out[1] * dot;
          for (int l = 0; l < lanes; ++l) lin[s] += term[l];
        }
      }
    }
    // Per sample: f, residual, gradient weight.
    double wt[S] = {};
    for (int s = 0; s < ns; ++s) {
      const Index k = s0 + s;
      const double f = fsum[s] / sqrt_m;
      switch (job.kind) {
        case job_kind::values: job.values[k] = f; break;
        case job_kind::linearized: job.values[k] = f + lin[s] / sqrt_m; break;
        case job_kind::derivative: job.values[k] = lin[s] / sqrt_m; break;
        case job_kind::loss:
        case job_kind::loss_gradient: {
          const double r = f - job.y[job.sample(k)];  // residual r_j = f_j - y_j
          loss_sum += r * r;
          wt[s] = 2.0 * r * job.inv_count / sqrt_m;  // d(r^2)/d phi = 2 r grad f
          break;
        }
        case job_kind::weighted_gradient: wt[s] = job.weight[k] / sqrt_m; break;
      }
    }
    if (!grad) continue;
    // Pass 2 (Lemma 1), block by block; each entry gets its samples' terms in sample order.
    const double* qs[S];
    for (int s = 0; s < ns; ++s) qs[s] = job.sample_X(s0 + s) + static_cast<std::size_t>(T - 1) * d;
    if (ns == S) gradient_pass<W, D, S>(P, G, outs_base, wt, qs, nb, d, osz);
    else gradient_pass<W, D, 0>(P, G, outs_base, wt, qs, nb, d, osz, ns);
  }
  return loss_sum;
}

// One sample, all heads: per-head quantities for forward_one / gradient_one, through the same
// block kernel (generic width: not a hot path).
template <int W, bool need_mu>
ATTN_INLINE double sample_body(const packed_params& P, const double* X, int d, int T,
                               worker_buffers& wb, transformer_workspace& ws) {
  using V = typename vec<W>::type;
  V* Wq = reinterpret_cast<V*>(wb.Wq.data());
  V* z = reinterpret_cast<V*>(wb.z.data());
  V* xu = reinterpret_cast<V*>(wb.xu.data());
  V* out = reinterpret_cast<V*>(wb.outs.data());
  double fsum = 0;
  for (int b = 0; b < P.nb; ++b) {
    const V* blk = reinterpret_cast<const V*>(P.block(b));
    block_forward<W, need_mu>(blk, X, d, T, Wq, z, xu, out);
    for (int l = 0; l < P.lanes(b); ++l) {
      const int i = b * P.B + l;
      fsum += blk[0][l] * out[0][l];
      ws.h(i) = out[0][l], ws.dh(i) = out[1][l], ws.pre(i) = out[2][l];
      for (int r = 0; r < d; ++r) {
        ws.A(r, i) = out[kOutHead + r][l];
        ws.MU(r, i) = need_mu ? out[kOutHead + d + r][l] : 0.0;
        ws.Wq(static_cast<Index>(i) * d + r) = Wq[r][l];
      }
      for (int t = 0; t < T; ++t) {
        ws.Z(t, i) = z[t][l];
        ws.XtU(t, i) = need_mu ? xu[t][l] : 0.0;
      }
    }
  }
  return fsum / std::sqrt(static_cast<double>(P.m));
}

double sample_generic(const packed_params& P, const double* X, int d, int T, bool need_mu,
                      worker_buffers& wb, transformer_workspace& ws) {
  return need_mu ? sample_body<2, true>(P, X, d, T, wb, ws)
                 : sample_body<2, false>(P, X, d, T, wb, ws);
}

using chunk_fn = double (*)(const batch_job&, Index, Index, worker_buffers&, packed_params*);

// One entry per ISA; d = 8 (the papers' token dimension) gets fully unrolled loops.
double chunk_generic(const batch_job& j, Index b, Index e, worker_buffers& w, packed_params* G) {
  return j.d == 8 ? run_chunk_body<2, 8>(j, b, e, w, G) : run_chunk_body<2, 0>(j, b, e, w, G);
}
__attribute__((target("avx2"))) double chunk_avx2(const batch_job& j, Index b, Index e,
                                                  worker_buffers& w, packed_params* G) {
  return j.d == 8 ? run_chunk_body<4, 8>(j, b, e, w, G) : run_chunk_body<4, 0>(j, b, e, w, G);
}
__attribute__((target("avx512f"))) double chunk_avx512(const batch_job& j, Index b, Index e,
                                                       worker_buffers& w, packed_params* G) {
  return j.d == 8 ? run_chunk_body<8, 8>(j, b, e, w, G) : run_chunk_body<8, 0>(j, b, e, w, G);
}

bool cpu_has(kernel_isa isa) {
  switch (isa) {
    case kernel_isa::generic: return true;
    case kernel_isa::avx2: return __builtin_cpu_supports("avx2");
    case kernel_isa::avx512: return __builtin_cpu_supports("avx512f");
  }
  return false;
}

kernel_isa best_isa() {
  __builtin_cpu_init();  // may run before libgcc's own initialization (static initializers)
  return cpu_has(kernel_isa::avx512) ? kernel_isa::avx512
                                     : cpu_has(kernel_isa::avx2) ? kernel_isa::avx2
                                                                 : kernel_isa::generic;
}

std::atomic<kernel_isa>& isa_choice() {
  static std::atomic<kernel_isa> isa{best_isa()};
  return isa;
}

// The chunk kernel of the active ISA and its vector width.
struct kernel_choice {
  chunk_fn fn;
  int lanes;
};
kernel_choice chunk_kernel() {
  switch (isa_choice().load(std::memory_order_relaxed)) {
    case kernel_isa::avx512: return {chunk_avx512, 8};
    case kernel_isa::avx2: return {chunk_avx2, 4};
    default: return {chunk_generic, 2};
  }
}

}  // namespace

// Everything the batched functions keep between calls.
struct transformer_workspace::batched_state {
  packed_params P, D;                  // phi, and a direction (forward_linearized, directional_derivative)
  std::vector<packed_params> partial;  // per chunk gradient
  std::vector<double> partial_loss;    // per chunk sum of squared residuals
  std::vector<worker_buffers> workers;
  std::unique_ptr<lanes::thread_team> team;
};

transformer_workspace::batched_handle::batched_handle(batched_handle&& o) noexcept : p_(o.p_) {
  o.p_ = nullptr;
}
transformer_workspace::batched_handle& transformer_workspace::batched_handle::operator=(
    batched_handle&& o) noexcept {
  std::swap(p_, o.p_);
  return *this;
}
transformer_workspace::batched_handle::~batched_handle() { delete p_; }
transformer_workspace::batched_state* transformer_workspace::batched_handle::get() {
  if (!p_) p_ = new batched_state;
  return p_;
}

namespace {

// Packs phi (and phi - phi0) for the active kernel and runs `job` over its positions with
// ws.threads threads. Gradient kinds leave the gradient (packed) in st.partial[0]; loss kinds
// return the sum of squared residuals.
double run_batched(batch_job job, const transformer_params& phi, const transformer_params* phi0,
                   transformer_workspace& ws, transformer_workspace::batched_state& st) {
  const kernel_choice kernel = chunk_kernel();
  const int B = kernel.lanes;
  if (phi0 && job.kind == job_kind::linearized) {  // the model at phi0, the direction phi - phi0
    pack(*phi0, nullptr, B, st.P);
    pack(phi, phi0, B, st.D);
    job.D = &st.D;
  } else if (phi0) {  // derivative: the model at phi0, the direction phi
    pack(*phi0, nullptr, B, st.P);
    pack(phi, nullptr, B, st.D);
    job.D = &st.D;
  } else {
    pack(phi, nullptr, B, st.P);
  }
  job.P = &st.P;
  const bool grad = job.gradient();
  const packed_params& P = st.P;
  const int K = lanes::chunk_count(job.count, grad ? P.v.size() : 0);
  const int threads = K > 1 ? std::max(1, ws.threads) : 1;
  if (static_cast<int>(st.workers.size()) < threads) st.workers.resize(threads);
  for (int w = 0; w < threads; ++w) st.workers[w].size_for(job.d, job.T, P.nb, B);
  if (grad) {  // buffers are allocated here, on the calling thread; workers only write
    if (static_cast<int>(st.partial.size()) < K) st.partial.resize(K);
    for (int k = 0; k < K; ++k) st.partial[k].shape_like(P);
  }
  return lanes::run_chunks(K, threads, st.team, st.partial, st.partial_loss, grad, [&](int worker, int k) {
    return kernel.fn(job, lanes::chunk_begin(job.count, K, k), lanes::chunk_begin(job.count, K, k + 1),
                     st.workers[worker], grad ? &st.partial[k] : nullptr);
  });
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

batch_job make_job(job_kind kind, const sequence_data& data, const std::vector<int>* idx) {
  batch_job job;
  job.kind = kind;
  job.X = data.X.data();
  job.d = data.d;
  job.T = data.T;
  job.idx = idx && !idx->empty() ? idx->data() : nullptr;
  job.count = job.idx ? static_cast<Index>(idx->size()) : data.n;
  job.y = data.y.data();
  for (Index k = 0; job.idx && k < job.count; ++k)
    if (job.idx[k] < 0 || job.idx[k] >= data.n)
      throw std::invalid_argument("transformer: sample index out of range");
  return job;
}

// One sample, all heads, with the per-head quantities copied into the workspace's Eigen members
// (alpha into Z; with need_mu also MU and XtU = alpha .* X^T U).
double sample_details(const transformer_params& phi, const sequence_data& data, int j,
                      bool need_mu, transformer_workspace& ws) {
  if (j < 0 || j >= data.n) throw std::invalid_argument("transformer: sample index out of range");
  auto& st = *ws.batched.get();
  pack(phi, nullptr, 2, st.P);
  if (st.workers.empty()) st.workers.resize(1);
  st.workers[0].size_for(data.d, data.T, 1, 2);
  ws.resize(data.d, data.T, phi.m());
  const double* X = data.X.data() + static_cast<std::size_t>(j) * data.T * data.d;
  return sample_generic(st.P, X, data.d, data.T, need_mu, st.workers[0], ws);
}

}  // namespace

// ---------------------------------------------------------------- public API

kernel_isa active_kernel_isa() { return isa_choice().load(); }

bool use_kernel_isa(kernel_isa isa) {
  if (!cpu_has(isa)) return false;
  isa_choice().store(isa);
  return true;
}

const char* kernel_isa_name(kernel_isa isa) {
  switch (isa) {
    case kernel_isa::generic: return "generic (SSE2)";
    case kernel_isa::avx2: return "AVX2";
    case kernel_isa::avx512: return "AVX-512";
  }
  return "?";
}

double forward_one(const transformer_params& phi, const sequence_data& data, int j,
                   transformer_workspace& ws) {
  check_shapes(phi, data);
  return sample_details(phi, data, j, false, ws);
}

void forward(const transformer_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             transformer_workspace& ws) {
  check_shapes(phi, data);
  f.resize(data.n);
  batch_job job = make_job(job_kind::values, data, nullptr);
  job.values = f.data();
  run_batched(job, phi, nullptr, ws, *ws.batched.get());
}

void gradient_one(const transformer_params& phi, const sequence_data& data, int j,
                  transformer_params& grad, transformer_workspace& ws) {
  check_shapes(phi, data);
  sample_details(phi, data, j, true, ws);
  // Lemma 1 from the workspace's per-head quantities.
  const int d = phi.d(), m = phi.m();
  const double s = 1.0 / std::sqrt(static_cast<double>(m));
  zero_like(phi, grad);
  const auto q = data.query(j);
  for (int i = 0; i < m; ++i) {
    const double coef = s * phi.c(i) * ws.dh(i);
    grad.c(i) = s * ws.h(i);
    grad.U.col(i) = coef * ws.A.col(i);
    for (int r = 0; r < d; ++r)
      for (int k = 0; k < d; ++k) grad.W(static_cast<Index>(i) * d + r, k) = coef * ws.MU(r, i) * q(k);
  }
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
  if (count == 0) return;
  auto& st = *ws.batched.get();
  batch_job job = make_job(job_kind::weighted_gradient, data, &idx);
  job.weight = w.data();
  run_batched(job, phi, nullptr, ws, st);
  unpack(st.partial[0], grad, false);
}

double loss_and_gradient(const transformer_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, transformer_params& grad,
                         transformer_workspace& ws) {
  check_shapes(phi, data);
  zero_like(phi, grad);
  const Index count = idx.empty() ? data.n : static_cast<Index>(idx.size());
  if (count == 0) return 0.0;
  auto& st = *ws.batched.get();
  batch_job job = make_job(job_kind::loss_gradient, data, &idx);
  job.inv_count = 1.0 / static_cast<double>(count);
  const double sum = run_batched(job, phi, nullptr, ws, st);
  unpack(st.partial[0], grad, true);
  return sum / static_cast<double>(count);
}

double loss(const transformer_params& phi, const sequence_data& data, transformer_workspace& ws) {
  check_shapes(phi, data);
  if (data.n == 0) return 0.0;
  const batch_job job = make_job(job_kind::loss, data, nullptr);
  return run_batched(job, phi, nullptr, ws, *ws.batched.get()) / data.n;
}

void forward_linearized(const transformer_params& phi0, const transformer_params& phi,
                        const sequence_data& data, Eigen::VectorXd& f_lin,
                        transformer_workspace& ws) {
  check_shapes(phi0, data);
  if (phi.c.size() != phi0.c.size() || phi.U.size() != phi0.U.size() ||
      phi.W.size() != phi0.W.size())
    throw std::invalid_argument("forward_linearized: phi and phi0 differ in shape");
  f_lin.resize(data.n);
  batch_job job = make_job(job_kind::linearized, data, nullptr);
  job.values = f_lin.data();
  run_batched(job, phi, &phi0, ws, *ws.batched.get());
}

void directional_derivative(const transformer_params& phi0, const transformer_params& delta,
                            const sequence_data& data, Eigen::VectorXd& out,
                            transformer_workspace& ws) {
  check_shapes(phi0, data);
  if (delta.c.size() != phi0.c.size() || delta.U.size() != phi0.U.size() ||
      delta.W.size() != phi0.W.size())
    throw std::invalid_argument("directional_derivative: delta and phi0 differ in shape");
  out.resize(data.n);
  batch_job job = make_job(job_kind::derivative, data, nullptr);
  job.values = out.data();
  run_batched(job, delta, &phi0, ws, *ws.batched.get());
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
