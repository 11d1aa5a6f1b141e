// libFuzzer target: untrusted model files through everything loading one
// does: parse (src/model), build the XNNPACK subgraph (src/graph), create
// the runtime and run it on a small image (src/runtime). The input holds
// model.json and one weight shard, framed as framing.h says.
//
// bodypix::Error is the expected answer to bad input. Anything else (another
// exception, a crash, a sanitizer report, a leak, a timeout, a huge
// allocation) is a bug.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "framing.h"
#include "graph/subgraph_builder.h"
#include "model/graph_model.h"
#include "runtime/body_pix.h"
#include "runtime/network.h"

namespace {

using namespace bodypix;

bool isBodyPix(const GraphModel& model) {
  for (Architecture a : {Architecture::MobileNetV1, Architecture::ResNet50})
    if (model.find(BodyPixModel::headNames(a)[kDisplacementFwd])) return true;
  return false;
}

// What a page does with a model: load it, then segment an image.
void runBodyPix(const fuzz::Framed& f) {
  BodyPixModel model(f.json, {{f.shard, f.shardSize}}, 1, 0);
  constexpr int kWidth = 40, kHeight = 30;
  static const std::vector<uint8_t> pixels = [] {
    std::vector<uint8_t> px(kWidth * kHeight * 4);
    for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 7);
    return px;
  }();
  // The multi-person parts call runs every stage: the part map, the poses,
  // and the pixels' assignment to them. Threshold 0 keeps every pose, so
  // the last stage runs whatever the weights.
  MultiPersonConfig config;
  config.poses.scoreThreshold = 0;
  model.segmentMultiPersonParts({pixels.data(), pixels.size(), kWidth, kHeight}, config);
}

// Any other graph still goes through the builder and the runtime, with the
// nodes nothing reads as its outputs (a BodyPix graph's heads are exactly
// those), so that small graphs reach every op.
void runGraph(const GraphModel& model) {
  std::set<std::string> read;
  for (const Node& n : model.nodes) read.insert(n.inputs.begin(), n.inputs.end());
  std::vector<std::string> outputs;
  for (const Node& n : model.nodes)
    if (!read.count(n.name) && n.op != "Const") outputs.push_back(n.name);
  Network network(buildSubgraph(model, outputs), 1);
  // Only the fuzzer's own input buffer needs this bound: Network refuses
  // sizes beyond its memory budget by itself.
  if (network.inputChannels() > 4096) return;
  constexpr size_t kSize = 17;
  // Exactly sized, as BodyPixModel's: if XNNPACK read past an input's end,
  // AddressSanitizer would see it.
  std::vector<float> input(kSize * kSize * network.inputChannels());
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(i % 13) - 6;
  network.run(input.data(), kSize, kSize);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Framed f = fuzz::split(data, size);
  try {
    shardPaths(f.json);
  } catch (const Error&) {
  }
  try {
    const GraphModel model = parseGraphModel(f.json, {{f.shard, f.shardSize}});
    if (isBodyPix(model)) runBodyPix(f);
    else runGraph(model);
  } catch (const Error&) {
  }
  return 0;
}
