// Internal to the post-processing (segmentation.cpp, parts.cpp): what the
// person mask and the part map share. The sampling tables of both resampling
// steps, caches of two grid rows, the crop step, and MaskMapper, the mask row
// by row, which the part map runs for its own mask.
//
// scaleAndCropToInputTensorShape, toMaskTensor and decodePartSegmentation,
// fused so that neither the [targetHeight, targetWidth, C] grid nor the
// [height, width, C] crop is ever materialised.
//
// TF.js computes, for a logits tensor L [lh, lw, C]:
//   G = resizeBilinear(L, [targetH, targetW], alignCorners=true)   (float32)
//   S = cropAndResize(sigmoid(G), removePaddingBox, [height, width]) (float32)
// cropAndResize's source rows are monotonic in the output row and each output
// row reads two grid rows (t, b), so grid rows are computed lazily, once, into
// a two-row cache. Output columns are grouped into "cells": runs of columns
// reading the same two grid columns (l, r); output rows sharing (t, b) share
// everything but the row weight.
//
// Both bilinear kernels produce values within [min, max] of the float32
// values they interpolate (the double lerp cannot leave that range by more
// than a few double ulps, which the float32 rounding absorbs), and the
// float32 sigmoid is non-decreasing (checked over all 2^32 floats). Hence a
// score is bounded by its cell's 4 corner logits, and:
//  - mask: a cell whose 4 corner logits all map to sigmoid > threshold is 1
//    for every pixel, one whose corners all map to <= threshold is 0; only
//    cells straddling the threshold need sigmoids and the crop arithmetic;
//  - part map: channels that provably cannot be the (first) maximum are
//    dropped (see PartMapper); only pixels left with several candidates
//    compute sigmoids and the crop values.
// Both give exactly TF.js's result, not an approximation.
//
// Includers disable floating-point contraction (preprocess.h's build note):
// the inline arithmetic here must round like JS.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "bodypix/resample.h"
#include "bodypix/row_bands.h"
#include "bodypix/segmentation.h"
#include "tfjs/js_math.h"

namespace bodypix::image::detail {

// Throws Error("<fn>: ...") unless the pointers are set and the sizes,
// channel count and padding are valid.
void checkArguments(const char* fn, const float* logits, int channels, const OutputGeometry& geometry, const void* out);
[[noreturn]] void fail(const char* fn, const std::string& what);

// Sampling tables of the two resampling steps.
struct SamplingTables {
  ResizeAxis gridRows, gridCols;  // logits -> the network input-sized grid
  CropAxis cropRows, cropCols;    // grid -> [height, width]
  std::vector<int> neededCols;    // grid columns cropAndResize reads
  // Output columns inside the grid, as runs [x0, x1) reading the same two
  // grid columns l, r; and the other columns (extrapolated or NaN).
  struct Cell {
    int x0, x1, l, r;
  };
  std::vector<Cell> cells;
  std::vector<int> otherCols;

  explicit SamplingTables(const OutputGeometry& geometry);
};

// cropAndResize's bilinear step for one channel of one output pixel.
inline float cropValue(float tl, float tr, float bl, float br, double xl, double yl) noexcept {
  const double top = lerp(tl, tr, xl);
  const double bottom = lerp(bl, br, xl);
  return static_cast<float>(lerp(top, bottom, yl));
}

// One grid row of 1-channel logits, resized (the needed columns only).
inline void fillLogitRow(const float* logits, int lw, const SamplingTables& g, int r, float* dst) noexcept {
  const ResizeAxis& rows = g.gridRows;
  const ResizeAxis& cols = g.gridCols;
  const float* r0 = logits + static_cast<size_t>(rows.lo[r]) * lw;
  const float* r1 = logits + static_cast<size_t>(rows.hi[r]) * lw;
  const double rf = rows.frac[r];
  const int* lo = cols.lo.data();
  const int* hi = cols.hi.data();
  const double* fr = cols.frac.data();
  for (int j : g.neededCols) {
    const double top = lerp(r0[lo[j]], r0[hi[j]], fr[j]);
    const double bottom = lerp(r1[lo[j]], r1[hi[j]], fr[j]);
    dst[j] = static_cast<float>(lerp(top, bottom, rf));
  }
}

// Which of two slots hold grid rows t and b (b == t or t + 1; both only ever
// increase). Rows not held are assigned a slot, reported in the return value
// (bit s set: slot s now holds a new row and must be refilled).
class TwoRowSlots {
 public:
  int prepare(int t, int b, int& st, int& sb) noexcept {
    int fresh = 0;
    st = find(t);
    if (st < 0) {
      st = tag_[0] != b ? 0 : 1;
      tag_[st] = t;
      fresh |= 1 << st;
    }
    sb = find(b);
    if (sb < 0) {
      sb = 1 - st;
      tag_[sb] = b;
      fresh |= 1 << sb;
    }
    return fresh;
  }
  int tag(int slot) const noexcept { return tag_[slot]; }

 private:
  int find(int r) const noexcept { return tag_[0] == r ? 0 : tag_[1] == r ? 1 : -1; }
  int tag_[2] = {-1, -1};
};

// Two grid rows with lazily computed values per (column, channel): the
// resized logit G and, only when a pixel needs the exact score, sigmoid(G).
// Validity is a per-slot generation stamp, so reusing a slot costs nothing.
class LazyGridRows {
 public:
  LazyGridRows(const float* logits, int lw, int channels, int targetWidth, const SamplingTables& g)
      : L_(logits),
        lw_(lw),
        C_(channels),
        g_(g) {
    const size_t n = static_cast<size_t>(targetWidth) * channels;
    for (int s = 0; s < 2; ++s) {
      G_[s].resize(n);
      S_[s].resize(n);
      gStamp_[s].assign(n, 0);
      sStamp_[s].assign(n, 0);
    }
  }

