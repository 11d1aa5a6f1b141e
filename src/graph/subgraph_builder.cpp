#include "graph/subgraph_builder.h"

#include <algorithm>
#include <mutex>

#include "error.h"
#include "graph/builder.h"
#include "runtime/allocator.h"

namespace bodypix {
namespace graph {

Size2 evaluate(const SpatialRule& r, const std::vector<Size2>& sizes, const Size2& input) {
  const auto where = [&] {
    return " at a network input of " + std::to_string(input[0]) + "x" + std::to_string(input[1]);
  };
  Size2 out{};
  for (size_t axis = 0; axis < 2; ++axis) {
    switch (r.kind) {
      case SpatialRule::Input:
        out[axis] = input[axis];
        break;
      case SpatialRule::Fixed:
        out[axis] = axis == 0 ? r.height : r.width;
        break;
      case SpatialRule::Broadcast: {
        const size_t a = sizes[r.from][axis], b = sizes[r.other][axis];
        if (a != b && a != 1 && b != 1)
          throw Error("node '" + r.node + "' combines tensors " + std::to_string(a) + " and " + std::to_string(b) +
                      (axis == 0 ? " pixels high" : " pixels wide") + where());
        out[axis] = a == 1 ? b : a;
        break;
      }
      case SpatialRule::Window: {
        const size_t in = sizes[r.from][axis];
        if (r.same) {
          out[axis] = (in + r.stride[axis] - 1) / r.stride[axis];
          break;
        }
        const size_t padded = in + r.padBefore[axis] + r.padAfter[axis];
        const size_t window = size_t{r.kernel[axis] - 1} * r.dilation[axis] + 1;
        if (padded < window)
          throw Error("node '" + r.node + "' has a window " + std::to_string(window) + " pixels " +
                      (axis == 0 ? "high" : "wide") + " over an input of " + std::to_string(padded) + where() +
                      "; the model needs a larger input");
        out[axis] = (padded - window) / r.stride[axis] + 1;
        break;
      }
    }
  }
  return out;
}

std::string shapeString(const std::vector<size_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

void check(xnn_status status, const Node& node, const char* what) {
  if (status != xnn_status_success)
    throw Error("XNNPACK rejected " + std::string(what) + " for node '" + node.name + "' (op " + node.op + ", status " +
                std::to_string(static_cast<int>(status)) + ")");
}

Builder::Builder(const GraphModel& model, const std::vector<std::string>& outputs) : model_(model) {
  for (const Node& n : model.nodes) byName_[n.name] = &n;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!byName_.count(outputs[i])) throw Error("model has no node '" + outputs[i] + "': it is not a BodyPix model");
    outputIndex_[outputs[i]] = i;
  }
  markNeeded(outputs);
  result_.outputIds.assign(outputs.size(), XNN_INVALID_VALUE_ID);
  result_.nominalOutputShapes.assign(outputs.size(), {});
  xnn_subgraph_t raw = nullptr;
  nominal_.reserve(model.nodes.size());
  if (xnn_create_subgraph(static_cast<uint32_t>(outputs.size() + 1), 0, &raw) != xnn_status_success)
    throw Error("XNNPACK could not create a subgraph");
  result_.subgraph.reset(raw);
}

BuiltSubgraph Builder::build() {
  for (const Node& n : model_.nodes) {
    if (!needed_.count(n.name) || absorbed_.count(n.name)) continue;
    translate(n);
  }
  return std::move(result_);
}

void Builder::markNeeded(const std::vector<std::string>& outputs) {
  std::vector<std::string> stack(outputs.begin(), outputs.end());
  while (!stack.empty()) {
    const std::string name = stack.back();
    stack.pop_back();
    if (!needed_.insert(name).second) continue;
    for (const std::string& in : byName_.at(name)->inputs) {
      consumers_[in].push_back(byName_.at(name));
      stack.push_back(in);
    }
  }
}

const Tensor* Builder::constant(const std::string& name) const {
  const Node* n = byName_.at(name);
  if (n->op != "Const") return nullptr;
  const Tensor* t = model_.weight(name);
  if (!t) throw Error("Const node '" + name + "' has no entry in the weights manifest");
  return t;
}

const Tensor& Builder::requireFloatConstant(const Node& node, size_t input) const {
  if (input >= node.inputs.size())
    throw Error("node '" + node.name + "' (op " + node.op + ") lacks input " + std::to_string(input));
  const Tensor* t = constant(node.inputs[input]);
  if (!t || t->dtype != DType::Float32)
    throw Error("node '" + node.name + "' (op " + node.op + ") needs a float32 constant as input " +
                std::to_string(input) + ", got '" + node.inputs[input] + "'");
  return *t;
}

const Value& Builder::value(const Node& node, size_t input) const {
  if (input >= node.inputs.size())
    throw Error("node '" + node.name + "' (op " + node.op + ") lacks input " + std::to_string(input));
  auto it = values_.find(node.inputs[input]);
  if (it == values_.end())
    throw Error("node '" + node.name + "' (op " + node.op + ") reads '" + node.inputs[input] +
                "', which is not a computed tensor (a constant where a tensor is needed?)");
  return it->second;
}

Epilogue Builder::absorbEpilogue(const std::string& producer, Epilogue e, bool allowBias) {
  e.last = producer;
  for (;;) {
    if (isOutput(e.last)) break;
    auto it = consumers_.find(e.last);
    if (it == consumers_.end() || it->second.size() != 1) break;
    const Node& c = *it->second.front();
    if (c.inputs.empty() || c.inputs[0] != e.last) {
      if (!((c.op == "Minimum" || c.op == "Maximum") && c.inputs.size() == 2 && c.inputs[1] == e.last)) break;
    }
    if (c.op == "BiasAdd" && allowBias && !e.bias && !e.clamped() && c.inputs.size() == 2) {
      const Tensor* b = constant(c.inputs[1]);
      if (!b || b->dtype != DType::Float32 || b->shape.size() != 1) break;
      e.bias = b;
    } else if (c.op == "Relu") {
      e.clamp(0, kInf);
    } else if (c.op == "Relu6") {
      e.clamp(0, 6);
    } else if (c.op == "Minimum" || c.op == "Maximum") {
      const std::string& other = c.inputs[0] == e.last ? c.inputs[1] : c.inputs[0];
      const Tensor* s = constant(other);
      if (!s || s->dtype != DType::Float32 || s->elementCount() != 1) break;
      if (c.op == "Minimum") e.clamp(-kInf, s->f32[0]);
      else e.clamp(s->f32[0], kInf);
    } else if (c.op != "Identity") {
      break;
    }
    absorbed_.insert(c.name);
    e.last = c.name;
  }
  return e;
}

void Builder::countActivation(const std::vector<size_t>& shape) {
  uint64_t elements = 1;
  for (size_t d : shape) elements *= d;
  result_.nominalActivationBytes += elements * sizeof(float);
}

size_t Builder::addRule(SpatialRule r) {
  nominal_.push_back(evaluate(r, nominal_, {kNominalSize, kNominalSize}));
  result_.spatial.push_back(std::move(r));
  return nominal_.size() - 1;
}

size_t Builder::windowRule(const Node& n, const Value& x, const std::array<uint32_t, 2>& kernel,
                           const std::array<uint32_t, 2>& stride, const std::array<uint32_t, 2>& dilation,
                           const WindowPadding& pad) {
  SpatialRule r{SpatialRule::Window, n.name, x.rule};
  for (size_t axis = 0; axis < 2; ++axis) {
    r.kernel[axis] = kernel[axis];
    r.stride[axis] = stride[axis];
    r.dilation[axis] = dilation[axis];
  }
  r.padBefore[0] = pad.top;
  r.padAfter[0] = pad.bottom;
  r.padBefore[1] = pad.left;
  r.padAfter[1] = pad.right;
  r.same = pad.same;
  return addRule(std::move(r));
}

Value& Builder::defineValue(const std::string& name, std::vector<size_t> shape, size_t rule) {
  // Everything here is laid out as images; the spatial rules rely on it.
  if (shape.size() != 4)
    throw Error("node '" + name + "' would compute a tensor of shape " + shapeString(shape) +
                "; BodyPix graphs compute 4D images");
  countActivation(shape);
  uint32_t external = XNN_INVALID_VALUE_ID, flags = 0;
  auto out = outputIndex_.find(name);
  if (out != outputIndex_.end()) {
    external = static_cast<uint32_t>(out->second + 1);
    flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
  }
  Value v;
  v.shape = std::move(shape);
  v.rule = rule;
  if (xnn_define_tensor_value(sub(), xnn_datatype_fp32, v.shape.size(), v.shape.data(), nullptr, external, flags,
                              &v.id) != xnn_status_success)
    throw Error("XNNPACK could not define the tensor of node '" + name + "' with shape " + shapeString(v.shape));
  if (out != outputIndex_.end()) {
    result_.outputIds[out->second] = v.id;
    result_.nominalOutputShapes[out->second] = v.shape;
  }
  return values_[name] = v;
}

uint32_t Builder::defineStatic(std::vector<float> data, const std::vector<size_t>& shape, const Node& node,
                               Static use) {
  std::deque<std::vector<float>>& kept = use == Static::Weights ? result_.weights : result_.operands;
  kept.push_back(std::move(data));
  uint32_t id;
  check(xnn_define_tensor_value(sub(), xnn_datatype_fp32, shape.size(), shape.data(), kept.back().data(),
                                XNN_INVALID_VALUE_ID, 0, &id),
        node, "a constant tensor");
  return id;
}

void Builder::translate(const Node& n) {
  const std::string& op = n.op;
  if (op == "Const") return;  // folded into the ops that read it
  if (op == "Placeholder") return definePlaceholder(n);
  if (op == "Conv2D" || op == "_FusedConv2D") return defineConvolution(n, false);
  if (op == "DepthwiseConv2dNative" || op == "FusedDepthwiseConv2dNative") return defineConvolution(n, true);
  if (op == "BiasAdd" || op == "Add" || op == "AddV2") return defineAdd(n);
  if (op == "Relu" || op == "Relu6" || op == "Minimum" || op == "Maximum") return defineClampOrBinary(n);
  if (op == "MaxPool") return defineMaxPool(n);
  if (op == "Pad" || op == "PadV2") return definePad(n);
  if (op == "Identity") return defineIdentity(n);
  throw Error("unsupported op '" + op + "' at node '" + n.name + "'");
}

}  // namespace graph

void initializeXnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(xnnpackAllocator()); });
  if (status != xnn_status_success) throw Error("XNNPACK failed to initialise (unsupported CPU or out of memory)");
}

void BuiltSubgraph::checkInputSize(size_t height, size_t width) const {
  std::vector<graph::Size2> sizes;
  sizes.reserve(spatial.size());
  for (const SpatialRule& r : spatial) sizes.push_back(graph::evaluate(r, sizes, {height, width}));
}

BuiltSubgraph buildSubgraph(const GraphModel& model, const std::vector<std::string>& outputs) {
  initializeXnnpack();
  BuiltSubgraph built = graph::Builder(model, outputs).build();
  for (size_t i = 0; i < outputs.size(); ++i)
    if (built.outputIds[i] == XNN_INVALID_VALUE_ID)
      throw Error("output '" + outputs[i] + "' is not computed by an op this engine supports");
  if (built.inputChannels == 0) throw Error("model has no Placeholder input");
  return built;
}

}  // namespace bodypix
