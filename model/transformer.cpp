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
// Kernels. Heads are packed in blocks of 8 (`v8d`, a GCC vector of 8 doubles): block b holds
// c, U (d vectors) and W (d*d vectors) of heads 8b .. 8b+7, with lane l = head 8b+l (lanes past
// m are zero and never read back). Every quantity above is then a short loop over tokens or
// coordinates of whole-vector operations, one head per lane: no shuffles, no reductions across
// lanes. The compiler lowers a v8d operation to one AVX-512, two AVX2 or four SSE2 instructions;
// the kernel is compiled for all three and the widest the CPU supports is picked at run time
// (kernel_isa), so the binary needs no -march flag.
//
// Bit-identical results. (1) Each lane's arithmetic is the same sequence of IEEE double
// operations whatever the vector width, and the pragma below forbids contracting a*b+c into an
// FMA (which only some widths would have). exp and tanh are evaluated by the lane-wise routines
// below, not by libm. (2) Sums over samples use a fixed partition of the samples into chunks
// (chunk_count: it depends on the number of samples and the model size only), each chunk's
// partial sums run in sample order, and the partials are added in chunk order. So the result
// does not depend on the thread count, the ISA or the order in which threads finish.
#pragma GCC optimize("fp-contract=off")

#include "model/transformer.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#pragma GCC diagnostic ignored "-Wpsabi"  // v8d by value inside always-inlined helpers only

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

constexpr int B = 8;  // heads per block = lanes per vector
typedef double v8d __attribute__((vector_size(8 * B)));
typedef long long v8i __attribute__((vector_size(8 * B)));

#define ATTN_INLINE inline __attribute__((always_inline))

// std::allocator does not see the 64-byte alignment of a vector_size type used as a template
// argument; this one allocates 64-byte aligned storage explicitly.
template <class T>
struct aligned_allocator {
  using value_type = T;
  aligned_allocator() = default;
  template <class U>
  aligned_allocator(const aligned_allocator<U>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const aligned_allocator&) const { return true; }
};
using lane_vector = std::vector<v8d, aligned_allocator<v8d>>;

ATTN_INLINE v8d splat(double x) { return v8d{} + x; }

ATTN_INLINE v8d vmax(v8d a, v8d b) { return a > b ? a : b; }

// e^x = s (1 + q) with s = 2^k, q = e^r - 1, x = k ln2 + r, |r| <= ln2/2 (Cody-Waite reduction,
// ln2 split so that k*ln2_hi is exact). q is the Taylor series to degree 13, whose remainder
// is below 5e-18 on |r| <= 0.35. Valid for -708 <= x <= 0 (s is then a normal number).
ATTN_INLINE void exp_parts(v8d x, v8d& s, v8d& q) {
  const double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low bits
  const v8d t = x * 1.4426950408889634 + shifter;
  const v8d k = t - shifter;
  const v8d r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  v8d p = splat(1.0 / 6227020800.0);  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  q = p * r;
  const v8i ki = (v8i)t - (v8i)splat(shifter);  // k as an integer
  s = (v8d)((ki + 1023) << 52);                  // 2^k
}

// e^x for x <= 0 (0 below -708; NaN stays NaN).
ATTN_INLINE v8d exp_nonpositive(v8d x) {
  const v8i tiny = x < -708.0;
  v8d s, q;
  exp_parts(tiny ? splat(-708.0) : x, s, q);
  return tiny ? splat(0.0) : s + s * q;
}

// tanh x = sign(x) (-e)/(2 + e) with e = expm1(-2|x|) = (s - 1) + s q: accurate to a few ulp,
// relative, down to tiny |x| (there s = 1 and e = q exactly).
ATTN_INLINE v8d tanh_lanes(v8d x) {
  const v8i sign = (v8i)x & (v8i)splat(-0.0);
  const v8d y = -2.0 * (v8d)((v8i)x & ~(v8i)splat(-0.0));
  const v8i tiny = y < -708.0;
  v8d s, q;
  exp_parts(tiny ? splat(-708.0) : y, s, q);
  const v8d e = tiny ? splat(-1.0) : (s - 1.0) + s * q;
  return (v8d)((v8i)(-e / (2.0 + e)) | sign);
}

ATTN_INLINE double lane(const v8d& v, int l) { return v[l]; }

// ---------------------------------------------------------------- packed parameters

