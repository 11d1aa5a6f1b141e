#include "tfjs/graph_model.h"
#include "tfjs/dequantize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

#include "tfjs/json.h"

namespace bodypix {
namespace {

using Kind = JsonValue::Kind;

// model.json is read once, by functions kept small and apart
// ([[gnu::noinline]]; the rare parts, and most Errors about attributes,
// in functions of their own).
// V8 optimises a function whose work adds up, on a background thread that
// the decode and the first inference need, at a cost that grows faster than
// the function: reading every node or weight in a few large functions cost
// 400-500 ms of it in node (docs/benchmarks.md). Small ones rarely add up
// that much, and cost little when they do.

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

// The converter writes int64 values as strings ("-1"), older ones as numbers.
std::optional<int64_t> intOf(const JsonValue& v) {
  if (const std::optional<int64_t> n = v.integer()) return n;
  if (!v.is(Kind::String)) return std::nullopt;
  const std::string s = v.text();
  size_t used = 0;
  long long parsed = 0;
  try {
    parsed = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == s.size() && !s.empty()) return parsed;
  return std::nullopt;
}

// The Errors of a value of the wrong kind.
[[noreturn, gnu::noinline]] void notAnInteger(const std::string& what, const JsonValue& v) {
  throw Error("model JSON: " + what + " is not an integer: " + v.dump());
}

[[noreturn, gnu::noinline]] void notA(const std::string& what, const char* kind) {
  throw Error("model JSON: " + what + " is not " + kind);
}

// Where an attribute is, for its Errors.
struct AttrPlace {
  const std::string& node;
  const std::string& key;

