#include "bodypix/poses.h"

#include <algorithm>
#include <utility>

#include "tfjs/js_math.h"

namespace bodypix::decode {
namespace {

// clang-format off
enum Part { kNose, kLeftEye, kRightEye, kLeftEar, kRightEar, kLeftShoulder, kRightShoulder, kLeftElbow,
            kRightElbow, kLeftWrist, kRightWrist, kLeftHip, kRightHip, kLeftKnee, kRightKnee, kLeftAnkle,
            kRightAnkle };
// clang-format on

// body-pix's POSE_CHAIN: (parent, child) per edge; edge i's displacements are
// channels i (y) and numEdges + i (x).
constexpr std::pair<int, int> kPoseChain[] = {
    {kNose, kLeftEye},          {kLeftEye, kLeftEar},        {kNose, kRightEye},       {kRightEye, kRightEar},
    {kNose, kLeftShoulder},     {kLeftShoulder, kLeftElbow}, {kLeftElbow, kLeftWrist}, {kLeftShoulder, kLeftHip},
    {kLeftHip, kLeftKnee},      {kLeftKnee, kLeftAnkle},     {kNose, kRightShoulder},  {kRightShoulder, kRightElbow},
    {kRightElbow, kRightWrist}, {kRightShoulder, kRightHip}, {kRightHip, kRightKnee},  {kRightKnee, kRightAnkle}};
constexpr int kNumEdges = sizeof(kPoseChain) / sizeof(kPoseChain[0]);
constexpr int kLocalMaximumRadius = 1;

struct Candidate {
  float score;
  int y, x, part;
};

// body-pix's MaxHeap, operation for operation: candidates of equal score must
// come out in the same order as in TF.js.
class MaxHeap {
 public:
  void enqueue(const Candidate& c) {
    items_.push_back(c);
    swim(static_cast<int>(items_.size()) - 1);
  }
  Candidate dequeue() {
    const Candidate max = items_[0];
    std::swap(items_[0], items_.back());
    items_.pop_back();
    sink(0);
    return max;
  }
  bool empty() const { return items_.empty(); }

