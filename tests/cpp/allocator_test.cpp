// XNNPACK's allocator: large blocks are faulted in by the thread pool, which
// must leave them whole and usable (ASan checks the writes' bounds).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#include <unistd.h>
#endif

#include "bodypix/model.h"
#include "graph/subgraph_builder.h"
#include "runtime/allocator.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"
#include "warmup/warm_up.h"

using namespace bodypix;

namespace {

bool filledWith(const void* block, size_t size, unsigned char value) {
  const auto* bytes = static_cast<const unsigned char*>(block);
  for (size_t i = 0; i < size; ++i)
    if (bytes[i] != value) return false;
  return true;
}

}  // namespace

TEST_CASE("XNNPACK's allocator gives whole blocks, large ones faulted in by the pool") {
  // A pooled network gives the allocator the module's pool where there is one.
  const warmup::ModelFiles mini = warmup::miniModel();
  const GraphModel graph = parseGraphModel(mini.json, {{mini.shard.data(), mini.shard.size()}});
  const Network pooled(buildSubgraph(graph, BodyPixModel::headNames(Architecture::MobileNetV1)), 2);
  const xnn_allocator& a = *xnnpackAllocator();
  for (const size_t size : {size_t{100}, (size_t{3} << 20) + 123}) {
    INFO("block of " << size << " bytes");
    void* aligned = a.aligned_allocate(a.context, 64, size);
    REQUIRE(aligned != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(aligned) % 64 == 0);
    std::memset(aligned, 0x5a, size);
    CHECK(filledWith(aligned, size, 0x5a));
    a.aligned_deallocate(a.context, aligned);

    void* plain = a.reallocate(a.context, nullptr, size);
    REQUIRE(plain != nullptr);
    std::memset(plain, 0xa5, size);
    // Growing keeps the contents: a moved block is not faulted in again.
    void* grown = a.reallocate(a.context, plain, 2 * size);
    REQUIRE(grown != nullptr);
    CHECK(filledWith(grown, size, 0xa5));
    a.deallocate(a.context, grown);
  }
}

TEST_CASE("the heap's headroom is faulted in ahead of need, its bytes left as they were") {
  constexpr size_t kMiB = size_t{1} << 20;
#ifdef __EMSCRIPTEN__
  const uintptr_t heapEnd = reinterpret_cast<uintptr_t>(sbrk(0));
  setHeadroom(8 * kMiB);
  // Bytes in the headroom that another thread was handed and wrote.
  if (emscripten_get_heap_size() < heapEnd + 4 * kMiB) REQUIRE(emscripten_resize_heap(heapEnd + 4 * kMiB));
  auto* written = reinterpret_cast<unsigned char*>(((heapEnd + 4095) & ~uintptr_t{4095}) + kMiB);
  std::memset(written, 0x77, 2 * kMiB);
  int stages = 0;
  while (faultInHeadroom(kMiB) && stages < 100) ++stages;
  CHECK(stages >= 8);
  CHECK(stages <= 9);
  CHECK(emscripten_get_heap_size() >= heapEnd + 8 * kMiB);
  CHECK(filledWith(written, 2 * kMiB, 0x77));
  // A nearer headroom than before changes nothing.
  setHeadroom(kMiB);
  CHECK_FALSE(faultInHeadroom(kMiB));
  // An ended one is not faulted in further.
  setHeadroom(16 * kMiB);
  endHeadroom();
  CHECK_FALSE(faultInHeadroom(kMiB));
#else
  setHeadroom(8 * kMiB);
  CHECK_FALSE(faultInHeadroom(kMiB));
#endif
}