  [[gnu::noinline]] std::string text(const char* suffix = "") const { return "attribute " + node + "." + key + suffix; }
};

[[noreturn, gnu::noinline]] void badAttr(const AttrPlace& at, const char* suffix, const char* kind) {
  notA(at.text(suffix), kind);
}

int64_t attrInt(const JsonValue& v, const AttrPlace& at) {
  const std::optional<int64_t> n = intOf(v);
  if (!n) notAnInteger(at.text(), v);
  return *n;
}

// a[key], which must be a list where present.
JsonValue attrList(const JsonValue& a, const char* key, const AttrPlace& at, const char* suffix) {
  JsonValue v = a[key];
  if (!v.is(Kind::Array) && !v.is(Kind::Null)) badAttr(at, suffix, "a list");
  return v;
}

// A list attribute's values, and a shape's dimensions, into out: few
// attributes have them.
[[gnu::noinline]] void parseListAttr(const JsonValue& list, const AttrPlace& at, AttrValue& out) {
  const JsonValue ints = attrList(list, "i", at, ".list.i");
  for (size_t i = 0; i < ints.size(); ++i) out.ints.push_back(attrInt(ints[i], at));
  const JsonValue strings = attrList(list, "s", at, ".list.s");
  for (size_t i = 0; i < strings.size(); ++i) {
    const JsonValue v = strings[i];
    if (!v.is(Kind::String)) badAttr(at, ".list.s", "a list of strings");
    out.strings.push_back(base64Decode(v.text()));
  }
  const JsonValue floats = attrList(list, "f", at, ".list.f");
  for (size_t i = 0; i < floats.size(); ++i) {
    const JsonValue v = floats[i];
    if (!v.is(Kind::Number)) badAttr(at, ".list.f", "a list of numbers");
    out.floats.push_back(static_cast<float>(v.number()));
  }
}

[[gnu::noinline]] void parseShapeAttr(const JsonValue& shape, const AttrPlace& at, AttrValue& out) {
  const JsonValue dims = attrList(shape, "dim", at, ".shape.dim");
  for (size_t d = 0; d < dims.size(); ++d) {
    const JsonValue dim = dims[d];
    if (!dim.is(Kind::Object)) badAttr(at, ".shape.dim", "a list of objects");
    const JsonValue size = dim["size"];
    out.ints.push_back(size.is(Kind::Null) ? -1 : attrInt(size, at));
  }
}

[[gnu::noinline]] AttrValue parseAttr(const JsonValue& a, const AttrPlace& at) {
  AttrValue out;
  if (!a.is(Kind::Object)) badAttr(at, "", "an object");
  const JsonValue list = a["list"];
  if (!list.is(Kind::Null)) parseListAttr(list, at, out);
  const JsonValue i = a["i"];
  if (!i.is(Kind::Null)) out.ints.push_back(attrInt(i, at));
  const JsonValue shape = a["shape"];
  if (!shape.is(Kind::Null)) parseShapeAttr(shape, at, out);
  const JsonValue text = a["s"];
  if (text.is(Kind::String)) out.strings.push_back(base64Decode(text.text()));
  const JsonValue f = a["f"];
  if (f.is(Kind::Number)) out.floats.push_back(static_cast<float>(f.number()));
  const JsonValue b = a["b"];
  if (b.is(Kind::Bool)) {
    out.has_b = true;
    out.b = b.boolean();
  }
  return out;
}

[[noreturn, gnu::noinline]] void notSingleOutput(const std::string& node, const std::string& input,
                                                 const std::string& index) {
  throw Error("node '" + node + "' reads output " + index + " of '" + input +
              "'; only single-output ops are supported");
}

[[gnu::noinline]] std::string stripInputName(const std::string& input, const std::string& node) {
  std::string name = input;
  const size_t colon = name.rfind(':');
  if (colon != std::string::npos) {
    const std::string index = name.substr(colon + 1);
    if (index != "0") notSingleOutput(node, name.substr(0, colon), index);
    name = name.substr(0, colon);
  }
  return name;
}

[[gnu::noinline]] Node parseNode(const JsonValue& n) {
  Node node;
  const JsonValue name = n["name"], op = n["op"];
  if (!name.is(Kind::String) || !op.is(Kind::String)) throw Error("model JSON has a node without a name or an op");
  node.name = name.text();
  node.op = op.text();
  const JsonValue inputs = n["input"];
  if (!inputs.is(Kind::Array) && !inputs.is(Kind::Null)) notA("the inputs of node '" + node.name + "'", "a list");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const JsonValue in = inputs[i];
    if (!in.is(Kind::String)) throw Error("node '" + node.name + "' has a non-string input");
    const std::string s = in.text();
    if (!s.empty() && s[0] == '^') continue;  // control dependency: no data flows
    node.inputs.push_back(stripInputName(s, node.name));
  }
  for (const auto& [key, value] : n["attr"].members()) node.attrs[key] = parseAttr(value, AttrPlace{node.name, key});
  return node;
}

[[gnu::noinline]] std::vector<Node> parseNodes(const JsonValue& topology) {
  const JsonValue list = topology["node"];
  if (!list.is(Kind::Array)) throw Error("model JSON has no modelTopology.node list: not a TF.js graph model");
  std::vector<Node> nodes;
  const size_t count = list.size();
  for (size_t i = 0; i < count; ++i) nodes.push_back(parseNode(list[i]));
  return nodes;
}

// Where each node is in the file, by name.
class NodeIndex {
 public:
  [[gnu::noinline]] explicit NodeIndex(const std::vector<Node>& nodes) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (!places_.emplace(nodes[i].name, i).second)
        throw Error("model JSON has two nodes named '" + nodes[i].name + "'");
  }

  // The place of the node an input names; an Error where there is none.
  [[gnu::noinline]] size_t of(const std::string& input, const std::string& reader) const {
    const auto it = places_.find(input);
    if (it == places_.end()) throw Error("node '" + reader + "' reads '" + input + "', which is not in the graph");
    return it->second;
  }

 private:
  std::map<std::string, size_t> places_;
};

// The Error of a graph whose nodes could not all be ordered.
[[noreturn, gnu::noinline]] void throwCycle(const std::vector<Node>& nodes, const std::vector<size_t>& pending,
                                            const NodeIndex& index) {
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
      if (const size_t j = index.of(in, nodes[at].name); pending[j] != 0) {
        at = j;
        break;
      }
    }
  }
  std::string cycle;
  for (size_t k = path.size(); k-- > seenAt[at];) cycle += "'" + nodes[path[k]].name + "' -> ";
  throw Error("model graph has a cycle: " + cycle + "'" + nodes[path.back()].name + "'");
}

// Kahn's algorithm, keeping the file's order among ready nodes so that errors
// and the built graph are deterministic.
[[gnu::noinline]] std::vector<Node> topologicalOrder(std::vector<Node> nodes) {
  const NodeIndex index(nodes);
  std::vector<size_t> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& in : nodes[i].inputs) {
      consumers[index.of(in, nodes[i].name)].push_back(i);
      ++pending[i];
    }
  }
  // A queue: ready[next] is the next node to place.
  std::vector<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::vector<Node> ordered;
  ordered.reserve(nodes.size());
  for (size_t next = 0; next < ready.size(); ++next) {
    const size_t i = ready[next];
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push_back(c);
    ordered.push_back(std::move(nodes[i]));
  }
  if (ordered.size() != nodes.size()) throwCycle(nodes, pending, index);
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

