// The part map (parts.h): PartMapper, which finds each masked pixel's part
// without computing most scores, and partSegmentation(). The geometry and
// the mask it builds on: upsampling.h.
//
// No fused multiply-adds: the double arithmetic must round like JS (before
// any #include: the headers' inline arithmetic too).
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "bodypix/parts.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bodypix/upsampling.h"
#include "tfjs/js_math.h"

namespace bodypix::image {
namespace {

using detail::CropAxis;
using detail::CropState;
using detail::cropValue;
using detail::LazyGridRows;
using detail::lerp;
using detail::MaskMapper;
using detail::SamplingTables;
using detail::TwoRowSlots;

constexpr float kInf = std::numeric_limits<float>::infinity();

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
//  2. per pair of grid rows and run of cells in one rectangle column: bounds
//     of the resized logits G (no exp) of the run, first from the rows'
//     interpolated logits at the rectangle's columns (LazyGridRows::
//     rowBounds), then if that leaves several, from the exact G of the run,
//     then of each cell's 4 corners: keep hi_c >= sigmoidStrictlyBelow(m),
//     a proven lower bound of the sigmoid plateau containing m.
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
  // Whether the candidates can be pruned: bounds need finite values, and
  // candidate sets are 64-bit masks.
  static bool canPrune(const float* partLogits, int numParts, int lh, int lw) noexcept {
    if (numParts > 64) return false;
    const size_t n = static_cast<size_t>(lh) * lw * numParts;
    return std::all_of(partLogits, partLogits + n, [](float v) { return std::isfinite(v); });
  }

  PartMapper(const float* partLogits, int numParts, int lh, int lw, int targetWidth, const SamplingTables& g,
             bool prune)
      : L_(partLogits),
        P_(numParts),
        lh_(lh),
        lw_(lw),
        g_(g),
        grid_(partLogits, lw, numParts, targetWidth, g),
        prune_(prune),
        rowParts_(g.cropCols.state.size(), 0) {
    if (prune_) {
      rects_.resize(static_cast<size_t>(lw) * 3);
      vlo_.resize(static_cast<size_t>(numParts) * targetWidth);
      vhi_.resize(static_cast<size_t>(numParts) * targetWidth);
    }
    multi_.reserve(g.cells.size());  // at most one entry per cell: no allocation later
    // Runs of adjacent cells whose logit sources share one rectangle column.
    for (size_t u = 0; u < g.cells.size(); ++u) {
      const SamplingTables::Cell& cell = g.cells[u];
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
      const SamplingTables::Cell& cell = g_.cells[mc.cell];
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
      // Where the mask is surely 0 the part ids are never read: runs
      // without a cell that may hold mask pixels are left as they are.
      bool any = false;
      for (int u = run.u0; u < run.u1; ++u) any |= cellClass[u] != MaskMapper::kBelow;
      if (!any) continue;
      const RectInfo* info = (rowKey >= 0 && run.key >= 0) ? &rect(rowKey + run.key) : nullptr;
      if (info && info->single >= 0) {
        // One candidate for the whole run (cells whose mask is 0 ignore it).
        fillCells(run.u0, run.u1, info->single);
        continue;
      }
      if (info) {
        pruneRun(run, info->bits, cellClass);
        continue;
      }
      for (int u = run.u0; u < run.u1; ++u) {  // no pruning possible
        if (cellClass[u] != MaskMapper::kBelow) multi_.push_back(Multi{u, true, 0});
      }
    }
  }