// phi in head blocks: block b is [c | U_0..U_{d-1} | W_00 W_01 .. W_{d-1,d-1}] as v8d, lane l
// = head 8b + l; W_rk = (W_i)_{rk}.
struct packed_params {
  int d = 0, m = 0, nb = 0;
  lane_vector v;
  std::size_t stride() const { return 1 + static_cast<std::size_t>(d) + static_cast<std::size_t>(d) * d; }
  v8d* block(int b) { return v.data() + b * stride(); }
  const v8d* block(int b) const { return v.data() + b * stride(); }
  void shape(int d_, int m_) {
    d = d_, m = m_, nb = (m + B - 1) / B;
    v.assign(static_cast<std::size_t>(nb) * stride(), splat(0.0));  // keeps capacity
  }
  int lanes(int b) const { return std::min(B, m - b * B); }
};

// Packs phi (or phi - phi0 when `minus` is given).
void pack(const transformer_params& phi, const transformer_params* minus, packed_params& P) {
  const int d = phi.d(), m = phi.m();
  P.shape(d, m);
  for (int b = 0; b < P.nb; ++b) {
    v8d* blk = P.block(b);
    for (int l = 0; l < P.lanes(b); ++l) {
      const int i = b * B + l;
      blk[0][l] = phi.c(i) - (minus ? minus->c(i) : 0.0);
      for (int r = 0; r < d; ++r) blk[1 + r][l] = phi.U(r, i) - (minus ? minus->U(r, i) : 0.0);
      for (int r = 0; r < d; ++r)
        for (int k = 0; k < d; ++k) {
          const Index row = static_cast<Index>(i) * d + r;
          blk[1 + d + r * d + k][l] = phi.W(row, k) - (minus ? minus->W(row, k) : 0.0);
        }
    }
  }
}

// grad += G (packed), or grad = G when `assign`.
void unpack(const packed_params& G, transformer_params& grad, bool assign) {
  const int d = G.d;
  for (int b = 0; b < G.nb; ++b) {
    const v8d* blk = G.block(b);
    for (int l = 0; l < G.lanes(b); ++l) {
      const int i = b * B + l;
      auto put = [&](double& dst, double v) { dst = assign ? v : dst + v; };
      put(grad.c(i), blk[0][l]);
      for (int r = 0; r < d; ++r) put(grad.U(r, i), blk[1 + r][l]);
      for (int r = 0; r < d; ++r)
        for (int k = 0; k < d; ++k)
          put(grad.W(static_cast<Index>(i) * d + r, k), blk[1 + d + r * d + k][l]);
    }
  }
}

// ---------------------------------------------------------------- one block of one sample

// Per (sample, block) results kept for the gradient pass: h, dh, pre, a (d), MU (d).
constexpr int kOutHead = 3;
std::size_t out_size(int d) { return kOutHead + 2 * static_cast<std::size_t>(d); }

// Forward pass of the 8 heads of `blk` on sample X (d x T, column-major, query = last token).
// Scratch: Wq (d), z (T: softmax weights on return), xu (T: X_t . U). out: see above; MU only
// when need_mu.
template <bool need_mu>
ATTN_INLINE void block_forward(const v8d* blk, const double* X, int d, int T, v8d* Wq, v8d* z,
                               v8d* xu, v8d* out) {
  const v8d* U = blk + 1;
  const v8d* W = blk + 1 + d;
  const double* q = X + static_cast<std::size_t>(T - 1) * d;
  for (int r = 0; r < d; ++r) {  // Wq = W q
    const v8d* Wr = W + static_cast<std::size_t>(r) * d;
    v8d acc = Wr[0] * q[0];
    for (int k = 1; k < d; ++k) acc = acc + Wr[k] * q[k];
    Wq[r] = acc;
  }
  for (int t = 0; t < T; ++t) {  // logits z_t = X_t . W q, and X_t . U
    const double* x = X + static_cast<std::size_t>(t) * d;
    v8d zt = Wq[0] * x[0];
    v8d ut = need_mu ? U[0] * x[0] : splat(0.0);
    for (int r = 1; r < d; ++r) {
      zt = zt + Wq[r] * x[r];
      if (need_mu) ut = ut + U[r] * x[r];
    }
    z[t] = zt;
    if (need_mu) xu[t] = ut;
  }
  v8d mx = z[0];  // softmax with the maximum subtracted: no overflow for huge logits
  for (int t = 1; t < T; ++t) mx = vmax(mx, z[t]);
  v8d sum = splat(0.0);
  for (int t = 0; t < T; ++t) {
    z[t] = exp_nonpositive(z[t] - mx);
    sum = sum + z[t];
  }
  const v8d inv = 1.0 / sum;  // sum >= 1 (the maximum contributes e^0)
  v8d* a = out + kOutHead;
  v8d* mu = a + d;
  for (int r = 0; r < d; ++r) a[r] = mu[r] = splat(0.0);
  for (int t = 0; t < T; ++t) {  // a = X alpha;  MU accumulates sum_t alpha_t (X_t.U) X_t
    const double* x = X + static_cast<std::size_t>(t) * d;
    const v8d al = z[t] * inv;
    z[t] = al;
    const v8d w = need_mu ? al * xu[t] : splat(0.0);
    for (int r = 0; r < d; ++r) {
      a[r] = a[r] + al * x[r];
      if (need_mu) mu[r] = mu[r] + w * x[r];
    }
  }
  v8d pre = U[0] * a[0];
  for (int r = 1; r < d; ++r) pre = pre + U[r] * a[r];
  const v8d h = tanh_lanes(pre);
  out[0] = h;
  out[1] = 1.0 - h * h;
  out[2] = pre;
  if (need_mu)
    for (int r = 0; r < d; ++r) mu[r] = mu[r] - a[r] * pre;  // M U = ... - a (a . U)
}

