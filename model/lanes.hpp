// Building blocks of the lane-packed kernels (one neuron/head per lane of a native vector):
// GCC vector types of W = 2 (SSE2), 4 (AVX2) or 8 (AVX-512) doubles, 64-byte aligned buffers,
// lane-wise exp/tanh that give the same IEEE double result in every lane whatever W is, the
// fixed chunk partition of samples, and a small thread team. The same definitions (same
// numerics) as the ones inside model/transformer.cpp, which predates this header; used by
// model/indrnn.cpp. Include only from .cpp files compiled with
// `#pragma GCC optimize("fp-contract=off")` before it (no FMA contraction: bit-identity
// across widths).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

namespace attnbound::model::lanes {

template <int W>
struct vec {
  typedef double type __attribute__((vector_size(8 * W), may_alias));
  typedef long long itype __attribute__((vector_size(8 * W), may_alias));
};

#define ATTN_LANES_INLINE inline __attribute__((always_inline))

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
using double_buffer = std::vector<double, aligned_allocator<double>>;

// Per-unit parameters (heads, neurons) or their gradient packed in blocks of B units, B the
// vector width of the kernel that reads them: block b holds `entries` vectors of B doubles,
// lane l being unit bB + l; lanes past m are zero. Each model names its entries.
struct packed_blocks {
  int d = 0, m = 0, B = 1, nb = 0;
  std::size_t entries = 0;  // doubles per unit
  double_buffer v;
  std::size_t stride() const { return entries * B; }  // doubles per block
  double* block(int b) { return v.data() + b * stride(); }
  const double* block(int b) const { return v.data() + b * stride(); }
  void shape(int d_, std::size_t entries_, int m_, int B_) {
    d = d_, entries = entries_, m = m_, B = B_, nb = (m + B - 1) / B;
    v.assign(static_cast<std::size_t>(nb) * stride(), 0.0);  // keeps capacity
  }
  // The shape of `o` without its values (v is resized, not cleared).
  void shape_like(const packed_blocks& o) {
    d = o.d, entries = o.entries, m = o.m, B = o.B, nb = o.nb;
    if (v.size() != o.v.size()) v.resize(o.v.size());
  }
  int lanes(int b) const { return std::min(B, m - b * B); }
  // Entry e of unit i.
  double& at(int i, std::size_t e) { return v[(i / B) * stride() + e * B + i % B]; }
  double at(int i, std::size_t e) const { return v[(i / B) * stride() + e * B + i % B]; }
};

template <int W, class V = typename vec<W>::type>
ATTN_LANES_INLINE V splat(double x) { return V{} + x; }

// e^x = s (1 + q), s = 2^k, q = e^r - 1, x = k ln2 + r, |r| <= ln2/2 (Cody-Waite reduction);
// q by its Taylor series to degree 13 (remainder < 5e-18) in Estrin's scheme. -708 <= x <= 0.
template <int W, class V = typename vec<W>::type>
ATTN_LANES_INLINE void exp_parts(V x, V& s, V& q) {
  using I = typename vec<W>::itype;
  const double shifter = 0x1.8p52;
  const V t = x * 1.4426950408889634 + shifter;
  const V k = t - shifter;
  const V r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  const V r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const V a1 = 1.0 + r * 0.5, a3 = 1.0 / 6 + r * (1.0 / 24), a5 = 1.0 / 120 + r * (1.0 / 720),
          a7 = 1.0 / 5040 + r * (1.0 / 40320), a9 = 1.0 / 362880 + r * (1.0 / 3628800),
          a11 = 1.0 / 39916800 + r * (1.0 / 479001600);
  const V b1 = a1 + r2 * a3, b5 = a5 + r2 * a7, b9 = a9 + r2 * a11;
  const V d1 = b1 + r4 * b5, d9 = b9 + r4 * (1.0 / 6227020800.0);
  q = r * (d1 + r8 * d9);
  const I ki = (I)t - (I)splat<W>(shifter);
  s = (V)((ki + 1023) << 52);
}

// tanh x = sign(x) (-e)/(2 + e), e = expm1(-2|x|) = (s - 1) + s q: a few ulp, relative, for
// every x (saturates to +-1 without overflow); odd exactly. (transformer.cpp's copy builds its
// sign mask as splat(-0.0) = +0.0, so it evaluates negative x through exp of a positive
// argument, outside exp_parts' range below x = -354; this one does not.)
template <int W, class V = typename vec<W>::type>
ATTN_LANES_INLINE V tanh_lanes(V x) {
  using I = typename vec<W>::itype;
  // The sign bit as an integer mask (splat(-0.0) would be 0.0 + -0.0 = +0.0, no mask at all).
  const I sign_bit = I{} + static_cast<long long>(0x8000000000000000ULL);
  const I sign = (I)x & sign_bit;
  const V y = -2.0 * (V)((I)x & ~sign_bit);  // -2|x| <= 0
  const auto tiny = y < -708.0;
  V s, q;
  exp_parts<W>(tiny ? splat<W>(-708.0) : y, s, q);
  const V e = tiny ? splat<W>(-1.0) : (s - 1.0) + s * q;
  return (V)((I)(-e / (2.0 + e)) | sign);
}

// Fixed partition of `count` samples: up to 32 chunks of at least 32 samples, fewer when the
// per-chunk gradients (grad_doubles each) would exceed 4M doubles together. Depends on the
// count and the model size only, never on the thread count.
inline int chunk_count(std::ptrdiff_t count, std::size_t grad_doubles) {
  std::ptrdiff_t K = std::clamp<std::ptrdiff_t>((count + 31) / 32, 1, 32);
  if (grad_doubles > 0)
    K = std::min<std::ptrdiff_t>(
        K, std::max<std::ptrdiff_t>(1, static_cast<std::ptrdiff_t>((std::size_t{1} << 22) / grad_doubles)));
  return static_cast<int>(K);
}
inline std::ptrdiff_t chunk_begin(std::ptrdiff_t count, int K, int k) { return count * k / K; }

// A fixed team of worker threads for one parallel region at a time; the calling thread is
// worker 0. Items are handed out dynamically, so each item must write only its own slot.
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
  thread_team(const thread_team&) = delete;
  thread_team& operator=(const thread_team&) = delete;
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

// The fixed-chunk driver of the batched kernels: chunk k of K (a partition that does not
// depend on the thread count) is computed by chunk_loss(worker, k), which returns the chunk's
// loss and, when `gradient`, writes its gradient into partial[k].v (zeroed here first). The
// chunk losses and gradients are then summed in chunk order, ((p_0 + p_1) + p_2) + ..., so
// the result is bit-identical for any thread count. Returns the loss; the gradient is left
// in partial[0].v. `team` is created (or resized) on demand when threads > 1.
template <class Packed, class ChunkLoss>
double run_chunks(int K, int threads, std::unique_ptr<thread_team>& team, std::vector<Packed>& partial,
                  std::vector<double>& partial_loss, bool gradient, ChunkLoss&& chunk_loss) {
  partial_loss.assign(K, 0.0);
  if (threads > 1 && (!team || team->size() != threads)) team = std::make_unique<thread_team>(threads);
  auto body = [&](int worker, int k) {
    if (gradient) std::fill(partial[k].v.begin(), partial[k].v.end(), 0.0);
    partial_loss[k] = chunk_loss(worker, k);
  };
  if (threads > 1) {
    team->run(K, body);
  } else {
    for (int k = 0; k < K; ++k) body(0, k);
  }
  double loss_sum = 0;
  for (int k = 0; k < K; ++k) loss_sum += partial_loss[k];  // chunk order
  if (gradient && K > 1) {
    // Entry by entry in chunk order; the entries are cut into slices that the workers share
    // (any cut gives the same sums).
    const std::size_t size = partial[0].v.size(), slice = 4096;
    const int slices = static_cast<int>((size + slice - 1) / slice);
    auto reduce = [&](int, int sl) {
      const std::size_t e0 = sl * slice, e1 = std::min(size, e0 + slice);
      double* total = partial[0].v.data();
      for (int k = 1; k < K; ++k) {
        const double* part = partial[k].v.data();
        for (std::size_t e = e0; e < e1; ++e) total[e] += part[e];
      }
    };
    if (threads > 1 && slices > 1) {
      team->run(slices, reduce);
    } else {
      for (int sl = 0; sl < slices; ++sl) reduce(0, sl);
    }
  }
  return loss_sum;
}

}  // namespace attnbound::model::lanes
