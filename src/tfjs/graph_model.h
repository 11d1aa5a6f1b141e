// A TensorFlow.js graph model (model.json + weight shards), parsed and with its
// weights decoded to what TF.js itself would hold in memory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "error.h"

namespace bodypix {

// One attribute value of a graph node. TF's AttrValue has more kinds; these
// are the ones the ops we translate read.
struct AttrValue {
  std::vector<int64_t> ints;         // list.i, or a single i
  std::vector<std::string> strings;  // list.s or s, base64-decoded
  std::vector<float> floats;         // list.f, or a single f
  bool has_b = false;
  bool b = false;
};

struct Node {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // data inputs only; control inputs dropped
  std::map<std::string, AttrValue> attrs;

  const AttrValue* attr(const std::string& key) const;
  std::string stringAttr(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> intsAttr(const std::string& key) const;
  float floatAttr(const std::string& key, float fallback) const;
};

enum class DType { Float32, Int32 };

struct Tensor {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  std::vector<float> f32;    // when dtype == Float32
  std::vector<int32_t> i32;  // when dtype == Int32

  int64_t elementCount() const;
};

struct GraphModel {
  std::vector<Node> nodes;  // in topological order (inputs before consumers)
  std::map<std::string, Tensor> weights;

  const Node* find(const std::string& name) const;
  const Tensor* weight(const std::string& name) const;
};

// A weight shard as the caller holds it; not owned.
struct ShardView {
  const uint8_t* data;
  size_t size;
};

class JsonValue;

// model.json parsed ahead of its weights, which can then still be on their
// way: the graph, and the manifest the shards are decoded by, both checked.
class ModelJson {
 public:
  explicit ModelJson(const JsonValue& document);
  explicit ModelJson(const std::string& text);
  ~ModelJson();

  // The model with the shards' weights decoded, the shards given in manifest
  // order: the paths of weightsManifest[0], then those of weightsManifest[1],
  // and so on. Takes the graph: once per ModelJson.
  GraphModel withWeights(const std::vector<ShardView>& shards);

  // The weights' size in the shards, and once decoded to 32-bit values (0
  // once the model has been given).
  size_t storedBytes() const;
  size_t decodedBytes() const;

 private:
  struct Parsed;
  std::unique_ptr<Parsed> parsed_;
};

// ModelJson(json).withWeights(shards), in one step.
GraphModel parseGraphModel(const std::string& json, const std::vector<ShardView>& shards);

}  // namespace bodypix
