// Test-only stages of src/bodypix's image code: what the engine fuses away
// or never needs alone, computed whole so that the image tests can compare
// each stage with TF.js. Built from the engine's internal pieces, so that
// the engine itself does not carry them.
#pragma once

#include <cstdint>

#include "bodypix/preprocess.h"
#include "bodypix/segmentation.h"

namespace bodypix::test {

// padAndResizeTo's `resized` tensor: what preprocess() computes before the
// model's normalisation, as float32 RGB HWC (targetHeight * targetWidth * 3
// floats). Returns the padding used.
image::Padding padAndResizeTo(const uint8_t* pixels, int channels, int height, int width, int targetHeight,
                              int targetWidth, float* out);

// scaleAndCropToInputTensorShape: resizeBilinear(alignCorners=true) to the
// network input's size, optional sigmoid, removePaddingAndResizeBack
// (cropAndResize, extrapolation 0). Writes height * width * channels floats.
// Computes every value (one exp per grid value with the sigmoid: ~0.1 s for
// 24 channels of a 1049x861 image at 'medium'), where the mask and the part
// map compute only what decides their result. As in TF.js, an axis of 1
// pixel without padding gives a 0/0 crop box and NaN scores (hence mask 0 /
// part -1 there).
void scaleAndCropToInputTensorShape(const float* logits, int channels, const image::OutputGeometry& geometry,
                                    bool applySigmoid, float* out);

}  // namespace bodypix::test
