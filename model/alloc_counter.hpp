// Measured heap memory: a scoped, per-thread counter of the bytes a computation allocates.
//
// alloc_counter.cpp replaces malloc, calloc, realloc, free, aligned_alloc, memalign and
// posix_memalign in any program that links it (glibc's documented way: the replacements
// forward to glibc's own __libc_malloc etc., so the allocator itself is unchanged). While an
// allocation_scope is alive on a thread, every block that thread allocates is recorded with
// its requested size; the scope reports the peak of the bytes live at once (the high-water
// mark), the total requested and the number of allocations. Frees of blocks allocated
// before the scope began, or by another thread, are ignored, so the count is exactly the
// scope's own allocations. Requested sizes (not glibc's chunk sizes, which depend on the
// allocator's history) make the count deterministic, and per-thread scopes keep it exact when
// other threads allocate at the same time (check --jobs > 1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace attnbound::model {

class allocation_scope {
 public:
  /// Begins counting on the calling thread. Scopes do not nest (std::logic_error).
  allocation_scope();
  ~allocation_scope();
  allocation_scope(const allocation_scope&) = delete;
  allocation_scope& operator=(const allocation_scope&) = delete;

  /// Largest number of bytes allocated in this scope and live at the same time.
  std::size_t peak_bytes() const { return peak_; }
  /// Bytes allocated in this scope and not yet freed.
  std::size_t live_bytes() const { return live_; }
  /// Sum of all requested sizes.
  std::size_t total_bytes() const { return total_; }
  std::size_t allocations() const { return count_; }
  /// True when more blocks were live at once than the table holds (then peak is a lower
  /// bound and the measurement must not be trusted).
  bool overflowed() const { return overflow_; }

  /// True when the malloc replacement is linked into this program (it is whenever this
  /// header's class is used; a test checks that counting actually happens).
  static bool hook_linked();

  // Called by the malloc replacement only.
  void on_alloc(void* p, std::size_t n) noexcept;
  void on_free(void* p) noexcept;

 private:
  static constexpr std::size_t capacity = 4096;  // live in-scope blocks tracked at once
  struct entry {
    void* p;
    std::size_t n;
  };
  std::array<entry, capacity> table_{};  // open addressing, linear probing
  std::size_t used_ = 0;
  std::size_t live_ = 0, peak_ = 0, total_ = 0, count_ = 0;
  bool overflow_ = false;
  std::size_t slot_of(void* p) const noexcept;
};

}  // namespace attnbound::model
