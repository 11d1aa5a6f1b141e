#include "runtime/network.h"

#include <algorithm>
#include <string>
#include <thread>

#include "error.h"
#include "runtime/allocator.h"
#include "warmup/warm_up.h"

// The build sets it to what the Wasm flavour can start (1 without threads).
#ifndef BODYPIX_MAX_THREADS
#define BODYPIX_MAX_THREADS 1
#endif

namespace bodypix {

namespace {

// The module's one thread pool, made on first use and kept. In the Wasm build
// a pool's threads are Workers that Emscripten preloads, one per extra core
// (up to the maximum), and a thread that needs a new Worker cannot start
// while the engine blocks the main thread: a pool per model would make a
// second model wait forever. Calls never overlap, so models can share it.
pthreadpool_t sharedPool(size_t threads) {
  static const pthreadpool_t pool = [threads] {
    // The warm-up's thread holds the Worker the pool needs.
    warmup::finish();
    const pthreadpool_t created = pthreadpool_create(threads);
    faultInWith(created);
    return created;
  }();
  if (!pool) throw Error("could not create a thread pool of " + std::to_string(threads) + " threads");
  return pool;
}

}  // namespace

Network::Network(BuiltSubgraph built, size_t threads) : built_(std::move(built)) {
  // More threads than cores would not help.
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t most = std::min<size_t>(cores, BODYPIX_MAX_THREADS);
  // A null pool runs on the caller without any synchronisation, which is what
  // one thread should mean; any more get the shared pool.
  if (std::min(threads == 0 ? cores : threads, most) > 1) pool_ = sharedPool(most);
  const xnn_status status = xnn_create_runtime_v2(built_.subgraph.get(), pool_, 0, &runtime_);
  if (status != xnn_status_success)
    throw Error("XNNPACK could not create a runtime for the model (status " + std::to_string(static_cast<int>(status)) +
                ")");
  // The runtime is all that runs from here: the subgraph, whose weights
  // XNNPACK has packed, would only point at freed memory.
  built_.subgraph.reset();
  built_.weights.clear();
  outputs_.resize(built_.outputIds.size());
  shapes_.resize(built_.outputIds.size());
}

Network::~Network() { xnn_delete_runtime(runtime_); }

size_t Network::threads() const { return pool_ ? pthreadpool_get_threads_count(pool_) : 1; }

// XNNPACK on wasm32 computes byte sizes and offsets in 32 bits: with a few GB
// of activations they wrap and the runtime writes outside its buffers (seen
// with MobileNetV1 0.50 at 4097x4097, over this budget by the estimate
// below). Sizes over it are refused before XNNPACK sees them.
constexpr uint64_t kMaxActivationBytes = uint64_t{2048} << 20;

void Network::checkSize(size_t height, size_t width) const {
  // Every tensor's spatial size is about the input's over its stride, so the
  // total grows with the area; below the nominal size it only shrinks.
  const double n = static_cast<double>(BuiltSubgraph::kNominalInputSize);
  const double scale = std::max(1.0, static_cast<double>(height) / n) * std::max(1.0, static_cast<double>(width) / n);
  const uint64_t needed = static_cast<uint64_t>(static_cast<double>(built_.nominalActivationBytes) * scale);
  if (needed > kMaxActivationBytes)
    throw Error("the network input would be " + std::to_string(height) + "x" + std::to_string(width) +
                " pixels, which needs about " + std::to_string(needed >> 20) + " MiB for activations; this model " +
                "allows at most " + std::to_string(kMaxActivationBytes >> 20) + " MiB (the WebAssembly heap " +
                "has 4 GB): use a lower internalResolution or a smaller image");
}

void Network::reshape(size_t height, size_t width) {
  // Until this succeeds the runtime's shapes match no size we know.
  height_ = width_ = 0;
  checkSize(height, width);
  built_.checkInputSize(height, width);
  const size_t dims[4] = {1, height, width, built_.inputChannels};
  xnn_status status = xnn_reshape_external_value(runtime_, BuiltSubgraph::kInputId, 4, dims);
  if (status == xnn_status_success) status = xnn_reshape_runtime(runtime_);
  if (status == xnn_status_out_of_memory)
    throw Error("out of memory: the WebAssembly heap (at most 4 GB) cannot hold the network at " +
                std::to_string(height) + "x" + std::to_string(width) +
                "; use a smaller image or a lower internalResolution");
  if (status != xnn_status_success)
    throw Error("the network cannot run at " + std::to_string(height) + "x" + std::to_string(width) +
                " (too small for the model)");
  for (size_t i = 0; i < outputs_.size(); ++i) {
    size_t rank = 0, shape[XNN_MAX_TENSOR_DIMS];
    if (xnn_get_external_value_shape(runtime_, built_.outputIds[i], &rank, shape) != xnn_status_success || rank != 4)
      throw Error("XNNPACK could not report the shape of output " + std::to_string(i));
    shapes_[i] = {shape[0], shape[1], shape[2], shape[3]};
    // Some kernels (multi-pass max pooling) accumulate in the output and
    // read it in whole vectors: XNNPACK's XNN_EXTRA_BYTES of slack apply.
    outputs_[i].resize(shapes_[i].size() + XNN_EXTRA_BYTES / sizeof(float));
  }
  height_ = height;
  width_ = width;
}

// Pad and max-pooling kernels read whole vectors, up to XNN_EXTRA_BYTES past
// the end of their input: the input buffer has that slack.
size_t Network::inputLength(size_t height, size_t width) const {
  return height * width * built_.inputChannels + XNN_EXTRA_BYTES / sizeof(float);
}

float* Network::input(size_t height, size_t width) {
  checkSize(height, width);
  input_.resize(inputLength(height, width));
  return input_.data();
}

void Network::run(const float* image, size_t height, size_t width) {
  std::copy(image, image + height * width * built_.inputChannels, input(height, width));
  run(height, width);
}

void Network::run(size_t height, size_t width) {
  if (height == 0 || width == 0) throw Error("the network input must not be empty");
  if (input_.size() != inputLength(height, width))
    throw Error("the network input was not written at " + std::to_string(height) + "x" + std::to_string(width));
  if (height != height_ || width != width_) reshape(height, width);
  std::vector<xnn_external_value> externals;
  externals.push_back({BuiltSubgraph::kInputId, input_.data()});
  for (size_t i = 0; i < outputs_.size(); ++i) externals.push_back({built_.outputIds[i], outputs_[i].data()});
  if (xnn_setup_runtime_v2(runtime_, externals.size(), externals.data()) != xnn_status_success)
    throw Error("XNNPACK could not set up the runtime");
  if (xnn_invoke_runtime(runtime_) != xnn_status_success) throw Error("XNNPACK failed to run the network");
}

}  // namespace bodypix
