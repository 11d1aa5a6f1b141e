// Image pre-processing of @tensorflow-models/body-pix 2.2.1. Like the
// post-processing (segmentation.h, parts.h) it reproduces tfjs-backend-cpu
// 4.22's arithmetic bit for bit (resizeBilinear, sigmoid, cropAndResize,
// greater, argMax): every value TF.js computes in double and stores in a
// Float32Array is computed here in double and rounded to float at the same
// place.
//
// Pipeline of BodyPix.segmentPersonActivation / segmentPersonPartsActivation
// for an image of height x width pixels:
//   1. Size target = toInputResolutionHeightAndWidth(fraction, stride, h, w)
//   2. preprocess(): padAndResizeTo + the model's preprocessInput -> network
//      input [target.height, target.width, 3]
//   3. (network) -> logits [lh, lw, C], lh = (target.height - 1) / stride + 1
//   4. segmentationMask() (segmentation.h) / partSegmentation() (parts.h):
//      scaleAndCropToInputTensorShape (resizeBilinear alignCorners=true to
//      the target size, sigmoid, cropAndResize back to height x width) fused
//      with toMaskTensor and decodePartSegmentation, without materialising
//      full-size tensors.
//
// All these functions throw bodypix::Error on bad arguments. They keep no
// global state (concurrent calls on different buffers are fine) and allocate
// only O(width + targetWidth * C) scratch per call (per band of rows on a
// thread pool).
//
// Build note: exactness needs IEEE double arithmetic without fused
// multiply-add contraction. The sources disable contraction for clang/em++
// (wasm has no scalar FMA anyway); a native GCC build that enables FMA
// (-mfma, -march=native) must also pass -ffp-contract=off.
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <string_view>

namespace bodypix::image {

// Pixels added around the image by padAndResizeTo (body-pix's `padding`).
struct Padding {
  int top = 0;
  int bottom = 0;
  int left = 0;
  int right = 0;
};

struct Size {
  int height = 0;
  int width = 0;
};

// The model's preprocessInput, applied after padAndResizeTo.
enum class Normalization {
  MobileNet,  // tf.sub(tf.div(x, 127.5), 1.0)
  ResNet,     // tf.add(x, [-123.15, -115.90, -103.06])
};

// ---------------------------------------------------------------------------
// Internal resolution (util.js: toInternalResolutionPercentage,
// toValidInputResolution, toInputResolutionHeightAndWidth)

// 'low' | 'medium' | 'high' | 'full' -> 0.25 | 0.5 | 0.75 | 1.0.
double internalResolutionFraction(std::string_view name);
// A numeric internalResolution: returned unchanged if in [0.1, 2.0].
double internalResolutionFraction(double fraction);

// toValidInputResolution: inputResolution if (inputResolution - 1) is a
// multiple of outputStride, else floor(inputResolution / stride) * stride + 1.
int toValidInputResolution(double inputResolution, int outputStride);

// [toValidInputResolution(height * fraction), toValidInputResolution(width *
// fraction)]; fraction is validated like internalResolutionFraction(double).
Size toInputResolutionHeightAndWidth(double fraction, int outputStride, int height, int width);

// padAndResizeTo's padding for an image of height x width resized to
// targetHeight x targetWidth (JS Math.round semantics).
Padding computePadding(int height, int width, int targetHeight, int targetWidth);

// ---------------------------------------------------------------------------
// Pre-processing

// padAndResizeTo + preprocessInput. `pixels`: height x width x channels bytes
// (channels 3 = RGB or 4 = RGBA; alpha is ignored, as tf.browser.fromPixels
// does). Pads with zeros by `computePadding`, resizes bilinearly
// (alignCorners=false, halfPixelCenters=false) to targetHeight x targetWidth,
// normalises, and writes float32 RGB HWC to `out`
// (targetHeight * targetWidth * 3 floats), its rows shared among the threads
// of `pool` (nullptr: this thread alone). Returns the padding used.
Padding preprocess(const uint8_t* pixels, int channels, int height, int width, int targetHeight, int targetWidth,
                   Normalization norm, float* out, pthreadpool_t pool = nullptr);

}  // namespace bodypix::image
