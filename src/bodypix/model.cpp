#include "bodypix/model.h"

#include <chrono>
#include <cmath>

#include "bodypix/parts.h"
#include "bodypix/segmentation.h"
#include "error.h"

namespace bodypix {
namespace {

// The graph's output nodes; only the displacement heads carry the backbone's scope.
std::vector<std::string> outputNames(const std::string& scope) {
  return {"float_segments",
          "float_part_heatmaps",
          "float_heatmaps",
          "float_short_offsets",
          "float_long_offsets",
          "float_part_offsets",
          scope + "/displacement_fwd_2/BiasAdd",
          scope + "/displacement_bwd_2/BiasAdd"};
}

const std::vector<std::string>& mobileNetHeads() {
  static const std::vector<std::string> names = outputNames("MobilenetV1");
  return names;
}

const std::vector<std::string>& resNetHeads() {
  static const std::vector<std::string> names = outputNames("resnet_v1_50");
  return names;
}

Architecture detectArchitecture(const GraphModel& model) {
  if (model.find(mobileNetHeads()[kDisplacementFwd])) return Architecture::MobileNetV1;
  if (model.find(resNetHeads()[kDisplacementFwd])) return Architecture::ResNet50;
  throw Error("model has neither MobileNetV1 nor ResNet50 BodyPix heads: it is not a BodyPix model");
}

// RGBA or RGB, told apart by the data length.
int channelsOf(const Image& image) {
  if (image.width <= 0 || image.height <= 0)
    throw Error("image size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                " is invalid: width and height must be positive");
  // 64 bits: on wasm32, 65536x65536 RGBA would wrap to 0 bytes and match empty data.
  const uint64_t pixels = static_cast<uint64_t>(image.width) * static_cast<uint64_t>(image.height);
  if (image.size == pixels * 4) return 4;
  if (image.size == pixels * 3) return 3;
  throw Error("image data has " + std::to_string(image.size) + " bytes but " + std::to_string(image.width) + "x" +
              std::to_string(image.height) + " needs " + std::to_string(pixels * 4) + " (RGBA) or " +
              std::to_string(pixels * 3) + " (RGB)");
}

void checkHeads(const std::vector<std::string>& names, const std::vector<Shape4>& shapes) {
  const Shape4& grid = shapes[kSegments];
  for (size_t h = 0; h < kHeadCount; ++h) {
    const Shape4& s = shapes[h];
    if (s.n != 1 || s.h != grid.h || s.w != grid.w || s.c != kHeadChannels[h])
      throw Error("model output '" + names[h] + "' has shape [" + std::to_string(s.n) + "," + std::to_string(s.h) +
                  "," + std::to_string(s.w) + "," + std::to_string(s.c) + "]; BodyPix needs [1," +
                  std::to_string(grid.h) + "," + std::to_string(grid.w) + "," + std::to_string(kHeadChannels[h]) +
                  "]: it is not a BodyPix model");
  }
}

decode::Grid gridOf(const Prediction& heads, Head h) {
  const Shape4& s = heads.shapes[h];
  return decode::Grid{heads.data[h], static_cast<int>(s.h), static_cast<int>(s.w), static_cast<int>(s.c)};
}

// How the segments' grid maps back onto the image.
image::OutputGeometry outputGeometry(const Prediction& heads, const Image& image) {
  const Shape4& s = heads.shapes[kSegments];
  return {static_cast<int>(s.h), static_cast<int>(s.w), heads.inputHeight, heads.inputWidth,
          heads.padding,         image.height,          image.width};
}

// Milliseconds since the last call (the first call starts the clock).
class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

const std::vector<std::string>& BodyPixModel::headNames(Architecture a) {
  return a == Architecture::MobileNetV1 ? mobileNetHeads() : resNetHeads();
}

BodyPixModel::BodyPixModel(const std::string& json, const std::vector<ShardView>& shards, size_t threads,
                           int outputStride, bool start)
    : BodyPixModel(parseGraphModel(json, shards), threads, outputStride, start) {}

BodyPixModel::BodyPixModel(const GraphModel& model, size_t threads, int outputStride, bool start) : threads_(threads) {
  validateThreads(threads);
  architecture_ = detectArchitecture(model);
  built_ = buildSubgraph(model, headNames(architecture_));
  // Pre-processing hands the network RGB.
  if (built_->inputChannels != 3)
    throw Error("the model's input takes " + std::to_string(built_->inputChannels) +
                " channels; BodyPix models take RGB images (3)");
  // The graph does not state its stride; its output grid at a valid input
  // size does: (input - 1) / stride + 1 cells.
  const size_t in = BuiltSubgraph::kNominalInputSize;
  const std::vector<size_t>& shape = built_->nominalOutputShapes[kSegments];
  const size_t out = shape.size() == 4 ? shape[1] : 0;
  if (out < 2 || shape[2] != out || (in - 1) % (out - 1) != 0)
    throw Error("model's output grid does not match any BodyPix stride");
  outputStride_ = static_cast<int>((in - 1) / (out - 1));
  std::vector<Shape4> nominal;
  for (const std::vector<size_t>& s : built_->nominalOutputShapes)
    nominal.push_back(s.size() == 4 ? Shape4{s[0], s[1], s[2], s[3]} : Shape4{});
  checkHeads(headNames(architecture_), nominal);
  if (outputStride != 0 && outputStride != outputStride_)
    throw Error("outputStride " + std::to_string(outputStride) + " was asked for but the model file has stride " +
                std::to_string(outputStride_));
  if (start) this->start();
}

void BodyPixModel::start() {
  if (network_) return;
  // Taken out first: after a failed attempt there is nothing left to retry with.
  if (!built_) throw Error("the model's network could not be made");
  BuiltSubgraph built = std::move(*built_);
  built_.reset();
  network_ = std::make_unique<Network>(std::move(built), threads_);
}

size_t BodyPixModel::threads() const {
  if (!network_) throw Error("the model's network is not made yet: call start() first");
  return network_->threads();
}

Prediction BodyPixModel::predict(const Image& image, double internalResolution) {
  start();
  timings_ = {};
  Stopwatch clock;
  const int channels = channelsOf(image);
  const image::Size target = image::toInputResolutionHeightAndWidth(internalResolution, outputStride_, image.height,
                                                                    image.width);
  const size_t height = static_cast<size_t>(target.height), width = static_cast<size_t>(target.width);
  float* input = network_->input(height, width);
  Prediction heads;
  heads.inputHeight = target.height;
  heads.inputWidth = target.width;
  heads.padding = image::preprocess(image.pixels, channels, image.height, image.width, target.height, target.width,
                                    architecture_ == Architecture::MobileNetV1 ? image::Normalization::MobileNet
                                                                               : image::Normalization::ResNet,
                                    input, network_->pool());
  timings_.preprocess = clock.lap();
  network_->run(height, width);
  timings_.inference = clock.lap();
  for (size_t i = 0; i < kHeadCount; ++i) {
    heads.shapes.push_back(network_->outputShape(i));
    heads.data.push_back(network_->output(i));
  }
  // Shapes that agree at the nominal size could still part at another.
  checkHeads(headNames(architecture_), heads.shapes);
  return heads;
}

std::vector<decode::Pose> BodyPixModel::poses(const Prediction& heads, const Image& image,
                                              const decode::PoseConfig& config) const {
  std::vector<decode::Pose> poses = decode::decodeMultiplePoses(gridOf(heads, kHeatmaps), gridOf(heads, kShortOffsets),
                                                                gridOf(heads, kDisplacementFwd),
                                                                gridOf(heads, kDisplacementBwd), outputStride_, config);
  decode::scalePoses(poses, image.height, image.width, heads.inputHeight, heads.inputWidth, heads.padding);
  return poses;
}

template <typename T, typename Fill>
Segmentation<T> BodyPixModel::segment(const Image& image, const SegmentationConfig& config, Prediction& heads,
                                      Fill&& fill) {
  heads = predict(image, config.internalResolution);
  Stopwatch clock;
  Segmentation<T> out;
  out.data.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height));
  fill(out.data.data());
  timings_.segmentation = clock.lap();
  out.poses = poses(heads, image, config.poses);
  timings_.poses = clock.lap();
  return out;
}

template <typename T>
std::vector<PersonSegmentation<T>> BodyPixModel::splitPersons(const Image& image, const MultiPersonConfig& config,
                                                              const Prediction& heads, const uint8_t* mask,
                                                              const Segmentation<T>& all, T background) {
  Stopwatch clock;
  // decodePersonInstanceMasks' posesAboveScore: the pose score threshold is scoreThreshold.
  std::vector<decode::Pose> poses;
  for (const decode::Pose& p : all.poses)
    if (p.score >= config.poses.scoreThreshold) poses.push_back(p);
  const size_t n = all.data.size();
  std::vector<int32_t> owner(n);
  decode::matchPersonPixels(mask, gridOf(heads, kLongOffsets), poses,
                            {image.height, image.width, heads.inputHeight, heads.inputWidth, heads.padding,
                             outputStride_},
                            config.refineSteps, owner.data(), network_->pool());
  std::vector<PersonSegmentation<T>> persons(poses.size());
  for (size_t p = 0; p < poses.size(); ++p) {
    persons[p].data.assign(n, background);
    persons[p].pose = poses[p];
  }
  for (size_t i = 0; i < n; ++i)
    if (owner[i] >= 0) persons[owner[i]].data[i] = all.data[i];
  timings_.instances = clock.lap();
  return persons;
}

Segmentation<uint8_t> BodyPixModel::segmentPerson(const Image& image, const SegmentationConfig& config) {
  validate(config);
  Prediction heads;
  return segmentMask(image, config, heads);
}

Segmentation<uint8_t> BodyPixModel::segmentMask(const Image& image, const SegmentationConfig& config,
                                                Prediction& heads) {
  return segment<uint8_t>(image, config, heads, [&](uint8_t* mask) {
    image::segmentationMask(heads.data[kSegments], outputGeometry(heads, image), config.segmentationThreshold, mask,
                            network_->pool());
  });
}

Segmentation<int32_t> BodyPixModel::segmentPersonParts(const Image& image, const SegmentationConfig& config) {
  validate(config);
  Prediction heads;
  return segmentParts(image, config, heads, nullptr);
}

Segmentation<int32_t> BodyPixModel::segmentParts(const Image& image, const SegmentationConfig& config,
                                                 Prediction& heads, uint8_t* mask) {
  return segment<int32_t>(image, config, heads, [&](int32_t* parts) {
    image::partSegmentation(heads.data[kSegments], heads.data[kPartHeatmaps],
                            static_cast<int>(heads.shapes[kPartHeatmaps].c), outputGeometry(heads, image),
                            config.segmentationThreshold, parts, mask, network_->pool());
  });
}

std::vector<PersonSegmentation<uint8_t>> BodyPixModel::segmentMultiPerson(const Image& image,
                                                                          const MultiPersonConfig& config) {
  validate(config);
  Prediction heads;
  const Segmentation<uint8_t> all = segmentMask(image, config, heads);
  return splitPersons<uint8_t>(image, config, heads, all.data.data(), all, 0);
}

std::vector<PersonSegmentation<int32_t>> BodyPixModel::segmentMultiPersonParts(const Image& image,
                                                                               const MultiPersonConfig& config) {
  validate(config);
  Prediction heads;
  std::vector<uint8_t> mask(static_cast<size_t>(image.width) * static_cast<size_t>(image.height));
  const Segmentation<int32_t> all = segmentParts(image, config, heads, mask.data());
  return splitPersons<int32_t>(image, config, heads, mask.data(), all, -1);
}

}  // namespace bodypix