  // The candidates among ch[0..K) that survive bounds lo / hi (level 2).
  static uint64_t survivors(const int* ch, const float* lo, const float* hi, int K) noexcept {
    float m = -kInf;
    for (int i = 0; i < K; ++i) m = std::max(m, lo[i]);
    const double bound = tfjs::sigmoidStrictlyBelow(m);
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
    float lo[64], hi[64];
    {
      // First from the logit columns the run lies between: a few values per
      // candidate instead of every column's (often enough on its own).
      const int k0 = static_cast<int>(run.key / 3), k1 = std::min(k0 + static_cast<int>(run.key % 3), lw_ - 1);
      for (int i = 0; i < K; ++i) {
        float tlo, thi, blo, bhi;
        grid_.rowBounds(st_, k0, k1, ch[i], tlo, thi);
        grid_.rowBounds(sb_, k0, k1, ch[i], blo, bhi);
        lo[i] = std::min(tlo, blo);
        hi[i] = std::max(thi, bhi);
      }
      const uint64_t keep = survivors(ch, lo, hi, K);
      if (isSingle(keep)) {
        fillCells(run.u0, run.u1, lowestBit(keep));
        return;
      }
      K = 0;
      for (uint64_t b = keep; b; b &= b - 1) ch[K++] = lowestBit(b);
    }
    const int j0 = g_.cells[run.u0].l, j1 = g_.cells[run.u1 - 1].r;
    const size_t n = static_cast<size_t>(j1 - j0 + 1);
    // Then per candidate and column: min / max over rows t, b (pre-sized: a
    // run spans at most targetWidth columns, so this never allocates).
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
      fillCells(run.u0, run.u1, lowestBit(keep));
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
          fillCells(u, u + 1, lowestBit(cell));
        } else {
          multi_.push_back(Multi{u, false, cell});
        }
      }
    }
  }

  // Cells [u0, u1) (adjacent: their columns are contiguous) get part id `part`.
  void fillCells(int u0, int u1, int32_t part) noexcept {
    std::fill(rowParts_.begin() + g_.cells[u0].x0, rowParts_.begin() + g_.cells[u1 - 1].x1, part);
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
      const float sm = tfjs::sigmoidF32(m);
      if (!(tfjs::sigmoidF32(excludedMax) < sm)) {  // sigmoid rounding may tie: be exact
        for (int c = 0; c < P; ++c) {
          if (!(bits >> c & 1) && tfjs::sigmoidF32(hi[c]) >= sm) bits |= uint64_t{1} << c;
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
  const SamplingTables& g_;
  LazyGridRows grid_;
  bool prune_;
  std::vector<RectInfo> rects_;  // by rectangle column key, for rectsRowKey_
  long rectsRowKey_ = -2;
  std::vector<Run> runs_;
  std::vector<int32_t> rowParts_;  // per output column for rows t_, b_
  std::vector<Multi> multi_;       // cells to compute per pixel
  std::vector<float> vlo_, vhi_;   // pruneRun scratch
  int t_ = -1, b_ = -1, st_ = 0, sb_ = 0;
};

}  // namespace

void partSegmentation(const float* segLogits, const float* partLogits, int numParts, const OutputGeometry& geometry,
                      float threshold, int32_t* out, uint8_t* maskOut, pthreadpool_t pool) {
  detail::checkArguments("partSegmentation", segLogits, 1, geometry, out);
  if (partLogits == nullptr) detail::fail("partSegmentation", "partLogits is null");
  if (numParts <= 0) {
    detail::fail("partSegmentation", "numParts must be positive, got " + std::to_string(numParts));
  }
  const int width = geometry.width;
  const SamplingTables g(geometry);
  const bool prune = PartMapper::canPrune(partLogits, numParts, geometry.logitsHeight, geometry.logitsWidth);
  struct Band {
    MaskMapper mask;
    PartMapper parts;
    std::vector<uint8_t> ownMask;  // the mask's row when the caller wants none
  };
  // Each band's mappers, made here: what fails to allocate throws on this thread.
  std::vector<Band> bands;
  const int count = detail::bandCount(geometry.height, pool);
  bands.reserve(count);
  for (int i = 0; i < count; ++i) {
    bands.push_back(Band{MaskMapper(segLogits, geometry.logitsWidth, geometry.inputWidth, g, threshold),
                         PartMapper(partLogits, numParts, geometry.logitsHeight, geometry.logitsWidth,
                                    geometry.inputWidth, g, prune),
                         std::vector<uint8_t>(maskOut ? 0 : width)});
  }
  detail::forEachBand(geometry.height, pool, [&](int b, int y0, int y1) noexcept {
    Band& band = bands[b];
    for (int y = y0; y < y1; ++y) {
      uint8_t* m = maskOut ? maskOut + static_cast<size_t>(y) * width : band.ownMask.data();
      int32_t* o = out + static_cast<size_t>(y) * width;
      band.mask.row(y, m);
      if (g.cropRows.state[y] == CropState::Inside) {
        band.parts.row(y, m, band.mask.cellClass(), o);
      } else {
        // Every channel holds the same value (0, or NaN where the mask is 0).
        for (int x = 0; x < width; ++x) o[x] = m[x] ? 0 : -1;
      }
    }
  });
}

}  // namespace bodypix::image
