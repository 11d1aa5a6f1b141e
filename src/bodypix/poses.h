// Multi-pose decoding of @tensorflow-models/body-pix 2.2.1
// (decodeMultiplePoses + scaleAndFlipPoses), in the same order of operations
// so that poses, their order and their scores match.
#pragma once

#include <vector>

#include "bodypix/preprocess.h"

namespace bodypix::decode {

// body-pix's keypoints, in its order (js/poses.js has their names).
constexpr int kNumKeypoints = 17;

// A network output [h, w, c], HWC.
struct Grid {
  const float* data;
  int height, width, channels;
  float at(int y, int x, int c) const { return data[(static_cast<size_t>(y) * width + x) * channels + c]; }
};

// A position in pixels (of the network input or of the image): where a
// keypoint candidate lies, or where a pixel's offsets place a keypoint.
struct Point {
  double x, y;
};

struct Keypoint {
  double score;
  double x, y;
};

struct Pose {
  double score;
  Keypoint keypoints[kNumKeypoints];
};

struct PoseConfig {
  int maxDetections = 10;
  double scoreThreshold = 0.4;
  double nmsRadius = 20;
};

// heatmapLogits are the raw float_heatmaps; the sigmoid is applied here, as
// body-pix's predict() does. Positions come back in network-input pixels.
std::vector<Pose> decodeMultiplePoses(const Grid& heatmapLogits, const Grid& offsets, const Grid& displacementFwd,
                                      const Grid& displacementBwd, int outputStride, const PoseConfig& config);

// scaleAndFlipPoses without the flip (body-pix 2.2.1 never flips): from the
// network input of inputHeight x inputWidth back to the image's pixels.
void scalePoses(std::vector<Pose>& poses, int height, int width, int inputHeight, int inputWidth,
                const image::Padding& padding);

}  // namespace bodypix::decode
