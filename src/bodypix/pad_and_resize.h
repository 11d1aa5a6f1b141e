// Internal to the pre-processing (preprocess.cpp, and the tests that check
// its resize alone): padAndResizeTo's resize with the padding folded in, and
// the model's normalisation applied as each value is made.
//
// Includers disable floating-point contraction (preprocess.h's build note):
// the arithmetic here must round like JS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bodypix/preprocess.h"
#include "bodypix/resample.h"
#include "bodypix/row_bands.h"

namespace bodypix::image::detail {

// One axis of resizeBilinear(padded image) with the padding folded in: the
// padded index is shifted back into the image; indices that land in the
// padding read zeros.
struct PaddedAxis {
  std::vector<int> lo, hi;  // source index into the unpadded image, -1 = padding
  std::vector<double> frac;
};

inline PaddedAxis paddedAxis(int size, int padBefore, int padAfter, int newSize) {
  const ResizeAxis r = resizeAxis(size + padBefore + padAfter, newSize, /*alignCorners=*/false);
  PaddedAxis a;
  a.lo.resize(newSize);
  a.hi.resize(newSize);
  a.frac = r.frac;
  for (int i = 0; i < newSize; ++i) {
    const int lo = r.lo[i] - padBefore, hi = r.hi[i] - padBefore;
    a.lo[i] = (lo >= 0 && lo < size) ? lo : -1;
    a.hi[i] = (hi >= 0 && hi < size) ? hi : -1;
  }
  return a;
}

// padAndResizeTo: pads the image (height x width x channels bytes, 3 or 4
// channels) with zeros by `pad`, resizes it bilinearly (alignCorners=false,
// halfPixelCenters=false) to targetHeight x targetWidth and writes float32
// RGB HWC to `out`, each value through normalize(value, channel). Rows are
// shared among the threads of `pool` (nullptr: this thread alone).
template <typename Normalize>
void padAndResize(const uint8_t* pixels, int channels, int height, int width, const Padding& pad, int targetHeight,
                  int targetWidth, Normalize normalize, float* out, pthreadpool_t pool = nullptr) {
  const PaddedAxis rows = paddedAxis(height, pad.top, pad.bottom, targetHeight);
  const PaddedAxis cols = paddedAxis(width, pad.left, pad.right, targetWidth);
  // Per column: byte offsets of the two source pixels within a row, and
  // whether they are inside the image (else they read a zero pixel).
  const int rowBytes = width * channels;
  std::vector<int> offL(targetWidth), offR(targetWidth);
  std::vector<uint8_t> colL(targetWidth), colR(targetWidth);
  for (int j = 0; j < targetWidth; ++j) {
    colL[j] = cols.lo[j] >= 0;
    colR[j] = cols.hi[j] >= 0;
    offL[j] = colL[j] ? cols.lo[j] * channels : 0;
    offR[j] = colR[j] ? cols.hi[j] * channels : 0;
  }
  static const uint8_t kZeroPixel[4] = {0, 0, 0, 0};
  forEachBand(targetHeight, pool, [&](int, int i0, int i1) noexcept {
    for (int i = i0; i < i1; ++i) {
      const uint8_t* top = rows.lo[i] >= 0 ? pixels + static_cast<size_t>(rows.lo[i]) * rowBytes : nullptr;
      const uint8_t* bot = rows.hi[i] >= 0 ? pixels + static_cast<size_t>(rows.hi[i]) * rowBytes : nullptr;
      const double rowFrac = rows.frac[i];
      float* o = out + static_cast<size_t>(i) * targetWidth * 3;
      for (int j = 0; j < targetWidth; ++j, o += 3) {
        const uint8_t* tl = (top && colL[j]) ? top + offL[j] : kZeroPixel;
        const uint8_t* tr = (top && colR[j]) ? top + offR[j] : kZeroPixel;
        const uint8_t* bl = (bot && colL[j]) ? bot + offL[j] : kZeroPixel;
        const uint8_t* br = (bot && colR[j]) ? bot + offR[j] : kZeroPixel;
        const double colFrac = cols.frac[j];
        for (int c = 0; c < 3; ++c) {
          const double t = lerp(tl[c], tr[c], colFrac);
          const double b = lerp(bl[c], br[c], colFrac);
          const float v = static_cast<float>(lerp(t, b, rowFrac));
          o[c] = normalize(v, c);
        }
      }
    }
  });
}

}  // namespace bodypix::image::detail
