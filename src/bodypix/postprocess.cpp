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
// No fused multiply-adds: the double arithmetic must round like JS.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bodypix/image_ops.h"
#include "bodypix/resample.h"
#include "error.h"
#include "tfjs/js_math.h"

namespace bodypix::image {
namespace {

using detail::CropAxis;
using detail::CropState;
using detail::lerp;
using detail::ResizeAxis;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

[[noreturn]] void fail(const char* fn, const std::string& what) { throw Error(std::string(fn) + ": " + what); }

void validate(const char* fn, const float* logits, int lh, int lw, int channels, int targetHeight, int targetWidth,
              const Padding& p, int height, int width, const void* out) {
  if (logits == nullptr) fail(fn, "logits is null");
  if (out == nullptr) fail(fn, "output is null");
  if (lh <= 0 || lw <= 0) {
    fail(fn, "logits size must be positive, got " + std::to_string(lh) + "x" + std::to_string(lw));
  }
  if (channels <= 0) {
    fail(fn, "channel count must be positive, got " + std::to_string(channels));
  }
  if (targetHeight <= 0 || targetWidth <= 0) {
    fail(fn, "target size must be positive, got " + std::to_string(targetHeight) + "x" + std::to_string(targetWidth));
  }
  if (height <= 0 || width <= 0) {
    fail(fn, "image size must be positive, got " + std::to_string(height) + "x" + std::to_string(width));
  }
  if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0) {
    fail(fn, "padding must be non-negative");
  }
}

// Sampling tables of the two resampling steps.
struct Geometry {
  ResizeAxis gridRows, gridCols;  // logits -> [targetH, targetW] grid
  CropAxis cropRows, cropCols;    // grid -> [height, width]
  std::vector<int> neededCols;    // grid columns cropAndResize reads
  // Output columns inside the grid, as runs [x0, x1) reading the same two
  // grid columns l, r; and the other columns (extrapolated or NaN).
  struct Cell {
    int x0, x1, l, r;
  };
  std::vector<Cell> cells;
  std::vector<int> otherCols;

  Geometry(int lh, int lw, int targetHeight, int targetWidth, const Padding& p, int height, int width)
      : gridRows(detail::resizeAxis(lh, targetHeight, true)),
        gridCols(detail::resizeAxis(lw, targetWidth, true)) {
    const detail::CropBox box = detail::removePaddingBox(p.top, p.bottom, p.left, p.right, height, width);
    cropRows = detail::cropAxis(box.y1, box.y2, targetHeight, height);
    cropCols = detail::cropAxis(box.x1, box.x2, targetWidth, width);
    std::vector<uint8_t> need(targetWidth, 0);
    for (int x = 0; x < width; ++x) {
      if (cropCols.state[x] != CropState::Inside) {
        otherCols.push_back(x);
        continue;
      }
      const int l = cropCols.lo[x], r = cropCols.hi[x];
      need[l] = need[r] = 1;
      if (!cells.empty() && cells.back().x1 == x && cells.back().l == l && cells.back().r == r) {
        ++cells.back().x1;
      } else {
        cells.push_back(Cell{x, x + 1, l, r});
      }
    }
    for (int j = 0; j < targetWidth; ++j) {
      if (need[j]) neededCols.push_back(j);
    }
  }
};

// A whole grid row (needed columns, all channels), optionally through the
// sigmoid kernel.
void fillGridRow(const float* logits, int lw, int C, const Geometry& g, int r, bool sigmoid, float* dst) noexcept {
  const ResizeAxis& rows = g.gridRows;
  const ResizeAxis& cols = g.gridCols;
  const float* r0 = logits + static_cast<size_t>(rows.lo[r]) * lw * C;
  const float* r1 = logits + static_cast<size_t>(rows.hi[r]) * lw * C;
  const double rf = rows.frac[r];
  if (C == 1 && !sigmoid) {
    const int* lo = cols.lo.data();
    const int* hi = cols.hi.data();
    const double* fr = cols.frac.data();
    for (int j : g.neededCols) {
      const double top = lerp(r0[lo[j]], r0[hi[j]], fr[j]);
      const double bottom = lerp(r1[lo[j]], r1[hi[j]], fr[j]);
      dst[j] = static_cast<float>(lerp(top, bottom, rf));
    }
    return;
  }
  for (int j : g.neededCols) {
    const float* a = r0 + static_cast<size_t>(cols.lo[j]) * C;
    const float* b = r0 + static_cast<size_t>(cols.hi[j]) * C;
    const float* c = r1 + static_cast<size_t>(cols.lo[j]) * C;
    const float* d = r1 + static_cast<size_t>(cols.hi[j]) * C;
    const double cf = cols.frac[j];
    float* o = dst + static_cast<size_t>(j) * C;
    for (int ch = 0; ch < C; ++ch) {
      const double top = lerp(a[ch], b[ch], cf);
      const double bottom = lerp(c[ch], d[ch], cf);
      const float v = static_cast<float>(lerp(top, bottom, rf));
      o[ch] = sigmoid ? sigmoidF32(v) : v;
    }
  }
}

// cropAndResize's bilinear step for one channel of one output pixel.
inline float cropValue(float tl, float tr, float bl, float br, double xl, double yl) noexcept {
  const double top = lerp(tl, tr, xl);
  const double bottom = lerp(bl, br, xl);
  return static_cast<float>(lerp(top, bottom, yl));
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
  LazyGridRows(const float* logits, int lw, int channels, int targetWidth, const Geometry& g)
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
    const float s = sigmoidF32(logit(slot, j, c));
    sStamp_[slot][i] = gen_[slot];
    return S_[slot][i] = s;
  }

