// No fused multiply-adds: the double arithmetic must round like JS (before
// any #include: the engine headers' inline arithmetic too).
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "image_support.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "bodypix/pad_and_resize.h"
#include "bodypix/upsampling.h"
#include "tfjs/js_math.h"

namespace bodypix::test {
namespace {

using image::detail::CropState;
using image::detail::cropValue;
using image::detail::lerp;
using image::detail::ResizeAxis;
using image::detail::SamplingTables;
using image::detail::TwoRowSlots;
using tfjs::sigmoidF32;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A whole grid row (needed columns, all channels), optionally through the
// sigmoid kernel.
void fillGridRow(const float* logits, int lw, int C, const SamplingTables& g, int r, bool sigmoid,
                 float* dst) noexcept {
  if (C == 1 && !sigmoid) return image::detail::fillLogitRow(logits, lw, g, r, dst);
  const ResizeAxis& rows = g.gridRows;
  const ResizeAxis& cols = g.gridCols;
  const float* r0 = logits + static_cast<size_t>(rows.lo[r]) * lw * C;
  const float* r1 = logits + static_cast<size_t>(rows.hi[r]) * lw * C;
  const double rf = rows.frac[r];
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
      o[ch] = sigmoid ? tfjs::sigmoidF32(v) : v;
    }
  }
}

}  // namespace

image::Padding padAndResizeTo(const uint8_t* pixels, int channels, int height, int width, int targetHeight,
                              int targetWidth, float* out) {
  const image::Padding pad = image::computePadding(height, width, targetHeight, targetWidth);
  image::detail::padAndResize(
      pixels, channels, height, width, pad, targetHeight, targetWidth, [](float v, int) { return v; }, out);
  return pad;
}

void scaleAndCropToInputTensorShape(const float* logits, int channels, const image::OutputGeometry& geometry,
                                    bool applySigmoid, float* out) {
  image::detail::checkArguments("scaleAndCropToInputTensorShape", logits, channels, geometry, out);
  const SamplingTables g(geometry);
  const int height = geometry.height, width = geometry.width, lw = geometry.logitsWidth;
  const int C = channels;
  const size_t rowSize = static_cast<size_t>(geometry.inputWidth) * C;
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

}  // namespace bodypix::test
