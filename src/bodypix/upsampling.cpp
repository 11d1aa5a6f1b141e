// No fused multiply-adds: the double arithmetic must round like JS (before
// any #include: the headers' inline arithmetic too).
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "bodypix/upsampling.h"

#include "error.h"

namespace bodypix::image::detail {

void fail(const char* fn, const std::string& what) { throw Error(std::string(fn) + ": " + what); }

void checkArguments(const char* fn, const float* logits, int channels, const OutputGeometry& geometry,
                    const void* out) {
  const int lh = geometry.logitsHeight, lw = geometry.logitsWidth;
  const int targetHeight = geometry.inputHeight, targetWidth = geometry.inputWidth;
  const int height = geometry.height, width = geometry.width;
  const Padding& p = geometry.padding;
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

SamplingTables::SamplingTables(const OutputGeometry& geometry)
    : gridRows(resizeAxis(geometry.logitsHeight, geometry.inputHeight, true)),
      gridCols(resizeAxis(geometry.logitsWidth, geometry.inputWidth, true)) {
  const Padding& p = geometry.padding;
  const int height = geometry.height, width = geometry.width;
  const int targetHeight = geometry.inputHeight, targetWidth = geometry.inputWidth;
  const CropBox box = removePaddingBox(p.top, p.bottom, p.left, p.right, height, width);
  cropRows = cropAxis(box.y1, box.y2, targetHeight, height);
  cropCols = cropAxis(box.x1, box.x2, targetWidth, width);
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

}  // namespace bodypix::image::detail