  const float* L_;
  int lw_, C_;
  const Geometry& g_;
  TwoRowSlots slots_;
  uint32_t lastGen_ = 0;
  uint32_t gen_[2] = {0, 0};                   // stamp of each slot's current row
  const float* row0_[2] = {nullptr, nullptr};  // the logit rows each slot's row reads
  const float* row1_[2] = {nullptr, nullptr};
  double rowFrac_[2] = {0.0, 0.0};
  std::vector<float> G_[2], S_[2];
  std::vector<uint32_t> gStamp_[2], sStamp_[2];
};

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
  if (!(sigmoidF32(kInf) > threshold)) return kNaN;
  if (sigmoidF32(-kInf) > threshold) return -kInf;
  int64_t lo = kMinusInf, hi = kPlusInf;  // sig(lo) <= threshold < sig(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (sigmoidF32(orderedToFloat(mid)) > threshold) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return orderedToFloat(hi);
}

// toMaskTensor of the 1-channel sigmoid crop. Per pair of grid rows, each
// cell is classified from its 4 corner logits (NaN counts as below: NaN > t
// is false, and a NaN corner makes the score NaN); output rows then copy the
// per-column result and compute only the straddling cells exactly.
class MaskMapper {
 public:
  static constexpr uint8_t kBelow = 0, kAbove = 1, kMixed = 2;

