// IndRNN forward pass and BPTT (see indrnn.hpp).
//
// Kernels. Neurons are packed in blocks of B, one neuron per lane of a native vector
// (model/lanes.hpp: B = 2 doubles for SSE2, 4 for AVX2, 8 for AVX-512); block b holds c, u and
// the d columns of W_in for neurons bB .. bB+B-1 (lanes past m are zero and never read back).
// Per sample, the forward recurrence runs time step by time step over all blocks (the blocks'
// tanh chains overlap), keeping h_1..h_T; BPTT then runs block by block backwards in time with
// the block's gradient in registers:
//   g = delta (1 - h_t^2),  grad W_in += g x_t^T,  grad u += g h_{t-1},  delta <- g u.
// The kernel is compiled for the three widths; the one of model::active_kernel_isa() runs.
//
// Bit-identical results. Each lane does the same IEEE double operations in the same order
// whatever the width (no FMA contraction: the pragma below; tanh by lanes::tanh_lanes, not
// libm). Sums over samples use the fixed partition lanes::chunk_count (number of samples and
// model size only), run in sample order inside a chunk, and the chunk partials are added in
// chunk order; so neither the thread count nor the ISA changes any result.
#pragma GCC optimize("fp-contract=off")

#include "model/indrnn.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#pragma GCC diagnostic ignored "-Wpsabi"  // vectors by value inside always-inlined helpers only
#include "model/lanes.hpp"

