// Internal to the graph builder: the Builder class that translates a TF.js
// graph into one XNNPACK subgraph, and its helpers. subgraph_builder.cpp
// holds the op table (Builder::translate) and what every op shares: values,
// constants, the fusion of bias adds and clamps, the spatial rules;
// ops.cpp holds one define* function per TF op.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <xnnpack.h>

#include "graph/subgraph_builder.h"
#include "tfjs/graph_model.h"

namespace bodypix::graph {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Shapes are inferred at a nominal input size to define the subgraph; the
// runtime is reshaped to the real size before every run.
constexpr size_t kNominalSize = BuiltSubgraph::kNominalInputSize;
constexpr uint32_t kMaxPoolWindow = 1024;
// Bounds that keep hostile attribute values from wrapping when narrowed to
// XNNPACK's uint32_t / size_t (32 bits in wasm) and silently meaning
// something else. Real models stay far below them.
constexpr int64_t kMaxPadding = 4096;
constexpr int64_t kMaxChannels = 65536;

struct Value {
  uint32_t id = XNN_INVALID_VALUE_ID;
  std::vector<size_t> shape;
  size_t rule = 0;  // in BuiltSubgraph::spatial
};

using Size2 = std::array<size_t, 2>;  // height, width

// What follows a node and can be folded into it: a bias, then clamps.
struct Epilogue {
  std::string last;  // name of the last node folded in; the value is known by it
  const Tensor* bias = nullptr;
  float lo = -kInf, hi = kInf;
  bool clamped() const { return lo != -kInf || hi != kInf; }
  void clamp(float lo2, float hi2) {
    // The composition of two clamps is the clamp between the images of the
    // first one's bounds under the second.
    lo = std::min(std::max(lo, lo2), hi2);
    hi = std::min(std::max(hi, lo2), hi2);
  }
};

// A convolution or pooling window's padding: TF's SAME, or explicit pixels.
struct WindowPadding {
  bool same = false;
  uint32_t top = 0, bottom = 0, left = 0, right = 0;
};

// The height and width of a rule's tensor, given those of the earlier rules'.
Size2 evaluate(const SpatialRule& r, const std::vector<Size2>& sizes, const Size2& input);

// A shape as error messages show it: [1,2,3].
std::string shapeString(const std::vector<size_t>& s);

// Throws Error naming the node unless XNNPACK accepted its definition.
void check(xnn_status status, const Node& node, const char* what);

// Translates the nodes the outputs need, in topological order, each into
// XNNPACK values and nodes, with bias adds and clamps fused into their
// producers.
class Builder {
 public:
  Builder(const GraphModel& model, const std::vector<std::string>& outputs);
  BuiltSubgraph build();

 private:
  // ---- What every op shares (subgraph_builder.cpp).
  void markNeeded(const std::vector<std::string>& outputs);
  bool isOutput(const std::string& name) const { return outputIndex_.count(name) != 0; }
  const Tensor* constant(const std::string& name) const;
  const Tensor& requireFloatConstant(const Node& node, size_t input) const;
  const Value& value(const Node& node, size_t input) const;
  // Absorbs the chain of single-consumer bias/clamp nodes after `producer`.
  Epilogue absorbEpilogue(const std::string& producer, Epilogue e, bool allowBias);
  void countActivation(const std::vector<size_t>& shape);
  // Adds a rule and returns its index; it must hold at the nominal size.
  size_t addRule(SpatialRule r);
  size_t windowRule(const Node& n, const Value& x, const std::array<uint32_t, 2>& kernel,
                    const std::array<uint32_t, 2>& stride, const std::array<uint32_t, 2>& dilation,
                    const WindowPadding& pad);
  Value& defineValue(const std::string& name, std::vector<size_t> shape, size_t rule);
  // Weights: what a convolution packs when its runtime is made (so they are
  // freed then); Operand: what an op reads at every run.
  enum class Static { Weights, Operand };
  uint32_t defineStatic(std::vector<float> data, const std::vector<size_t>& shape, const Node& node, Static use);
  xnn_subgraph_t sub() { return result_.subgraph.get(); }
  // The op table: which define* function translates a node.
  void translate(const Node& n);

  // ---- One builder per TF op, and their helpers (ops.cpp).
  void definePlaceholder(const Node& n);
  // TF.js reads strides and dilations as [attr[1], attr[2]] whatever the
  // attribute's length says; the official stride-8 files store dilations
  // [2,2,1,1], which TF.js runs as height 2, width 1. Parity needs the same.
  static std::pair<uint32_t, uint32_t> heightWidth(const Node& n, const char* key);
  static WindowPadding padding(const Node& n);
  void defineConvolution(const Node& n, bool depthwise);
  static std::vector<size_t> broadcastShape(std::vector<size_t> a, std::vector<size_t> b, const Node& n);
  // One operand of an elementwise op: a computed tensor, or a constant.
  Value operand(const Node& n, size_t input);
  void defineBinary(const Node& n, xnn_binary_operator type);
  void defineAdd(const Node& n) { defineBinary(n, xnn_binary_add); }
  void defineClampOrBinary(const Node& n);
  void defineMaxPool(const Node& n);
  void definePad(const Node& n);
  void defineIdentity(const Node& n);

  const GraphModel& model_;
  std::map<std::string, const Node*> byName_;
  std::map<std::string, std::vector<const Node*>> consumers_;
  std::set<std::string> needed_, absorbed_;
  std::map<std::string, Value> values_;
  std::map<std::string, size_t> outputIndex_;
  std::vector<Size2> nominal_;  // each spatial rule's size at the nominal input
  BuiltSubgraph result_;
};

}  // namespace bodypix::graph