  MaskMapper(const float* segLogits, int lw, int targetWidth, const Geometry& g, float threshold)
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
      G_[s].resize(targetWidth);
      S_[s].resize(targetWidth);
      sOk_[s].resize(targetWidth);
      above_[s].resize(targetWidth);
    }
    // Extrapolated columns score 0; NaN columns NaN (> t is false).
    for (int x : g.otherCols) {
      rowMask_[x] = g.cropCols.state[x] == CropState::Outside ? outside_ : 0;
    }
  }

  void row(int y, uint8_t* out) noexcept {
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
      const Geometry::Cell& cell = g_.cells[u];
      const float tl = sig(st_, cell.l), tr = sig(st_, cell.r);
      const float bl = sig(sb_, cell.l), br = sig(sb_, cell.r);
      for (int x = cell.x0; x < cell.x1; ++x) {
        out[x] = cropValue(tl, tr, bl, br, cols.lerp[x], yl) > threshold_ ? 1 : 0;
      }
    }
  }

  // Per cell, for the grid rows of the last row() (an Inside row).
  const std::vector<uint8_t>& cellClass() const { return cellClass_; }

 private:
  float sig(int slot, int j) noexcept {
    if (!sOk_[slot][j]) {
      sOk_[slot][j] = 1;
      S_[slot][j] = sigmoidF32(G_[slot][j]);
    }
    return S_[slot][j];
  }

  void newRows(int t, int b) noexcept {
    t_ = t;
    b_ = b;
    const int fresh = slots_.prepare(t, b, st_, sb_);
    for (int s = 0; s < 2; ++s) {
      if (!(fresh >> s & 1)) continue;
      fillGridRow(L_, lw_, 1, g_, slots_.tag(s), false, G_[s].data());
      std::fill(sOk_[s].begin(), sOk_[s].end(), 0);
      for (int j : g_.neededCols) above_[s][j] = G_[s][j] >= xThr_ ? 1 : 0;
    }
    const uint8_t* aT = above_[st_].data();
    const uint8_t* aB = above_[sb_].data();
    mixed_.clear();
    for (size_t u = 0; u < g_.cells.size(); ++u) {
      const Geometry::Cell& cell = g_.cells[u];
      const int n = aT[cell.l] + aT[cell.r] + aB[cell.l] + aB[cell.r];
      const uint8_t cls = n == 4 ? kAbove : n == 0 ? kBelow : kMixed;
      cellClass_[u] = cls;
      if (cls == kMixed) mixed_.push_back(static_cast<int>(u));
      uint8_t* o = rowMask_.data();
      const uint8_t v = cls == kAbove ? 1 : 0;
      for (int x = cell.x0; x < cell.x1; ++x) o[x] = v;
    }
  }

  const float* L_;
  int lw_;
  const Geometry& g_;
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

// ---------------------------------------------------------------------------
// Part map
//
// argMax over channels of S_c only needs the channels that can be the first
// maximum. With lo_c / hi_c = min / max of channel c's logits over a set
// covering a pixel's sources and m = max_c lo_c (attained by c*): S_c* >=
// sig(m), and a channel with sig(hi_c) < sig(m) is strictly below S_c*, so it
// is neither the maximum nor tied with it. Two levels:
//  1. per rectangle of logit points (rows rlo..rlo+rspan, cols
//     clo..clo+cspan; spans <= 2 when the grid is at least as fine as the
//     logits), cached: candidates hi_c >= m, plus, only if sigmoid rounding
//     could make them tie (sig(max excluded hi) == sig(m)), those with
//     sig(hi_c) >= sig(m);
//  2. per pair of grid rows, over the exact resized logits G (no exp) of the
//     rectangle's run of cells, then, if that leaves several, of each cell's
//     4 corners: keep hi_c >= sigmoidStrictlyBelow(m), a proven lower bound
//     of the sigmoid plateau containing m.
// Cells still left with several candidates (near part boundaries) compute
// sigmoids and crop values per pixel, ascending, first maximum wins.
// Without pruning (non-finite part logits, > 64 parts, logits coarser than
// the grid) every channel is evaluated, as TF.js does.
struct RectInfo {
  uint64_t bits = 0;    // candidate channels
  int16_t single = -1;  // the only candidate, or -1
  uint8_t ready = 0;
};

inline int lowestBit(uint64_t bits) noexcept { return __builtin_ctzll(bits); }
inline bool isSingle(uint64_t bits) noexcept { return (bits & (bits - 1)) == 0; }

