// The official model files load, build and run; bad calls are errors that
// leave the model usable.
#include <catch2/catch.hpp>

#include <cmath>

#include "bodypix/model.h"
#include "test_graphs.h"

using bodypix::BodyPixModel;
using bodypix::Image;
using bodypix::test::readBytes;
using bodypix::test::readText;

namespace {

struct Loaded {
  std::string json;
  std::vector<uint8_t> shard;
};

Loaded readModel(const std::string& dir, int stride) {
  return {readText(dir + "/model-stride" + std::to_string(stride) + ".json"), readBytes(dir + "/group1-shard1of1.bin")};
}

std::vector<uint8_t> gradient(int w, int h) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 4];
      p[0] = static_cast<uint8_t>(x * 255 / w);
      p[1] = static_cast<uint8_t>(y * 255 / h);
      p[2] = 128;
      p[3] = 255;
    }
  return px;
}

}  // namespace

TEST_CASE("every official MobileNet file loads with its stride and runs", "[bodypix][shared]") {
  const std::string root = bodypix::test::sharedDir() + "/models/bodypix/mobilenet/";
  for (const char* variant : {"float/050", "quant2/050", "quant2/075", "quant1/050", "quant1/075", "quant1/100"}) {
    for (int stride : {16, 8}) {
      const std::string dir = root + variant;
      if (!bodypix::test::requireShared(dir + "/model-stride16.json")) return;
      INFO(variant << " stride " << stride);
      const Loaded files = readModel(dir, stride);
      BodyPixModel model(files.json, {{files.shard.data(), files.shard.size()}}, 1, stride);
      CHECK(model.outputStride() == stride);
      CHECK(model.architecture() == bodypix::Architecture::MobileNetV1);
      const auto px = gradient(75, 51);
      const bodypix::Prediction heads = model.predict({px.data(), px.size(), 75, 51}, 0.5);
      CHECK(heads.shapes[bodypix::kSegments].c == 1);
      CHECK(heads.shapes[bodypix::kPartHeatmaps].c == 24);
      CHECK(heads.shapes[bodypix::kHeatmaps].c == 17);
      CHECK(heads.shapes[bodypix::kPartOffsets].c == 48);
      const auto& s = heads.shapes[bodypix::kSegments];
      CHECK(s.h == static_cast<size_t>((heads.inputHeight - 1) / stride + 1));
      for (size_t i = 0; i < s.size(); ++i) REQUIRE(std::isfinite(heads.data[bodypix::kSegments][i]));
    }
  }
}

TEST_CASE("bad calls are errors naming the problem, and the model stays usable", "[bodypix][errors][shared]") {
  const std::string dir = bodypix::test::sharedDir() + "/models/bodypix/mobilenet/quant1/050";
  if (!bodypix::test::requireShared(dir + "/model-stride16.json")) return;
  const Loaded files = readModel(dir, 16);
  CHECK_THROWS_WITH(BodyPixModel(files.json, {{files.shard.data(), files.shard.size()}}, 1, 8),
                    Catch::Contains("model file has stride 16"));
  BodyPixModel model(files.json, {{files.shard.data(), files.shard.size()}}, 1, 0);
  const auto px = gradient(40, 30);
  const bodypix::SegmentationConfig config;
  CHECK_THROWS_WITH(model.segmentPerson({px.data(), px.size(), 0, 30}, config), Catch::Contains("must be positive"));
  CHECK_THROWS_WITH(model.segmentPerson({px.data(), px.size(), -40, 30}, config), Catch::Contains("must be positive"));
  CHECK_THROWS_WITH(model.segmentPerson({px.data(), px.size() - 1, 40, 30}, config),
                    Catch::Contains("needs 4800 (RGBA) or 3600 (RGB)"));
  CHECK_THROWS_WITH(model.segmentPerson({px.data(), 0, 65536, 65536}, config),
                    Catch::Contains("has 0 bytes but 65536x65536 needs 17179869184 (RGBA)"));
  bodypix::SegmentationConfig tooSmall;
  tooSmall.internalResolution = 0.05;
  CHECK_THROWS(model.segmentPerson({px.data(), px.size(), 40, 30}, tooSmall));
  const std::vector<uint8_t> mask = model.segmentPerson({px.data(), px.size(), 40, 30}, config).data;
  CHECK(mask.size() == 1200);
  const std::vector<int32_t> parts = model.segmentPersonParts({px.data(), px.size(), 40, 30}, config).data;
  CHECK(parts.size() == 1200);
  // The same pixels as RGB give the same answer.
  std::vector<uint8_t> rgb;
  for (size_t i = 0; i < px.size(); ++i)
    if (i % 4 != 3) rgb.push_back(px[i]);
  CHECK(model.segmentPersonParts({rgb.data(), rgb.size(), 40, 30}, config).data == parts);
}

TEST_CASE("a graph that is not BodyPix is rejected at load", "[bodypix][errors]") {
  bodypix::test::GraphBuilder g;
  g.placeholder("x").node("r", "Relu", {"x"});
  CHECK_THROWS_WITH(BodyPixModel(g.text(), g.shards(), 1, 0), Catch::Contains("not a BodyPix model"));
}
