// Problems the model fuzzer (tests/fuzz) found, each pinned by a small input
// that showed it. The memory ones only fail visibly in the native
// AddressSanitizer build (scripts/test-native.sh); everywhere they also check
// the values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>

#include "bodypix/model.h"
#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "test_graphs.h"

using bodypix::Error;
using bodypix::parseGraphModel;
using bodypix::test::GraphBuilder;
using nlohmann::json;

namespace {

// One weight 'w' of the given spec over the given bytes.
std::string oneWeight(const json& spec) {
  return json{{"format", "graph-model"},
              {"modelTopology", {{"node", json::array({{{"name", "w"}, {"op", "Const"}}})}}},
              {"weightsManifest", json::array({{{"paths", {"a.bin"}}, {"weights", json::array({spec})}}})}}
      .dump();
}

}  // namespace

TEST_CASE("an int32 weight whose dequantized values leave int32 is an error", "[model][errors]") {
  // Converting 1e30 to int32 was undefined behaviour (UBSan: float-cast-overflow).
  const std::vector<uint8_t> codes = {0, 1, 2, 3};
  for (const auto& [min, scale] : {std::pair<double, double>{0, 1e30}, {-3e9, 1}, {2147483647.0, 1}}) {
    const std::string text = oneWeight({{"name", "w"},
                                        {"shape", {4}},
                                        {"dtype", "int32"},
                                        {"quantization", {{"dtype", "uint8"}, {"min", min}, {"scale", scale}}}});
    CHECK_THROWS_WITH(parseGraphModel(text, {{codes.data(), codes.size()}}), Catch::Contains("beyond int32"));
  }
  // The extremes themselves are fine: codes 0..255 over [-2^31, -2^31 + 255].
  const double lowest = std::numeric_limits<int32_t>::min();
  const std::string ok = oneWeight({{"name", "w"},
                                    {"shape", {4}},
                                    {"dtype", "int32"},
                                    {"quantization", {{"dtype", "uint8"}, {"min", lowest}, {"scale", 1}}}});
  CHECK(parseGraphModel(ok, {{codes.data(), codes.size()}}).weight("w")->i32 ==
        std::vector<int32_t>{INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, INT32_MIN + 3});
}

TEST_CASE("a quantization to anything but uint8, uint16 or float16 is an error, as in TF.js", "[model][errors]") {
  // A float32 "quantization" of an int32 weight converted arbitrary floats to int32.
  const std::vector<uint8_t> bytes(16, 0x7f);
  for (const char* dtype : {"int32", "float32"}) {
    const std::string text = oneWeight({{"name", "w"},
                                        {"shape", {4}},
                                        {"dtype", dtype},
                                        {"quantization", {{"dtype", "float32"}, {"min", 0}, {"scale", 1}}}});
    CHECK_THROWS_WITH(parseGraphModel(text, {{bytes.data(), bytes.size()}}), Catch::Contains("quantized to 'float32'"));
  }
}

