// The malloc replacement behind allocation_scope (see alloc_counter.hpp).
//
// glibc documents replacing malloc by defining malloc, free, calloc and realloc (and, to be
// complete, aligned_alloc, memalign and posix_memalign) in the program; the definitions here
// forward to glibc's exported __libc_* entry points, so the allocator is unchanged and the
// only added work is one thread-local pointer test per call. Blocks that reach glibc through
// entry points not replaced here (valloc, pvalloc) are simply not counted; freeing them
// through this free() is safe because the allocator is glibc's either way.
#include "model/alloc_counter.hpp"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);
void* __libc_memalign(std::size_t, std::size_t);
}

namespace attnbound::model {

namespace {
// The active scope of this thread. A constant-initialized pointer with the initial-exec TLS
// model: reading it never calls into the dynamic linker (which could allocate).
thread_local allocation_scope* tl_scope __attribute__((tls_model("initial-exec"))) = nullptr;
}  // namespace

allocation_scope::allocation_scope() {
  if (tl_scope) throw std::logic_error("allocation_scope: scopes do not nest");
  tl_scope = this;
}

allocation_scope::~allocation_scope() { tl_scope = nullptr; }

std::size_t allocation_scope::slot_of(void* p) const noexcept {
  const auto key = reinterpret_cast<std::uintptr_t>(p) >> 4;
  return static_cast<std::size_t>(key * 0x9e3779b97f4a7c15ULL >> 20) & (capacity - 1);
}

void allocation_scope::on_alloc(void* p, std::size_t n) noexcept {
  if (!p) return;
  ++count_;
  total_ += n;
  if (used_ + 1 >= capacity) {  // keep one slot empty so probing terminates
    overflow_ = true;
    return;
  }
  std::size_t s = slot_of(p);
  while (table_[s].p) s = (s + 1) & (capacity - 1);
  table_[s] = {p, n};
  ++used_;
  live_ += n;
  if (live_ > peak_) peak_ = live_;
}

void allocation_scope::on_free(void* p) noexcept {
  if (!p || used_ == 0) return;
  std::size_t s = slot_of(p);
  while (table_[s].p && table_[s].p != p) s = (s + 1) & (capacity - 1);
  if (!table_[s].p) return;  // not allocated in this scope
  live_ -= table_[s].n;
  table_[s] = {nullptr, 0};
  --used_;
  // Backward-shift deletion keeps every remaining key reachable from its home slot.
  std::size_t hole = s, next = (s + 1) & (capacity - 1);
  while (table_[next].p) {
    const std::size_t home = slot_of(table_[next].p);
    // Move the entry into the hole unless its home lies cyclically in (hole, next].
    const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (!stays) {
      table_[hole] = table_[next];
      table_[next] = {nullptr, 0};
      hole = next;
    }
    next = (next + 1) & (capacity - 1);
  }
}

bool allocation_scope::hook_linked() {
  // Counting happens only if this file's malloc is the one the program calls.
  void* (*volatile alloc)(std::size_t) = &std::malloc;
  std::size_t counted = 0;
  {
    allocation_scope probe;
    void* p = alloc(24);
    counted = probe.total_bytes();
    std::free(p);
  }
  return counted == 24;
}

}  // namespace attnbound::model

using attnbound::model::tl_scope;

extern "C" {

void* malloc(std::size_t n) noexcept {
  void* p = __libc_malloc(n);
  if (tl_scope) tl_scope->on_alloc(p, n);
  return p;
}

void free(void* p) noexcept {
  if (p && tl_scope) tl_scope->on_free(p);
  __libc_free(p);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  void* p = __libc_calloc(count, size);  // glibc checks count * size for overflow
  if (p && tl_scope) tl_scope->on_alloc(p, count * size);
  return p;
}

void* realloc(void* old, std::size_t n) noexcept {
  void* p = __libc_realloc(old, n);
  if (tl_scope) {
    if (!p) {
      if (old && n == 0) tl_scope->on_free(old);  // realloc(p, 0) frees p
    } else if (p == old) {
      tl_scope->on_free(old);  // resized in place
      tl_scope->on_alloc(p, n);
    } else {
      tl_scope->on_alloc(p, n);  // moved: both blocks were live during the copy
      if (old) tl_scope->on_free(old);
    }
  }
  return p;
}

void* memalign(std::size_t alignment, std::size_t n) noexcept {
  void* p = __libc_memalign(alignment, n);
  if (tl_scope) tl_scope->on_alloc(p, n);
  return p;
}

void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  void* p = __libc_memalign(alignment, n);
  if (tl_scope) tl_scope->on_alloc(p, n);
  return p;
}

int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0)
    return EINVAL;
  void* p = __libc_memalign(alignment, n);
  if (!p) return ENOMEM;
  if (tl_scope) tl_scope->on_alloc(p, n);
  *out = p;
  return 0;
}

}  // extern "C"
