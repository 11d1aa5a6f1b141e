#include "tfjs/graph_model.h"
#include "tfjs/dequantize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

namespace bodypix {
namespace {

using nlohmann::json;

// No tensor in a BodyPix model comes near this; it keeps a hostile shape from
// turning into a huge allocation or an overflowing byte count.
constexpr int64_t kMaxElements = int64_t{1} << 28;

std::string base64Decode(const std::string& in) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const size_t v = alphabet.find(c);
    if (v == std::string::npos) throw Error("model JSON has an attribute string that is not base64: '" + in + "'");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

int64_t toInt(const json& v, const std::string& what) {
  // The converter writes int64 values as strings ("-1"), older ones as numbers.
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    size_t used = 0;
    long long parsed = 0;
    try {
      parsed = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == s.size() && !s.empty()) return parsed;
  }
  throw Error("model JSON: " + what + " is not an integer: " + v.dump());
}

// Not inlined into its callers' loops: V8 would then optimise the whole
// caller, a large function that runs once, on a background thread the page's
// first inference needs (see CMakeLists.txt, one-caller inlining).
[[gnu::noinline]] AttrValue parseAttr(const json& a, const std::string& where) {
  AttrValue out;
  if (!a.is_object()) throw Error("model JSON: attribute " + where + " is not an object");
  if (a.contains("list")) {
    const json& list = a["list"];
    if (list.contains("i"))
      for (const json& v : list["i"]) out.ints.push_back(toInt(v, where));
    if (list.contains("s"))
      for (const json& v : list["s"]) out.strings.push_back(base64Decode(v.get<std::string>()));
    if (list.contains("f"))
      for (const json& v : list["f"]) out.floats.push_back(v.get<float>());
  }
  if (a.contains("i")) out.ints.push_back(toInt(a["i"], where));
  if (a.contains("shape") && a["shape"].is_object() && a["shape"].contains("dim"))
    for (const json& d : a["shape"]["dim"]) out.ints.push_back(toInt(d.value("size", json("-1")), where));
  if (a.contains("s") && a["s"].is_string()) out.strings.push_back(base64Decode(a["s"].get<std::string>()));
  if (a.contains("f") && a["f"].is_number()) out.floats.push_back(a["f"].get<float>());
  if (a.contains("b") && a["b"].is_boolean()) {
    out.has_b = true;
    out.b = a["b"].get<bool>();
  }
  return out;
}

std::string stripInputName(const std::string& input, const std::string& node) {
  std::string name = input;
  const size_t colon = name.rfind(':');
  if (colon != std::string::npos) {
    const std::string index = name.substr(colon + 1);
    if (index != "0")
      throw Error("node '" + node + "' reads output " + index + " of '" + name.substr(0, colon) +
                  "'; only single-output ops are supported");
    name = name.substr(0, colon);
  }
  return name;
}

// Not inlined, as parseAttr.
[[gnu::noinline]] Node parseNode(const json& n) {
  Node node;
  if (!n.is_object() || !n.contains("name") || !n["name"].is_string() || !n.contains("op") || !n["op"].is_string())
    throw Error("model JSON has a node without a name or an op");
  node.name = n["name"].get<std::string>();
  node.op = n["op"].get<std::string>();
  if (n.contains("input")) {
    for (const json& in : n["input"]) {
      if (!in.is_string()) throw Error("node '" + node.name + "' has a non-string input");
      const std::string s = in.get<std::string>();
      if (!s.empty() && s[0] == '^') continue;  // control dependency: no data flows
      node.inputs.push_back(stripInputName(s, node.name));
    }
  }
  if (n.contains("attr") && n["attr"].is_object())
    for (auto it = n["attr"].begin(); it != n["attr"].end(); ++it)
      node.attrs[it.key()] = parseAttr(it.value(), node.name + "." + it.key());
  return node;
}

std::vector<Node> parseNodes(const json& topology) {
  if (!topology.is_object() || !topology.contains("node") || !topology["node"].is_array())
    throw Error("model JSON has no modelTopology.node list: not a TF.js graph model");
  std::vector<Node> nodes;
  for (const json& n : topology["node"]) nodes.push_back(parseNode(n));
  return nodes;
}

// Kahn's algorithm, keeping the file's order among ready nodes so that errors
// and the built graph are deterministic.
std::vector<Node> topologicalOrder(std::vector<Node> nodes) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!index.emplace(nodes[i].name, i).second) throw Error("model JSON has two nodes named '" + nodes[i].name + "'");
  std::vector<size_t> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& in : nodes[i].inputs) {
      auto it = index.find(in);
      if (it == index.end()) throw Error("node '" + nodes[i].name + "' reads '" + in + "', which is not in the graph");
      consumers[it->second].push_back(i);
      ++pending[i];
    }
  }
  std::deque<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::vector<Node> ordered;
  ordered.reserve(nodes.size());
  while (!ready.empty()) {
    const size_t i = ready.front();
    ready.pop_front();
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push_back(c);
    ordered.push_back(std::move(nodes[i]));
  }
  if (ordered.size() != nodes.size()) {
    // Nodes downstream of a cycle are left pending too: walk back through
    // pending inputs until a node repeats, which is on the cycle, and name it all.
    size_t at = 0;
    while (pending[at] == 0) ++at;
    std::vector<size_t> path;
    std::vector<size_t> seenAt(nodes.size(), SIZE_MAX);
    while (seenAt[at] == SIZE_MAX) {
      seenAt[at] = path.size();
      path.push_back(at);
      for (const std::string& in : nodes[at].inputs) {
        if (const size_t j = index.at(in); pending[j] != 0) {
          at = j;
          break;
        }
      }
    }
    std::string cycle;
    for (size_t k = path.size(); k-- > seenAt[at];) cycle += "'" + nodes[path[k]].name + "' -> ";
    throw Error("model graph has a cycle: " + cycle + "'" + nodes[path.back()].name + "'");
  }
  return ordered;
}