// ---------------------------------------------------------------- chunks of samples

enum class job_kind { values, loss, loss_gradient, weighted_gradient, linearized };

// One batched call: which samples, what to compute.
struct batch_job {
  job_kind kind = job_kind::values;
  const packed_params* P = nullptr;
  const packed_params* D = nullptr;  // phi - phi0 (linearized)
  const double* X = nullptr;
  int d = 0, T = 0;
  const int* idx = nullptr;  // samples idx[k], or k when null
  Index count = 0;
  const double* y = nullptr;        // labels, by sample (loss kinds)
  const double* weight = nullptr;   // by position k (weighted_gradient)
  double inv_count = 0;
  double* values = nullptr;         // by position k (values, linearized)
  int sample(Index k) const { return idx ? idx[k] : static_cast<int>(k); }
  const double* sample_X(Index k) const {
    return X + static_cast<std::size_t>(sample(k)) * T * d;
  }
};

constexpr int S = 8;  // samples per sub-batch: a block's parameters are reused S times

struct worker_buffers {
  lane_vector Wq, z, xu, outs, dWq;
  void size_for(int d, int T, int nb) {
    Wq.resize(d), z.resize(T), xu.resize(T), dWq.resize(d);
    outs.resize(static_cast<std::size_t>(S) * nb * out_size(d));
  }
};