TEST_CASE("Pad and multi-pass MaxPool on exactly sized 3-channel buffers", "[graph]") {
  // XNNPACK's pad kernel read past the end of the network input, and its
  // multi-pass max pooling (windows over 9 values) past the end of the
  // output, both by up to XNN_EXTRA_BYTES (ASan: heap-buffer-overflow).
  GraphBuilder g;
  g.placeholder("x")
      .intConstant("p", {4, 2}, {0, 0, 0, 1, 0, 0, 0, 0})
      .node("pad", "Pad", {"x", "p"})
      .node("pool", "MaxPool", {"x"},
            {{"ksize", GraphBuilder::ints({1, 5, 5, 1})},
             {"strides", GraphBuilder::ints({1, 1, 1, 1})},
             {"padding", GraphBuilder::str("SAME")}});
  const bodypix::GraphModel model = parseGraphModel(g.text(), g.shards());
  bodypix::Network net(bodypix::buildSubgraph(model, {"pad", "pool"}), 1);
  const int h = 5, w = 7, c = 3;
  std::vector<float> x(static_cast<size_t>(h) * w * c);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101);
  const auto at = [&](int y, int xx, int k) { return x[(static_cast<size_t>(y) * w + xx) * c + k]; };
  net.run(x.data(), h, w);

  const float* pad = net.output(0);
  REQUIRE(net.outputShape(0).h == static_cast<size_t>(h + 1));
  for (int y = 0; y <= h; ++y)
    for (int xx = 0; xx < w; ++xx)
      for (int k = 0; k < c; ++k)
        REQUIRE(pad[(static_cast<size_t>(y) * w + xx) * c + k] == (y < h ? at(y, xx, k) : 0.0f));

  const float* pool = net.output(1);
  REQUIRE(net.outputShape(1).size() == x.size());
  for (int y = 0; y < h; ++y)
    for (int xx = 0; xx < w; ++xx)
      for (int k = 0; k < c; ++k) {
        float m = -std::numeric_limits<float>::infinity();
        for (int dy = -2; dy <= 2; ++dy)
          for (int dx = -2; dx <= 2; ++dx)
            if (y + dy >= 0 && y + dy < h && xx + dx >= 0 && xx + dx < w) m = std::max(m, at(y + dy, xx + dx, k));
        REQUIRE(pool[(static_cast<size_t>(y) * w + xx) * c + k] == m);
      }
}

TEST_CASE("a pooling window over 1024 values is an error at load, not hours of work", "[graph][errors]") {
  // A 1024x1024 MaxPool took 12 s on a 17x17 input in the fuzzer.
  for (const auto& [kh, kw] : {std::pair<int64_t, int64_t>{1024, 1024}, {33, 32}, {2, 513}}) {
    GraphBuilder g;
    g.placeholder("x").node("pool", "MaxPool", {"x"},
                            {{"ksize", GraphBuilder::ints({1, kh, kw, 1})}, {"padding", GraphBuilder::str("SAME")}});
    CHECK_THROWS_WITH(bodypix::buildSubgraph(parseGraphModel(g.text(), g.shards()), {"pool"}),
                      Catch::Contains("at most 1024 are supported"));
  }
  GraphBuilder ok;
  ok.placeholder("x").node("pool", "MaxPool", {"x"},
                           {{"ksize", GraphBuilder::ints({1, 32, 32, 1})}, {"padding", GraphBuilder::str("SAME")}});
  CHECK_NOTHROW(bodypix::buildSubgraph(parseGraphModel(ok.text(), ok.shards()), {"pool"}));
}

TEST_CASE("attribute values that would wrap in 32 bits are errors, not other values", "[graph][errors]") {
  // explicit_paddings 2^32 became 0 when narrowed to XNNPACK's uint32_t; an
  // input of 2^32 + 3 channels would become 3 in wasm's 32-bit size_t.
  GraphBuilder pad;
  pad.placeholder("x", 1)
      .constant("w", {1, 1, 1, 1}, {1})
      .node("c", "Conv2D", {"x", "w"},
            {{"padding", GraphBuilder::str("EXPLICIT")},
             {"explicit_paddings", GraphBuilder::ints({0, 0, 4294967296, 0, 0, 0, 0, 0})}});
  CHECK_THROWS_WITH(bodypix::buildSubgraph(parseGraphModel(pad.text(), pad.shards()), {"c"}),
                    Catch::Contains("invalid explicit_paddings"));
  GraphBuilder channels;
  channels.placeholder("x").node("r", "Relu", {"x"});
  json doc = channels.document();
  doc["modelTopology"]["node"][0]["attr"]["shape"]["shape"]["dim"][3]["size"] = "4294967299";
  CHECK_THROWS_WITH(bodypix::buildSubgraph(parseGraphModel(doc.dump(), channels.shards()), {"r"}),
                    Catch::Contains("has 4294967299 channels"));
}