size_t bytesPerValue(const std::string& dtype, const std::string& weight) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "uint16" || dtype == "float16") return 2;
  if (dtype == "uint8") return 1;
  throw Error("weight '" + weight + "' has dtype '" + dtype + "', which is not supported");
}

float halfToFloat(uint16_t h) noexcept {
  const uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float value;
  if (exponent == 0) value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    value = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(static_cast<float>(mantissa + 1024), static_cast<int>(exponent) - 25);
  return sign ? -value : value;
}

enum class Stored { Float32, Int32, Uint8, Uint16, Float16 };

Stored storedType(const std::string& dtype) {
  if (dtype == "uint8") return Stored::Uint8;
  if (dtype == "uint16") return Stored::Uint16;
  if (dtype == "float16") return Stored::Float16;
  if (dtype == "int32") return Stored::Int32;
  return Stored::Float32;
}

// Element i of a little-endian buffer of the stored type. noexcept matters:
// under -fexceptions Emscripten routes calls that may throw through JS, which
// made decoding a 2 MB model take over 100 ms.
double storedValue(const uint8_t* p, Stored stored, size_t i) noexcept {
  switch (stored) {
    case Stored::Uint8:
      return p[i];
    case Stored::Uint16: {
      uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      return v;
    }
    case Stored::Float16: {
      uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      return halfToFloat(v);
    }
    case Stored::Int32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    case Stored::Float32:
      break;
  }
  float v;
  std::memcpy(&v, p + 4 * i, 4);
  return v;
}

template <typename T, typename F>
void decodeInto(std::vector<T>& out, int64_t count, F&& convert) noexcept {
  for (int64_t i = 0; i < count; ++i) out[static_cast<size_t>(i)] = convert(static_cast<size_t>(i));
}

