// The person mask (segmentation.h): MaskMapper, which the part map runs too,
// and segmentationMask(). How it gets TF.js's exact mask without computing
// every score: upsampling.h.
//
// No fused multiply-adds: the double arithmetic must round like JS (before
// any #include: the headers' inline arithmetic too).
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "bodypix/segmentation.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "bodypix/upsampling.h"
#include "tfjs/js_math.h"

namespace bodypix::image {
namespace detail {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Ordered index <-> float (monotonic over non-NaN floats; -0 maps to +0).
inline float orderedToFloat(int64_t k) noexcept {
  const uint32_t bits = k >= 0 ? static_cast<uint32_t>(k) : (0x80000000u | static_cast<uint32_t>(-k));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// The smallest float x with sigmoidF32(x) > threshold, so that for every
// float G: sigmoidF32(G) > threshold  <=>  G >= result. NaN if there is none
// (G >= NaN is always false). Relies on sigmoidF32 being non-decreasing.
float logitThreshold(float threshold) noexcept {
  constexpr int64_t kMinusInf = -0x7F800000LL, kPlusInf = 0x7F800000LL;
  if (!(tfjs::sigmoidF32(kInf) > threshold)) return kNaN;
  if (tfjs::sigmoidF32(-kInf) > threshold) return -kInf;
  int64_t lo = kMinusInf, hi = kPlusInf;  // sig(lo) <= threshold < sig(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (tfjs::sigmoidF32(orderedToFloat(mid)) > threshold) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return orderedToFloat(hi);
}

}  // namespace

MaskMapper::MaskMapper(const float* segLogits, int lw, int inputWidth, const SamplingTables& g, float threshold)
    : L_(segLogits),
      lw_(lw),
      g_(g),
      threshold_(threshold),
      outside_(0.0f > threshold ? 1 : 0),  // extrapolation value 0
      xThr_(logitThreshold(threshold)),
      cellClass_(g.cells.size()),
      rowMask_(g.cropCols.state.size(), 0) {
  mixed_.reserve(g.cells.size());  // at most one entry per cell: no allocation later
  for (int s = 0; s < 2; ++s) {
    G_[s].resize(inputWidth);
    S_[s].resize(inputWidth);
    sOk_[s].resize(inputWidth);
    above_[s].resize(inputWidth);
  }
  // Extrapolated columns score 0; NaN columns NaN (> t is false).
  for (int x : g.otherCols) {
    rowMask_[x] = g.cropCols.state[x] == CropState::Outside ? outside_ : 0;
  }
}

void MaskMapper::row(int y, uint8_t* out) noexcept {
  const CropAxis& rows = g_.cropRows;
  const CropAxis& cols = g_.cropCols;
  const size_t width = cols.state.size();
  if (rows.state[y] == CropState::Outside) {
    std::memset(out, outside_, width);
    return;
  }
  if (rows.state[y] == CropState::NaN) {
    for (size_t x = 0; x < width; ++x) {
      out[x] = cols.state[x] == CropState::Outside ? outside_ : 0;
    }
    return;
  }
  if (rows.lo[y] != t_ || rows.hi[y] != b_) newRows(rows.lo[y], rows.hi[y]);
  std::memcpy(out, rowMask_.data(), width);
  const double yl = rows.lerp[y];
  for (const int u : mixed_) {
    const SamplingTables::Cell& cell = g_.cells[u];
    const float tl = sig(st_, cell.l), tr = sig(st_, cell.r);
    const float bl = sig(sb_, cell.l), br = sig(sb_, cell.r);
    for (int x = cell.x0; x < cell.x1; ++x) {
      out[x] = cropValue(tl, tr, bl, br, cols.lerp[x], yl) > threshold_ ? 1 : 0;
    }
  }
}

float MaskMapper::sig(int slot, int j) noexcept {
  if (!sOk_[slot][j]) {
    sOk_[slot][j] = 1;
    S_[slot][j] = tfjs::sigmoidF32(G_[slot][j]);
  }
  return S_[slot][j];
}

void MaskMapper::newRows(int t, int b) noexcept {
  t_ = t;
  b_ = b;
  const int fresh = slots_.prepare(t, b, st_, sb_);
  for (int s = 0; s < 2; ++s) {
    if (!(fresh >> s & 1)) continue;
    fillLogitRow(L_, lw_, g_, slots_.tag(s), G_[s].data());
    std::fill(sOk_[s].begin(), sOk_[s].end(), 0);
    for (int j : g_.neededCols) above_[s][j] = G_[s][j] >= xThr_ ? 1 : 0;
  }
  const uint8_t* aT = above_[st_].data();
  const uint8_t* aB = above_[sb_].data();
  mixed_.clear();
  for (size_t u = 0; u < g_.cells.size(); ++u) {
    const SamplingTables::Cell& cell = g_.cells[u];
    const int n = aT[cell.l] + aT[cell.r] + aB[cell.l] + aB[cell.r];
    const uint8_t cls = n == 4 ? kAbove : n == 0 ? kBelow : kMixed;
    cellClass_[u] = cls;
    if (cls == kMixed) mixed_.push_back(static_cast<int>(u));
    uint8_t* o = rowMask_.data();
    const uint8_t v = cls == kAbove ? 1 : 0;
    for (int x = cell.x0; x < cell.x1; ++x) o[x] = v;
  }
}

}  // namespace detail

void segmentationMask(const float* segLogits, const OutputGeometry& geometry, float threshold, uint8_t* out,
                      pthreadpool_t pool) {
  detail::checkArguments("segmentationMask", segLogits, 1, geometry, out);
  const detail::SamplingTables g(geometry);
  // A mapper per band, made here: what fails to allocate throws on this thread.
  std::vector<detail::MaskMapper> masks;
  const int bands = detail::bandCount(geometry.height, pool);
  masks.reserve(bands);
  for (int i = 0; i < bands; ++i)
    masks.emplace_back(segLogits, geometry.logitsWidth, geometry.inputWidth, g, threshold);
  detail::forEachBand(geometry.height, pool, [&](int band, int y0, int y1) noexcept {
    for (int y = y0; y < y1; ++y) masks[band].row(y, out + static_cast<size_t>(y) * geometry.width);
  });
}

}  // namespace bodypix::image
