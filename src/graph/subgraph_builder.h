// Translates a TF.js graph model into one XNNPACK subgraph.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <xnnpack.h>

#include "tfjs/graph_model.h"

namespace bodypix {

struct SubgraphDeleter {
  void operator()(xnn_subgraph_t s) const { xnn_delete_subgraph(s); }
};
using SubgraphPtr = std::unique_ptr<xnn_subgraph, SubgraphDeleter>;

// How a computed tensor's height and width follow from the network input's.
// XNNPACK reshapes a window that no longer fits its input (a VALID kernel
// wider than a small image's feature map) to one output pixel and reads
// outside the input; these rules let every window be checked at the real
// input size first.
struct SpatialRule {
  enum Kind { Input, Fixed, Window, Broadcast } kind = Input;
  std::string node;
  size_t from = 0, other = 0;    // earlier rules: Window reads `from`, Broadcast both
  size_t height = 1, width = 1;  // Fixed: a constant's
  // Window, per axis (height, width): a pad is a 1-pixel window with padding.
  uint32_t kernel[2] = {1, 1}, stride[2] = {1, 1}, dilation[2] = {1, 1};
  size_t padBefore[2] = {0, 0}, padAfter[2] = {0, 0};
  bool same = false;
};

struct BuiltSubgraph {
  SubgraphPtr subgraph;
  // External value ids: the image input is kInputId, output i is outputIds[i].
  static constexpr uint32_t kInputId = 0;
  std::vector<uint32_t> outputIds;
  // Output shapes [1, h, w, c] at the nominal input size kNominalInputSize.
  static constexpr size_t kNominalInputSize = 257;
  std::vector<std::vector<size_t>> nominalOutputShapes;
  size_t inputChannels = 0;
  // Bytes of every tensor the subgraph computes (input included) at the
  // nominal input size; they grow with the input's area.
  uint64_t nominalActivationBytes = 0;
  // The static tensors' data. XNNPACK packs convolutions' weights into its
  // own buffers when it makes a runtime, after which they and the subgraph
  // can go (their pages then serve the first run); it reads operands at
  // every run.
  std::deque<std::vector<float>> weights;
  std::deque<std::vector<float>> operands;
  std::vector<SpatialRule> spatial;

  // Throws bodypix::Error, naming the node, if some window of the network
  // would not fit its input when the network input is height x width.
  void checkInputSize(size_t height, size_t width) const;
};

// Builds the subgraph computing the named output nodes from the model's single
// Placeholder. Bias adds and clamps (Relu, Relu6, Minimum/Maximum with a
// scalar) are fused into the producing convolution. Throws bodypix::Error on an
// op it cannot translate, naming the op and the node.
BuiltSubgraph buildSubgraph(const GraphModel& model, const std::vector<std::string>& outputs);

// Makes sure XNNPACK is initialised; safe to call many times.
void initializeXnnpack();

}  // namespace bodypix
