// The config checks (src/bodypix/config.h): body-pix's messages, byte for
// byte as the JS API has always given them (tests/js/bad-input.test.mjs
// matches the same texts), and BodyPixModel's calls run them.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "bodypix/config.h"
#include "bodypix/model.h"
#include "warmup/warm_up.h"

using namespace bodypix;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename Config, typename Set>
Config with(Set&& set) {
  Config c;
  set(c);
  return c;
}

}  // namespace

TEST_CASE("the default configs are valid", "[config]") {
  CHECK_NOTHROW(validate(SegmentationConfig{}));
  CHECK_NOTHROW(validate(MultiPersonConfig{}));
  CHECK_NOTHROW(validateThreads(0));
  CHECK_NOTHROW(validateThreads(kMaxThreadsOption));
}

TEST_CASE("segmentation configs out of range are errors with body-pix's messages", "[config][errors]") {
  using C = SegmentationConfig;
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.internalResolution = 0.05; })),
                    "internalResolution must be a string or number between 0.1 and 2, but was 0.050000");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.internalResolution = 5; })),
                    "internalResolution must be a string or number between 0.1 and 2, but was 5.000000");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.internalResolution = kNaN; })),
                    "internalResolution must be a string or number between 0.1 and 2, but was nan");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.segmentationThreshold = 1.5f; })),
                    "segmentationThreshold 1.500000 is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.segmentationThreshold = -0.25f; })),
                    "segmentationThreshold -0.250000 is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.segmentationThreshold = std::nanf(""); })),
                    "segmentationThreshold nan is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.maxDetections = 0; })),
                    "maxDetections 0.000000 is invalid: it must be an integer between 1 and 2147483647");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.maxDetections = -3; })),
                    "maxDetections -3.000000 is invalid: it must be an integer between 1 and 2147483647");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.scoreThreshold = 2; })),
                    "scoreThreshold 2.000000 is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.scoreThreshold = kNaN; })),
                    "scoreThreshold nan is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.nmsRadius = 0; })),
                    "nmsRadius 0.000000 is invalid: it must be > 0");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.nmsRadius = -5; })),
                    "nmsRadius -5.000000 is invalid: it must be > 0");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.poses.nmsRadius = kNaN; })),
                    "nmsRadius nan is invalid: it must be > 0");
  // The edges are valid.
  CHECK_NOTHROW(validate(with<C>([](C& c) {
    c.internalResolution = 2;
    c.segmentationThreshold = 0;
    c.poses.maxDetections = 2147483647;
    c.poses.scoreThreshold = 1;
    c.poses.nmsRadius = 1e-300;
  })));
  // The first bad field, in body-pix's order.
  CHECK_THROWS_WITH(validate(with<C>([](C& c) {
                      c.segmentationThreshold = 2;
                      c.poses.nmsRadius = 0;
                    })),
                    Catch::StartsWith("segmentationThreshold"));
}

TEST_CASE("multi-person configs check the segmentation fields, then their own", "[config][errors]") {
  using C = MultiPersonConfig;
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.minKeypointScore = 1.5; })),
                    "minKeypointScore 1.500000 is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.refineSteps = 0; })),
                    "refineSteps 0.000000 is invalid: it must be an integer in [1, 20]");
  CHECK_THROWS_WITH(validate(with<C>([](C& c) { c.refineSteps = 21; })),
                    "refineSteps 21.000000 is invalid: it must be an integer in [1, 20]");
  CHECK_NOTHROW(validate(with<C>([](C& c) { c.refineSteps = 20; })));
  CHECK_THROWS_WITH(validate(with<C>([](C& c) {
                      c.poses.maxDetections = 0;
                      c.refineSteps = 0;
                    })),
                    Catch::StartsWith("maxDetections"));
}

TEST_CASE("JS numbers the fields cannot hold get the fields' messages", "[config][errors]") {
  CHECK(segmentationThresholdFrom(0.25) == 0.25f);
  CHECK(maxDetectionsFrom(7) == 7);
  CHECK(refineStepsFrom(20) == 20);
  CHECK(threadsFrom(0) == 0);
  CHECK(threadsFrom(64) == 64);
  // A double above 1 that float32 would round to 1.
  CHECK_THROWS_WITH(segmentationThresholdFrom(1.00000001),
                    "segmentationThreshold 1.000000 is out of range: it must be in [0, 1]");
  CHECK_THROWS_WITH(maxDetectionsFrom(1.5),
                    "maxDetections 1.500000 is invalid: it must be an integer between 1 and 2147483647");
  CHECK_THROWS_WITH(maxDetectionsFrom(1e12),
                    "maxDetections 1000000000000.000000 is invalid: it must be an integer between 1 and 2147483647");
  CHECK_THROWS_WITH(maxDetectionsFrom(kNaN),
                    "maxDetections nan is invalid: it must be an integer between 1 and 2147483647");
  CHECK_THROWS_WITH(refineStepsFrom(2.5), "refineSteps 2.500000 is invalid: it must be an integer in [1, 20]");
  CHECK_THROWS_WITH(threadsFrom(-1),
                    "threads -1.000000 is invalid: it must be an integer between 0 (automatic) and 64");
  CHECK_THROWS_WITH(threadsFrom(1.5),
                    "threads 1.500000 is invalid: it must be an integer between 0 (automatic) and 64");
  CHECK_THROWS_WITH(threadsFrom(kNaN), "threads nan is invalid: it must be an integer between 0 (automatic) and 64");
  CHECK_THROWS_WITH(threadsFrom(1e9),
                    "threads 1000000000.000000 is invalid: it must be an integer between 0 (automatic) and 64");
  CHECK_THROWS_WITH(validateThreads(65),
                    "threads 65.000000 is invalid: it must be an integer between 0 (automatic) and 64");
}

TEST_CASE("BodyPixModel checks its thread count and every call's config", "[config][errors]") {
  const warmup::ModelFiles mini = warmup::miniModel();
  const std::vector<ShardView> shards = {{mini.shard.data(), mini.shard.size()}};
  CHECK_THROWS_WITH(BodyPixModel(mini.json, shards, 65, 0),
                    "threads 65.000000 is invalid: it must be an integer between 0 (automatic) and 64");
  BodyPixModel model(mini.json, shards, 1, 0);
  std::vector<uint8_t> pixels(40 * 30 * 4, 128);
  const Image image{pixels.data(), pixels.size(), 40, 30};
  SegmentationConfig bad;
  bad.poses.nmsRadius = -1;
  MultiPersonConfig badMulti;
  badMulti.refineSteps = 0;
  const char* nms = "nmsRadius -1.000000 is invalid: it must be > 0";
  const char* refine = "refineSteps 0.000000 is invalid: it must be an integer in [1, 20]";
  CHECK_THROWS_WITH(model.segmentPerson(image, bad), nms);
  CHECK_THROWS_WITH(model.segmentPersonParts(image, bad), nms);
  CHECK_THROWS_WITH(model.segmentMultiPerson(image, badMulti), refine);
  CHECK_THROWS_WITH(model.segmentMultiPersonParts(image, badMulti), refine);
  // A bad config is checked before the image.
  CHECK_THROWS_WITH(model.segmentPerson(Image{pixels.data(), 1, 40, 30}, bad), nms);
  // The model stays usable.
  CHECK(model.segmentMultiPersonParts(image, MultiPersonConfig{}).size() <= 10);
  CHECK(model.segmentPerson(image, SegmentationConfig{}).data.size() == 40u * 30u);
}
