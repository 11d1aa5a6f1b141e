// The part map of @tensorflow-models/body-pix 2.2.1: decodePartSegmentation
// of the person mask (segmentation.h) and scaleAndCropToInputTensorShape(part
// logits), bit for bit as tfjs-backend-cpu computes it, without materialising
// the full-size scores.
#pragma once

#include <cstdint>

#include "bodypix/segmentation.h"

namespace bodypix::image {

// decodePartSegmentation(toMaskTensor(...), scaleAndCrop(part logits,
// sigmoid)): argMax over the numParts channels (first maximum wins), -1 where
// the mask is 0 (height * width int32). `segLogits` and `threshold` are
// segmentationMask()'s; `partLogits` is [logitsHeight, logitsWidth,
// numParts]; `maskOut` (optional, height * width bytes) receives the mask.
// (body-pix itself fails for numParts == 1 (tf.oneHot needs depth >= 2), and
// for width-1 images its squeezed mask broadcasts to a [height, height]
// result; here every pixel simply gets its own part id.) Rows are shared
// among the threads of `pool` as segmentationMask() shares them.
void partSegmentation(const float* segLogits, const float* partLogits, int numParts, const OutputGeometry& geometry,
                      float threshold, int32_t* out, uint8_t* maskOut = nullptr, pthreadpool_t pool = nullptr);

}  // namespace bodypix::image