Tensor decodeWeight(const json& spec, const std::string& name, const uint8_t* bytes, const std::string& storedName,
                    int64_t count) {
  const Stored stored = storedType(storedName);
  Tensor t;
  const std::string dtype = spec.value("dtype", std::string("float32"));
  if (dtype != "float32" && dtype != "int32")
    throw Error("weight '" + name + "' has dtype '" + dtype + "'; only float32 and int32 are supported");
  t.dtype = dtype == "int32" ? DType::Int32 : DType::Float32;
  const bool affine = stored == Stored::Uint8 || stored == Stored::Uint16;
  const size_t codeBytes = stored == Stored::Uint8 ? 1 : 2;  // when affine
  double scale = 1, min = 0;
  if (affine) {
    const json& q = spec["quantization"];
    if (!q.contains("min") || !q.contains("scale") || !q["min"].is_number() || !q["scale"].is_number())
      throw Error("weight '" + name + "' is quantized to " + storedName + " but has no numeric min and scale");
    scale = q["scale"].get<double>();
    min = q["min"].get<double>();
  }
  // TF.js dequantizes in double (v * scale + min) and stores the result in a
  // Float32Array, or rounds it for int32; doing the same keeps bit parity.
  if (t.dtype == DType::Float32) {
    t.f32.resize(static_cast<size_t>(count));
    if (affine) {
      // Codes map monotonically to values: the ends are the extremes.
      const float ends[2] = {static_cast<float>(0.0 * scale + min),
                             static_cast<float>(tfjs::largestCode(codeBytes) * scale + min)};
      if (!std::isfinite(ends[0]) || !std::isfinite(ends[1]))
        throw Error("weight '" + name + "' contains NaN or Inf values");
      tfjs::dequantize(bytes, codeBytes, static_cast<size_t>(count), scale, min, t.f32.data());
      return t;
    }
    decodeInto(t.f32, count, [&](size_t i) noexcept { return static_cast<float>(storedValue(bytes, stored, i)); });
    if (!std::all_of(t.f32.begin(), t.f32.end(), [](float v) noexcept { return std::isfinite(v); }))
      throw Error("weight '" + name + "' contains NaN or Inf values");
  } else {
    if (stored == Stored::Float16)
      throw Error("weight '" + name + "' is int32 quantized to float16, which TF.js rejects");
    if (affine) {
      // The values run monotonically from code 0 to the largest code; both
      // ends must be int32s, or converting them would be undefined.
      for (const double v : {std::round(min), std::round(tfjs::largestCode(codeBytes) * scale + min)})
        if (!(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()))
          throw Error("weight '" + name + "' is int32 but its quantization min and scale give values beyond int32");
    }
    t.i32.resize(static_cast<size_t>(count));
    decodeInto(t.i32, count, [&](size_t i) noexcept {
      const double v = storedValue(bytes, stored, i);
      return static_cast<int32_t>(affine ? std::round(v * scale + min) : v);
    });
  }
  return t;
}

std::map<std::string, Tensor> decodeWeights(const json& manifest, const std::vector<ShardView>& shards) {
  if (!manifest.is_array()) throw Error("model JSON has no weightsManifest list");
  std::map<std::string, Tensor> weights;
  size_t shardIndex = 0;
  for (const json& group : manifest) {
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
        !group["weights"].is_array())
      throw Error("model JSON has a weightsManifest entry without paths and weights");
    // A group's shards are one byte stream that its weights are laid out in.
    const size_t groupShards = group["paths"].size();
    std::vector<uint8_t> joined;
    ShardView stream{nullptr, 0};
    for (size_t s = 0; s < groupShards; ++s, ++shardIndex) {
      if (shardIndex >= shards.size())
        throw Error("model JSON lists weight shard '" + group["paths"][s].get<std::string>() + "' but only " +
                    std::to_string(shards.size()) + " shard(s) were given");
      if (groupShards == 1) {
        stream = shards[shardIndex];  // the common case needs no copy
      } else {
        joined.insert(joined.end(), shards[shardIndex].data, shards[shardIndex].data + shards[shardIndex].size);
        stream = {joined.data(), joined.size()};
      }
    }
    size_t offset = 0;
    for (const json& spec : group["weights"]) {
      if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string() || !spec.contains("shape") ||
          !spec["shape"].is_array())
        throw Error("model JSON has a weight entry without a name or a shape");
      const std::string name = spec["name"].get<std::string>();
      std::vector<int64_t> shape;
      int64_t count = 1;
      for (const json& d : spec["shape"]) {
        const int64_t dim = toInt(d, "a dimension of weight '" + name + "'");
        if (dim < 0 || (dim > 0 && count > kMaxElements / dim))
          throw Error("weight '" + name + "' has an invalid or too large shape " + spec["shape"].dump());
        count *= dim;
        shape.push_back(dim);
      }
      std::string stored = spec.value("dtype", std::string("float32"));
      if (spec.contains("quantization")) {
        const json& q = spec["quantization"];
        if (!q.is_object() || !q.contains("dtype") || !q["dtype"].is_string())
          throw Error("weight '" + name + "' has a quantization entry without a dtype");
        stored = q["dtype"].get<std::string>();
        // As TF.js: anything else, float32 included, is not a quantization.
        if (stored != "uint8" && stored != "uint16" && stored != "float16")
          throw Error("weight '" + name + "' is quantized to '" + stored +
                      "'; uint8, uint16 and float16 are supported");
      }
      const size_t bytes = static_cast<size_t>(count) * bytesPerValue(stored, name);
      if (offset + bytes > stream.size)
        throw Error("weight '" + name + "' needs bytes " + std::to_string(offset) + ".." +
                    std::to_string(offset + bytes) + " of its shards, but they hold only " +
                    std::to_string(stream.size) + " bytes (missing or truncated shard?)");
      Tensor t = decodeWeight(spec, name, stream.data + offset, stored, count);
      t.shape = std::move(shape);
      offset += bytes;
      if (!weights.emplace(name, std::move(t)).second) throw Error("model JSON lists weight '" + name + "' twice");
    }
    if (offset != stream.size)
      throw Error("weight shards hold " + std::to_string(stream.size) + " bytes but the manifest describes " +
                  std::to_string(offset) + ": wrong or extra shard data");
  }
  if (shardIndex != shards.size())
    throw Error(std::to_string(shards.size()) + " weight shards were given but model JSON lists " +
                std::to_string(shardIndex));
  return weights;
}

