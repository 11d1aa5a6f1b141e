// The warm-up (src/warmup): its miniature model is a BodyPix model the
// engine takes, and warming up leaves the thread pool free for real models.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "bodypix/model.h"
#include "warmup/warm_up.h"

using namespace bodypix;

namespace {

Segmentation<int32_t> segmentMini(size_t threads) {
  const warmup::ModelFiles mini = warmup::miniModel();
  BodyPixModel model(mini.json, {{mini.shard.data(), mini.shard.size()}}, threads, 0);
  std::vector<uint8_t> pixels(40 * 30 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13);
  SegmentationConfig config;
  return model.segmentPersonParts(Image{pixels.data(), pixels.size(), 40, 30}, config);
}

}  // namespace

TEST_CASE("the warm-up's model is a stride-16 MobileNetV1 BodyPix model") {
  const warmup::ModelFiles mini = warmup::miniModel();
  BodyPixModel model(mini.json, {{mini.shard.data(), mini.shard.size()}}, 1, 0);
  CHECK(model.architecture() == Architecture::MobileNetV1);
  CHECK(model.outputStride() == 16);
  const Segmentation<int32_t> parts = segmentMini(1);
  CHECK(parts.data.size() == 40u * 30u);
}

TEST_CASE("warming up runs its stages, then leaves the thread pool to real models") {
  if (BODYPIX_MAX_THREADS < 2) {
    // Stage by stage on the caller's thread: the model, then a run (no
    // model is expected, so no heap to fault in).
    CHECK(warmup::step());
    CHECK(warmup::step());
    CHECK_FALSE(warmup::step());
    CHECK_FALSE(warmup::step());
  } else {
    // On its own thread, which the pool then needs.
    CHECK_FALSE(warmup::step());
    warmup::start();
    warmup::start();
    warmup::finish();
  }
  // A model on the shared pool afterwards: made, run, and right.
  CHECK(segmentMini(2).data == segmentMini(1).data);
}
