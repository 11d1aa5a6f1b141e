#include "bodypix/instances.h"

#include <cmath>
#include <limits>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "tfjs/js_math.h"

namespace bodypix::decode {
namespace {

// body-pix matches on the first 5 keypoints (nose, eyes, ears), counting a
// pose's keypoint when its score exceeds 0.3. The CPU path never passes
// config.minKeypointScore down: only the WebGL kernel uses it.
constexpr int kMatchedKeypoints = 5;
constexpr double kMinPartScore = 0.3;

// getEmbedding() for the matched keypoints of one pixel.
class Embedder {
 public:
  Embedder(const Grid& longOffsets, const InstanceGeometry& g, int refineSteps) noexcept
      : offsets_(longOffsets.data),
        cells_(static_cast<double>(longOffsets.height) * longOffsets.width),
        padT_(g.padding.top),
        padL_(g.padding.left),
        // getScale()
        scaleX_(static_cast<double>(g.inputWidth) / (g.padding.left + g.padding.right + g.width)),
        scaleY_(static_cast<double>(g.inputHeight) / (g.padding.top + g.padding.bottom + g.height)),
        stride_(g.outputStride),
        // x / stride == x * (1 / stride) exactly when the stride is a power of two (8, 16, 32).
        inverseStride_((g.outputStride & (g.outputStride - 1)) == 0 ? 1.0 / g.outputStride : 0.0),
        // getOutputResolution()
        outputResolutionX_(tfjs::jsRound((g.inputWidth - 1.0) / g.outputStride + 1.0)),
        maxY_(g.height - 1.0),
        maxX_(g.width - 1.0),
        refineSteps_(refineSteps) {}

  // Where pixels (x[n], y) place each matched keypoint. The chains of all
  // keypoints of all N pixels are independent: a step of one is a long run of
  // dependent operations, and stepping them together lets the CPU overlap them.
  template <int N>
  void embed(const double (&x)[N], double y, Point (&out)[N][kMatchedKeypoints]) const noexcept {
    const float* first[N];
    for (int n = 0; n < N; ++n) first[n] = cellAt(x[n], y);
#ifdef __wasm_simd128__
    // One keypoint's (x, y) per vector, in the same IEEE operations, in the
    // same order, as the scalar code below: the same bits in each lane.
    // f64x2.pmin(a, b) is b < a ? b : a, which is jsMin.
    const v128_t max = wasm_f64x2_make(maxX_, maxY_), pad = wasm_f64x2_make(padL_, padT_),
                 scale = wasm_f64x2_make(scaleX_, scaleY_), one = wasm_f64x2_splat(1.0), half = wasm_f64x2_splat(0.5),
                 stride = wasm_f64x2_splat(stride_), inverseStride = wasm_f64x2_splat(inverseStride_);
    v128_t p[N][kMatchedKeypoints];
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < kMatchedKeypoints; ++k)
        p[n][k] = wasm_f64x2_add(wasm_f64x2_make(x[n], y), offsets(first[n], k));
    // With the loop over n unrolled, p stays in wasm locals (registers)
    // instead of memory.
    for (int t = 0; t < refineSteps_; ++t)
#pragma clang loop unroll(full)
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < kMatchedKeypoints; ++k) {
          const v128_t q = wasm_f64x2_pmin(p[n][k], max);
          const v128_t v = wasm_f64x2_sub(wasm_f64x2_mul(wasm_f64x2_add(wasm_f64x2_add(pad, q), one), scale), one);
          const v128_t o = inverseStride_ != 0.0 ? wasm_f64x2_mul(v, inverseStride) : wasm_f64x2_div(v, stride);
          const v128_t f = wasm_f64x2_floor(o);
          const v128_t c = wasm_f64x2_add(f, wasm_v128_and(wasm_f64x2_ge(wasm_f64x2_sub(o, f), half), one));
          const float* cell = cellOf(wasm_f64x2_extract_lane(c, 1) * outputResolutionX_ +
                                     wasm_f64x2_extract_lane(c, 0));
          p[n][k] = wasm_f64x2_add(q, offsets(cell, k));
        }
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < kMatchedKeypoints; ++k)
        out[n][k] = {wasm_f64x2_extract_lane(p[n][k], 0), wasm_f64x2_extract_lane(p[n][k], 1)};
#else
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < kMatchedKeypoints; ++k) {
        out[n][k].y = y + offset(first[n], k);
        out[n][k].x = x[n] + offset(first[n], kNumKeypoints + k);
      }
    for (int t = 0; t < refineSteps_; ++t)
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < kMatchedKeypoints; ++k) {
          Point& p = out[n][k];
          p.y = jsMin(p.y, maxY_);
          p.x = jsMin(p.x, maxX_);
          const float* cell = cellAt(p.x, p.y);
          p.y += offset(cell, k);
          p.x += offset(cell, kNumKeypoints + k);
        }
