// Internal: per-axis sampling tables of tfjs-backend-cpu's ResizeBilinear and
// CropAndResize kernels. Rows and columns are independent in both kernels, so
// each axis is precomputed once and every pixel only reads the tables.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace bodypix::image::detail {

// ResizeBilinear (halfPixelCenters=false) along one axis: output index i reads
// source indices lo[i], hi[i] with weight frac[i] on hi, exactly as the kernel:
//   sourceFrac = ratio * i; lo = max(0, floor(sourceFrac));
//   frac = sourceFrac - lo;  hi = min(oldSize - 1, ceil(sourceFrac)).
struct ResizeAxis {
  std::vector<int> lo, hi;
  std::vector<double> frac;
};

inline ResizeAxis resizeAxis(int oldSize, int newSize, bool alignCorners) {
  const bool ac = alignCorners && newSize > 1;
  const double ratio = static_cast<double>(ac ? oldSize - 1 : oldSize) /
                       static_cast<double>(ac ? newSize - 1 : newSize);
  ResizeAxis a;
  a.lo.resize(newSize);
  a.hi.resize(newSize);
  a.frac.resize(newSize);
  for (int i = 0; i < newSize; ++i) {
    const double src = ratio * i;
    const double fl = std::floor(src);
    const double lo = fl > 0.0 ? fl : 0.0;
    const double ce = std::ceil(src);
    a.lo[i] = static_cast<int>(lo);
    a.hi[i] = ce < oldSize - 1 ? static_cast<int>(ce) : oldSize - 1;
    a.frac[i] = src - lo;
  }
  return a;
}

// CropAndResize (bilinear) along one axis for one box [c1, c2] (float32 box
// coordinates, as tf.image.cropAndResize stores them):
//   scale = crop > 1 ? (c2 - c1) * (image - 1) / (crop - 1) : 0
//   ind   = crop > 1 ? c1 * (image - 1) + i * scale : 0.5 * (c1 + c2) * (image - 1)
//   ind < 0 || ind > image - 1  -> extrapolation value (0)
//   else lo = floor(ind), hi = ceil(ind), lerp = ind - lo.
// A NaN `ind` (0/0 box of a 1-pixel axis without padding) passes the range
// test in JS and then reads imageVals[NaN] = undefined, i.e. NaN.
enum class CropState : uint8_t { Inside, Outside, NaN };

struct CropAxis {
  std::vector<CropState> state;
  std::vector<int> lo, hi;  // 0 unless Inside
  std::vector<double> lerp;
};

inline CropAxis cropAxis(float c1f, float c2f, int imageSize, int cropSize) {
  const double c1 = c1f, c2 = c2f;
  const double last = static_cast<double>(imageSize) - 1.0;
  const double scale = cropSize > 1 ? (c2 - c1) * last / static_cast<double>(cropSize - 1) : 0.0;
  CropAxis a;
  a.state.resize(cropSize);
  a.lo.assign(cropSize, 0);
  a.hi.assign(cropSize, 0);
  a.lerp.assign(cropSize, 0.0);
  for (int i = 0; i < cropSize; ++i) {
    const double ind = cropSize > 1 ? c1 * last + i * scale : 0.5 * (c1 + c2) * last;
    if (ind < 0.0 || ind > last) {
      a.state[i] = CropState::Outside;
    } else if (std::isnan(ind)) {
      a.state[i] = CropState::NaN;
    } else {
      const double fl = std::floor(ind);
      a.state[i] = CropState::Inside;
      a.lo[i] = static_cast<int>(fl);
      a.hi[i] = static_cast<int>(std::ceil(ind));
      a.lerp[i] = ind - fl;
    }
  }
  return a;
}

// The box removePaddingAndResizeBack passes to cropAndResize, rounded to
// float32 like the boxes tensor.
struct CropBox {
  float y1, x1, y2, x2;
};

inline CropBox removePaddingBox(int padT, int padB, int padL, int padR, int height, int width) {
  const double dh = static_cast<double>(height) + padT + padB - 1.0;
  const double dw = static_cast<double>(width) + padL + padR - 1.0;
  return CropBox{static_cast<float>(padT / dh), static_cast<float>(padL / dw),
                 static_cast<float>((padT + height - 1.0) / dh), static_cast<float>((padL + width - 1.0) / dw)};
}

// a + (b - a) * t in double, the lerp both kernels use.
inline double lerp(double a, double b, double t) noexcept { return a + (b - a) * t; }

}  // namespace bodypix::image::detail