// One weight of the manifest, checked: where its bytes are and how to read them.
struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
  int64_t count = 1;
  DType dtype = DType::Float32;
  std::string stored;         // the bytes' dtype
  size_t bytes = 0;           // in the shards
  double scale = 1, min = 0;  // when stored as uint8 or uint16
};

// A weightsManifest entry: its shards are one byte stream its weights are laid out in.
struct WeightGroup {
  std::vector<std::string> paths;
  std::vector<WeightSpec> weights;
};

bool isAffine(const std::string& stored) { return stored == "uint8" || stored == "uint16"; }

[[gnu::noinline]] WeightSpec parseWeightSpec(const JsonValue& spec) {
  const JsonValue nameValue = spec["name"], shapeValue = spec["shape"];
  if (!nameValue.is(Kind::String) || !shapeValue.is(Kind::Array))
    throw Error("model JSON has a weight entry without a name or a shape");
  WeightSpec w;
  w.name = nameValue.text();
  const size_t rank = shapeValue.size();
  for (size_t i = 0; i < rank; ++i) {
    const JsonValue d = shapeValue[i];
    const std::optional<int64_t> parsed = intOf(d);
    if (!parsed) notAnInteger("a dimension of weight '" + w.name + "'", d);
    const int64_t dim = *parsed;
    if (dim < 0 || (dim > 0 && w.count > kMaxElements / dim))
      throw Error("weight '" + w.name + "' has an invalid or too large shape " + shapeValue.dump());
    w.count *= dim;
    w.shape.push_back(dim);
  }
  const JsonValue dtypeValue = spec["dtype"];
  if (!dtypeValue.is(Kind::String) && !dtypeValue.is(Kind::Null))
    notA("the dtype of weight '" + w.name + "'", "a string");
  const std::string dtype = dtypeValue.is(Kind::Null) ? "float32" : dtypeValue.text();
  w.stored = dtype;
  const JsonValue q = spec["quantization"];
  if (!q.is(Kind::Null)) {
    if (!q["dtype"].is(Kind::String)) throw Error("weight '" + w.name + "' has a quantization entry without a dtype");
    w.stored = q["dtype"].text();
    // As TF.js: anything else, float32 included, is not a quantization.
    if (w.stored != "uint8" && w.stored != "uint16" && w.stored != "float16")
      throw Error("weight '" + w.name + "' is quantized to '" + w.stored +
                  "'; uint8, uint16 and float16 are supported");
  }
  w.bytes = static_cast<size_t>(w.count) * bytesPerValue(w.stored, w.name);
  if (dtype != "float32" && dtype != "int32")
    throw Error("weight '" + w.name + "' has dtype '" + dtype + "'; only float32 and int32 are supported");
  w.dtype = dtype == "int32" ? DType::Int32 : DType::Float32;
  if (isAffine(w.stored)) {
    const JsonValue min = q["min"], scale = q["scale"];
    if (!min.is(Kind::Number) || !scale.is(Kind::Number))
      throw Error("weight '" + w.name + "' is quantized to " + w.stored + " but has no numeric min and scale");
    w.scale = scale.number();
    w.min = min.number();
  }
  return w;
}

std::vector<WeightGroup> parseManifest(const JsonValue& manifest) {
  if (!manifest.is(Kind::Array)) throw Error("model JSON has no weightsManifest list");
  std::vector<WeightGroup> groups;
  for (size_t g = 0; g < manifest.size(); ++g) {
    const JsonValue group = manifest[g];
    const JsonValue paths = group["paths"], weights = group["weights"];
    if (!paths.is(Kind::Array) || !weights.is(Kind::Array))
      throw Error("model JSON has a weightsManifest entry without paths and weights");
    WeightGroup out;
    for (size_t i = 0; i < paths.size(); ++i) {
      if (!paths[i].is(Kind::String)) notA("a weight shard path", "a string");
      out.paths.push_back(paths[i].text());
    }
    for (size_t i = 0; i < weights.size(); ++i) out.weights.push_back(parseWeightSpec(weights[i]));
    groups.push_back(std::move(out));
  }
  return groups;
}

