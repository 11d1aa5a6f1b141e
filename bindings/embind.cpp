// Embind surface of the engine. Every entry point turns C++ exceptions into
// JS Errors carrying the message, so a bad input never aborts the module.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "bodypix/model.h"
#include "error.h"
#include "tfjs/json.h"
#include "warmup/warm_up.h"

using emscripten::val;

namespace bodypix {
namespace {

[[noreturn]] void throwJsError(const std::string& message) { val::global("Error").new_(message).throw_(); }

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throwJsError(
        "out of memory: the WebAssembly heap (at most 4 GB) cannot hold what this call needs; "
        "use a smaller image or a lower internalResolution");
  } catch (const std::exception& e) {
    throwJsError(e.what());
  }
}

// clang-format off
bool isByteArray(const val& v) {
  return v.instanceof(val::global("Uint8Array")) || v.instanceof(val::global("Uint8ClampedArray"));
}
// clang-format on

std::vector<uint8_t> bytesOf(const val& v, const std::string& what) {
  if (!isByteArray(v)) throw Error(what + " must be a Uint8Array or Uint8ClampedArray");
  return emscripten::convertJSArrayToNumberVector<uint8_t>(v);
}

double numberField(const val& config, const char* key, double fallback) {
  const val v = config[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (v.typeOf().as<std::string>() != "number")
    throw Error(std::string(key) + " must be a number, got " + v.typeOf().as<std::string>());
  return v.as<double>();
}

// The config objects of body-pix's calls, marshalled into the engine's
// structs: numbers checked as numbers here, values by the engine (config.h,
// whose *From functions narrow what the structs' types cannot hold).
SegmentationConfig parseConfig(const val& config) {
  SegmentationConfig c;
  if (config.isUndefined() || config.isNull()) return c;
  if (config.typeOf().as<std::string>() != "object") throw Error("config must be an object");
  const val res = config["internalResolution"];
  if (!res.isUndefined() && !res.isNull()) {
    const std::string type = res.typeOf().as<std::string>();
    if (type == "string") c.internalResolution = image::internalResolutionFraction(res.as<std::string>());
    else if (type == "number") c.internalResolution = image::internalResolutionFraction(res.as<double>());
    else throw Error("internalResolution must be a string or a number, got " + type);
  }
  c.segmentationThreshold = segmentationThresholdFrom(
      numberField(config, "segmentationThreshold", c.segmentationThreshold));
  c.poses.maxDetections = maxDetectionsFrom(numberField(config, "maxDetections", c.poses.maxDetections));
  c.poses.scoreThreshold = numberField(config, "scoreThreshold", c.poses.scoreThreshold);
  c.poses.nmsRadius = numberField(config, "nmsRadius", c.poses.nmsRadius);
  return c;
}

MultiPersonConfig parseMultiPersonConfig(const val& config) {
  MultiPersonConfig c;
  static_cast<SegmentationConfig&>(c) = parseConfig(config);
  if (config.isUndefined() || config.isNull()) return c;
  c.minKeypointScore = numberField(config, "minKeypointScore", c.minKeypointScore);
  c.refineSteps = refineStepsFrom(numberField(config, "refineSteps", c.refineSteps));
  return c;
}

int intArg(const val& v, const char* what) {
  if (v.typeOf().as<std::string>() != "number") throw Error(std::string(what) + " must be a number");
  const double d = v.as<double>();
  if (d != static_cast<double>(static_cast<int>(d)) || d < 0 || d > 1e6)
    throw Error(std::string(what) + " " + std::to_string(d) + " is not a valid image dimension");
  return static_cast<int>(d);
}

// 8192x8192. Checked before the pixels are copied into the Wasm heap, which
// never shrinks again, and so that byte counts stay far from 32-bit overflow.
constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

std::vector<uint8_t> imageBytes(const val& pixels, const val& width, const val& height) {
  const int w = intArg(width, "width"), h = intArg(height, "height");
  if (int64_t{w} * h > kMaxImagePixels)
    throw Error("image " + std::to_string(w) + "x" + std::to_string(h) + " has more than the " +
                std::to_string(kMaxImagePixels) + " pixels (8192x8192) the engine accepts: downscale it first");
  return bytesOf(pixels, "image data");
}

template <typename T>
val copyOut(const std::vector<T>& data) {
  return val(emscripten::typed_memory_view(data.size(), data.data())).call<val>("slice");
}

// Poses go out as one Float64Array of kPoseNumbers per pose (score, then
// score, x, y per keypoint), which js/poses.js turns into body-pix's Pose
// objects: ~20x faster than building them here one Embind call at a time.
constexpr size_t kPoseNumbers = 1 + 3 * decode::kNumKeypoints;
static_assert(sizeof(decode::Pose) == kPoseNumbers * sizeof(double), "Pose is its doubles, in order");

val posesOut(const decode::Pose* poses, size_t count) {
  return val(emscripten::typed_memory_view(count * kPoseNumbers, reinterpret_cast<const double*>(poses)))
      .call<val>("slice");
}

template <typename T>
val toJs(const Segmentation<T>& s) {
  val out = val::object();
  out.set("data", copyOut(s.data));
  out.set("poses", posesOut(s.poses.data(), s.poses.size()));
  return out;
}

// [{data, pose}], one per person; the JS side adds width and height.
template <typename T>
val toJs(const std::vector<PersonSegmentation<T>>& persons) {
  val out = val::array();
  for (const PersonSegmentation<T>& p : persons) {
    val person = val::object();
    person.set("data", copyOut(p.data));
    person.set("pose", posesOut(&p.pose, 1));
    out.call<void>("push", person);
  }
  return out;
}

class Model {
 public:
  Model(const GraphModel& graph, const val& options) {
    const val opts = options.isUndefined() || options.isNull() ? val::object() : options;
    const double threads = numberField(opts, "threads", 0);
    const double stride = numberField(opts, "outputStride", 0);
    model_ = std::make_unique<BodyPixModel>(graph, threadsFrom(threads), static_cast<int>(stride), /*start=*/false);
  }

  // Makes the network. Left out of load() so that JS can parse the model
  // while the thread pool's Workers load (creating the pool before they have
  // would block this thread on Workers that need it to start).
  void start() {
    guarded([&] { model_->start(); });
  }

  val info() const {
    return guarded([&] {
      val o = val::object();
      o.set("architecture", model_->architecture() == Architecture::MobileNetV1 ? "MobileNetV1" : "ResNet50");
      o.set("outputStride", model_->outputStride());
      o.set("threads", static_cast<int>(model_->threads()));
      return o;
    });
  }

  val segmentPerson(const val& pixels, const val& width, const val& height, const val& config) {
    return guarded([&] {
      const std::vector<uint8_t> bytes = imageBytes(pixels, width, height);
      return toJs(model_->segmentPerson(image(bytes, width, height), parseConfig(config)));
    });
  }

  val segmentPersonParts(const val& pixels, const val& width, const val& height, const val& config) {
    return guarded([&] {
      const std::vector<uint8_t> bytes = imageBytes(pixels, width, height);
      return toJs(model_->segmentPersonParts(image(bytes, width, height), parseConfig(config)));
    });
  }

  val segmentMultiPerson(const val& pixels, const val& width, const val& height, const val& config) {
    return guarded([&] {
      const std::vector<uint8_t> bytes = imageBytes(pixels, width, height);
      return toJs(model_->segmentMultiPerson(image(bytes, width, height), parseMultiPersonConfig(config)));
    });
  }

  val segmentMultiPersonParts(const val& pixels, const val& width, const val& height, const val& config) {
    return guarded([&] {
      const std::vector<uint8_t> bytes = imageBytes(pixels, width, height);
      return toJs(model_->segmentMultiPersonParts(image(bytes, width, height), parseMultiPersonConfig(config)));
    });
  }

  // Milliseconds per phase of the last call, for benchmarks.
  val timings() const {
    const Timings& t = model_->lastTimings();
    val o = val::object();
    o.set("preprocess", t.preprocess);
    o.set("inference", t.inference);
    o.set("segmentation", t.segmentation);
    o.set("poses", t.poses);
    o.set("instances", t.instances);
    return o;
  }

  // The raw network outputs, for parity tests and for decoding done in JS.
  val predict(const val& pixels, const val& width, const val& height, const val& config) {
    return guarded([&] {
      const std::vector<uint8_t> bytes = imageBytes(pixels, width, height);
      // Checked whole, as the segment calls do, though only internalResolution is used.
      const SegmentationConfig c = parseConfig(config);
      validate(c);
      const Prediction heads = model_->predict(image(bytes, width, height), c.internalResolution);
      val out = val::object();
      const auto& names = BodyPixModel::headNames(model_->architecture());
      for (size_t i = 0; i < kHeadCount; ++i) {
        const Shape4& s = heads.shapes[i];
        val head = val::object();
        val shape = val::array();
        shape.call<void>("push", s.h, s.w, s.c);
        head.set("shape", shape);
        head.set("data", val(emscripten::typed_memory_view(s.size(), heads.data[i])).call<val>("slice"));
        out.set(names[i], head);
      }
      val padding = val::object();
      padding.set("top", heads.padding.top);
      padding.set("bottom", heads.padding.bottom);
      padding.set("left", heads.padding.left);
      padding.set("right", heads.padding.right);
      out.set("padding", padding);
      val size = val::array();
      size.call<void>("push", heads.inputHeight, heads.inputWidth);
      out.set("inputSize", size);
      return out;
    });
  }

 private:
  static Image image(const std::vector<uint8_t>& bytes, const val& width, const val& height) {
    return Image{bytes.data(), bytes.size(), intArg(width, "width"), intArg(height, "height")};
  }

  std::unique_ptr<BodyPixModel> model_;
};

// model.json read as soon as it is in (parseModel), while its weight shards
// may still be downloading; load() then takes them.
class PendingModel {
 public:
  explicit PendingModel(const val& document) : json_(JsonDocument(document).root()) {
    bodypix::warmup::expectModel(json_.storedBytes(), json_.decodedBytes());
  }

  std::unique_ptr<Model> load(const val& shards, const val& options) {
    bodypix::warmup::modelArrived();
    return guarded([&] {
      if (!shards.isArray()) throw Error("shards must be an array of Uint8Array");
      const size_t count = shards["length"].as<size_t>();
      std::vector<std::vector<uint8_t>> bytes;
      for (size_t i = 0; i < count; ++i) bytes.push_back(bytesOf(shards[i], "shard " + std::to_string(i)));
      std::vector<ShardView> views;
      for (const auto& b : bytes) views.push_back({b.data(), b.size()});
      return std::make_unique<Model>(json_.withWeights(views), options);
    });
  }

 private:
  ModelJson json_;
};

// document: model.json as JSON.parse gives it.
std::unique_ptr<PendingModel> parseModel(const val& document) {
  return guarded([&] { return std::make_unique<PendingModel>(document); });
}

// The engine's defaults for a multi-person call (a superset of the others'),
// which the package's exported configs must equal (a test checks).
val defaultConfig() {
  const MultiPersonConfig c;
  val o = val::object();
  o.set("internalResolution", c.internalResolution);
  o.set("segmentationThreshold", c.segmentationThreshold);
  o.set("maxDetections", c.poses.maxDetections);
  o.set("scoreThreshold", c.poses.scoreThreshold);
  o.set("nmsRadius", c.poses.nmsRadius);
  o.set("minKeypointScore", c.minKeypointScore);
  o.set("refineSteps", c.refineSteps);
  return o;
}

// The Wasm heap's size and the bytes malloc has handed out, for leak checks.
val memoryStats() {
  const struct mallinfo info = mallinfo();
  val o = val::object();
  o.set("heapBytes", static_cast<double>(emscripten_get_heap_size()));
  // mallinfo's fields are ints: past 2 GB they read as negative.
  o.set("allocatedBytes", static_cast<double>(static_cast<unsigned>(info.uordblks)));
  return o;
}

}  // namespace
}  // namespace bodypix

EMSCRIPTEN_BINDINGS(bodypix) {
  emscripten::class_<bodypix::Model>("Model")
      .function("start", &bodypix::Model::start)
      .function("info", &bodypix::Model::info)
      .function("segmentPerson", &bodypix::Model::segmentPerson)
      .function("segmentPersonParts", &bodypix::Model::segmentPersonParts)
      .function("segmentMultiPerson", &bodypix::Model::segmentMultiPerson)
      .function("segmentMultiPersonParts", &bodypix::Model::segmentMultiPersonParts)
      .function("timings", &bodypix::Model::timings)
      .function("predict", &bodypix::Model::predict);
  emscripten::class_<bodypix::PendingModel>("PendingModel").function("load", &bodypix::PendingModel::load);
  emscripten::function("parseModel", &bodypix::parseModel);
  emscripten::function("memoryStats", &bodypix::memoryStats);
  emscripten::function("defaultConfig", &bodypix::defaultConfig);
  emscripten::function("startWarmUp", &bodypix::warmup::start);
  emscripten::function("warmUpStep", &bodypix::warmup::step);
}