namespace attnbound::model {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using lanes::double_buffer;
using lanes::splat;
using lanes::vec;

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

// Parameters (or a gradient) packed per block of B neurons: entry e of neuron i is
// 0: c, 1: u, 2 + k: W_in(i, k).
using packed_rnn = lanes::packed_blocks;

void pack(const indrnn_params& phi, int B, packed_rnn& P) {
  const int d = phi.d(), m = phi.m();
  P.shape(d, 2 + static_cast<std::size_t>(d), m, B);
  for (int i = 0; i < m; ++i) {
    P.at(i, 0) = phi.c(i);
    P.at(i, 1) = phi.u(i);
    for (int k = 0; k < d; ++k) P.at(i, 2 + k) = phi.W_in(i, k);
  }
}

// grad = G (overwritten).
void unpack(const packed_rnn& G, indrnn_params& grad) {
  const int d = G.d, m = G.m;
  grad.c.resize(m), grad.u.resize(m), grad.W_in.resize(m, d);
  for (int i = 0; i < m; ++i) {
    grad.c(i) = G.at(i, 0);
    grad.u(i) = G.at(i, 1);
    for (int k = 0; k < d; ++k) grad.W_in(i, k) = G.at(i, 2 + k);
  }
}

enum class job_kind { values, loss, loss_gradient, weighted_gradient };

struct rnn_job {
  job_kind kind = job_kind::values;
  const packed_rnn* P = nullptr;
  const double* X = nullptr;  // d x (T n), column-major
  int d = 0, T = 0;
  const int* idx = nullptr;  // positions -> samples (null: position k is sample k)
  Index count = 0;
  const double* y = nullptr;
  double inv_count = 0;     // loss_gradient: 1/|B|
  double weight = 1;        // weighted_gradient: the one sample's weight
  double* values = nullptr;  // values: by position
  bool gradient() const { return kind == job_kind::loss_gradient || kind == job_kind::weighted_gradient; }
  int sample(Index k) const { return idx ? idx[k] : static_cast<int>(k); }
  const double* sample_X(Index k) const { return X + static_cast<std::size_t>(sample(k)) * T * d; }
};

// One worker's scratch: h_1..h_T of every block of the current sample (T * nb vectors).
struct worker_buffers {
  double_buffer H;
  void size_for(int T, int nb, int B) { H.resize(static_cast<std::size_t>(T) * nb * B); }
};

// Positions [begin, end) of the job; gradient kinds add into G (zeroed, this chunk's), loss
// kinds return the sum of squared residuals in sample order. D > 0: d known at compile time.
template <int W, int D>
ATTN_LANES_INLINE double run_chunk_body(const rnn_job& job, Index begin, Index end,
                                        worker_buffers& wb, packed_rnn* G) {
  using V = typename vec<W>::type;
  const int d = D > 0 ? D : job.d, T = job.T;
  const packed_rnn& P = *job.P;
  const int nb = P.nb;
  const std::size_t st = P.stride() / W;  // vectors per block
  const V* par = reinterpret_cast<const V*>(P.v.data());
  V* H = reinterpret_cast<V*>(wb.H.data());  // H[t nb + b] = h_{t+1} of block b
  const double s = 1.0 / std::sqrt(static_cast<double>(P.m));
  const bool grad = job.gradient();
  double loss_sum = 0;
  for (Index k = begin; k < end; ++k) {
    const double* X = job.sample_X(k);
    // Forward: h_t = tanh(W_in x_t + u (.) h_{t-1}), h_0 = 0.
    for (int t = 0; t < T; ++t) {
      const double* x = X + static_cast<std::size_t>(t) * d;
      V* Ht = H + static_cast<std::size_t>(t) * nb;
      const V* Hp = Ht - nb;
      for (int b = 0; b < nb; ++b) {
        const V* blk = par + b * st;
        V z = blk[2] * x[0];
        for (int r = 1; r < d; ++r) z = z + blk[2 + r] * x[r];
        if (t > 0) z = z + blk[1] * Hp[b];
        Ht[b] = lanes::tanh_lanes<W>(z);
      }
    }
    // f = m^-1/2 sum_i c_i h_{T,i}, summed over the pairs (i, i + m/2) of the symmetric
    // initialization, each pair first, so that f(X; phi0) = 0 exactly (c_{i+m/2} = -c_i).
    const V* HT = H + static_cast<std::size_t>(T - 1) * nb;
    const double* hT = reinterpret_cast<const double*>(HT);
    const double* c = P.v.data();
    auto term = [&](int i) {
      const std::size_t o = (i / P.B) * P.stride() + i % P.B;  // entry 0 (c) of neuron i
      return c[o] * hT[static_cast<std::size_t>(i / P.B) * P.B + i % P.B];
    };
    const int half = P.m / 2;
    double fsum = 0;
    for (int i = 0; i < half; ++i) fsum += term(i) + term(i + half);
    if (P.m % 2 != 0) fsum += term(P.m - 1);
    const double f = s * fsum;
    double w = 0;  // dL/df
    switch (job.kind) {
      case job_kind::values: job.values[k] = f; break;
      case job_kind::loss:
      case job_kind::loss_gradient: {
        const double r = f - job.y[job.sample(k)];  // residual
        loss_sum += r * r;
        w = 2.0 * r * job.inv_count;  // d(r^2)/df / |B|
        break;
      }
      case job_kind::weighted_gradient: w = job.weight; break;
    }
    if (!grad) continue;
    // BPTT, block by block, backwards in time.
    const double ws = w * s;
    V* gpar = reinterpret_cast<V*>(G->v.data());
    for (int b = 0; b < nb; ++b) {
      const V* blk = par + b * st;
      V* g = gpar + b * st;
      const V u = blk[1];
      g[0] = g[0] + ws * HT[b];  // dL/dc = m^-1/2 h_T dL/df
      V delta = ws * blk[0];     // dL/dh_T
      V gu = g[1];
      V gw[D > 0 ? D : 1];
      if constexpr (D > 0)
        for (int r = 0; r < D; ++r) gw[r] = g[2 + r];
      for (int t = T - 1; t >= 0; --t) {
        const V h = H[static_cast<std::size_t>(t) * nb + b];
        const V gz = delta * (1.0 - h * h);  // dL/dz_t = dL/dh_t (.) tanh'(z_t)
        const double* x = X + static_cast<std::size_t>(t) * d;
        if constexpr (D > 0) {
          for (int r = 0; r < D; ++r) gw[r] = gw[r] + gz * x[r];
        } else {
          for (int r = 0; r < d; ++r) g[2 + r] = g[2 + r] + gz * x[r];
        }
        if (t > 0) {
          gu = gu + gz * H[static_cast<std::size_t>(t - 1) * nb + b];
          delta = gz * u;  // dL/dh_{t-1}
        }
      }
      g[1] = gu;
      if constexpr (D > 0)
        for (int r = 0; r < D; ++r) g[2 + r] = gw[r];
    }
  }
  return loss_sum;
}

using chunk_fn = double (*)(const rnn_job&, Index, Index, worker_buffers&, packed_rnn*);

// One entry per ISA; small token dimensions get fully unrolled loops.
template <int W>
ATTN_LANES_INLINE double dispatch_d(const rnn_job& j, Index b, Index e, worker_buffers& w, packed_rnn* G) {
  switch (j.d) {
    case 1: return run_chunk_body<W, 1>(j, b, e, w, G);
    case 2: return run_chunk_body<W, 2>(j, b, e, w, G);
    case 4: return run_chunk_body<W, 4>(j, b, e, w, G);
    case 8: return run_chunk_body<W, 8>(j, b, e, w, G);
    default: return run_chunk_body<W, 0>(j, b, e, w, G);
  }
}
double chunk_generic(const rnn_job& j, Index b, Index e, worker_buffers& w, packed_rnn* G) {
  return dispatch_d<2>(j, b, e, w, G);
}
__attribute__((target("avx2"))) double chunk_avx2(const rnn_job& j, Index b, Index e,
                                                  worker_buffers& w, packed_rnn* G) {
  return dispatch_d<4>(j, b, e, w, G);
}
__attribute__((target("avx512f"))) double chunk_avx512(const rnn_job& j, Index b, Index e,
                                                       worker_buffers& w, packed_rnn* G) {
  return dispatch_d<8>(j, b, e, w, G);
}

struct kernel_choice {
  chunk_fn fn;
  int lanes;
};
kernel_choice chunk_kernel() {
  switch (active_kernel_isa()) {
    case kernel_isa::avx512: return {chunk_avx512, 8};
    case kernel_isa::avx2: return {chunk_avx2, 4};
    default: return {chunk_generic, 2};
  }
}

}  // namespace

