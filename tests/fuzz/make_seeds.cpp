// Writes the fuzzer's seed corpus into the folder given as argument: the real
// model files from $BODYPIX_SHARED, and small synthetic graphs that reach
// every op the builder knows. Each comes twice: with its shard (cut short for
// the real models, to keep seeds small), and as JSON alone, for which the
// fuzz target makes the shard, so the whole graph runs. Config inputs
// (framing.h) seed the config path: each method, edge values, bad ones.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

// test_graphs.h's requireShared() reports through Catch2 (unused here).
#include <catch2/catch.hpp>

#include "framing.h"
#include "test_graphs.h"

namespace {

using bodypix::test::GraphBuilder;
using nlohmann::json;
namespace fs = std::filesystem;

fs::path outDir;
int written = 0;

void write(const std::string& name, const std::string& json, const std::vector<uint8_t>& shard) {
  const std::vector<uint8_t> bytes = bodypix::fuzz::join(json, shard.data(), shard.size());
  std::ofstream(outDir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  ++written;
}

void writeJson(const std::string& name, const std::string& json) {
  std::ofstream(outDir / name, std::ios::binary) << json;
  ++written;
}

void writeConfig(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::vector<uint8_t> input = bodypix::fuzz::configInput(bytes);
  std::ofstream(outDir / name, std::ios::binary).write(reinterpret_cast<const char*>(input.data()), input.size());
  ++written;
}

void write(const std::string& name, const GraphBuilder& g) {
  write(name, g.text(), g.shard());
  writeJson(name + "-json", g.text());
}

std::vector<float> ramp(size_t n, float scale = 0.1f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  return v;
}

void synthetic() {
  write("bodypix-mobilenet", bodypix::test::miniBodyPix("MobilenetV1"));
  write("bodypix-resnet", bodypix::test::miniBodyPix("resnet_v1_50"));

  GraphBuilder conv;
  conv.placeholder("x")
      .constant("w", {3, 3, 3, 4}, ramp(108))
      .constant("b", {4}, ramp(4))
      .node("c", "Conv2D", {"x", "w"},
            {{"strides", GraphBuilder::ints({1, 2, 2, 1})}, {"padding", GraphBuilder::str("SAME")}})
      .node("ba", "BiasAdd", {"c", "b"})
      .node("r", "Relu", {"ba"})
      .constant("dw", {3, 3, 4, 2}, ramp(72))
      .node("d", "DepthwiseConv2dNative", {"r", "dw"},
            {{"dilations", GraphBuilder::ints({1, 2, 2, 1})}, {"padding", GraphBuilder::str("VALID")}})
      .node("r6", "Relu6", {"d"});
  write("ops-conv", conv);

  GraphBuilder fused;
  fused.placeholder("x", 4)
      .constant("w", {2, 2, 4, 3}, ramp(48))
      .constant("b", {3}, ramp(3))
      .node("f", "_FusedConv2D", {"x", "w", "b"},
            {{"fused_ops", GraphBuilder::strs({"BiasAdd", "Relu"})},
             {"padding", GraphBuilder::str("EXPLICIT")},
             {"explicit_paddings", GraphBuilder::ints({0, 0, 1, 0, 0, 1, 0, 0})}})
      .constant("dw", {3, 3, 3, 1}, ramp(27))
      .constant("db", {3}, ramp(3))
      .node("fd", "FusedDepthwiseConv2dNative", {"f", "dw", "db"},
            {{"fused_ops", GraphBuilder::strs({"BiasAdd", "Relu6"})},
             {"padding", GraphBuilder::str("SAME")},
             {"strides", GraphBuilder::ints({1, 2, 1, 1})},
             {"data_format", GraphBuilder::str("NHWC")}});
  write("ops-fused", fused);

  GraphBuilder pool;
  pool.placeholder("x")
      .node("p", "MaxPool", {"x"},
            {{"ksize", GraphBuilder::ints({1, 3, 3, 1})},
             {"strides", GraphBuilder::ints({1, 2, 2, 1})},
             {"padding", GraphBuilder::str("SAME")}})
      .node("s", "MaxPool", {"p"},
            {{"ksize", GraphBuilder::ints({1, 1, 1, 1})},
             {"strides", GraphBuilder::ints({1, 2, 2, 1})},
             {"padding", GraphBuilder::str("VALID")}})
      .node("i", "MaxPool", {"s"},
            {{"ksize", GraphBuilder::ints({1, 1, 1, 1})},
             {"strides", GraphBuilder::ints({1, 1, 1, 1})},
             {"padding", GraphBuilder::str("VALID")}})
      .node("r", "Relu", {"i"});
  write("ops-pool", pool);

  GraphBuilder pad;
  pad.placeholder("x")
      .intConstant("p", {4, 2}, {0, 0, 1, 2, 3, 0, 0, 0})
      .constant("v", {}, {0.5f})
      .node("a", "Pad", {"x", "p"})
      .node("b", "PadV2", {"a", "p", "v"});
  write("ops-pad", pad);

  GraphBuilder binary;
  binary.placeholder("x")
      .constant("k", {3}, {1, 2, 3})
      .constant("lo", {}, {-1})
      .constant("hi", {}, {2})
      .node("a", "AddV2", {"x", "k"})
      .node("b", "Add", {"a", "x"})
      .node("mn", "Minimum", {"b", "hi"})
      .node("mx", "Maximum", {"lo", "mn"})
      .node("t", "Maximum", {"mx", "x"})
      .node("o", "Identity", {"t"});
  write("ops-binary", binary);

  // The stored types TF.js's converter quantizes to, on one convolution.
  for (const std::string dtype : {"uint8", "uint16", "float16"}) {
    GraphBuilder q;
    q.placeholder("x").constant("w", {1, 1, 3, 2}, ramp(6)).node("c", "Conv2D", {"x", "w"});
    json doc = q.document();
    json& spec = doc["weightsManifest"][0]["weights"][0];
    spec["quantization"] = {{"dtype", dtype}};
    if (dtype != "float16") spec["quantization"].update({{"min", -0.5}, {"scale", 0.01}});
    const size_t width = dtype == "uint8" ? 1 : 2;
    std::vector<uint8_t> shard(6 * width);
    for (size_t i = 0; i < shard.size(); ++i) shard[i] = static_cast<uint8_t>(37 * i + 11);
    if (dtype == "float16")
      for (size_t i = 1; i < shard.size(); i += 2) shard[i] = 0x3c;  // around 1.0
    write("quant-" + dtype, doc.dump(), shard);
    writeJson("quant-" + dtype + "-json", doc.dump());
  }
}

void real() {
  const std::string root = bodypix::test::sharedDir() + "/models/bodypix/mobilenet/";
  if (!bodypix::test::fileExists(root + "quant1/050/model-stride16.json")) {
    std::cerr << "make_seeds: no models under " << root << " (set BODYPIX_SHARED): synthetic seeds only\n";
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") std::exit(1);
    return;
  }
  for (const char* variant : {"float/050", "quant1/050", "quant2/050"}) {
    for (const char* stride : {"16", "8"}) {
      const std::string dir = root + variant;
      const std::string json = bodypix::test::readText(dir + "/model-stride" + stride + ".json");
      std::vector<uint8_t> shard = bodypix::test::readBytes(dir + "/group1-shard1of1.bin");
      std::string name = "real-" + std::string(variant) + "-stride" + stride;
      name[name.find('/')] = '-';
      // A whole real graph runs for about a second under ASan: one per variant.
      if (std::string(stride) == "16") writeJson(name + "-json", json);
      shard.resize(4096);
      write(name + "-cut", json, shard);
    }
  }
}

}  // namespace

// Config inputs (model_fuzz.cpp, runConfig): one selector byte per field
// (internalResolution, segmentationThreshold, maxDetections, scoreThreshold,
// nmsRadius, minKeypointScore, refineSteps; 0 is the default, 0xC0 and up
// raw bits), then width - 1, height - 1, RGB if odd, one byte short if 7
// (mod 8), the method (mod 4) and the pixels' pattern.
void configs() {
  for (uint8_t method = 0; method < 4; ++method) {
    writeConfig("config-defaults-" + std::to_string(method), {0, 0, 0, 0, 0, 0, 0, 39, 29, 0, 0, method, 7});
  }
  // Edge values that pass: 2.0, 0, 1, 1, 1e-300, 1, 20; an RGB image.
  writeConfig("config-edges", {5, 1, 1, 2, 1, 2, 2, 63, 10, 1, 0, 3, 13});
  // One bad field each: refineSteps 0, then nmsRadius NaN with raw bits.
  writeConfig("config-bad-refine", {0, 0, 0, 0, 0, 0, 3, 15, 15, 0, 0, 2, 1});
  writeConfig("config-raw-nms", {0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0, 0, 20, 20, 0, 0, 0, 3});
  // Data one byte short.
  writeConfig("config-short-data", {0, 0, 0, 0, 0, 0, 0, 9, 9, 0, 7, 1, 5});
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <corpus folder>\n";
    return 2;
  }
  outDir = argv[1];
  fs::create_directories(outDir);
  synthetic();
  configs();
  real();
  std::cout << "make_seeds: " << written << " seeds in " << outDir.string() << "\n";
  return 0;
}
