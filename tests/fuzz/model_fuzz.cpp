// libFuzzer target: untrusted model files through everything loading one
// does: parse (src/tfjs), build the XNNPACK subgraph (src/graph), create
// the runtime (src/runtime) and run the model on a small image
// (src/bodypix). The input holds model.json and one weight shard, framed as
// framing.h says; for JSON alone the shard is made here, so that mutated
// shapes and attributes get past the shard-size check to the graph builder
// and the runtime.
//
// bodypix::Error is the expected answer to bad input. Anything else (another
// exception, a crash, a sanitizer report, a leak, a timeout, a huge
// allocation) is a bug.
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bodypix/model.h"
#include "framing.h"
#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"

namespace {

using namespace bodypix;

// Exactly the bytes a one-shard manifest asks for, with small finite values
// of each stored type; empty for anything else (the parser then says why).
std::vector<uint8_t> shardFor(const std::string& text) {
  using nlohmann::json;
  constexpr uint64_t kMaxValues = uint64_t{1} << 24;  // keeps the fuzzer fast
  std::vector<uint8_t> out;
  try {
    const json doc = json::parse(text);
    const json& groups = doc.at("weightsManifest");
    if (groups.size() != 1 || groups.at(0).at("paths").size() != 1) return {};
    uint64_t total = 0;
    for (const json& w : groups.at(0).at("weights")) {
      uint64_t count = 1;
      for (const json& d : w.at("shape")) {
        if (!d.is_string() && !d.is_number_integer()) return {};
        const long long dim = d.is_string() ? std::stoll(d.get<std::string>()) : d.get<long long>();
        if (dim < 0 || static_cast<uint64_t>(dim) > kMaxValues) return {};
        count *= static_cast<uint64_t>(dim);
        if (count > kMaxValues) return {};
      }
      if ((total += count) > kMaxValues) return {};
      std::string stored = w.value("dtype", std::string("float32"));
      if (w.contains("quantization")) stored = w.at("quantization").at("dtype").get<std::string>();
      for (uint64_t i = 0; i < count; ++i) {
        if (stored == "uint8") {
          out.push_back(static_cast<uint8_t>(i % 251));
        } else if (stored == "uint16" || stored == "float16") {
          const uint16_t v = static_cast<uint16_t>(0x3c00 + i % 64);  // float16 1.0 to 1.06
          out.insert(out.end(), {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)});
        } else {
          // int32 paddings of 0 to 2; float32 values of -0.03 to 0.03.
          const float f = 0.01f * static_cast<float>(static_cast<int>(i % 7) - 3);
          const int32_t n = static_cast<int32_t>(i % 3);
          uint8_t bytes[4];
          std::memcpy(bytes, stored == "int32" ? static_cast<const void*>(&n) : static_cast<const void*>(&f), 4);
          out.insert(out.end(), bytes, bytes + 4);
        }
      }
    }
  } catch (const std::exception&) {  // JSON errors, non-numeric dimensions
    return {};
  }
  return out;
}

bool isBodyPix(const GraphModel& model) {
  for (Architecture a : {Architecture::MobileNetV1, Architecture::ResNet50})
    if (model.find(BodyPixModel::headNames(a)[kDisplacementFwd])) return true;
  return false;
}

// What a page does with a model: load it, then segment an image.
void runBodyPix(const std::string& json, ShardView shard) {
  BodyPixModel model(json, {shard}, 1, 0);
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
  const std::vector<uint8_t> made = f.hasShard ? std::vector<uint8_t>{} : shardFor(f.json);
  const ShardView shard = f.hasShard ? ShardView{f.shard, f.shardSize} : ShardView{made.data(), made.size()};
  try {
    shardPaths(f.json);
  } catch (const Error&) {
  }
  try {
    const GraphModel model = parseGraphModel(f.json, {shard});
    if (isBodyPix(model)) runBodyPix(f.json, shard);
    else runGraph(model);
  } catch (const Error&) {
  }
  return 0;
}
