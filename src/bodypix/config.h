// The options of body-pix's segment calls and their checks. body-pix 2.2.1
// validates its configs before running anything
// (validatePersonInferenceConfig, validateMultiPersonInstanceInferenceConfig);
// BodyPixModel's segment methods call validate() first, so every caller of
// the engine (the bindings, the C++ tests, the fuzzer) gets checked configs,
// with the messages the JS API has always given.
#pragma once

#include <cstddef>

#include "bodypix/poses.h"

namespace bodypix {

struct SegmentationConfig {
  double internalResolution = 0.5;     // a fraction in [0.1, 2]; 0.5 is body-pix's 'medium'
  float segmentationThreshold = 0.7f;  // in [0, 1]
  decode::PoseConfig poses;            // maxDetections >= 1, scoreThreshold in [0, 1], nmsRadius > 0
};

// body-pix's MULTI_PERSON_INSTANCE_INFERENCE_CONFIG.
struct MultiPersonConfig : SegmentationConfig {
  // In [0, 1]. Checked as body-pix checks it, then unused: only body-pix's
  // WebGL kernel reads it; its CPU path, which we match, ignores it.
  double minKeypointScore = 0.3;
  int refineSteps = 10;  // in [1, 20]
};

// Throws Error naming the first field out of range, in body-pix's order:
// internalResolution, segmentationThreshold, maxDetections, scoreThreshold,
// nmsRadius, then minKeypointScore and refineSteps.
void validate(const SegmentationConfig& config);
void validate(const MultiPersonConfig& config);

// The thread counts BodyPixModel takes: 0 (one per core) up to this. (The
// build caps what it starts at BODYPIX_MAX_THREADS.)
constexpr size_t kMaxThreadsOption = 64;
// Throws Error unless threads <= kMaxThreadsOption.
void validateThreads(size_t threads);

// For callers that hold the options as JS numbers, which the fields' C++
// types cannot all hold (1.5 detections, -1 threads, NaN): each checks its
// number as validate() checks the field, with the same message, then
// narrows it.
float segmentationThresholdFrom(double value);
int maxDetectionsFrom(double value);
int refineStepsFrom(double value);
size_t threadsFrom(double value);

}  // namespace bodypix