class PartMapper {
 public:
  PartMapper(const float* partLogits, int numParts, int lh, int lw, int targetWidth, const Geometry& g)
      : L_(partLogits),
        P_(numParts),
        lh_(lh),
        lw_(lw),
        g_(g),
        grid_(partLogits, lw, numParts, targetWidth, g),
        rowParts_(g.cropCols.state.size(), 0) {
    prune_ = numParts <= 64;
    for (size_t i = 0, n = static_cast<size_t>(lh) * lw * numParts; prune_ && i < n; ++i) {
      if (!std::isfinite(partLogits[i])) prune_ = false;  // bounds need finite values
    }
    if (prune_) {
      rects_.resize(static_cast<size_t>(lw) * 3);
      vlo_.resize(static_cast<size_t>(numParts) * targetWidth);
      vhi_.resize(static_cast<size_t>(numParts) * targetWidth);
    }
    multi_.reserve(g.cells.size());  // at most one entry per cell: no allocation later
    // Runs of adjacent cells whose logit sources share one rectangle column.
    for (size_t u = 0; u < g.cells.size(); ++u) {
      const Geometry::Cell& cell = g.cells[u];
      const int clo = g.gridCols.lo[cell.l];
      const int chi = g.gridCols.hi[cell.r];
      const long key = chi - clo <= 2 ? clo * 3 + (chi - clo) : -1;
      if (!runs_.empty() && runs_.back().key == key && g.cells[runs_.back().u1 - 1].x1 == cell.x0) {
        ++runs_.back().u1;
      } else {
        runs_.push_back(Run{static_cast<int>(u), static_cast<int>(u) + 1, key});
      }
    }
    // Extrapolated / NaN columns: all channels equal, argMax -> 0.
    for (int x : g.otherCols) rowParts_[x] = 0;
  }

  // Part ids of output row y (an Inside row); `cellClass` is the mask's cell
  // classification for the same grid rows.
  void row(int y, const uint8_t* mask, const std::vector<uint8_t>& cellClass, int32_t* out) noexcept {
    const CropAxis& rows = g_.cropRows;
    if (rows.lo[y] != t_ || rows.hi[y] != b_) newRows(rows.lo[y], rows.hi[y], cellClass);
    const size_t width = rowParts_.size();
    const int32_t* parts = rowParts_.data();
    // out = mask ? part : -1, 8 pixels at a time (masks come in long runs).
    size_t x = 0;
    for (; x + 8 <= width; x += 8) {
      uint64_t m8;
      std::memcpy(&m8, mask + x, 8);
      if (m8 == 0) {
        std::fill(out + x, out + x + 8, -1);
      } else if (m8 == 0x0101010101010101ull) {
        std::memcpy(out + x, parts + x, 8 * sizeof(int32_t));
      } else {
        for (size_t k = x; k < x + 8; ++k) out[k] = mask[k] ? parts[k] : -1;
      }
    }
    for (; x < width; ++x) out[x] = mask[x] ? parts[x] : -1;
    if (multi_.empty()) return;
    const double yl = rows.lerp[y];
    for (const Multi& mc : multi_) {
      const Geometry::Cell& cell = g_.cells[mc.cell];
      for (int px = cell.x0; px < cell.x1; ++px) {
        if (mask[px]) {
          out[px] = argMax(mc.bits, mc.all, cell.l, cell.r, g_.cropCols.lerp[px], yl);
        }
      }
    }
  }

 private:
  // Adjacent cells whose logit sources share one rectangle column.
  struct Run {
    int u0, u1;  // cells [u0, u1)
    long key;    // rectangle column key, -1 = no pruning
  };
  struct Multi {
    int cell;
    bool all;       // every channel (no pruning possible)
    uint64_t bits;  // else these candidates
  };

  // Grid rows t, b: the candidates of every cell that may hold mask pixels.
  void newRows(int t, int b, const std::vector<uint8_t>& cellClass) noexcept {
    t_ = t;
    b_ = b;
    grid_.prepare(t, b, st_, sb_);
    long rowKey = -1;
    if (prune_) {
      const int rlo = g_.gridRows.lo[t], rhi = g_.gridRows.hi[b];
      if (rhi - rlo <= 2) rowKey = static_cast<long>(rlo * 3 + (rhi - rlo)) * lw_ * 3;
      // Rectangles are cached for one logit-row span at a time: spans only
      // move forward with the grid rows, so a span never comes back.
      if (rowKey != rectsRowKey_) {
        rectsRowKey_ = rowKey;
        for (RectInfo& r : rects_) r.ready = 0;
      }
    }
    multi_.clear();
    for (const Run& run : runs_) {
      bool any = false;  // may any cell of the run hold mask pixels?
      for (int u = run.u0; u < run.u1; ++u) any |= cellClass[u] != MaskMapper::kBelow;
      const RectInfo* info = (any && rowKey >= 0 && run.key >= 0) ? &rect(rowKey + run.key) : nullptr;
      if (any && info && info->single >= 0) {
        // One candidate for the whole run (cells whose mask is 0 ignore it).
        for (int u = run.u0; u < run.u1; ++u) fillCell(u, info->single);
        continue;
      }
      if (info) {
        pruneRun(run, info->bits, cellClass);
        continue;
      }
      for (int u = run.u0; u < run.u1; ++u) {  // no pruning possible
        if (cellClass[u] != MaskMapper::kBelow) multi_.push_back(Multi{u, true, 0});
        fillCell(u, -1);
      }
    }
  }

