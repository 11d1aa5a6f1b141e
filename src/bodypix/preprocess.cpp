// Internal resolution arithmetic and padAndResizeTo + preprocessInput.
// No fused multiply-adds: the double arithmetic must round like JS.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include <cmath>
#include <string>

#include "bodypix/pad_and_resize.h"
#include "bodypix/preprocess.h"
#include "error.h"
#include "tfjs/js_math.h"

namespace bodypix::image {

double internalResolutionFraction(std::string_view name) {
  if (name == "low") return 0.25;
  if (name == "medium") return 0.5;
  if (name == "high") return 0.75;
  if (name == "full") return 1.0;
  throw Error("internalResolution must be one of low,medium,high,full but was '" + std::string(name) + "'");
}

double internalResolutionFraction(double fraction) {
  if (!(fraction <= 2.0 && fraction >= 0.1)) {
    throw Error("internalResolution must be a string or number between 0.1 and 2, but was " + std::to_string(fraction));
  }
  return fraction;
}

int toValidInputResolution(double inputResolution, int outputStride) {
  if (outputStride <= 0) {
    throw Error("outputStride must be positive, got " + std::to_string(outputStride));
  }
  if (!std::isfinite(inputResolution) || inputResolution < 0.0 || inputResolution > 1e9) {
    throw Error("input resolution must be a finite non-negative number");
  }
  // JS: (r - 1) % stride === 0 ? r : Math.floor(r / stride) * stride + 1.
  // fmod is JS's % on numbers.
  if (std::fmod(inputResolution - 1.0, static_cast<double>(outputStride)) == 0.0) {
    return static_cast<int>(inputResolution);
  }
  return static_cast<int>(std::floor(inputResolution / outputStride) * outputStride + 1.0);
}

Size toInputResolutionHeightAndWidth(double fraction, int outputStride, int height, int width) {
  if (height <= 0 || width <= 0) {
    throw Error("image size must be positive, got " + std::to_string(height) + "x" + std::to_string(width));
  }
  internalResolutionFraction(fraction);
  return Size{toValidInputResolution(height * fraction, outputStride),
              toValidInputResolution(width * fraction, outputStride)};
}

Padding computePadding(int height, int width, int targetHeight, int targetWidth) {
  if (height <= 0 || width <= 0) {
    throw Error("image size must be positive, got " + std::to_string(height) + "x" + std::to_string(width));
  }
  if (targetHeight <= 0 || targetWidth <= 0) {
    throw Error("target size must be positive, got " + std::to_string(targetHeight) + "x" +
                std::to_string(targetWidth));
  }
  const double targetAspect = static_cast<double>(targetWidth) / targetHeight;
  const double aspect = static_cast<double>(width) / height;
  Padding p;
  // `+ 0.0` turns a JS -0 into 0 before the int conversion (same int anyway).
  if (aspect < targetAspect) {
    const double pad = tfjs::jsRound(0.5 * (targetAspect * height - width)) + 0.0;
    p.left = p.right = static_cast<int>(pad);
  } else {
    const double pad = tfjs::jsRound(0.5 * ((1.0 / targetAspect) * width - height)) + 0.0;
    p.top = p.bottom = static_cast<int>(pad);
  }
  if (p.top < 0 || p.left < 0) {
    // Cannot happen for positive sizes; tf.pad3d would reject it anyway.
    throw Error("computed negative padding");
  }
  return p;
}

namespace {

constexpr double kInv127_5 = 1.0 / 127.5;

// TF.js evaluates each binary op in double and stores float32. For a single
// + or - of two float32 values that equals the float32 op (double has
// >= 2*24+2 bits, so rounding twice is innocuous). x / 127.5 is replaced by
// the double product x * (1 / 127.5), which rounds to the same float32 for
// every float32 x in [0, 255] (checked exhaustively; resized bytes never
// leave that range).
// (Types, not functions: padAndResize is compiled once for each, with the
// normalisation inlined in its loop.)
struct MobileNetInput {
  float operator()(float v, int /*channel*/) const noexcept {
    return static_cast<float>(static_cast<double>(v) * kInv127_5) - 1.0f;
  }
};

// ResNet's imageNetMean, rounded to float32 as tf.add's tensor holds it.
struct ResNetInput {
  float operator()(float v, int channel) const noexcept {
    constexpr float kMean[3] = {static_cast<float>(-123.15), static_cast<float>(-115.90), static_cast<float>(-103.06)};
    return v + kMean[channel];
  }
};

}  // namespace

Padding preprocess(const uint8_t* pixels, int channels, int height, int width, int targetHeight, int targetWidth,
                   Normalization norm, float* out, pthreadpool_t pool) {
  if (pixels == nullptr) throw Error("preprocess: pixels is null");
  if (out == nullptr) throw Error("preprocess: out is null");
  if (channels != 3 && channels != 4) {
    throw Error("preprocess: channels must be 3 (RGB) or 4 (RGBA), got " + std::to_string(channels));
  }
  const Padding pad = computePadding(height, width, targetHeight, targetWidth);
  switch (norm) {
    case Normalization::MobileNet:
      detail::padAndResize(pixels, channels, height, width, pad, targetHeight, targetWidth, MobileNetInput{}, out,
                           pool);
      break;
    case Normalization::ResNet:
      detail::padAndResize(pixels, channels, height, width, pad, targetHeight, targetWidth, ResNetInput{}, out, pool);
      break;
    default:
      throw Error("preprocess: unknown normalization");
  }
  return pad;
}

}  // namespace bodypix::image