TEST_CASE("a BodyPix graph whose heads have other channel counts is rejected at load", "[bodypix][errors]") {
  // float_heatmaps with 1 channel made the pose decoder read past the
  // network's outputs (ASan: heap-buffer-overflow in decode::Grid::at).
  const std::vector<int64_t> real = {1, 24, 17, 34, 34, 48, 32, 32};
  const auto& names = bodypix::BodyPixModel::headNames(bodypix::Architecture::MobileNetV1);
  for (size_t head = 0; head < real.size(); ++head) {
    std::vector<int64_t> channels = real;
    channels[head] = head == bodypix::kSegments ? 2 : 1;
    const GraphBuilder g = bodypix::test::miniBodyPix("MobilenetV1", channels);
    INFO(names[head]);
    CHECK_THROWS_WITH(bodypix::BodyPixModel(g.text(), g.shards(), 1, 0),
                      Catch::Contains("model output '" + names[head] + "'") && Catch::Contains("not a BodyPix model"));
  }
  const GraphBuilder ok = bodypix::test::miniBodyPix("MobilenetV1");
  bodypix::BodyPixModel model(ok.text(), ok.shards(), 1, 0);
  CHECK(model.outputStride() == 16);
  const std::vector<uint8_t> px(40 * 30 * 3, 100);
  CHECK(model.segmentPersonParts({px.data(), px.size(), 40, 30}, bodypix::SegmentationConfig{}).data.size() == 1200);
}

TEST_CASE("a VALID window that fits the nominal input but not a small one is an error at run time", "[graph][errors]") {
  // Dilations [1,2,20,1] make a 3x3 depthwise kernel 41 pixels wide: it fits
  // the 129-pixel feature map of the nominal input, not the 9-pixel one of a
  // 17x17 input, where XNNPACK computed one output pixel from outside its
  // input (ASan: SEGV in the igemm kernel of the next layer).
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {3, 3, 3, 4}, std::vector<float>(108, 0.5f))
      .constant("b", {4}, {1, 2, 3, 4})
      .node("c", "Conv2D", {"x", "w"},
            {{"strides", GraphBuilder::ints({1, 2, 2, 1})}, {"padding", GraphBuilder::str("SAME")}})
      .node("ba", "BiasAdd", {"c", "b"})
      .node("r", "Relu", {"ba"})
      .constant("dw", {3, 3, 4, 2}, std::vector<float>(72, 0.25f))
      .node("d", "DepthwiseConv2dNative", {"r", "dw"},
            {{"dilations", GraphBuilder::ints({1, 2, 20, 1})}, {"padding", GraphBuilder::str("VALID")}})
      .node("r6", "Relu6", {"d"});
  bodypix::Network net(bodypix::buildSubgraph(parseGraphModel(g.text(), g.shards()), {"r6"}), 1);
  std::vector<float> x(100 * 100 * 3, 1.0f);
  CHECK_THROWS_WITH(net.run(x.data(), 17, 17),
                    Catch::Contains("node 'd' has a window 41 pixels wide over an input of 9 at a network input of "
                                    "17x17"));
  // Wide enough but too short: the height's window is 5.
  CHECK_THROWS_WITH(net.run(x.data(), 7, 100), Catch::Contains("window 5 pixels high over an input of 4"));
  // The smallest input that fits runs, and the network still works.
  net.run(x.data(), 9, 81);
  CHECK(net.outputShape(0).h == 1);
  CHECK(net.outputShape(0).w == 1);
  CHECK(net.output(0)[0] == 6.0f);
}

TEST_CASE("a window that does not fit the nominal input is an error at load", "[graph][errors]") {
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {3, 3, 3, 1}, std::vector<float>(27, 1.0f))
      .node("c", "Conv2D", {"x", "w"},
            {{"dilations", GraphBuilder::ints({1, 200, 1, 1})}, {"padding", GraphBuilder::str("VALID")}});
  CHECK_THROWS_WITH(bodypix::buildSubgraph(parseGraphModel(g.text(), g.shards()), {"c"}),
                    Catch::Contains("node 'c' has a window 401 pixels high over an input of 257 at a network input "
                                    "of 257x257"));
}
