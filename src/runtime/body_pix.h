// The BodyPix pipeline of @tensorflow-models/body-pix 2.2.1: pre-processing,
// the network, and the segmentation post-processing, with its arithmetic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "decode/poses.h"
#include "image/image_ops.h"
#include "model/graph_model.h"
#include "runtime/network.h"

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

struct Image {
  const uint8_t* pixels;
  size_t size;  // width * height * 4 (RGBA) or * 3 (RGB)
  int width;
  int height;
};

struct SegmentationConfig {
  double internalResolution = 0.5;  // body-pix's 'medium'
  float segmentationThreshold = 0.7f;
  decode::PoseConfig poses;
};

template <typename T>
struct Segmentation {
  std::vector<T> data;  // width * height
  std::vector<decode::Pose> poses;  // in image pixels
};

struct Heads {
  int inputHeight = 0, inputWidth = 0;  // the network input (after resize and padding)
  image::Padding padding;
  std::vector<Shape4> shapes;
  std::vector<const float*> data;
};

class BodyPixModel {
 public:
  // outputStride: 0 infers it from the graph; otherwise it must agree.
  BodyPixModel(const std::string& json, const std::vector<ShardView>& shards, size_t threads, int outputStride);

  Architecture architecture() const { return architecture_; }
  int outputStride() const { return outputStride_; }
  size_t threads() const { return network_->threads(); }
  static const std::vector<std::string>& headNames(Architecture a);

  // Runs pre-processing and the network; the heads stay valid until the next call.
  Heads predict(const Image& image, double internalResolution);

  // Uint8 0/1 per pixel, and the poses.
  Segmentation<uint8_t> segmentPerson(const Image& image, const SegmentationConfig& config);
  // Part id 0..23 per pixel, -1 for background, and the poses.
  Segmentation<int32_t> segmentPersonParts(const Image& image, const SegmentationConfig& config);

 private:
  std::vector<decode::Pose> poses(const Heads& heads, const Image& image, const decode::PoseConfig& config) const;
  // predict(), then `fill(heads, segmentData)` per pixel, then the poses.
  template <typename T, typename Fill>
  Segmentation<T> segment(const Image& image, const SegmentationConfig& config, Fill&& fill);

  Architecture architecture_;
  int outputStride_ = 0;
  std::unique_ptr<Network> network_;
  std::vector<float> input_;  // reused network input buffer
};

}  // namespace bodypix
