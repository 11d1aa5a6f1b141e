// decode::matchPersonPixels against a line-by-line transcription of body-pix
// 2.2.1's decodeMultipleMasksCPU (multi_person/decode_multiple_masks_cpu.js),
// and the cases that decide a pixel's owner: ties, poses without a confident
// face keypoint, reads outside the long-offset grid.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "bodypix/instances.h"
#include "tfjs/js_math.h"

using bodypix::decode::Grid;
using bodypix::decode::InstanceGeometry;
using bodypix::decode::kNumKeypoints;
using bodypix::decode::matchPersonPixels;
using bodypix::decode::Pose;

namespace {

// The JS, with typed-array reads past either end giving undefined (NaN here).
namespace js {

struct Position {
  double x, y;
};

double read(const std::vector<float>& a, double index) {
  if (!(index >= 0 && index < static_cast<double>(a.size()))) return std::numeric_limits<double>::quiet_NaN();
  return a[static_cast<size_t>(index)];
}

Position convertToPositionInOuput(Position p, double padT, double padL, double scaleX, double scaleY, double stride) {
  return {bodypix::tfjs::jsRound(((padL + p.x + 1.0) * scaleX - 1.0) / stride),
          bodypix::tfjs::jsRound(((padT + p.y + 1.0) * scaleY - 1.0) / stride)};
}

std::vector<int32_t> decodeMultipleMasksCPU(const std::vector<uint8_t>& segmentation,
                                            const std::vector<float>& longOffsets, const std::vector<Pose>& poses,
                                            int height, int width, int stride, int inHeight, int inWidth,
                                            const bodypix::image::Padding& padding, int refineSteps) {
  const double padT = padding.top, padL = padding.left;
  const double scaleY = static_cast<double>(inHeight) / (padding.top + padding.bottom + height);
  const double scaleX = static_cast<double>(inWidth) / (padding.left + padding.right + width);
  const double outputResolutionX = bodypix::tfjs::jsRound((inWidth - 1.0) / stride + 1.0);
  const auto convert = [&](Position p) { return convertToPositionInOuput(p, padT, padL, scaleX, scaleY, stride); };
  std::vector<int32_t> owner(segmentation.size(), -1);
  for (int i = 0; i < height; ++i)
    for (int j = 0; j < width; ++j) {
      const int n = i * width + j;
      if (segmentation[n] != 1) continue;
      Position embed[5];
      for (int k = 0; k < 5; ++k) {
        const Position loc{static_cast<double>(j), static_cast<double>(i)};
        Position np = convert(loc);
        double nn = np.y * outputResolutionX + np.x;
        double dy = read(longOffsets, kNumKeypoints * (2 * nn) + k);
        double dx = read(longOffsets, kNumKeypoints * (2 * nn + 1) + k);
        double y = loc.y + dy, x = loc.x + dx;
        for (int t = 0; t < refineSteps; ++t) {
          y = std::isnan(y) ? y : std::min(y, height - 1.0);
          x = std::isnan(x) ? x : std::min(x, width - 1.0);
          np = convert({x, y});
          nn = np.y * outputResolutionX + np.x;
          dy = read(longOffsets, kNumKeypoints * (2 * nn) + k);
          dx = read(longOffsets, kNumKeypoints * (2 * nn + 1) + k);
          y = y + dy;
          x = x + dx;
        }
        embed[k] = {x, y};
      }
      double kMinDist = std::numeric_limits<double>::infinity();
      for (size_t p = 0; p < poses.size(); ++p) {
        double distance = 0.0;
        int numKpt = 0;
        for (int q = 0; q < 5; ++q)
          if (poses[p].keypoints[q].score > 0.3) {
            numKpt += 1;
            const double ex = embed[q].x - poses[p].keypoints[q].x, ey = embed[q].y - poses[p].keypoints[q].y;
            distance += ex * ex + ey * ey;
          }
        distance = numKpt == 0 ? std::numeric_limits<double>::infinity() : distance / numKpt;
        if (distance < kMinDist) {
          owner[n] = static_cast<int32_t>(p);
          kMinDist = distance;
        }
      }
    }
  return owner;
}

}  // namespace js

Pose faceAt(double x, double y, double score = 0.9) {
  Pose p{};
  p.score = score;
  for (auto& k : p.keypoints) k = {score, x, y};
  return p;
}

// A 9x9 image on a 9x9 input at stride 4: a 3x3 grid, scale 1.
constexpr InstanceGeometry kSmall{9, 9, 9, 9, {}, 4};

std::vector<int32_t> match(const std::vector<uint8_t>& mask, std::vector<float>& offsets,
                           const std::vector<Pose>& poses, int refineSteps = 10) {
  std::vector<int32_t> owner(mask.size(), 7);
  matchPersonPixels(mask.data(), Grid{offsets.data(), 3, 3, 2 * kNumKeypoints}, poses, kSmall, refineSteps,
                    owner.data());
  return owner;
}

}  // namespace