// Processes positions [begin, end) of the job. Gradient kinds add into G (a zeroed packed
// gradient of this chunk); loss kinds return sum of squared residuals in sample order.
ATTN_INLINE double run_chunk_body(const batch_job& job, Index begin, Index end, worker_buffers& wb,
                                  packed_params* G) {
  const int d = job.d, T = job.T;
  const packed_params& P = *job.P;
  const int nb = P.nb;
  const double sqrt_m = std::sqrt(static_cast<double>(P.m));
  const bool grad = job.kind == job_kind::loss_gradient || job.kind == job_kind::weighted_gradient;
  const std::size_t osz = out_size(d);
  double loss_sum = 0;
  for (Index s0 = begin; s0 < end; s0 += S) {
    const int ns = static_cast<int>(std::min<Index>(S, end - s0));
    double fsum[S] = {}, lin[S] = {};
    // Pass 1: every block of every sample of the sub-batch; sums over heads in head order.
    for (int b = 0; b < nb; ++b) {
      const v8d* blk = P.block(b);
      const int lanes = P.lanes(b);
      for (int s = 0; s < ns; ++s) {
        const double* X = job.sample_X(s0 + s);
        v8d* out = grad ? wb.outs.data() + (static_cast<std::size_t>(s) * nb + b) * osz : wb.outs.data();
        if (grad || job.kind == job_kind::linearized)
          block_forward<true>(blk, X, d, T, wb.Wq.data(), wb.z.data(), wb.xu.data(), out);
        else
          block_forward<false>(blk, X, d, T, wb.Wq.data(), wb.z.data(), wb.xu.data(), out);
        for (int l = 0; l < lanes; ++l) fsum[s] += lane(blk[0], l) * lane(out[0], l);
        if (job.kind == job_kind::linearized) {
          // Definition 3 with Lemma 1: h dc + c dh (a . dU + (M U) . dW q), per head.
          const v8d* Db = job.D->block(b);
          const double* q = X + static_cast<std::size_t>(T - 1) * d;
          const v8d* a = out + kOutHead;
          const v8d* mu = a + d;
          v8d dot = splat(0.0);
          for (int r = 0; r < d; ++r) {
            const v8d* dWr = Db + 1 + d + static_cast<std::size_t>(r) * d;
            v8d dwq = dWr[0] * q[0];
            for (int k = 1; k < d; ++k) dwq = dwq + dWr[k] * q[k];
            dot = dot + a[r] * Db[1 + r] + mu[r] * dwq;
          }
          const v8d term = out[0] * Db[0] + blk[0] * out[1] * dot;
          for (int l = 0; l < lanes; ++l) lin[s] += lane(term, l);
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
    for (int b = 0; b < nb; ++b) {
      const v8d c = P.block(b)[0];
      v8d* g = G->block(b);
      v8d* gU = g + 1;
      v8d* gW = g + 1 + d;
      v8d coef[S];
      const v8d* outs[S];
      const double* qs[S];
      for (int s = 0; s < ns; ++s) {
        qs[s] = job.sample_X(s0 + s) + static_cast<std::size_t>(T - 1) * d;
        outs[s] = wb.outs.data() + (static_cast<std::size_t>(s) * nb + b) * osz;
        coef[s] = wt[s] * c * outs[s][1];  // m^-1/2 w_j c_i dh_i
        g[0] = g[0] + wt[s] * outs[s][0];  // m^-1/2 w_j h_i
      }
      for (int r = 0; r < d; ++r) {
        v8d gu = gU[r];
        v8d gmu[S];
        for (int s = 0; s < ns; ++s) {
          gu = gu + coef[s] * outs[s][kOutHead + r];
          gmu[s] = coef[s] * outs[s][kOutHead + d + r];
        }
        gU[r] = gu;
        v8d* gWr = gW + static_cast<std::size_t>(r) * d;
        for (int k = 0; k < d; ++k) {
          v8d acc = gWr[k];
          for (int s = 0; s < ns; ++s)
            acc = acc + gmu[s] * qs[s][k];
          gWr[k] = acc;
        }
      }
    }
  }
  return loss_sum;
}

using chunk_fn = double (*)(const batch_job&, Index, Index, worker_buffers&, packed_params*);

double chunk_generic(const batch_job& j, Index b, Index e, worker_buffers& w, packed_params* G) {
  return run_chunk_body(j, b, e, w, G);
}
__attribute__((target("avx2"))) double chunk_avx2(const batch_job& j, Index b, Index e,
                                                  worker_buffers& w, packed_params* G) {
  return run_chunk_body(j, b, e, w, G);
}
__attribute__((target("avx512f"))) double chunk_avx512(const batch_job& j, Index b, Index e,
                                                       worker_buffers& w, packed_params* G) {
  return run_chunk_body(j, b, e, w, G);
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
  return cpu_has(kernel_isa::avx512) ? kernel_isa::avx512
                                     : cpu_has(kernel_isa::avx2) ? kernel_isa::avx2
                                                                 : kernel_isa::generic;
}

std::atomic<kernel_isa>& isa_choice() {
  static std::atomic<kernel_isa> isa{best_isa()};
  return isa;
}

chunk_fn chunk_kernel() {
  switch (isa_choice().load(std::memory_order_relaxed)) {
    case kernel_isa::avx512: return chunk_avx512;
    case kernel_isa::avx2: return chunk_avx2;
    default: return chunk_generic;
  }
}

// ---------------------------------------------------------------- threads

// A fixed team of worker threads that run the items of one parallel region; the calling thread
// takes part as worker 0. Items are handed out dynamically; results must not depend on which
// worker runs which item (each item writes only its own slot).
class thread_team {
 public:
  explicit thread_team(int threads) {
    for (int w = 1; w < threads; ++w) pool_.emplace_back([this, w] { loop(w); });
  }
  ~thread_team() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    start_.notify_all();
    for (auto& t : pool_) t.join();
  }
  int size() const { return static_cast<int>(pool_.size()) + 1; }

  template <class F>
  void run(int count, F& body) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      count_ = count;
      next_.store(0);
      ctx_ = &body;
      call_ = [](void* ctx, int worker, int item) { (*static_cast<F*>(ctx))(worker, item); };
      pending_ = static_cast<int>(pool_.size());
      error_ = nullptr;
      ++generation_;
    }
    start_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return pending_ == 0; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(int worker) {
    for (int i; (i = next_.fetch_add(1)) < count_;) {
      try {
        call_(ctx_, worker, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }
  void loop(int worker) {
    long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        start_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work(worker);
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> pool_;
  std::mutex mu_;
  std::condition_variable start_, done_;
  long generation_ = 0;
  bool stop_ = false;
  int pending_ = 0, count_ = 0;
  std::atomic<int> next_{0};
  void* ctx_ = nullptr;
  void (*call_)(void*, int, int) = nullptr;
  std::exception_ptr error_;
};

}  // namespace

// Everything the batched functions keep between calls.
struct transformer_workspace::batched_state {
  packed_params P, D;                  // phi, and phi - phi0 for forward_linearized
  std::vector<packed_params> partial;  // per chunk gradient
  std::vector<double> partial_loss;    // per chunk sum of squared residuals
  std::vector<worker_buffers> workers;
  std::unique_ptr<thread_team> team;
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

// Fixed partition of `count` positions: up to 32 chunks of at least 32 samples, fewer when the
// per-chunk gradients would exceed 4M doubles (32 MB) together. Depends on count and the
// model size only, never on the thread count.
int chunk_count(Index count, std::size_t grad_doubles) {
  Index K = std::clamp<Index>((count + 31) / 32, 1, 32);
  if (grad_doubles > 0)
    K = std::min<Index>(K, std::max<Index>(1, static_cast<Index>((std::size_t{1} << 22) / grad_doubles)));
  return static_cast<int>(K);
}

Index chunk_begin(Index count, int K, int k) { return count * k / K; }

// Runs `job` over its positions with ws.threads threads. Gradient kinds leave the gradient
// (packed) in st.partial[0]; loss kinds return the sum of squared residuals.
double run_batched(batch_job job, transformer_workspace& ws, transformer_workspace::batched_state& st) {
  const bool grad = job.kind == job_kind::loss_gradient || job.kind == job_kind::weighted_gradient;
  const packed_params& P = *job.P;
  const int K = chunk_count(job.count, grad ? P.v.size() * B : 0);
  const int threads = K > 1 ? std::max(1, ws.threads) : 1;
  if (static_cast<int>(st.workers.size()) < threads) st.workers.resize(threads);
  for (int w = 0; w < threads; ++w) st.workers[w].size_for(job.d, job.T, P.nb);
  if (grad) {
    if (static_cast<int>(st.partial.size()) < K) st.partial.resize(K);
    for (int k = 0; k < K; ++k) st.partial[k].shape(P.d, P.m);
  }
  st.partial_loss.assign(K, 0.0);
  if (threads > 1 && (!st.team || st.team->size() != threads))
    st.team = std::make_unique<thread_team>(threads);
  const chunk_fn kernel = chunk_kernel();
  auto body = [&](int worker, int k) {
    st.partial_loss[k] = kernel(job, chunk_begin(job.count, K, k), chunk_begin(job.count, K, k + 1),
                                st.workers[worker], grad ? &st.partial[k] : nullptr);
  };
  if (threads > 1) {
    st.team->run(K, body);
  } else {
    for (int k = 0; k < K; ++k) body(0, k);
  }
  double loss_sum = 0;
  for (int k = 0; k < K; ++k) loss_sum += st.partial_loss[k];  // chunk order
  if (grad) {
    v8d* total = st.partial[0].v.data();
    const std::size_t size = st.partial[0].v.size();
    for (int k = 1; k < K; ++k) {  // chunk order
      const v8d* part = st.partial[k].v.data();
      for (std::size_t e = 0; e < size; ++e) total[e] = total[e] + part[e];
    }
  }
  return loss_sum;
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

batch_job make_job(job_kind kind, const packed_params& P, const sequence_data& data,
                   const std::vector<int>* idx) {
  batch_job job;
  job.kind = kind;
  job.P = &P;
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
// (alpha into Z; with need_mu also MU and XtU = alpha .* X^T U). Same kernel as the batched path.
double sample_details(const packed_params& P, const sequence_data& data, int j, bool need_mu,
                      transformer_workspace& ws, worker_buffers& wb) {
  const int d = data.d, T = data.T;
  ws.resize(d, T, P.m);
  wb.size_for(d, T, 1);
  const double* X = data.X.data() + static_cast<std::size_t>(j) * T * d;
  v8d* out = wb.outs.data();
  double fsum = 0;
  for (int b = 0; b < P.nb; ++b) {
    const v8d* blk = P.block(b);
    if (need_mu) block_forward<true>(blk, X, d, T, wb.Wq.data(), wb.z.data(), wb.xu.data(), out);
    else block_forward<false>(blk, X, d, T, wb.Wq.data(), wb.z.data(), wb.xu.data(), out);
    for (int l = 0; l < P.lanes(b); ++l) {
      const int i = b * B + l;
      fsum += lane(blk[0], l) * lane(out[0], l);
      ws.h(i) = out[0][l], ws.dh(i) = out[1][l], ws.pre(i) = out[2][l];
      for (int r = 0; r < d; ++r) {
        ws.A(r, i) = out[kOutHead + r][l];
        ws.MU(r, i) = need_mu ? out[kOutHead + d + r][l] : 0.0;
        ws.Wq(static_cast<Index>(i) * d + r) = wb.Wq[r][l];
      }
      for (int t = 0; t < T; ++t) {
        ws.Z(t, i) = wb.z[t][l];
        ws.XtU(t, i) = need_mu ? wb.z[t][l] * wb.xu[t][l] : 0.0;
      }
    }
  }
  return fsum / std::sqrt(static_cast<double>(P.m));
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
  auto& st = *ws.batched.get();
  pack(phi, nullptr, st.P);
  if (st.workers.empty()) st.workers.resize(1);
  return sample_details(st.P, data, j, false, ws, st.workers[0]);
}

void forward(const transformer_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             transformer_workspace& ws) {
  check_shapes(phi, data);
  auto& st = *ws.batched.get();
  pack(phi, nullptr, st.P);
  f.resize(data.n);
  batch_job job = make_job(job_kind::values, st.P, data, nullptr);
  job.values = f.data();
  run_batched(job, ws, st);
}

void gradient_one(const transformer_params& phi, const sequence_data& data, int j,
                  transformer_params& grad, transformer_workspace& ws) {
  check_shapes(phi, data);
  auto& st = *ws.batched.get();
  pack(phi, nullptr, st.P);
  if (st.workers.empty()) st.workers.resize(1);
  sample_details(st.P, data, j, true, ws, st.workers[0]);
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
  pack(phi, nullptr, st.P);
  batch_job job = make_job(job_kind::weighted_gradient, st.P, data, &idx);
  job.weight = w.data();
  run_batched(job, ws, st);
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
  pack(phi, nullptr, st.P);
  batch_job job = make_job(job_kind::loss_gradient, st.P, data, &idx);
  job.inv_count = 1.0 / static_cast<double>(count);
  const double sum = run_batched(job, ws, st);
  unpack(st.partial[0], grad, true);
  return sum / static_cast<double>(count);
}

double loss(const transformer_params& phi, const sequence_data& data, transformer_workspace& ws) {
  check_shapes(phi, data);
  if (data.n == 0) return 0.0;
  auto& st = *ws.batched.get();
  pack(phi, nullptr, st.P);
  const batch_job job = make_job(job_kind::loss, st.P, data, nullptr);
  return run_batched(job, ws, st) / data.n;
}

void forward_linearized(const transformer_params& phi0, const transformer_params& phi,
                        const sequence_data& data, Eigen::VectorXd& f_lin,
                        transformer_workspace& ws) {
  check_shapes(phi0, data);
  if (phi.c.size() != phi0.c.size() || phi.U.size() != phi0.U.size() ||
      phi.W.size() != phi0.W.size())
    throw std::invalid_argument("forward_linearized: phi and phi0 differ in shape");
  auto& st = *ws.batched.get();
  pack(phi0, nullptr, st.P);
  pack(phi, &phi0, st.D);
  f_lin.resize(data.n);
  batch_job job = make_job(job_kind::linearized, st.P, data, nullptr);
  job.D = &st.D;
  job.values = f_lin.data();
  run_batched(job, ws, st);
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