 private:
  bool less(int i, int j) const { return items_[i].score < items_[j].score; }
  void swim(int k) {
    while (k > 0 && less(k / 2, k)) {
      std::swap(items_[k], items_[k / 2]);
      k /= 2;
    }
  }
  void sink(int k) {
    const int last = static_cast<int>(items_.size()) - 1;
    while (2 * k <= last) {
      int j = 2 * k;
      if (j < last && less(j, j + 1)) ++j;
      if (!less(k, j)) break;
      std::swap(items_[k], items_[j]);
      k = j;
    }
  }
  std::vector<Candidate> items_;
};

bool isLocalMaximum(const Grid& scores, int part, float score, int y, int x) {
  for (int yy = std::max(y - kLocalMaximumRadius, 0); yy < std::min(y + kLocalMaximumRadius + 1, scores.height); ++yy)
    for (int xx = std::max(x - kLocalMaximumRadius, 0); xx < std::min(x + kLocalMaximumRadius + 1, scores.width); ++xx)
      if (scores.at(yy, xx, part) > score) return false;
  return true;
}

Point imageCoords(const Candidate& c, int stride, const Grid& offsets) {
  return {c.x * stride + static_cast<double>(offsets.at(c.y, c.x, c.part + kNumKeypoints)),
          c.y * stride + static_cast<double>(offsets.at(c.y, c.x, c.part))};
}

std::pair<int, int> stridedIndexNear(const Point& p, int stride, int height, int width) {
  const auto clampTo = [](double v, int hi) { return static_cast<int>(std::min(std::max(v, 0.0), double(hi))); };
  return {clampTo(tfjs::jsRound(p.y / stride), height - 1), clampTo(tfjs::jsRound(p.x / stride), width - 1)};
}

Keypoint traverse(int edge, const Keypoint& source, int target, const Grid& scores, const Grid& offsets, int stride,
                  const Grid& displacements) {
  auto [sy, sx] = stridedIndexNear({source.x, source.y}, stride, scores.height, scores.width);
  Point point{source.x + static_cast<double>(displacements.at(sy, sx, kNumEdges + edge)),
              source.y + static_cast<double>(displacements.at(sy, sx, edge))};
  for (int step = 0; step < 2; ++step) {
    auto [ty, tx] = stridedIndexNear(point, stride, scores.height, scores.width);
    point = {tx * stride + static_cast<double>(offsets.at(ty, tx, target + kNumKeypoints)),
             ty * stride + static_cast<double>(offsets.at(ty, tx, target))};
  }
  auto [fy, fx] = stridedIndexNear(point, stride, scores.height, scores.width);
  return {scores.at(fy, fx, target), point.x, point.y};
}

bool withinNmsRadius(const std::vector<Pose>& poses, double squaredRadius, const Point& p, int part) {
  for (const Pose& pose : poses) {
    const double dy = pose.keypoints[part].y - p.y, dx = pose.keypoints[part].x - p.x;
    if (dy * dy + dx * dx <= squaredRadius) return true;
  }
  return false;
}

}  // namespace

std::vector<Pose> decodeMultiplePoses(const Grid& heatmapLogits, const Grid& offsets, const Grid& displacementFwd,
                                      const Grid& displacementBwd, int outputStride, const PoseConfig& config) {
  std::vector<float> sigmoid(static_cast<size_t>(heatmapLogits.height) * heatmapLogits.width * heatmapLogits.channels);
  for (size_t i = 0; i < sigmoid.size(); ++i) sigmoid[i] = tfjs::sigmoidF32(heatmapLogits.data[i]);
  const Grid scores{sigmoid.data(), heatmapLogits.height, heatmapLogits.width, heatmapLogits.channels};

  MaxHeap queue;
  for (int y = 0; y < scores.height; ++y)
    for (int x = 0; x < scores.width; ++x)
      for (int part = 0; part < scores.channels; ++part) {
        const float score = scores.at(y, x, part);
        if (score < config.scoreThreshold) continue;
        if (isLocalMaximum(scores, part, score, y, x)) queue.enqueue({score, y, x, part});
      }

  std::vector<Pose> poses;
  const double squaredRadius = config.nmsRadius * config.nmsRadius;
  while (static_cast<int>(poses.size()) < config.maxDetections && !queue.empty()) {
    const Candidate root = queue.dequeue();
    const Point rootPoint = imageCoords(root, outputStride, offsets);
    if (withinNmsRadius(poses, squaredRadius, rootPoint, root.part)) continue;

    Pose pose{};
    bool known[kNumKeypoints] = {};
    pose.keypoints[root.part] = {root.score, rootPoint.x, rootPoint.y};
    known[root.part] = true;
    for (int edge = kNumEdges - 1; edge >= 0; --edge) {
      const auto [parent, child] = kPoseChain[edge];
      if (known[child] && !known[parent]) {
        pose.keypoints[parent] = traverse(edge, pose.keypoints[child], parent, scores, offsets, outputStride,
                                          displacementBwd);
        known[parent] = true;
      }
    }
    for (int edge = 0; edge < kNumEdges; ++edge) {
      const auto [parent, child] = kPoseChain[edge];
      if (known[parent] && !known[child]) {
        pose.keypoints[child] = traverse(edge, pose.keypoints[parent], child, scores, offsets, outputStride,
                                         displacementFwd);
        known[child] = true;
      }
    }
    // getInstanceScore: keypoints not within the NMS radius of an earlier pose.
    double total = 0;
    for (int k = 0; k < kNumKeypoints; ++k)
      if (!withinNmsRadius(poses, squaredRadius, {pose.keypoints[k].x, pose.keypoints[k].y}, k))
        total += pose.keypoints[k].score;
    pose.score = total / kNumKeypoints;
    poses.push_back(pose);
  }
  return poses;
}

void scalePoses(std::vector<Pose>& poses, int height, int width, int inputHeight, int inputWidth,
                const image::Padding& padding) {
  const double scaleY = static_cast<double>(height + padding.top + padding.bottom) / inputHeight;
  const double scaleX = static_cast<double>(width + padding.left + padding.right) / inputWidth;
  if (scaleX == 1 && scaleY == 1 && padding.top == 0 && padding.left == 0) return;
  for (Pose& pose : poses)
    for (Keypoint& k : pose.keypoints) {
      k.x = k.x * scaleX + -padding.left;
      k.y = k.y * scaleY + -padding.top;
    }
}

}  // namespace bodypix::decode
