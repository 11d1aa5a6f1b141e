// Person instances of @tensorflow-models/body-pix 2.2.1's segmentMultiPerson
// and segmentMultiPersonParts on tfjs-cpu (decodeMultipleMasksCPU /
// decodeMultiplePartMasksCPU): each person pixel follows the long-range
// offsets to where it places the face keypoints, and goes to the pose whose
// keypoints lie nearest. The same double arithmetic and the same NaN
// behaviour (out-of-grid reads are `undefined` in JS), so that every pixel
// picks the same person.
#pragma once

#include <cstdint>
#include <vector>

#include <pthreadpool.h>

#include "bodypix/poses.h"
#include "bodypix/preprocess.h"

namespace bodypix::decode {

struct InstanceGeometry {
  int height, width;            // the image
  int inputHeight, inputWidth;  // the network input (after padding and resize)
  image::Padding padding;
  int outputStride;
};

// owner[i] = index into `poses` of the person owning pixel i, or -1 where
// mask[i] is 0 or no pose matches. `poses` are in image pixels (after
// scalePoses) and already filtered by score, as body-pix's posesAboveScore.
// longOffsets: float_long_offsets, [lh, lw, 2 * kNumKeypoints] (y then x).
// Rows are shared out over `pool` (nullptr: the calling thread does all).
void matchPersonPixels(const uint8_t* mask, const Grid& longOffsets, const std::vector<Pose>& poses,
                       const InstanceGeometry& geometry, int refineSteps, int32_t* owner,
                       pthreadpool_t pool = nullptr) noexcept;

}  // namespace bodypix::decode
