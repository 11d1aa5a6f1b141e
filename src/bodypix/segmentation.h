// The person mask of @tensorflow-models/body-pix 2.2.1: toMaskTensor of
// scaleAndCropToInputTensorShape(segment logits), bit for bit as
// tfjs-backend-cpu computes it (see preprocess.h for the pipeline and the
// build note), without materialising the full-size scores.
#pragma once

#include <pthreadpool.h>

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

// toMaskTensor(scaleAndCrop(segmentation logits, sigmoid), threshold):
// out[y * width + x] = score > threshold ? 1 : 0 (height * width bytes).
// `segLogits` has one channel; `threshold` is segmentationThreshold as
// float32 (tf.scalar rounds it so). Rows are shared among the threads of
// `pool` (nullptr: this thread alone); the result does not depend on it.
void segmentationMask(const float* segLogits, const OutputGeometry& geometry, float threshold, uint8_t* out,
                      pthreadpool_t pool = nullptr);

}  // namespace bodypix::image
