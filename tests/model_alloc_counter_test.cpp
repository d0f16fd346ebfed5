// Tests of model/alloc_counter: the malloc replacement counts what a scope allocates, and only
// that (not other threads, not blocks allocated before the scope), deterministically.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cstdlib>
#include <thread>
#include <vector>

#include "model/alloc_counter.hpp"

namespace {

using attnbound::model::allocation_scope;

// Through a volatile pointer so the compiler cannot elide the allocation.
void* (*volatile do_malloc)(std::size_t) = &std::malloc;
void* (*volatile do_realloc)(void*, std::size_t) = &std::realloc;
void* (*volatile do_calloc)(std::size_t, std::size_t) = &std::calloc;

TEST(ModelAllocCounter, HookIsLinked) { EXPECT_TRUE(allocation_scope::hook_linked()); }

TEST(ModelAllocCounter, CountsPeakLiveAndTotal) {
  allocation_scope s;
  void* a = do_malloc(1000);
  void* b = do_malloc(500);
  EXPECT_EQ(s.live_bytes(), 1500u);
  std::free(a);
  void* c = do_calloc(10, 20);
  EXPECT_EQ(s.live_bytes(), 700u);
  EXPECT_EQ(s.peak_bytes(), 1500u);
  void* d = do_realloc(c, 4000);  // moved or grown: 4000 live instead of 200
  EXPECT_EQ(s.live_bytes(), 4500u);
  std::free(b);
  std::free(d);
  EXPECT_EQ(s.live_bytes(), 0u);
  EXPECT_GE(s.peak_bytes(), 4500u);
  EXPECT_EQ(s.total_bytes(), 1000u + 500u + 200u + 4000u);
  EXPECT_EQ(s.allocations(), 4u);
  EXPECT_FALSE(s.overflowed());
}

TEST(ModelAllocCounter, CountsEigenAndNewAndIgnoresOlderBlocks) {
  void* before = do_malloc(777);
  std::size_t peak = 0;
  {
    allocation_scope s;
    std::free(before);  // not this scope's: ignored
    Eigen::VectorXd v(1000);
    v.setOnes();
    auto* w = new std::vector<int>(250);
    EXPECT_EQ(s.live_bytes(), 8000u + sizeof(std::vector<int>) + 1000u);
    delete w;
    peak = s.peak_bytes();
  }
  EXPECT_EQ(peak, 8000u + sizeof(std::vector<int>) + 1000u);
}

TEST(ModelAllocCounter, OtherThreadsAreNotCounted) {
  allocation_scope s;
  std::thread other([] {
    for (int k = 0; k < 100; ++k) std::free(do_malloc(1 << 16));
  });
  other.join();
  // std::thread's own bookkeeping is allocated by this thread; the worker's 6.5 MB are not.
  EXPECT_LT(s.total_bytes(), 4096u);
}

TEST(ModelAllocCounter, ManyLiveBlocksAndDeterminism) {
  auto run = [] {
    allocation_scope s;
    std::vector<void*> blocks;
    for (int k = 0; k < 3000; ++k) blocks.push_back(do_malloc(16 + k % 7));
    for (int k = 0; k < 3000; k += 2) std::free(blocks[k]);
    for (int k = 1; k < 3000; k += 2) std::free(blocks[k]);
    EXPECT_EQ(s.live_bytes(), blocks.capacity() * sizeof(void*));  // only the vector's buffer
    EXPECT_FALSE(s.overflowed());
    return s.peak_bytes();
  };
  const std::size_t a = run(), b = run();
  EXPECT_EQ(a, b);
  EXPECT_GE(a, 3000u * 16);
}

TEST(ModelAllocCounter, ScopesDoNotNest) {
  allocation_scope s;
  EXPECT_THROW(allocation_scope inner, std::logic_error);
}

}  // namespace
