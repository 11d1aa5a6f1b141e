#include "runtime/allocator.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#include <unistd.h>
#endif

namespace bodypix {

namespace {

// A fresh page costs a fault on its first write, ~0.5-0.8 ms per MB here,
// paid by one thread when XNNPACK zeroes a workspace it has just allocated
// (the whole of a first run's reshape at 1049x861, 20 MB); two threads
// fault a block in ~1.6x faster.
constexpr size_t kLargeBlock = size_t{1} << 20;
constexpr size_t kPage = 4096;
constexpr size_t kPagesPerTask = 64;

std::atomic<pthreadpool_t> faultPool{nullptr};

struct Block {
  volatile char* data;
  size_t size;
};

void faultIn(void* context, size_t task) {
  const Block& block = *static_cast<const Block*>(context);
  const size_t begin = task * kPagesPerTask * kPage;
  const size_t end = std::min(begin + kPagesPerTask * kPage, block.size);
  // A write: a read would map the shared zero page and fault again on write.
  for (size_t offset = begin; offset < end; offset += kPage) block.data[offset] = 0;
}

// Only for blocks whose contents are undefined: the writes clobber them.
void* faultedIn(void* memory, size_t size) {
  const pthreadpool_t pool = faultPool.load(std::memory_order_relaxed);
  if (memory == nullptr || pool == nullptr || size < kLargeBlock) return memory;
  Block block{static_cast<volatile char*>(memory), size};
  const size_t tasks = (size + kPagesPerTask * kPage - 1) / (kPagesPerTask * kPage);
  pthreadpool_parallelize_1d(pool, faultIn, &block, tasks, 0);
  return memory;
}

void* allocate(void*, size_t size) { return faultedIn(std::malloc(size), size); }

void* reallocate(void*, void* pointer, size_t size) {
  // A moved block's contents are XNNPACK's: left for it to fault in.
  return pointer == nullptr ? allocate(nullptr, size) : std::realloc(pointer, size);
}

void deallocate(void*, void* pointer) { std::free(pointer); }

void* alignedAllocate(void*, size_t alignment, size_t size) {
  void* memory = nullptr;
  if (posix_memalign(&memory, std::max(alignment, sizeof(void*)), size) != 0) return nullptr;
  return faultedIn(memory, size);
}

const xnn_allocator kAllocator = {nullptr, allocate, reallocate, deallocate, alignedAllocate, deallocate};

}  // namespace

const xnn_allocator* xnnpackAllocator() { return &kAllocator; }

void faultInWith(pthreadpool_t pool) { faultPool.store(pool, std::memory_order_relaxed); }

#ifdef __EMSCRIPTEN__

namespace {

// The headroom's end, and how far it has been faulted in.
std::atomic<uintptr_t> headroomEnd{0};
std::atomic<uintptr_t> headroomDone{0};

uintptr_t heapEnd() { return reinterpret_cast<uintptr_t>(sbrk(0)); }

}  // namespace

void setHeadroom(size_t bytes) {
  const uintptr_t start = heapEnd();
  const uintptr_t end = start + std::min<uintptr_t>(bytes, UINTPTR_MAX - start);
  uintptr_t previous = headroomEnd.load();
  while (previous < end && !headroomEnd.compare_exchange_weak(previous, end)) {
  }
}

bool faultInHeadroom(size_t most) {
  const uintptr_t begin = std::max(headroomDone.load(), (heapEnd() + kPage - 1) & ~(kPage - 1));
  const uintptr_t end = std::min(headroomEnd.load(), begin + most);
  if (begin >= end) return false;
  // A grow fails too where another thread has just grown the heap past end.
  if (emscripten_get_heap_size() < end && !emscripten_resize_heap(end) && emscripten_get_heap_size() < end)
    return false;
  // An atomic write of what is there: the heap may hand these pages out, and
  // their new owner write them, meanwhile.
  for (uintptr_t page = begin; page < end; page += kPage)
    __atomic_fetch_or(reinterpret_cast<unsigned char*>(page), 0, __ATOMIC_RELAXED);
  headroomDone.store(end);
  return true;
}

void endHeadroom() { headroomEnd.store(0); }

#else

void setHeadroom(size_t) {}
bool faultInHeadroom(size_t) { return false; }
void endHeadroom() {}

#endif

}  // namespace bodypix