TEST_CASE("each pixel goes to the nearest pose; ties to the first; masked-out pixels to none", "[decode][instances]") {
  std::vector<uint8_t> mask(81, 1);
  mask[8] = 0;
  std::vector<float> zero(9 * 2 * kNumKeypoints, 0.0f);  // every pixel places the face on itself
  const std::vector<int32_t> owner = match(mask, zero, {faceAt(1, 1), faceAt(7, 7)});
  CHECK(owner[0] == 0);
  CHECK(owner[80] == 1);
  CHECK(owner[4 * 9 + 4] == 0);  // equidistant
  CHECK(owner[8] == -1);
  CHECK(owner[9 * 1 + 7] == 0);  // (7, 1): equidistant again
  CHECK(owner[9 * 7 + 6] == 1);
}

TEST_CASE("a pose without a face keypoint above 0.3 owns nothing", "[decode][instances]") {
  std::vector<uint8_t> mask(81, 1);
  std::vector<float> zero(9 * 2 * kNumKeypoints, 0.0f);
  Pose faceless = faceAt(1, 1, 0.3);  // > 0.3 is needed, as in body-pix
  for (int k = 5; k < kNumKeypoints; ++k) faceless.keypoints[k].score = 1.0;
  for (int32_t o : match(mask, zero, {faceless})) CHECK(o == -1);
  for (int32_t o : match(mask, zero, {faceless, faceAt(8, 8)})) CHECK(o == 1);
  for (int32_t o : match(mask, zero, {})) CHECK(o == -1);
}

TEST_CASE("offsets pointing off the grid read the neighbouring row, or nothing", "[decode][instances]") {
  std::vector<uint8_t> mask(81, 1);
  std::vector<float> left(9 * 2 * kNumKeypoints, 0.0f);
  for (int cell = 0; cell < 9; ++cell)
    for (int k = 0; k < kNumKeypoints; ++k) left[cell * 2 * kNumKeypoints + kNumKeypoints + k] = -4.0f;
  const std::vector<int32_t> owner = match(mask, left, {faceAt(-8, 8)}, 1);
  // (0, 0) -> x -4 -> grid column -1 of row 0: before the array, NaN, no owner.
  CHECK(owner[0] == -1);
  // (0, 8) -> x -4 -> column -1 of row 2 = the end of row 1 -> x -8.
  CHECK(owner[8 * 9] == 0);
}

TEST_CASE("matchPersonPixels equals body-pix's decodeMultipleMasksCPU on random inputs", "[decode][instances]") {
  std::mt19937 rng(5);
  const auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  for (int trial = 0; trial < 40; ++trial) {
    const int stride = trial % 2 ? 16 : 8;
    const int height = 5 + static_cast<int>(rng() % 90), width = 5 + static_cast<int>(rng() % 90);
    const bodypix::image::Padding padding{static_cast<int>(rng() % 6), static_cast<int>(rng() % 6),
                                          static_cast<int>(rng() % 6), static_cast<int>(rng() % 6)};
    const int inHeight = 1 + stride * static_cast<int>(1 + rng() % 5),
              inWidth = 1 + stride * static_cast<int>(1 + rng() % 5);
    const int lh = (inHeight - 1) / stride + 1, lw = (inWidth - 1) / stride + 1;
    // Large offsets (up to twice the image) send many chains off the grid.
    const double reach = trial % 4 < 2 ? 0.3 : 2.0;
    std::vector<float> offsets(static_cast<size_t>(lh) * lw * 2 * kNumKeypoints);
    for (size_t c = 0; c < offsets.size(); ++c)
      offsets[c] = static_cast<float>(uniform(-reach, reach) * ((c / kNumKeypoints) % 2 ? width : height));
    std::vector<uint8_t> mask(static_cast<size_t>(height) * width);
    for (auto& m : mask) m = rng() % 3 != 0;
    std::vector<Pose> poses;
    for (int p = 0, count = static_cast<int>(rng() % 5); p < count; ++p) {
      Pose pose = faceAt(0, 0);
      for (auto& k : pose.keypoints) k = {uniform(0, 1), uniform(-5, width + 5), uniform(-5, height + 5)};
      poses.push_back(pose);
    }
    const int refineSteps = 1 + static_cast<int>(rng() % 20);
    INFO("trial " << trial << ": " << width << "x" << height << " stride " << stride << " input " << inWidth << "x"
                  << inHeight << " refineSteps " << refineSteps);
    std::vector<int32_t> owner(mask.size());
    matchPersonPixels(mask.data(), Grid{offsets.data(), lh, lw, 2 * kNumKeypoints}, poses,
                      {height, width, inHeight, inWidth, padding, stride}, refineSteps, owner.data());
    REQUIRE(owner == js::decodeMultipleMasksCPU(mask, offsets, poses, height, width, stride, inHeight, inWidth, padding,
                                                refineSteps));
  }
}