#endif
  }

 private:
  // Math.min: NaN wins (b is never NaN here).
  static double jsMin(double a, double b) noexcept { return b < a ? b : a; }
  // Math.round, but +0 for -0 (a cell index is the same either way). Written
  // to compile without branches: the fractions are random, a branch here
  // would mispredict half of the time.
  static double round(double v) noexcept {
    const double f = std::floor(v);
    return f + static_cast<double>(v - f >= 0.5);
  }

  // A read past the array is `undefined` in JS, which makes the sum NaN.
  static double offset(const float* cell, int channel) noexcept {
    return cell ? static_cast<double>(cell[channel]) : std::numeric_limits<double>::quiet_NaN();
  }
#ifdef __wasm_simd128__
  // offset() of keypoint k's (dx, dy), as one vector.
  static v128_t offsets(const float* cell, int k) noexcept {
    if (!cell) return wasm_f64x2_splat(std::numeric_limits<double>::quiet_NaN());
    return wasm_f64x2_promote_low_f32x4(
        wasm_v128_load32_lane(cell + k, wasm_v128_load32_zero(cell + kNumKeypoints + k), 1));
  }
#endif

  double toOutput(double v) const noexcept { return inverseStride_ != 0.0 ? v * inverseStride_ : v / stride_; }

  // convertToPositionInOuput(), then the cell that body-pix's flat index
  // longOffsets[17 * 2nn + k] reads.
  const float* cellAt(double x, double y) const noexcept {
    const double cy = round(toOutput((padT_ + y + 1.0) * scaleY_ - 1.0));
    const double cx = round(toOutput((padL_ + x + 1.0) * scaleX_ - 1.0));
    return cellOf(cy * outputResolutionX_ + cx);
  }
  // A column left of or right of the grid wraps to the neighbouring row, as
  // in JS; nullptr outside the array (NaN included).
  const float* cellOf(double nn) const noexcept {
    if (!(nn >= 0 && nn < cells_)) return nullptr;
    return offsets_ + static_cast<size_t>(nn) * (2 * kNumKeypoints);
  }

  const float* offsets_;
  double cells_;
  double padT_, padL_;
  double scaleX_, scaleY_;
  double stride_, inverseStride_;
  double outputResolutionX_;
  double maxY_, maxX_;
  int refineSteps_;
};

// computeDistance(): mean squared distance over the pose's confident
// keypoints; Infinity without any, NaN if an embedding is NaN.
double distance(const Point (&embedding)[kMatchedKeypoints], const Pose& pose) noexcept {
  double total = 0.0;
  int count = 0;
  for (int p = 0; p < kMatchedKeypoints; ++p) {
    const Keypoint& k = pose.keypoints[p];
    if (k.score > kMinPartScore) {
      ++count;
      const double dx = embedding[p].x - k.x, dy = embedding[p].y - k.y;
      total += dx * dx + dy * dy;  // Math.pow(d, 2) is d * d in V8
    }
  }
  return count == 0 ? std::numeric_limits<double>::infinity() : total / count;
}

// Pixels go through embed() kBatch at a time, for the overlap it describes.
// The scalar code has no registers to spare for a second pixel's chains: it
// measured slower with two.
#ifdef __wasm_simd128__
constexpr int kBatch = 2;
#else
constexpr int kBatch = 1;
#endif
// matchPersonPixels() on the rows pthreadpool hands out.
struct Task {
  const Embedder embedder;
  const uint8_t* mask;
  const std::vector<Pose>& poses;
  int width;
  int32_t* owner;
  // One image row.
  void row(int i) const noexcept {
    int pending[kBatch];
    int count = 0;
    for (int j = 0; j < width; ++j) {
      owner[static_cast<size_t>(i) * width + j] = -1;
      if (mask[static_cast<size_t>(i) * width + j] != 1 || poses.empty()) continue;
      pending[count++] = j;
      if (count == kBatch) {
        match<kBatch>(i, pending);
        count = 0;
      }
    }
    for (int r = 0; r < count; ++r) match<1>(i, &pending[r]);
  }
  // Pixels (columns[n], i).
  template <int N>
  void match(int i, const int* columns) const noexcept {
    double x[N];
    for (int n = 0; n < N; ++n) x[n] = columns[n];
    Point embedding[N][kMatchedKeypoints];
    embedder.embed<N>(x, i, embedding);
    for (int n = 0; n < N; ++n) {
      // matchEmbeddingToInstance(): the first pose at the smallest distance.
      int32_t& o = owner[static_cast<size_t>(i) * width + columns[n]];
      double best = std::numeric_limits<double>::infinity();
      for (size_t p = 0; p < poses.size(); ++p) {
        const double d = distance(embedding[n], poses[p]);
        if (d < best) {
          best = d;
          o = static_cast<int32_t>(p);
        }
      }
    }
  }
};

}  // namespace

void matchPersonPixels(const uint8_t* mask, const Grid& longOffsets, const std::vector<Pose>& poses,
                       const InstanceGeometry& geometry, int refineSteps, int32_t* owner, pthreadpool_t pool) noexcept {
  const Task task{Embedder(longOffsets, geometry, refineSteps), mask, poses, geometry.width, owner};
  pthreadpool_parallelize_1d(
      pool, [](void* t, size_t i) { static_cast<const Task*>(t)->row(static_cast<int>(i)); }, const_cast<Task*>(&task),
      static_cast<size_t>(geometry.height), 0);
}

}  // namespace bodypix::decode
