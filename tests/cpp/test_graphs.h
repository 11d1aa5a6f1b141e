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

#include "model/graph_model.h"

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
    n["attr"]["shape"]["shape"]["dim"] = json::array({{{"size", "1"}}, {{"size", "-1"}}, {{"size", "-1"}},
                                                      {{"size", std::to_string(channels)}}});
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