json parseJson(const std::string& text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(std::string("model JSON is malformed: ") + e.what());
  }
  if (!doc.is_object()) throw Error("model JSON is not an object");
  if (doc.contains("format") && doc["format"].is_string() && doc["format"] != "graph-model")
    throw Error("model JSON has format '" + doc["format"].get<std::string>() + "'; BodyPix needs a TF.js graph-model");
  if (!doc.contains("modelTopology")) throw Error("model JSON has no modelTopology");
  if (!doc.contains("weightsManifest")) throw Error("model JSON has no weightsManifest");
  return doc;
}

}  // namespace

const AttrValue* Node::attr(const std::string& key) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

std::string Node::stringAttr(const std::string& key, const std::string& fallback) const {
  const AttrValue* a = attr(key);
  return a && !a->strings.empty() ? a->strings.front() : fallback;
}

std::vector<int64_t> Node::intsAttr(const std::string& key) const {
  const AttrValue* a = attr(key);
  return a ? a->ints : std::vector<int64_t>{};
}

float Node::floatAttr(const std::string& key, float fallback) const {
  const AttrValue* a = attr(key);
  return a && !a->floats.empty() ? a->floats.front() : fallback;
}

int64_t Tensor::elementCount() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

const Node* GraphModel::find(const std::string& name) const {
  for (const Node& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

const Tensor* GraphModel::weight(const std::string& name) const {
  auto it = weights.find(name);
  return it == weights.end() ? nullptr : &it->second;
}

struct ModelJson::Parsed {
  std::vector<Node> nodes;
  json manifest;
};

namespace {

// f(), with a field of the wrong JSON type somewhere we did not check by
// hand reported as such.
template <typename F>
auto structureChecked(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const json::exception& e) {
    throw Error(std::string("model JSON has an unexpected structure: ") + e.what());
  }
}

}  // namespace

ModelJson::ModelJson(const std::string& text) : parsed_(std::make_unique<Parsed>()) {
  structureChecked([&] {
    json doc = parseJson(text);
    parsed_->nodes = topologicalOrder(parseNodes(doc["modelTopology"]));
    // The rest of the document (most of it) is freed now rather than after
    // the weights: freeing it takes a while the first time.
    parsed_->manifest = std::move(doc["weightsManifest"]);
  });
}

ModelJson::~ModelJson() = default;

GraphModel ModelJson::withWeights(const std::vector<ShardView>& shards) {
  if (!parsed_) throw Error("this model.json has given its model already");
  const std::unique_ptr<Parsed> parsed = std::move(parsed_);
  return structureChecked([&] {
    GraphModel model;
    model.weights = decodeWeights(parsed->manifest, shards);
    model.nodes = std::move(parsed->nodes);
    return model;
  });
}

GraphModel parseGraphModel(const std::string& text, const std::vector<ShardView>& shards) {
  return ModelJson(text).withWeights(shards);
}

}  // namespace bodypix
