// Translates a TF.js graph model into one XNNPACK subgraph.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <xnnpack.h>

#include "model/graph_model.h"

namespace bodypix {

struct SubgraphDeleter {
  void operator()(xnn_subgraph_t s) const { xnn_delete_subgraph(s); }
};
using SubgraphPtr = std::unique_ptr<xnn_subgraph, SubgraphDeleter>;

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
  // XNNPACK reads static tensors from these for as long as a runtime exists.
  std::deque<std::vector<float>> staticData;
};

// Builds the subgraph computing the named output nodes from the model's single
// Placeholder. Bias adds and clamps (Relu, Relu6, Minimum/Maximum with a
// scalar) are fused into the producing convolution. Throws bodypix::Error on an
// op it cannot translate, naming the op and the node.
BuiltSubgraph buildSubgraph(const GraphModel& model, const std::vector<std::string>& outputs);

// Makes sure XNNPACK is initialised; safe to call many times.
void initializeXnnpack();

}  // namespace bodypix
