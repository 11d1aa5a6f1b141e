// An XNNPACK runtime over a built subgraph: one per model, reshaped to each
// input size instead of rebuilt.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <pthreadpool.h>

#include "graph/subgraph_builder.h"

namespace bodypix {

struct Shape4 {
  size_t n = 0, h = 0, w = 0, c = 0;
  size_t size() const { return n * h * w * c; }
};

class Network {
 public:
  // threads: 0 means one per core; capped at what the build can start. Any
  // count above one runs on the module's one pool, of that capped size.
  Network(BuiltSubgraph built, size_t threads);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  size_t inputChannels() const { return built_.inputChannels; }
  size_t outputCount() const { return outputs_.size(); }
  size_t threads() const;
  // The network's threads, for other work between runs (nullptr: one thread).
  pthreadpool_t pool() const { return pool_; }

  // Where the next run reads an NHWC float image [1, height, width, channels]
  // from: written there, it needs no copy. Valid until the next call.
  float* input(size_t height, size_t width);
  // Runs the network on what was written to input(height, width). The
  // outputs stay valid until the next run.
  void run(size_t height, size_t width);
  // The same on an image held elsewhere, copied in first.
  void run(const float* image, size_t height, size_t width);

  const float* output(size_t i) const { return outputs_[i].data(); }
  const Shape4& outputShape(size_t i) const { return shapes_[i]; }

 private:
  // Throws if an input of this size would need more memory than the engine
  // allows.
  void checkSize(size_t height, size_t width) const;
  size_t inputLength(size_t height, size_t width) const;
  void reshape(size_t height, size_t width);

  BuiltSubgraph built_;
  pthreadpool_t pool_ = nullptr;
  xnn_runtime_t runtime_ = nullptr;
  size_t height_ = 0, width_ = 0;
  std::vector<float> input_;  // the image, with XNNPACK's slack after it
  std::vector<std::vector<float>> outputs_;
  std::vector<Shape4> shapes_;
};

}  // namespace bodypix
