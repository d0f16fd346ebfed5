// Deterministic parallel loops: work items are independent and write only their own slot, so
// results are bit-identical for any number of jobs.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

namespace attnbound::claims {

template <class F>
void parallel_for(int count, int jobs, F&& body) {
  jobs = std::max(1, std::min(jobs, count));
  if (jobs == 1) {
    for (int i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < count;) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

/// parallel_for that starts the items in decreasing cost(i) (ties by index): with dynamic
/// scheduling the longest runs start first and no long run is left alone at the end
/// (longest-processing-time-first). Same results as parallel_for: only the start order changes.
template <class Cost, class F>
void parallel_for_longest_first(int count, int jobs, Cost&& cost, F&& body) {
  std::vector<int> order(static_cast<std::size_t>(std::max(0, count)));
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> c(order.size());
  for (int i = 0; i < count; ++i) c[i] = static_cast<double>(cost(i));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return c[a] > c[b]; });
  parallel_for(count, jobs, [&](int k) { body(order[k]); });
}

/// Model-level threads for each of `count` items run with `jobs` jobs: the cores the items
/// cannot use themselves (jobs / count when there are fewer items than jobs, else 1). Pass it
/// as projgd_options::threads or transformer_workspace::threads; the batched model kernels
/// give bit-identical results for any thread count, so this never changes a result.
inline int threads_per_item(int count, int jobs) {
  return count >= jobs ? 1 : std::max(1, jobs / std::max(1, count));
}

}  // namespace attnbound::claims