  // The candidates among ch[0..K) that survive bounds lo / hi (level 2).
  static uint64_t survivors(const int* ch, const float* lo, const float* hi, int K) noexcept {
    float m = -kInf;
    for (int i = 0; i < K; ++i) m = std::max(m, lo[i]);
    const double bound = sigmoidStrictlyBelow(m);
    uint64_t keep = 0;
    for (int i = 0; i < K; ++i) {
      if (static_cast<double>(hi[i]) >= bound) keep |= uint64_t{1} << ch[i];
    }
    return keep;
  }

  // Level 2 for a run of cells whose rectangle left candidates `bits`: bounds
  // from the exact resized logits at grid rows t, b, first over the whole
  // run (often enough), then per cell (its 4 corners).
  void pruneRun(const Run& run, uint64_t bits, const std::vector<uint8_t>& cellClass) noexcept {
    int ch[64];
    int K = 0;
    for (uint64_t b = bits; b; b &= b - 1) ch[K++] = lowestBit(b);
    const int j0 = g_.cells[run.u0].l, j1 = g_.cells[run.u1 - 1].r;
    const size_t n = static_cast<size_t>(j1 - j0 + 1);
    // Per candidate and column: min / max over rows t, b (pre-sized: a run
    // spans at most targetWidth columns, so this never allocates).
    float lo[64], hi[64];
    for (int i = 0; i < K; ++i) {
      float* vl = vlo_.data() + i * n;
      float* vh = vhi_.data() + i * n;
      float runLo = kInf, runHi = -kInf;
      for (int j = j0; j <= j1; ++j) {
        const float a = grid_.logit(st_, j, ch[i]), b = grid_.logit(sb_, j, ch[i]);
        vl[j - j0] = std::min(a, b);
        vh[j - j0] = std::max(a, b);
        runLo = std::min(runLo, vl[j - j0]);
        runHi = std::max(runHi, vh[j - j0]);
      }
      lo[i] = runLo;
      hi[i] = runHi;
    }
    const uint64_t keep = survivors(ch, lo, hi, K);
    if (isSingle(keep)) {
      for (int u = run.u0; u < run.u1; ++u) fillCell(u, lowestBit(keep));
      return;
    }
    // Per cell, among the run's survivors.
    int idx[64], ch2[64];
    int K2 = 0;
    for (int i = 0; i < K; ++i) {
      if (keep >> ch[i] & 1) {
        idx[K2] = i;
        ch2[K2++] = ch[i];
      }
    }
    for (int u = run.u0; u < run.u1; ++u) {
      int32_t part = -1;  // cells whose mask is surely 0 keep -1
      if (cellClass[u] != MaskMapper::kBelow) {
        const size_t l = g_.cells[u].l - j0, r = g_.cells[u].r - j0;
        for (int k = 0; k < K2; ++k) {
          const float* vl = vlo_.data() + idx[k] * n;
          const float* vh = vhi_.data() + idx[k] * n;
          lo[k] = std::min(vl[l], vl[r]);
          hi[k] = std::max(vh[l], vh[r]);
        }
        const uint64_t cell = survivors(ch2, lo, hi, K2);
        if (isSingle(cell)) {
          part = lowestBit(cell);
        } else {
          multi_.push_back(Multi{u, false, cell});
        }
      }
      fillCell(u, part);
    }
  }

  void fillCell(int u, int32_t part) noexcept {
    std::fill(rowParts_.begin() + g_.cells[u].x0, rowParts_.begin() + g_.cells[u].x1, part);
  }

