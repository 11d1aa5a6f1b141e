// The BodyPix pipeline of @tensorflow-models/body-pix 2.2.1: pre-processing,
// the network, and the segmentation post-processing, with its arithmetic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bodypix/config.h"
#include "bodypix/instances.h"
#include "bodypix/poses.h"
#include "bodypix/preprocess.h"
#include "runtime/network.h"
#include "tfjs/graph_model.h"

namespace bodypix {

enum class Architecture { MobileNetV1, ResNet50 };

// The eight heads, in this order in Network outputs.
enum Head : size_t {
  kSegments,
  kPartHeatmaps,
  kHeatmaps,
  kShortOffsets,
  kLongOffsets,
  kPartOffsets,
  kDisplacementFwd,
  kDisplacementBwd,
  kHeadCount
};

// The channels post-processing and the pose decoder index each head by, on
// the segments' grid. Every official file has these; other heads would make
// them read outside the network's outputs.
constexpr size_t kHeadChannels[kHeadCount] = {1, 24, 17, 34, 34, 48, 32, 32};

struct Image {
  const uint8_t* pixels;
  size_t size;  // width * height * 4 (RGBA) or * 3 (RGB)
  int width;
  int height;
};

template <typename T>
struct Segmentation {
  std::vector<T> data;              // width * height
  std::vector<decode::Pose> poses;  // in image pixels
};

// One person of segmentMultiPerson / segmentMultiPersonParts.
template <typename T>
struct PersonSegmentation {
  std::vector<T> data;  // width * height: the person's pixels, background elsewhere
  decode::Pose pose;
};

// Wall-clock milliseconds of the phases of the last call.
struct Timings {
  double preprocess = 0;    // resize, pad, normalise
  double inference = 0;     // the network
  double segmentation = 0;  // upsampling, mask, part map
  double poses = 0;         // decodeMultiplePoses
  double instances = 0;     // matching person pixels to poses (multi-person only)
};

// What predict() returns: the eight heads of one run (indexed by Head), with
// the network input's size and padding.
struct Prediction {
  int inputHeight = 0, inputWidth = 0;  // the network input (after resize and padding)
  image::Padding padding;
  std::vector<Shape4> shapes;
  std::vector<const float*> data;
};

class BodyPixModel {
 public:
  // outputStride: 0 infers it from the graph; otherwise it must agree.
  // start: false leaves making the network (thread pool, XNNPACK runtime) to
  // start() or the first run, so that the bindings can parse the model while
  // the thread pool's Workers are still loading.
  // threads: 0 (one per core) to kMaxThreadsOption (config.h), else Error.
  BodyPixModel(const GraphModel& model, size_t threads, int outputStride, bool start = true);
  // From model.json and its shards (parseGraphModel).
  BodyPixModel(const std::string& json, const std::vector<ShardView>& shards, size_t threads, int outputStride,
               bool start = true);
  // Makes the network if it is not made yet.
  void start();

  Architecture architecture() const { return architecture_; }
  int outputStride() const { return outputStride_; }
  // Needs the network: after start() or a run.
  size_t threads() const;
  static const std::vector<std::string>& headNames(Architecture a);

  // Runs pre-processing and the network; the heads stay valid until the next call.
  Prediction predict(const Image& image, double internalResolution);

  // Each segment call first checks its config (validate(), config.h).
  // Uint8 0/1 per pixel, and the poses.
  Segmentation<uint8_t> segmentPerson(const Image& image, const SegmentationConfig& config);
  // Part id 0..23 per pixel, -1 for background, and the poses.
  Segmentation<int32_t> segmentPersonParts(const Image& image, const SegmentationConfig& config);
  // One mask (Uint8 0/1) per pose scoring at least config.poses.scoreThreshold.
  std::vector<PersonSegmentation<uint8_t>> segmentMultiPerson(const Image& image, const MultiPersonConfig& config);
  // One part map (part id, -1 elsewhere) per pose scoring at least the threshold.
  std::vector<PersonSegmentation<int32_t>> segmentMultiPersonParts(const Image& image, const MultiPersonConfig& config);

  const Timings& lastTimings() const { return timings_; }

 private:
  std::vector<decode::Pose> poses(const Prediction& heads, const Image& image, const decode::PoseConfig& config) const;
  // predict() into `heads`, then `fill(segmentData)` per pixel, then the poses.
  template <typename T, typename Fill>
  Segmentation<T> segment(const Image& image, const SegmentationConfig& config, Prediction& heads, Fill&& fill);
  Segmentation<uint8_t> segmentMask(const Image& image, const SegmentationConfig& config, Prediction& heads);
  // `mask` (optional, width * height) receives the person mask.
  Segmentation<int32_t> segmentParts(const Image& image, const SegmentationConfig& config, Prediction& heads,
                                     uint8_t* mask);
  // Splits `all` between its poses by `mask`, as body-pix's decodePersonInstance(Part)Masks.
  template <typename T>
  std::vector<PersonSegmentation<T>> splitPersons(const Image& image, const MultiPersonConfig& config,
                                                  const Prediction& heads, const uint8_t* mask,
                                                  const Segmentation<T>& all, T background);

  Architecture architecture_;
  int outputStride_ = 0;
  size_t threads_ = 0;
  std::optional<BuiltSubgraph> built_;  // until the network takes it
  std::unique_ptr<Network> network_;
  Timings timings_;
};

}  // namespace bodypix