Tensor decodeWeight(const WeightSpec& w, const uint8_t* bytes) {
  const Stored stored = storedType(w.stored);
  const std::string& name = w.name;
  const int64_t count = w.count;
  Tensor t;
  t.dtype = w.dtype;
  const bool affine = isAffine(w.stored);
  const size_t codeBytes = stored == Stored::Uint8 ? 1 : 2;  // when affine
  const double scale = w.scale, min = w.min;
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

std::map<std::string, Tensor> decodeWeights(const std::vector<WeightGroup>& manifest,
                                            const std::vector<ShardView>& shards) {
  std::map<std::string, Tensor> weights;
  size_t shardIndex = 0;
  for (const WeightGroup& group : manifest) {
    std::vector<uint8_t> joined;
    ShardView stream{nullptr, 0};
    for (size_t s = 0; s < group.paths.size(); ++s, ++shardIndex) {
      if (shardIndex >= shards.size())
        throw Error("model JSON lists weight shard '" + group.paths[s] + "' but only " + std::to_string(shards.size()) +
                    " shard(s) were given");
      if (group.paths.size() == 1) {
        stream = shards[shardIndex];  // the common case needs no copy
      } else {
        joined.insert(joined.end(), shards[shardIndex].data, shards[shardIndex].data + shards[shardIndex].size);
        stream = {joined.data(), joined.size()};
      }
    }
    size_t offset = 0;
    for (const WeightSpec& w : group.weights) {
      const size_t bytes = w.bytes;
      if (offset + bytes > stream.size)
        throw Error("weight '" + w.name + "' needs bytes " + std::to_string(offset) + ".." +
                    std::to_string(offset + bytes) + " of its shards, but they hold only " +
                    std::to_string(stream.size) + " bytes (missing or truncated shard?)");
      Tensor t = decodeWeight(w, stream.data + offset);
      t.shape = w.shape;
      offset += bytes;
      if (!weights.emplace(w.name, std::move(t)).second) throw Error("model JSON lists weight '" + w.name + "' twice");
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

void checkDocument(const JsonValue& doc) {
  if (!doc.is(Kind::Object)) throw Error("model JSON is not an object");
  const JsonValue format = doc["format"];
  if (format.is(Kind::String) && format.text() != "graph-model")
    throw Error("model JSON has format '" + format.text() + "'; BodyPix needs a TF.js graph-model");
  if (!doc.has("modelTopology")) throw Error("model JSON has no modelTopology");
  if (!doc.has("weightsManifest")) throw Error("model JSON has no weightsManifest");
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
  std::vector<WeightGroup> manifest;
};

ModelJson::ModelJson(const JsonValue& document) : parsed_(std::make_unique<Parsed>()) {
  checkDocument(document);
  parsed_->nodes = topologicalOrder(parseNodes(document["modelTopology"]));
  parsed_->manifest = parseManifest(document["weightsManifest"]);
}

ModelJson::ModelJson(const std::string& text) : ModelJson(JsonDocument::parse(text).root()) {}

ModelJson::~ModelJson() = default;

namespace {

// Summed in 64 bits: many weights could pass what a wasm32 size_t holds.
template <typename F>
size_t sumOverWeights(const std::vector<WeightGroup>& manifest, F&& size) {
  uint64_t total = 0;
  for (const WeightGroup& group : manifest)
    for (const WeightSpec& w : group.weights) total += size(w);
  return static_cast<size_t>(std::min<uint64_t>(total, std::numeric_limits<size_t>::max()));
}

}  // namespace

size_t ModelJson::storedBytes() const {
  return parsed_ ? sumOverWeights(parsed_->manifest, [](const WeightSpec& w) { return uint64_t{w.bytes}; }) : 0;
}

size_t ModelJson::decodedBytes() const {
  return parsed_ ? sumOverWeights(parsed_->manifest, [](const WeightSpec& w) { return uint64_t(w.count) * 4; }) : 0;
}

GraphModel ModelJson::withWeights(const std::vector<ShardView>& shards) {
  if (!parsed_) throw Error("this model.json has given its model already");
  const std::unique_ptr<Parsed> parsed = std::move(parsed_);
  GraphModel model;
  model.weights = decodeWeights(parsed->manifest, shards);
  model.nodes = std::move(parsed->nodes);
  return model;
}

GraphModel parseGraphModel(const std::string& text, const std::vector<ShardView>& shards) {
  return ModelJson(text).withWeights(shards);
}

}  // namespace bodypix
