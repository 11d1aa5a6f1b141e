// The person mask of @tensorflow-models/body-pix 2.2.1: toMaskTensor of
// scaleAndCropToInputTensorShape(segment logits), bit for bit as
// tfjs-backend-cpu computes it (see preprocess.h for the pipeline and the
// build note), without materialising the full-size scores.
#pragma once

#include <cstdint>

#include "bodypix/preprocess.h"

namespace bodypix::image {

// Where a network output comes from and where its scores go back to: the
// logits grid [logitsHeight, logitsWidth, C] (HWC) the network computed for
// an input of inputHeight x inputWidth, which preprocess() made from an image
// of height x width by adding `padding`.
struct OutputGeometry {
  int logitsHeight, logitsWidth;
  int inputHeight, inputWidth;
  Padding padding;
  int height, width;
};

// scaleAndCropToInputTensorShape: resizeBilinear(alignCorners=true) to the
// network input's size, optional sigmoid, removePaddingAndResizeBack
// (cropAndResize, extrapolation 0). Writes height * width * channels floats.
// Computes every value (one exp per grid value with the sigmoid: ~0.1 s for
// 24 channels of a 1049x861 image at 'medium'); the mask below and the part
// map (parts.h) are the fast paths. As in TF.js, an axis of 1 pixel without
// padding gives a 0/0 crop box and NaN scores (hence mask 0 / part -1 there).
void scaleAndCropToInputTensorShape(const float* logits, int channels, const OutputGeometry& geometry,
                                    bool applySigmoid, float* out);

// toMaskTensor(scaleAndCrop(segmentation logits, sigmoid), threshold):
// out[y * width + x] = score > threshold ? 1 : 0 (height * width bytes).
// `segLogits` has one channel; `threshold` is segmentationThreshold as
// float32 (tf.scalar rounds it so).
void segmentationMask(const float* segLogits, const OutputGeometry& geometry, float threshold, uint8_t* out);

}  // namespace bodypix::image