struct indrnn_workspace::state {
  packed_rnn P;
  std::vector<packed_rnn> partial;  // per chunk gradient
  std::vector<double> partial_loss;  // per chunk sum of squared residuals
  std::vector<worker_buffers> workers;
  std::unique_ptr<lanes::thread_team> team;
};

indrnn_workspace::handle::handle(handle&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
indrnn_workspace::handle& indrnn_workspace::handle::operator=(handle&& o) noexcept {
  std::swap(p_, o.p_);
  return *this;
}
indrnn_workspace::handle::~handle() { delete p_; }
indrnn_workspace::state* indrnn_workspace::handle::get() {
  if (!p_) p_ = new state;
  return p_;
}

namespace {

void check_shapes(const indrnn_params& phi, const sequence_data& data) {
  if (phi.u.size() != phi.c.size() || phi.W_in.rows() != phi.c.size() || phi.d() != data.d ||
      data.X.rows() != data.d || data.X.cols() != static_cast<Index>(data.T) * data.n ||
      data.T < 1 || phi.m() < 1)
    throw std::invalid_argument("indrnn: parameter and data shapes do not match");
}

rnn_job make_job(job_kind kind, const sequence_data& data, const std::vector<int>* idx) {
  rnn_job job;
  job.kind = kind;
  job.X = data.X.data();
  job.d = data.d;
  job.T = data.T;
  job.idx = idx && !idx->empty() ? idx->data() : nullptr;
  job.count = job.idx ? static_cast<Index>(idx->size()) : data.n;
  job.y = data.y.data();
  return job;
}

// Packs phi for the active kernel and runs `job` over its positions on ws.threads threads.
// Gradient kinds leave the packed gradient in st.partial[0]; returns the sum of squared
// residuals (loss kinds).
double run_batched(rnn_job job, const indrnn_params& phi, indrnn_workspace& ws) {
  indrnn_workspace::state& st = *ws.batched.get();
  const kernel_choice kernel = chunk_kernel();
  pack(phi, kernel.lanes, st.P);
  job.P = &st.P;
  const packed_rnn& P = st.P;
  const bool grad = job.gradient();
  const int K = lanes::chunk_count(job.count, grad ? P.v.size() : 0);
  const int threads = K > 1 ? std::max(1, ws.threads) : 1;
  if (static_cast<int>(st.workers.size()) < threads) st.workers.resize(threads);
  for (int w = 0; w < threads; ++w) st.workers[w].size_for(job.T, P.nb, P.B);
  if (grad) {  // allocated here, on the calling thread; workers only write
    if (static_cast<int>(st.partial.size()) < K) st.partial.resize(K);
    for (int k = 0; k < K; ++k) st.partial[k].shape_like(P);
  }
  return lanes::run_chunks(K, threads, st.team, st.partial, st.partial_loss, grad, [&](int worker, int k) {
    return kernel.fn(job, lanes::chunk_begin(job.count, K, k), lanes::chunk_begin(job.count, K, k + 1),
                     st.workers[worker], grad ? &st.partial[k] : nullptr);
  });
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
  const std::vector<int> one = {j};
  double f = 0;
  rnn_job job = make_job(job_kind::values, data, &one);
  job.values = &f;
  const int threads = ws.threads;
  run_batched(job, phi, ws);
  ws.threads = threads;
  return f;
}

void forward(const indrnn_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             indrnn_workspace& ws) {
  check_shapes(phi, data);
  f.resize(data.n);
  if (data.n == 0) return;
  rnn_job job = make_job(job_kind::values, data, nullptr);
  job.values = f.data();
  run_batched(job, phi, ws);
}

void gradient_one(const indrnn_params& phi, const sequence_data& data, int j,
                  indrnn_params& grad, indrnn_workspace& ws) {
  check_shapes(phi, data);
  if (j < 0 || j >= data.n) throw std::invalid_argument("indrnn gradient_one: sample out of range");
  const std::vector<int> one = {j};
  rnn_job job = make_job(job_kind::weighted_gradient, data, &one);
  job.weight = 1.0;
  run_batched(job, phi, ws);
  unpack(ws.batched.get()->partial[0], grad);
}

double loss_and_gradient(const indrnn_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, indrnn_params& grad, indrnn_workspace& ws) {
  check_shapes(phi, data);
  const Index count = idx.empty() ? data.n : static_cast<Index>(idx.size());
  if (count == 0) {
    zero_like(phi, grad);
    return 0.0;
  }
  for (int j : idx)
    if (j < 0 || j >= data.n) throw std::invalid_argument("indrnn loss_and_gradient: index out of range");
  rnn_job job = make_job(job_kind::loss_gradient, data, &idx);
  job.inv_count = 1.0 / static_cast<double>(count);
  const double sum = run_batched(job, phi, ws);
  unpack(ws.batched.get()->partial[0], grad);
  return sum * job.inv_count;
}

double loss(const indrnn_params& phi, const sequence_data& data, indrnn_workspace& ws) {
  check_shapes(phi, data);
  if (data.n == 0) return 0.0;
  const rnn_job job = make_job(job_kind::loss, data, nullptr);
  return run_batched(job, phi, ws) / data.n;
}

// ---------------------------------------------------------------- streaming

indrnn_stream::indrnn_stream(const indrnn_params& phi)
    : phi_(&phi), h_(VectorXd::Zero(phi.m())), z_(phi.m()) {}

void indrnn_stream::step(const double* x) {
  const Eigen::Map<const VectorXd> xv(x, phi_->d());
  z_.noalias() = phi_->W_in * xv;
  h_ = z_.array() + phi_->u.array() * h_.array();
  for (Index i = 0; i < h_.size(); ++i) h_(i) = indrnn_tanh(h_(i));
}

double indrnn_stream::prediction() const {
  return phi_->c.dot(h_) / std::sqrt(static_cast<double>(phi_->m()));
}

void indrnn_stream::reset() { h_.setZero(); }

double indrnn_tanh(double x) {
  using V = vec<2>::type;
  return lanes::tanh_lanes<2>(V{x, x})[0];
}

}  // namespace attnbound::model
