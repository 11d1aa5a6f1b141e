// Builds small TF.js graph models in memory (model.json text plus one shard)
// for tests, the way tfjs-converter lays them out.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tfjs/graph_model.h"

namespace bodypix::test {

inline std::string base64(const std::string& s) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
  }
  if (i + 1 == s.size()) {
    const uint32_t v = uint8_t(s[i]) << 16;
    out += {a[v >> 18], a[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == s.size()) {
    const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return out;
}

class GraphBuilder {
 public:
  using json = nlohmann::json;

  GraphBuilder() {
    nodes_ = json::array();
    weights_ = json::array();
  }

  GraphBuilder& placeholder(const std::string& name, int channels = 3) {
    json n = {{"name", name}, {"op", "Placeholder"}};
    n["attr"]["shape"]["shape"]["dim"] = json::array(
        {{{"size", "1"}}, {{"size", "-1"}}, {{"size", "-1"}}, {{"size", std::to_string(channels)}}});
    nodes_.push_back(n);
    return *this;
  }

  GraphBuilder& constant(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& v) {
    nodes_.push_back({{"name", name}, {"op", "Const"}});
    json spec = {{"name", name}, {"shape", shape}, {"dtype", "float32"}};
    weights_.push_back(spec);
    const size_t at = bytes_.size();
    bytes_.resize(at + v.size() * 4);
    std::memcpy(bytes_.data() + at, v.data(), v.size() * 4);
    return *this;
  }

  GraphBuilder& intConstant(const std::string& name, const std::vector<int64_t>& shape, const std::vector<int32_t>& v) {
    nodes_.push_back({{"name", name}, {"op", "Const"}});
    weights_.push_back({{"name", name}, {"shape", shape}, {"dtype", "int32"}});
    const size_t at = bytes_.size();
    bytes_.resize(at + v.size() * 4);
    std::memcpy(bytes_.data() + at, v.data(), v.size() * 4);
    return *this;
  }

  // op with inputs and attributes given as TF.js JSON attr objects.
  GraphBuilder& node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
                     const json& attrs = json::object()) {
    json n = {{"name", name}, {"op", op}, {"input", inputs}};
    if (!attrs.empty()) n["attr"] = attrs;
    nodes_.push_back(n);
    return *this;
  }

  static json ints(std::initializer_list<int64_t> v) {
    json list = json::array();
    for (int64_t i : v) list.push_back(std::to_string(i));
    return {{"list", {{"i", list}}}};
  }
  static json str(const std::string& s) { return {{"s", base64(s)}}; }
  static json strs(std::initializer_list<std::string> v) {
    json list = json::array();
    for (const auto& s : v) list.push_back(base64(s));
    return {{"list", {{"s", list}}}};
  }

  json document() const {
    return {{"format", "graph-model"},
            {"modelTopology", {{"node", nodes_}}},
            {"weightsManifest", json::array({{{"paths", {"group1-shard1of1.bin"}}, {"weights", weights_}}})}};
  }
  std::string text() const { return document().dump(); }
  const std::vector<uint8_t>& shard() const { return bytes_; }
  std::vector<ShardView> shards() const { return {{bytes_.data(), bytes_.size()}}; }

 private:
  json nodes_, weights_;
  std::vector<uint8_t> bytes_;
};

// A BodyPix graph in miniature: one stride-16 convolution, then the eight
// heads with their real names and, unless told otherwise, channel counts.
inline GraphBuilder miniBodyPix(const std::string& scope,
                                const std::vector<int64_t>& channels = {1, 24, 17, 34, 34, 48, 32, 32}) {
  const auto ramp = [](int64_t n, float scale) {
    std::vector<float> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
    return v;
  };
  GraphBuilder g;
  g.placeholder("sub_2")
      .constant("w0", {1, 1, 3, 4}, ramp(12, 0.1f))
      .constant("b0", {4}, ramp(4, 0.1f))
      .node("conv0", "Conv2D", {"sub_2", "w0"},
            {{"strides", GraphBuilder::ints({1, 16, 16, 1})}, {"padding", GraphBuilder::str("SAME")}})
      .node("bias0", "BiasAdd", {"conv0", "b0"})
      .node("relu0", "Relu6", {"bias0"});
  const std::vector<std::string> names = {"float_segments",
                                          "float_part_heatmaps",
                                          "float_heatmaps",
                                          "float_short_offsets",
                                          "float_long_offsets",
                                          "float_part_offsets",
                                          scope + "/displacement_fwd_2/BiasAdd",
                                          scope + "/displacement_bwd_2/BiasAdd"};
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string w = "hw" + std::to_string(i), b = "hb" + std::to_string(i), conv = "hc" + std::to_string(i);
    g.constant(w, {1, 1, 4, channels[i]}, ramp(4 * channels[i], 0.1f))
        .constant(b, {channels[i]}, ramp(channels[i], 0.01f));
    // Both ways the converter writes a head: a fused op, or a conv and a BiasAdd.
    if (i < 6)
      g.node(names[i], "_FusedConv2D", {"relu0", w, b},
             {{"fused_ops", GraphBuilder::strs({"BiasAdd"})}, {"padding", GraphBuilder::str("SAME")}});
    else
      g.node(conv, "Conv2D", {"relu0", w}, {{"padding", GraphBuilder::str("VALID")}})
          .node(names[i], "BiasAdd", {conv, b});
  }
  return g;
}

inline std::string sharedDir() {
  const char* env = std::getenv("BODYPIX_SHARED");
  return env && *env ? env : "../shared";
}

inline bool fileExists(const std::string& path) { return std::ifstream(path).good(); }

inline std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<uint8_t> readBytes(const std::string& path) {
  const std::string s = readText(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Missing shared data: a loud skip, except under CI=true where it fails.
inline bool requireShared(const std::string& path) {
  if (fileExists(path)) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL("shared test data is missing under CI: " << path << " (set BODYPIX_SHARED)");
  }
  WARN("SKIPPED: shared test data not found: " << path << " (set BODYPIX_SHARED to the shared/ folder)");
  return false;
}

}  // namespace bodypix::test
