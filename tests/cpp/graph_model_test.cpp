#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "test_graphs.h"
#include "tfjs/graph_model.h"

using bodypix::Error;
using bodypix::GraphModel;
using bodypix::parseGraphModel;
using bodypix::ShardView;
using bodypix::test::GraphBuilder;
using nlohmann::json;

namespace {

json quantizedModel(const std::string& dtype, double min, double scale, const std::vector<int64_t>& shape) {
  return {{"format", "graph-model"},
          {"modelTopology", {{"node", json::array({{{"name", "w"}, {"op", "Const"}}})}}},
          {"weightsManifest",
           json::array({{{"paths", {"a.bin"}},
                         {"weights",
                          json::array({{{"name", "w"},
                                        {"shape", shape},
                                        {"dtype", "float32"},
                                        {"quantization", {{"min", min}, {"scale", scale}, {"dtype", dtype}}}}})}}})}};
}

}  // namespace

TEST_CASE("float32 weights are read as stored and nodes keep their attributes", "[model]") {
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {1, 1, 3, 2}, {1, 2, 3, 4, 5, 6})
      .node("c", "Conv2D", {"x", "w:0", "^x"},
            {{"strides", GraphBuilder::ints({1, 2, 2, 1})}, {"padding", GraphBuilder::str("SAME")}});
  const GraphModel m = parseGraphModel(g.text(), g.shards());
  REQUIRE(m.nodes.size() == 3);
  const bodypix::Node* c = m.find("c");
  REQUIRE(c);
  CHECK(c->inputs == std::vector<std::string>{"x", "w"});  // ":0" stripped, control input dropped
  CHECK(c->stringAttr("padding", "") == "SAME");
  CHECK(c->intsAttr("strides") == std::vector<int64_t>{1, 2, 2, 1});
  const bodypix::Tensor* w = m.weight("w");
  REQUIRE(w);
  CHECK(w->shape == std::vector<int64_t>{1, 1, 3, 2});
  CHECK(w->f32 == std::vector<float>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("uint8 and uint16 weights dequantize as TF.js does: float32(q * scale + min)", "[model]") {
  const double min = -0.8012001821994236, scale = 2.4171851270120786e-05;
  for (const std::string dtype : {"uint8", "uint16"}) {
    const size_t width = dtype == "uint8" ? 1 : 2;
    std::vector<uint8_t> bytes(4 * width);
    const uint16_t q[4] = {0, 1, 200, 255};
    for (int i = 0; i < 4; ++i) std::memcpy(bytes.data() + i * width, &q[i], width);  // little endian
    const GraphModel m = parseGraphModel(quantizedModel(dtype, min, scale, {4}).dump(), {{bytes.data(), bytes.size()}});
    const auto& f = m.weight("w")->f32;
    for (int i = 0; i < 4; ++i) CHECK(f[i] == static_cast<float>(q[i] * scale + min));
  }
}

TEST_CASE("int32 weights quantized to uint8 are rounded, as ResNet's Pad paddings need", "[model]") {
  json doc = quantizedModel("uint8", 0.0, 3.0 / 255.0, {2});
  doc["weightsManifest"][0]["weights"][0]["dtype"] = "int32";
  const uint8_t bytes[2] = {255, 85};
  const GraphModel m = parseGraphModel(doc.dump(), {{bytes, 2}});
  CHECK(m.weight("w")->i32 == std::vector<int32_t>{3, 1});
}

TEST_CASE("float16 weights decode exactly", "[model]") {
  json doc = quantizedModel("float16", 0, 0, {3});
  doc["weightsManifest"][0]["weights"][0]["quantization"] = {{"dtype", "float16"}};
  const uint16_t halves[3] = {0x3c00, 0xc000, 0x0001};  // 1, -2, smallest subnormal
  const GraphModel m = parseGraphModel(doc.dump(), {{reinterpret_cast<const uint8_t*>(halves), 6}});
  CHECK(m.weight("w")->f32 == std::vector<float>{1.0f, -2.0f, std::ldexp(1.0f, -24)});
}

TEST_CASE("model.json tells the weights' size before they arrive", "[model]") {
  bodypix::ModelJson model(quantizedModel("uint16", -1.0, 0.5, {2, 3}).dump());
  CHECK(model.storedBytes() == 12);
  CHECK(model.decodedBytes() == 24);
  const uint16_t codes[6] = {};
  model.withWeights({{reinterpret_cast<const uint8_t*>(codes), sizeof codes}});
  CHECK(model.storedBytes() == 0);
  CHECK(model.decodedBytes() == 0);
}

TEST_CASE("weights spread over several shards and groups are read in manifest order", "[model]") {
  json doc = {{"format", "graph-model"},
              {"modelTopology",
               {{"node", json::array({{{"name", "a"}, {"op", "Const"}}, {{"name", "b"}, {"op", "Const"}}})}}},
              {"weightsManifest",
               json::array({{{"paths", {"g1-1.bin", "g1-2.bin"}},
                             {"weights", json::array({{{"name", "a"}, {"shape", {3}}, {"dtype", "float32"}}})}},
                            {{"paths", {"g2-1.bin"}},
                             {"weights", json::array({{{"name", "b"}, {"shape", {1}}, {"dtype", "float32"}}})}}})}};
  const float a[3] = {1.5f, -2.5f, 3.25f}, b = 7.0f;
  const auto* ab = reinterpret_cast<const uint8_t*>(a);
  // Shard boundaries inside a value: a group is one byte stream.
  const std::vector<ShardView> shards = {{ab, 5}, {ab + 5, 7}, {reinterpret_cast<const uint8_t*>(&b), 4}};
  const GraphModel m = parseGraphModel(doc.dump(), shards);
  CHECK(m.weight("a")->f32 == std::vector<float>{1.5f, -2.5f, 3.25f});
  CHECK(m.weight("b")->f32 == std::vector<float>{7.0f});
}

TEST_CASE("nodes are ordered so that inputs come first", "[model]") {
  GraphBuilder g;
  g.node("r", "Relu", {"x"}).placeholder("x");
  const GraphModel m = parseGraphModel(g.text(), g.shards());
  CHECK(m.nodes[0].name == "x");
  CHECK(m.nodes[1].name == "r");
}

TEST_CASE("model.json parsed ahead of its weights gives the same model", "[model]") {
  GraphBuilder g;
  g.placeholder("x").constant("w", {2}, {1, 2}).node("r", "Relu", {"x"});
  bodypix::ModelJson parsed(g.text());
  const GraphModel m = parsed.withWeights(g.shards());
  const GraphModel whole = parseGraphModel(g.text(), g.shards());
  REQUIRE(m.nodes.size() == whole.nodes.size());
  for (size_t i = 0; i < m.nodes.size(); ++i) CHECK(m.nodes[i].name == whole.nodes[i].name);
  CHECK(m.weight("w")->f32 == whole.weight("w")->f32);
  CHECK_THROWS_WITH(parsed.withWeights(g.shards()), Catch::Contains("has given its model already"));
  // The graph's errors come before any weights are there.
  GraphBuilder bad;
  bad.placeholder("x").node("r", "Relu", {"nowhere"});
  CHECK_THROWS_WITH(bodypix::ModelJson(bad.text()), Catch::Contains("'nowhere'"));
}

TEST_CASE("bad model files are errors that name the problem", "[model][errors]") {
  GraphBuilder g;
  g.placeholder("x").constant("w", {2}, {1, 2}).node("r", "Relu", {"x"});
  const std::vector<uint8_t>& bytes = g.shard();

  SECTION("malformed JSON") {
    CHECK_THROWS_WITH(parseGraphModel("{\"format\": ", g.shards()), Catch::Contains("model JSON is malformed"));
  }
  SECTION("a layers model") {
    CHECK_THROWS_WITH(parseGraphModel(R"({"format":"layers-model","modelTopology":{},"weightsManifest":[]})", {}),
                      Catch::Contains("layers-model"));
  }
  SECTION("no topology") {
    CHECK_THROWS_WITH(parseGraphModel(R"({"weightsManifest":[]})", {}), Catch::Contains("no modelTopology"));
  }
  SECTION("missing shard") {
    CHECK_THROWS_WITH(parseGraphModel(g.text(), {}), Catch::Contains("only 0 shard(s) were given"));
  }
  SECTION("short shard") {
    CHECK_THROWS_WITH(parseGraphModel(g.text(), {{bytes.data(), bytes.size() - 1}}),
                      Catch::Contains("truncated shard"));
  }
  SECTION("long shard") {
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    CHECK_THROWS_WITH(parseGraphModel(g.text(), {{longer.data(), longer.size()}}),
                      Catch::Contains("wrong or extra shard data"));
  }
  SECTION("extra shard") {
    CHECK_THROWS_WITH(parseGraphModel(g.text(), {{bytes.data(), bytes.size()}, {bytes.data(), 1}}),
                      Catch::Contains("2 weight shards were given but model JSON lists 1"));
  }
  SECTION("reference to a missing node") {
    GraphBuilder bad;
    bad.placeholder("x").node("r", "Relu", {"nowhere"});
    CHECK_THROWS_WITH(parseGraphModel(bad.text(), bad.shards()), Catch::Contains("reads 'nowhere'"));
  }
  SECTION("cycle") {
    GraphBuilder bad;
    // z is stuck behind the cycle but not on it: the message names the cycle.
    bad.node("z", "Relu", {"a"}).node("a", "Relu", {"b"}).node("b", "Relu", {"a"});
    CHECK_THROWS_WITH(parseGraphModel(bad.text(), bad.shards()),
                      Catch::Equals("model graph has a cycle: 'b' -> 'a' -> 'b'"));
  }
  SECTION("shape whose product overflows") {
    json doc = quantizedModel("uint8", 0, 1, {65536, 65536, 65536});
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{bytes.data(), 1}}), Catch::Contains("too large shape"));
  }
  SECTION("negative dimension") {
    json doc = quantizedModel("uint8", 0, 1, {-4});
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{bytes.data(), 1}}), Catch::Contains("invalid or too large shape"));
  }
  SECTION("NaN weights") {
    const float nan[1] = {std::nanf("")};
    json doc = quantizedModel("uint8", 0, 1, {1});
    doc["weightsManifest"][0]["weights"][0].erase("quantization");
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{reinterpret_cast<const uint8_t*>(nan), 4}}),
                      Catch::Contains("NaN or Inf"));
  }
  SECTION("a quantization whose values reach beyond float32") {
    json doc = quantizedModel("uint16", 0, 1e36, {1});
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{bytes.data(), 2}}), Catch::Contains("NaN or Inf"));
  }
  SECTION("unknown weight dtype") {
    json doc = quantizedModel("uint8", 0, 1, {1});
    doc["weightsManifest"][0]["weights"][0]["quantization"]["dtype"] = "int4";
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{bytes.data(), 1}}), Catch::Contains("'int4'"));
  }
  SECTION("a field of the wrong type") {
    json doc = quantizedModel("uint8", 0, 1, {1});
    doc["weightsManifest"][0]["weights"][0]["quantization"]["min"] = "zero";
    CHECK_THROWS_WITH(parseGraphModel(doc.dump(), {{bytes.data(), 1}}), Catch::Contains("min and scale"));
  }
}