  const RectInfo& rect(long key) noexcept {
    RectInfo& info = rects_[key % (3L * lw_)];
    if (info.ready) return info;
    const int cspan = static_cast<int>(key % 3);
    const int clo = static_cast<int>((key / 3) % lw_);
    const int rspan = static_cast<int>((key / (3L * lw_)) % 3);
    const int rlo = static_cast<int>(key / (9L * lw_));
    const int P = P_;
    float lo[64], hi[64];
    std::fill(lo, lo + P, kInf);
    std::fill(hi, hi + P, -kInf);
    for (int r = rlo; r <= std::min(rlo + rspan, lh_ - 1); ++r) {
      for (int k = clo; k <= std::min(clo + cspan, lw_ - 1); ++k) {
        const float* v = L_ + (static_cast<size_t>(r) * lw_ + k) * P;
        for (int c = 0; c < P; ++c) {
          lo[c] = std::min(lo[c], v[c]);
          hi[c] = std::max(hi[c], v[c]);
        }
      }
    }
    const float m = *std::max_element(lo, lo + P);
    uint64_t bits = 0;
    float excludedMax = -kInf;
    for (int c = 0; c < P; ++c) {
      if (hi[c] >= m) {
        bits |= uint64_t{1} << c;
      } else {
        excludedMax = std::max(excludedMax, hi[c]);
      }
    }
    if (excludedMax > -kInf) {
      const float sm = sigmoidF32(m);
      if (!(sigmoidF32(excludedMax) < sm)) {  // sigmoid rounding may tie: be exact
        for (int c = 0; c < P; ++c) {
          if (!(bits >> c & 1) && sigmoidF32(hi[c]) >= sm) bits |= uint64_t{1} << c;
        }
      }
    }
    info.bits = bits;
    info.single = isSingle(bits) ? static_cast<int16_t>(lowestBit(bits)) : -1;
    info.ready = 1;
    return info;
  }

  float score(int c, int l, int r, double xl, double yl) noexcept {
    return cropValue(grid_.sig(st_, l, c), grid_.sig(st_, r, c), grid_.sig(sb_, l, c), grid_.sig(sb_, r, c), xl, yl);
  }

