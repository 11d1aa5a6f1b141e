#include "warmup/warm_up.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bodypix/model.h"
#include "runtime/allocator.h"

#ifndef BODYPIX_MAX_THREADS
#define BODYPIX_MAX_THREADS 1
#endif

namespace bodypix::warmup {
namespace {

// A MobileNetV1 BodyPix graph in miniature, written the way the converter
// writes the official ones: every op, stride and weight encoding they use
// (float32, uint8, uint16), the eight heads, stride 16, a few channels. Its
// JSON is written out directly rather than through nlohmann::json: a page
// would otherwise spend its first moments having V8 optimise the library's
// serializer, which nothing else uses.
struct MiniModel {
  std::string nodes;
  std::string weights;
  std::vector<uint8_t> shard;

  static std::string quoted(const std::string& s) { return '"' + s + '"'; }

  void node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs = {},
            const std::string& attrs = "") {
    std::string text = "{\"name\":" + quoted(name) + ",\"op\":" + quoted(op);
    if (!inputs.empty()) {
      text += ",\"input\":[";
      for (size_t i = 0; i < inputs.size(); ++i) text += (i ? "," : "") + quoted(inputs[i]);
      text += "]";
    }
    if (!attrs.empty()) text += ",\"attr\":{" + attrs + "}";
    nodes += (nodes.empty() ? "" : ",") + text + "}";
  }

  void constant(const std::string& name, const std::vector<int64_t>& shape, int bytes) {
    node(name, "Const");
    size_t count = 1;
    std::string dims;
    for (int64_t d : shape) {
      count *= static_cast<size_t>(d);
      dims += (dims.empty() ? "" : ",") + std::to_string(d);
    }
    std::string spec = "{\"name\":" + quoted(name) + ",\"shape\":[" + dims + "],\"dtype\":\"float32\"";
    if (bytes < 4)
      spec += std::string(",\"quantization\":{\"dtype\":") + (bytes == 1 ? "\"uint8\"" : "\"uint16\"") +
              ",\"scale\":0.004,\"min\":-0.5}";
    weights += (weights.empty() ? "" : ",") + spec + "}";
    const size_t at = shard.size();
    shard.resize(at + count * static_cast<size_t>(bytes));
    fill(shard.data() + at, count, bytes);
  }

  // Codes 0..250 in a scattered order, or their float32 values. Its own
  // function, so that only this small loop is hot enough to be optimised.
  [[gnu::noinline]] static void fill(uint8_t* out, size_t count, int bytes) {
    for (size_t i = 0; i < count; ++i) {
      const uint32_t q = static_cast<uint32_t>((i * 37) % 251);
      if (bytes == 4) {
        const float v = static_cast<float>(q) * 0.004f - 0.5f;
        std::memcpy(out + 4 * i, &v, 4);
      } else {
        for (int b = 0; b < bytes; ++b)
          out[static_cast<size_t>(bytes) * i + static_cast<size_t>(b)] = static_cast<uint8_t>(q >> (8 * b));
      }
    }
  }

  // conv (a Conv2D or DepthwiseConv2dNative), BiasAdd and, unless a head, Relu6.
  std::string layer(const std::string& name, const std::string& input, bool depthwise, int kernel, int stride,
                    int64_t in, int64_t out, int bytes, bool relu = true) {
    const std::string s = quoted(std::to_string(stride));
    constant(name + "/weights", {kernel, kernel, in, depthwise ? 1 : out}, bytes);
    constant(name + "/bias", {out}, bytes);
    node(name + "/conv", depthwise ? "DepthwiseConv2dNative" : "Conv2D", {input, name + "/weights"},
         "\"strides\":{\"list\":{\"i\":[\"1\"," + s + "," + s + ",\"1\"]}}," +
             "\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}}," +
             "\"padding\":{\"s\":\"U0FNRQ==\"}");  // "SAME"
    const std::string biased = relu ? name + "/add" : name;
    node(biased, "BiasAdd", {name + "/conv", name + "/bias"});
    if (!relu) return name;
    node(name + "/Relu6", "Relu6", {biased});
    return name + "/Relu6";
  }

  std::string text() const {
    return "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":[" + nodes +
           "]},\"weightsManifest\":[{\"paths\":[\"group1-shard1of1.bin\"],\"weights\":[" + weights + "]}]}";
  }
};

MiniModel buildMiniModel() {
  MiniModel m;
  m.node("sub_2", "Placeholder", {},
         "\"shape\":{\"shape\":{\"dim\":[{\"size\":\"1\"},{\"size\":\"-1\"},{\"size\":\"-1\"},"
         "{\"size\":\"3\"}]}}");
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
          // segmentPerson, what a first visit asks for: warming segmentPersonParts
          // too would have V8 optimise its part map on the threads the model's
          // decode and first run need.
          model_->segmentPerson(Image{pixels.data(), pixels.size(), kSize, kSize}, config);
          model_.reset();
          return true;
        }
        default:
          if (faultInHeadroom(kHeadroomStage)) return true;
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
  // A few ms of faults, so that a stop is never long in coming.
  static constexpr size_t kHeadroomStage = size_t{1} << 20;
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

void expectModel(size_t storedBytes, size_t decodedBytes) {
  // The decode copies the shards in, decodes them and lays the filters out
  // for XNNPACK, which packs them; a first call then writes about 20 MB more
  // for a megapixel photo at internalResolution 'medium' (21 MB for
  // MobileNetV1 0.75 on 1049x861), most of it XNNPACK's workspace. At most
  // what ResNet50 in float32 would need: model.json's word alone must not
  // have the page fault in gigabytes.
  constexpr uint64_t kFirstCall = uint64_t{20} << 20;
  constexpr uint64_t kMost = uint64_t{320} << 20;
  setHeadroom(static_cast<size_t>(std::min(kMost, uint64_t{storedBytes} + 2 * uint64_t{decodedBytes} + kFirstCall)));
}

void modelArrived() { endHeadroom(); }

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
