#include "bodypix/config.h"

#include <climits>
#include <cstdint>
#include <string>

#include "bodypix/preprocess.h"
#include "error.h"

namespace bodypix {
namespace {

// The range first: converting a double beyond the integer's range is
// undefined.
bool isIntegerIn(double v, double lo, double hi) {
  return v >= lo && v <= hi && v == static_cast<double>(static_cast<int64_t>(v));
}

void checkUnitInterval(const char* name, double v) {
  if (!(v >= 0.0 && v <= 1.0))
    throw Error(std::string(name) + " " + std::to_string(v) + " is out of range: it must be in [0, 1]");
}

void checkMaxDetections(double v) {
  if (!isIntegerIn(v, 1, INT_MAX))
    throw Error("maxDetections " + std::to_string(v) + " is invalid: it must be an integer between 1 and 2147483647");
}

void checkNmsRadius(double v) {
  if (!(v > 0)) throw Error("nmsRadius " + std::to_string(v) + " is invalid: it must be > 0");
}

void checkRefineSteps(double v) {
  if (!isIntegerIn(v, 1, 20))
    throw Error("refineSteps " + std::to_string(v) + " is invalid: it must be an integer in [1, 20]");
}

void checkThreads(double v) {
  if (!isIntegerIn(v, 0, static_cast<double>(kMaxThreadsOption)))
    throw Error("threads " + std::to_string(v) + " is invalid: it must be an integer between 0 (automatic) and " +
                std::to_string(kMaxThreadsOption));
}

}  // namespace

void validate(const SegmentationConfig& config) {
  image::internalResolutionFraction(config.internalResolution);
  checkUnitInterval("segmentationThreshold", config.segmentationThreshold);
  // body-pix's validatePersonInferenceConfig.
  checkMaxDetections(config.poses.maxDetections);
  checkUnitInterval("scoreThreshold", config.poses.scoreThreshold);
  checkNmsRadius(config.poses.nmsRadius);
}

// body-pix's validateMultiPersonInstanceInferenceConfig on top of the above.
void validate(const MultiPersonConfig& config) {
  validate(static_cast<const SegmentationConfig&>(config));
  checkUnitInterval("minKeypointScore", config.minKeypointScore);
  checkRefineSteps(config.refineSteps);
}

void validateThreads(size_t threads) { checkThreads(static_cast<double>(threads)); }

float segmentationThresholdFrom(double value) {
  checkUnitInterval("segmentationThreshold", value);
  return static_cast<float>(value);
}

int maxDetectionsFrom(double value) {
  checkMaxDetections(value);
  return static_cast<int>(value);
}

int refineStepsFrom(double value) {
  checkRefineSteps(value);
  return static_cast<int>(value);
}

size_t threadsFrom(double value) {
  checkThreads(value);
  return static_cast<size_t>(value);
}

}  // namespace bodypix