  void prepare(int t, int b, int& st, int& sb) noexcept {
    const int fresh = slots_.prepare(t, b, st, sb);
    for (int s = 0; s < 2; ++s) {
      if (!(fresh >> s & 1)) continue;
      gen_[s] = ++lastGen_;
      const int r = slots_.tag(s);
      row0_[s] = L_ + static_cast<size_t>(g_.gridRows.lo[r]) * lw_ * C_;
      row1_[s] = L_ + static_cast<size_t>(g_.gridRows.hi[r]) * lw_ * C_;
      rowFrac_[s] = g_.gridRows.frac[r];
    }
  }

  float logit(int slot, int j, int c) noexcept {
    const size_t i = static_cast<size_t>(j) * C_ + c;
    if (gStamp_[slot][i] == gen_[slot]) return G_[slot][i];
    return computeLogit(slot, j, c, i);
  }

  // Float bounds of channel c's resized logits G in the slot's row at every
  // grid column between logit columns k0 and k1. Exactly, such a G is a
  // convex combination of the row-interpolated logits at k0..k1 (the
  // bilinear kernel is linear along a row between logit columns); the pad
  // covers the double rounding of both (a few ulps of the largest input),
  // and rounding to float keeps the order.
  void rowBounds(int slot, int k0, int k1, int c, float& lo, float& hi) const noexcept {
    double mn = std::numeric_limits<double>::infinity(), mx = -mn, mag = 0;
    for (int k = k0; k <= k1; ++k) {
      const double a = row0_[slot][static_cast<size_t>(k) * C_ + c];
      const double b = row1_[slot][static_cast<size_t>(k) * C_ + c];
      const double v = lerp(a, b, rowFrac_[slot]);
      mn = std::min(mn, v);
      mx = std::max(mx, v);
      mag = std::max(mag, std::max(std::fabs(a), std::fabs(b)));
    }
    const double pad = mag * 0x1p-40;
    lo = static_cast<float>(mn - pad);
    hi = static_cast<float>(mx + pad);
  }

  float sig(int slot, int j, int c) noexcept {
    const size_t i = static_cast<size_t>(j) * C_ + c;
    if (sStamp_[slot][i] == gen_[slot]) return S_[slot][i];
    return computeSig(slot, j, c, i);
  }

 private:
  // resizeBilinear(alignCorners=true) at (the slot's row, j), channel c.
  [[gnu::noinline]] float computeLogit(int slot, int j, int c, size_t i) noexcept {
    gStamp_[slot][i] = gen_[slot];
    const size_t c0 = static_cast<size_t>(g_.gridCols.lo[j]) * C_ + c;
    const size_t c1 = static_cast<size_t>(g_.gridCols.hi[j]) * C_ + c;
    const double cf = g_.gridCols.frac[j];
    const float* r0 = row0_[slot];
    const float* r1 = row1_[slot];
    const double top = lerp(r0[c0], r0[c1], cf);
    const double bottom = lerp(r1[c0], r1[c1], cf);
    return G_[slot][i] = static_cast<float>(lerp(top, bottom, rowFrac_[slot]));
  }

  [[gnu::noinline]] float computeSig(int slot, int j, int c, size_t i) noexcept {
    const float s = tfjs::sigmoidF32(logit(slot, j, c));
    sStamp_[slot][i] = gen_[slot];
    return S_[slot][i] = s;
  }

  const float* L_;
  int lw_, C_;
  const SamplingTables& g_;
  TwoRowSlots slots_;
  uint32_t lastGen_ = 0;
  uint32_t gen_[2] = {0, 0};                   // stamp of each slot's current row
  const float* row0_[2] = {nullptr, nullptr};  // the logit rows each slot's row reads
  const float* row1_[2] = {nullptr, nullptr};
  double rowFrac_[2] = {0.0, 0.0};
  std::vector<float> G_[2], S_[2];
  std::vector<uint32_t> gStamp_[2], sStamp_[2];
};

// toMaskTensor of the 1-channel sigmoid crop. Per pair of grid rows, each
// cell is classified from its 4 corner logits (NaN counts as below: NaN > t
// is false, and a NaN corner makes the score NaN); output rows then copy the
// per-column result and compute only the straddling cells exactly.
// segmentation.cpp defines it; the part map runs one for its mask.
class MaskMapper {
 public:
  static constexpr uint8_t kBelow = 0, kAbove = 1, kMixed = 2;

  MaskMapper(const float* segLogits, int lw, int inputWidth, const SamplingTables& g, float threshold);

  // The mask of output row y.
  void row(int y, uint8_t* out) noexcept;

  // Per cell, for the grid rows of the last row() (an Inside row).
  const std::vector<uint8_t>& cellClass() const { return cellClass_; }

 private:
  float sig(int slot, int j) noexcept;
  void newRows(int t, int b) noexcept;

  const float* L_;
  int lw_;
  const SamplingTables& g_;
  float threshold_;
  uint8_t outside_;
  float xThr_;
  TwoRowSlots slots_;
  std::vector<float> G_[2], S_[2];
  std::vector<uint8_t> sOk_[2], above_[2];
  std::vector<uint8_t> cellClass_;
  std::vector<uint8_t> rowMask_;  // per output column, mixed cells as 0
  std::vector<int> mixed_;        // cells to compute exactly
  int t_ = -1, b_ = -1, st_ = 0, sb_ = 0;
};

}  // namespace bodypix::image::detail
