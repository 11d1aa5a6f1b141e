#include "warmup/warm_up.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bodypix/model.h"

#ifndef BODYPIX_MAX_THREADS
#define BODYPIX_MAX_THREADS 1
#endif

namespace bodypix::warmup {
namespace {

using nlohmann::json;

// A MobileNetV1 BodyPix graph in miniature, written the way the converter
// writes the official ones: every op, stride and weight encoding they use
// (float32, uint8, uint16), the eight heads, stride 16, a few channels.
struct MiniModel {
  json nodes = json::array();
  json weights = json::array();
  std::vector<uint8_t> shard;

  void constant(const std::string& name, const std::vector<int64_t>& shape, int bytes) {
    nodes.push_back({{"name", name}, {"op", "Const"}});
    size_t count = 1;
    for (int64_t d : shape) count *= static_cast<size_t>(d);
    json spec = {{"name", name}, {"shape", shape}, {"dtype", "float32"}};
    if (bytes < 4) spec["quantization"] = {{"dtype", bytes == 1 ? "uint8" : "uint16"}, {"scale", 0.004}, {"min", -0.5}};
    weights.push_back(spec);
    for (size_t i = 0; i < count; ++i) {
      const uint32_t q = static_cast<uint32_t>((i * 37) % 251);
      if (bytes == 4) {
        const float v = static_cast<float>(q) * 0.004f - 0.5f;
        uint8_t raw[4];
        std::memcpy(raw, &v, 4);
        shard.insert(shard.end(), raw, raw + 4);
      } else {
        for (int b = 0; b < bytes; ++b) shard.push_back(static_cast<uint8_t>(q >> (8 * b)));
      }
    }
  }

  // conv (a Conv2D or DepthwiseConv2dNative), BiasAdd and, unless a head, Relu6.
  std::string layer(const std::string& name, const std::string& input, bool depthwise, int kernel, int stride,
                    int64_t in, int64_t out, int bytes, bool relu = true) {
    const std::string s = std::to_string(stride);
    constant(name + "/weights", {kernel, kernel, in, depthwise ? 1 : out}, bytes);
    constant(name + "/bias", {out}, bytes);
    nodes.push_back({{"name", name + "/conv"},
                     {"op", depthwise ? "DepthwiseConv2dNative" : "Conv2D"},
                     {"input", {input, name + "/weights"}},
                     {"attr",
                      {{"strides", {{"list", {{"i", {"1", s, s, "1"}}}}}},
                       {"dilations", {{"list", {{"i", {"1", "1", "1", "1"}}}}}},
                       {"padding", {{"s", "U0FNRQ=="}}}}}});  // "SAME"
    const std::string biased = relu ? name + "/add" : name;
    nodes.push_back({{"name", biased}, {"op", "BiasAdd"}, {"input", {name + "/conv", name + "/bias"}}});
    if (!relu) return name;
    nodes.push_back({{"name", name + "/Relu6"}, {"op", "Relu6"}, {"input", {biased}}});
    return name + "/Relu6";
  }

  std::string text() const {
    return json{{"format", "graph-model"},
                {"modelTopology", {{"node", nodes}}},
                {"weightsManifest", json::array({{{"paths", {"group1-shard1of1.bin"}}, {"weights", weights}}})}}
        .dump();
  }
};

MiniModel buildMiniModel() {
  MiniModel m;
  json input = {{"name", "sub_2"}, {"op", "Placeholder"}};
  json& dims = input["attr"]["shape"]["shape"]["dim"];
  for (const char* size : {"1", "-1", "-1", "3"}) dims.push_back({{"size", size}});
  m.nodes.push_back(input);
  std::string x = m.layer("Conv2d_0", "sub_2", false, 3, 2, 3, 16, 4);
  int64_t channels = 16;
  for (int i = 1; i <= 4; ++i) {
    const std::string n = std::to_string(i);
    const int64_t out = channels * (i % 2 == 0 ? 2 : 1);
    x = m.layer("Conv2d_" + n + "_depthwise", x, true, 3, i == 1 ? 1 : 2, channels, channels, i % 2 ? 1 : 2);
    x = m.layer("Conv2d_" + n + "_pointwise", x, false, 1, 1, channels, out, i % 2 ? 2 : 1);
    channels = out;
  }
  const std::vector<std::string>& heads = BodyPixModel::headNames(Architecture::MobileNetV1);
  for (size_t h = 0; h < kHeadCount; ++h)
    m.layer(heads[h], x, false, 1, 1, channels, static_cast<int64_t>(kHeadChannels[h]), 2, false);
  return m;
}

// The warm-up's stages: the miniature model parsed and built, then segmented
// on a grey ramp big enough for the hot kernels to run long enough to be
// optimised.
class Warmer {
 public:
  // Runs the next stage; false once there is none.
  bool step() {
    try {
      switch (next_++) {
        case 0: {
          const ModelFiles mini = miniModel();
          const std::vector<ShardView> shards = {{mini.shard.data(), mini.shard.size()}};
          model_ = std::make_unique<BodyPixModel>(mini.json, shards, 1, 16);
          return true;
        }
        case 1: {
          std::vector<uint8_t> pixels(static_cast<size_t>(kSize) * kSize * 4);
          for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
          SegmentationConfig config;
          config.internalResolution = 1.0;
          model_->segmentPersonParts(Image{pixels.data(), pixels.size(), kSize, kSize}, config);
          break;
        }
        default:
          break;
      }
    } catch (...) {
      // Only ever a head start: whatever goes wrong, the real model will say.
    }
    model_.reset();
    return false;
  }

 private:
  static constexpr int kSize = 161;
  int next_ = 0;
  std::unique_ptr<BodyPixModel> model_;
};

Warmer warmer;
std::atomic<bool> stopping{false};
std::mutex guard;
std::thread thread;
bool started = false;

}  // namespace

ModelFiles miniModel() {
  const MiniModel m = buildMiniModel();
  return {m.text(), m.shard};
}

void start() {
  if (BODYPIX_MAX_THREADS < 2) return;
  std::lock_guard<std::mutex> lock(guard);
  if (started) return;
  started = true;
  // Stops between stages once the real model needs the thread: a warm-up
  // still running by then would only delay it.
  thread = std::thread([] {
    while (!stopping && warmer.step()) {
    }
  });
}

bool step() { return BODYPIX_MAX_THREADS < 2 && !stopping && warmer.step(); }

void finish() {
  stopping = true;
  std::lock_guard<std::mutex> lock(guard);
  if (thread.joinable()) thread.join();
}

}  // namespace bodypix::warmup