  // tfjs-backend-cpu ArgMax (max = v[0]; if (v > max) ...) over all channels
  // or, equivalently, over candidates in ascending order.
  int argMax(uint64_t bits, bool all, int l, int r, double xl, double yl) noexcept {
    int best = all ? 0 : lowestBit(bits);
    float bestV = score(best, l, r, xl, yl);
    if (all) {
      for (int c = 1; c < P_; ++c) {
        const float v = score(c, l, r, xl, yl);
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
      return best;
    }
    for (bits &= bits - 1; bits; bits &= bits - 1) {
      const int c = lowestBit(bits);
      const float v = score(c, l, r, xl, yl);
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    return best;
  }

  const float* L_;
  int P_, lh_, lw_;
  const Geometry& g_;
  LazyGridRows grid_;
  bool prune_ = false;
  std::vector<RectInfo> rects_;  // by rectangle column key, for rectsRowKey_
  long rectsRowKey_ = -2;
  std::vector<Run> runs_;
  std::vector<int32_t> rowParts_;  // per output column for rows t_, b_
  std::vector<Multi> multi_;       // cells to compute per pixel
  std::vector<float> vlo_, vhi_;   // pruneRun scratch
  int t_ = -1, b_ = -1, st_ = 0, sb_ = 0;
};

}  // namespace

void scaleAndCropToInputTensorShape(const float* logits, int lh, int lw, int channels, int targetHeight,
                                    int targetWidth, const Padding& padding, int height, int width, bool applySigmoid,
                                    float* out) {
  validate("scaleAndCropToInputTensorShape", logits, lh, lw, channels, targetHeight, targetWidth, padding, height,
           width, out);
  const Geometry g(lh, lw, targetHeight, targetWidth, padding, height, width);
  const int C = channels;
  const size_t rowSize = static_cast<size_t>(targetWidth) * C;
  std::vector<float> rowBuf[2] = {std::vector<float>(rowSize), std::vector<float>(rowSize)};
  TwoRowSlots slots;
  for (int y = 0; y < height; ++y) {
    float* o = out + static_cast<size_t>(y) * width * C;
    const CropState rs = g.cropRows.state[y];
    if (rs != CropState::Inside) {
      for (int x = 0; x < width; ++x) {
        const float v = (rs == CropState::Outside || g.cropCols.state[x] == CropState::Outside) ? 0.0f : kNaN;
        std::fill(o + static_cast<size_t>(x) * C, o + static_cast<size_t>(x + 1) * C, v);
      }
      continue;
    }
    int st, sb;
    const int fresh = slots.prepare(g.cropRows.lo[y], g.cropRows.hi[y], st, sb);
    for (int s = 0; s < 2; ++s) {
      if (fresh >> s & 1) {
        fillGridRow(logits, lw, C, g, slots.tag(s), applySigmoid, rowBuf[s].data());
      }
    }
    const float* T = rowBuf[st].data();
    const float* B = rowBuf[sb].data();
    const double yl = g.cropRows.lerp[y];
    for (int x = 0; x < width; ++x) {
      float* px = o + static_cast<size_t>(x) * C;
      const CropState cs = g.cropCols.state[x];
      if (cs != CropState::Inside) {
        std::fill(px, px + C, cs == CropState::Outside ? 0.0f : kNaN);
        continue;
      }
      const float* tl = T + static_cast<size_t>(g.cropCols.lo[x]) * C;
      const float* tr = T + static_cast<size_t>(g.cropCols.hi[x]) * C;
      const float* bl = B + static_cast<size_t>(g.cropCols.lo[x]) * C;
      const float* br = B + static_cast<size_t>(g.cropCols.hi[x]) * C;
      const double xl = g.cropCols.lerp[x];
      for (int c = 0; c < C; ++c) px[c] = cropValue(tl[c], tr[c], bl[c], br[c], xl, yl);
    }
  }
}

void segmentationMask(const float* segLogits, int lh, int lw, int targetHeight, int targetWidth, const Padding& padding,
                      int height, int width, float threshold, uint8_t* out) {
  validate("segmentationMask", segLogits, lh, lw, 1, targetHeight, targetWidth, padding, height, width, out);
  const Geometry g(lh, lw, targetHeight, targetWidth, padding, height, width);
  MaskMapper mask(segLogits, lw, targetWidth, g, threshold);
  for (int y = 0; y < height; ++y) mask.row(y, out + static_cast<size_t>(y) * width);
}

void partSegmentation(const float* segLogits, const float* partLogits, int numParts, int lh, int lw, int targetHeight,
                      int targetWidth, const Padding& padding, int height, int width, float threshold, int32_t* out,
                      uint8_t* maskOut) {
  validate("partSegmentation", segLogits, lh, lw, 1, targetHeight, targetWidth, padding, height, width, out);
  if (partLogits == nullptr) fail("partSegmentation", "partLogits is null");
  if (numParts <= 0) {
    fail("partSegmentation", "numParts must be positive, got " + std::to_string(numParts));
  }
  const Geometry g(lh, lw, targetHeight, targetWidth, padding, height, width);
  MaskMapper mask(segLogits, lw, targetWidth, g, threshold);
  PartMapper parts(partLogits, numParts, lh, lw, targetWidth, g);
  std::vector<uint8_t> ownMask(maskOut ? 0 : width);
  for (int y = 0; y < height; ++y) {
    uint8_t* m = maskOut ? maskOut + static_cast<size_t>(y) * width : ownMask.data();
    int32_t* o = out + static_cast<size_t>(y) * width;
    mask.row(y, m);
    if (g.cropRows.state[y] == CropState::Inside) {
      parts.row(y, m, mask.cellClass(), o);
    } else {
      // Every channel holds the same value (0, or NaN where the mask is 0).
      for (int x = 0; x < width; ++x) o[x] = m[x] ? 0 : -1;
    }
  }
}

}  // namespace bodypix::image
