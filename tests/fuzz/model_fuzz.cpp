// libFuzzer target: untrusted model files through everything loading one
// does: parse (src/tfjs), build the XNNPACK subgraph (src/graph), create
// the runtime (src/runtime) and run the model on a small image
// (src/bodypix). The input holds model.json and one weight shard, framed as
// framing.h says; for JSON alone the shard is made here, so that mutated
// shapes and attributes get past the shard-size check to the graph builder
// and the runtime.
//
// Config inputs (framing.h: empty JSON, then bytes) go instead through one
// of the four segment calls, with a config, an image size and a method read
// from the bytes, on the warm-up's miniature model (loaded once): the
// engine's config checks stand between every caller and the pipeline.
//
// bodypix::Error is the expected answer to bad input. Anything else (another
// exception, a crash, a sanitizer report, a leak, a timeout, a huge
// allocation, a result of the wrong size or with values out of range) is a
// bug.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bodypix/model.h"
#include "framing.h"
#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"
#include "warmup/warm_up.h"

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

// The fuzz bytes of a config input, read front to back; past the end, zeros.
class ConfigBytes {
 public:
  ConfigBytes(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  uint8_t byte() { return p_ < end_ ? *p_++ : 0; }

  // Mostly one of a field's edge values (`edges[0]` its default), picked by
  // one byte; from a byte of 0xC0 up, any bit pattern of the type.
  template <typename T, size_t N>
  T pick(const T (&edges)[N]) {
    const uint8_t selector = byte();
    if (selector < 0xC0) return edges[selector % N];
    uint8_t bits[sizeof(T)];
    for (uint8_t& b : bits) b = byte();
    T v;
    std::memcpy(&v, bits, sizeof v);
    return v;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// In this order: internalResolution, segmentationThreshold, maxDetections,
// scoreThreshold, nmsRadius, minKeypointScore, refineSteps.
MultiPersonConfig configFrom(ConfigBytes& in) {
  static const double kResolutions[] = {0.5, 0.25, 0.75, 1.0, 0.1, 2.0, 0.0999, 2.0001, 0.0, -1.0, kNaN, kInf, 1.37};
  static const float kThresholds[] = {0.7f, 0.0f, 1.0f, 0.5f, -0.1f, 1.5f, std::nanf(""), 1.0000001f, 1e-30f};
  static const int kDetections[] = {10, 1, 2, 0, -1, 100, INT_MAX, INT_MIN};
  static const double kScores[] = {0.4, 0.0, 1.0, 0.5, -0.1, 2.0, kNaN, 1e-300};
  static const double kRadii[] = {20.0, 1e-300, 0.0, -5.0, 1e300, kInf, kNaN, 0.5};
  static const double kKeypointScores[] = {0.3, 0.0, 1.0, -0.1, 1.5, kNaN};
  static const int kRefineSteps[] = {10, 1, 20, 0, 21, -1, INT_MAX};
  MultiPersonConfig c;
  c.internalResolution = in.pick(kResolutions);
  c.segmentationThreshold = in.pick(kThresholds);
  c.poses.maxDetections = in.pick(kDetections);
  c.poses.scoreThreshold = in.pick(kScores);
  c.poses.nmsRadius = in.pick(kRadii);
  c.minKeypointScore = in.pick(kKeypointScores);
  c.refineSteps = in.pick(kRefineSteps);
  return c;
}

// Aborts (a finding) unless `ok`.
void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "model_fuzz: %s\n", what);
    std::abort();
  }
}

template <typename T>
void checkSegmentation(const std::vector<T>& data, size_t pixels, int lo, int hi) {
  require(data.size() == pixels, "a result of the wrong size");
  for (const T v : data) require(v >= lo && v <= hi, "a result value out of range");
}

// A segment call as a caller may make it: after the config, the image's
// width and height (1 to 64), RGB or RGBA, data of the right size or one
// byte short, the method, and the pixels' pattern.
void runConfig(const uint8_t* data, size_t size) {
  static const std::unique_ptr<BodyPixModel> model = [] {
    const warmup::ModelFiles mini = warmup::miniModel();
    return std::make_unique<BodyPixModel>(mini.json, std::vector<ShardView>{{mini.shard.data(), mini.shard.size()}}, 1,
                                          0);
  }();
  ConfigBytes in(data, size);
  const MultiPersonConfig config = configFrom(in);
  const int width = 1 + in.byte() % 64, height = 1 + in.byte() % 64;
  const size_t channels = in.byte() % 2 ? 3 : 4;
  const bool shortData = in.byte() % 8 == 7;
  const int method = in.byte() % 4;
  const uint8_t pattern = in.byte();
  const size_t pixels = static_cast<size_t>(width) * height;
  std::vector<uint8_t> bytes(pixels * channels - (shortData ? 1 : 0));
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * pattern + (i >> 7));
  const Image image{bytes.data(), bytes.size(), width, height};
  try {
    switch (method) {
      case 0: {
        const Segmentation<uint8_t> s = model->segmentPerson(image, config);
        checkSegmentation(s.data, pixels, 0, 1);
        require(s.poses.size() <= static_cast<size_t>(config.poses.maxDetections), "more poses than maxDetections");
        break;
      }
      case 1:
        checkSegmentation(model->segmentPersonParts(image, config).data, pixels, -1, 23);
        break;
      case 2:
        for (const PersonSegmentation<uint8_t>& p : model->segmentMultiPerson(image, config))
          checkSegmentation(p.data, pixels, 0, 1);
        break;
      default:
        for (const PersonSegmentation<int32_t>& p : model->segmentMultiPersonParts(image, config))
          checkSegmentation(p.data, pixels, -1, 23);
        break;
    }
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Framed f = fuzz::split(data, size);
  if (f.hasShard && f.json.empty()) {
    runConfig(f.shard, f.shardSize);
    return 0;
  }
  const std::vector<uint8_t> made = f.hasShard ? std::vector<uint8_t>{} : shardFor(f.json);
  const ShardView shard = f.hasShard ? ShardView{f.shard, f.shardSize} : ShardView{made.data(), made.size()};
  try {
    const GraphModel model = parseGraphModel(f.json, {shard});
    if (isBodyPix(model)) runBodyPix(f.json, shard);
    else runGraph(model);
  } catch (const Error&) {
  }
  return 0;
}
