#include "graph/subgraph_builder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "error.h"

namespace bodypix {
namespace {

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

// The height and width of a rule's tensor, given those of the earlier rules'.
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

struct Padding {
  bool same = false;
  uint32_t top = 0, bottom = 0, left = 0, right = 0;
};

class Builder {
 public:
  Builder(const GraphModel& model, const std::vector<std::string>& outputs) : model_(model) {
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

  BuiltSubgraph build() {
    for (const Node& n : model_.nodes) {
      if (!needed_.count(n.name) || absorbed_.count(n.name)) continue;
      translate(n);
    }
    return std::move(result_);
  }

 private:
  void markNeeded(const std::vector<std::string>& outputs) {
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

  bool isOutput(const std::string& name) const { return outputIndex_.count(name) != 0; }

  const Tensor* constant(const std::string& name) const {
    const Node* n = byName_.at(name);
    if (n->op != "Const") return nullptr;
    const Tensor* t = model_.weight(name);
    if (!t) throw Error("Const node '" + name + "' has no entry in the weights manifest");
    return t;
  }

  const Tensor& requireFloatConstant(const Node& node, size_t input) const {
    if (input >= node.inputs.size())
      throw Error("node '" + node.name + "' (op " + node.op + ") lacks input " + std::to_string(input));
    const Tensor* t = constant(node.inputs[input]);
    if (!t || t->dtype != DType::Float32)
      throw Error("node '" + node.name + "' (op " + node.op + ") needs a float32 constant as input " +
                  std::to_string(input) + ", got '" + node.inputs[input] + "'");
    return *t;
  }

  const Value& value(const Node& node, size_t input) const {
    if (input >= node.inputs.size())
      throw Error("node '" + node.name + "' (op " + node.op + ") lacks input " + std::to_string(input));
    auto it = values_.find(node.inputs[input]);
    if (it == values_.end())
      throw Error("node '" + node.name + "' (op " + node.op + ") reads '" + node.inputs[input] +
                  "', which is not a computed tensor (a constant where a tensor is needed?)");
    return it->second;
  }

  // Absorbs the chain of single-consumer bias/clamp nodes after `producer`.
  Epilogue absorbEpilogue(const std::string& producer, Epilogue e, bool allowBias) {
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

  void countActivation(const std::vector<size_t>& shape) {
    uint64_t elements = 1;
    for (size_t d : shape) elements *= d;
    result_.nominalActivationBytes += elements * sizeof(float);
  }

  // Adds a rule and returns its index; it must hold at the nominal size.
  size_t addRule(SpatialRule r) {
    nominal_.push_back(evaluate(r, nominal_, {kNominalSize, kNominalSize}));
    result_.spatial.push_back(std::move(r));
    return nominal_.size() - 1;
  }

  size_t windowRule(const Node& n, const Value& x, const std::array<uint32_t, 2>& kernel,
                    const std::array<uint32_t, 2>& stride, const std::array<uint32_t, 2>& dilation,
                    const Padding& pad) {
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

  Value& defineValue(const std::string& name, std::vector<size_t> shape, size_t rule) {
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

  uint32_t defineStatic(std::vector<float> data, const std::vector<size_t>& shape, const Node& node) {
    result_.staticData.push_back(std::move(data));
    uint32_t id;
    check(xnn_define_tensor_value(sub(), xnn_datatype_fp32, shape.size(), shape.data(),
                                  result_.staticData.back().data(), XNN_INVALID_VALUE_ID, 0, &id),
          node, "a constant tensor");
    return id;
  }

  xnn_subgraph_t sub() { return result_.subgraph.get(); }

  void translate(const Node& n) {
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

  void definePlaceholder(const Node& n) {
    if (values_.count("@input"))
      throw Error("model has a second Placeholder '" + n.name + "'; BodyPix graphs take one image");
    size_t channels = 3;
    if (const AttrValue* shape = n.attr("shape"); shape && shape->ints.size() == 4 && shape->ints[3] > 0) {
      if (shape->ints[3] > kMaxChannels)
        throw Error("the graph input '" + n.name + "' has " + std::to_string(shape->ints[3]) + " channels");
      channels = static_cast<size_t>(shape->ints[3]);
    }
    Value v;
    v.shape = {1, kNominalSize, kNominalSize, channels};
    if (xnn_define_tensor_value(sub(), xnn_datatype_fp32, 4, v.shape.data(), nullptr, BuiltSubgraph::kInputId,
                                XNN_VALUE_FLAG_EXTERNAL_INPUT, &v.id) != xnn_status_success)
      throw Error("XNNPACK could not define the input tensor");
    result_.inputChannels = channels;
    countActivation(v.shape);
    v.rule = addRule({SpatialRule::Input, n.name});
    values_["@input"] = v;
    values_[n.name] = v;
    if (isOutput(n.name)) throw Error("the graph input '" + n.name + "' cannot be an output");
  }

  // TF.js reads strides and dilations as [attr[1], attr[2]] whatever the
  // attribute's length says; the official stride-8 files store dilations
  // [2,2,1,1], which TF.js runs as height 2, width 1. Parity needs the same.
  static std::pair<uint32_t, uint32_t> heightWidth(const Node& n, const char* key) {
    const std::vector<int64_t> v = n.intsAttr(key);
    if (v.empty()) return {1, 1};
    if (v.size() < 3 || v[1] < 1 || v[2] < 1 || v[1] > 1024 || v[2] > 1024)
      throw Error("node '" + n.name + "' has an invalid " + key + " attribute");
    return {static_cast<uint32_t>(v[1]), static_cast<uint32_t>(v[2])};
  }

  static Padding padding(const Node& n) {
    const std::string format = n.stringAttr("data_format", "NHWC");
    if (format != "NHWC") throw Error("node '" + n.name + "' uses data_format " + format + "; only NHWC is supported");
    const std::string p = n.stringAttr("padding", "VALID");
    Padding out;
    if (p == "SAME") {
      out.same = true;
    } else if (p == "EXPLICIT") {
      const std::vector<int64_t> e = n.intsAttr("explicit_paddings");
      if (e.size() != 8 || *std::min_element(e.begin(), e.end()) < 0 ||
          *std::max_element(e.begin(), e.end()) > kMaxPadding)
        throw Error("node '" + n.name + "' has invalid explicit_paddings");
      out.top = static_cast<uint32_t>(e[2]);
      out.bottom = static_cast<uint32_t>(e[3]);
      out.left = static_cast<uint32_t>(e[4]);
      out.right = static_cast<uint32_t>(e[5]);
    } else if (p != "VALID") {
      throw Error("node '" + n.name + "' has padding '" + p + "'; SAME, VALID and EXPLICIT are supported");
    }
    return out;
  }

  void defineConvolution(const Node& n, bool depthwise) {
    const Value x = value(n, 0);
    const Tensor& filter = requireFloatConstant(n, 1);
    if (filter.shape.size() != 4 || filter.elementCount() == 0)
      throw Error("node '" + n.name + "' has a filter of shape that is not 4D");
    const size_t kh = static_cast<size_t>(filter.shape[0]), kw = static_cast<size_t>(filter.shape[1]);
    const size_t ci = static_cast<size_t>(filter.shape[2]), co = static_cast<size_t>(filter.shape[3]);
    if (ci != x.shape[3])
      throw Error("node '" + n.name + "' has a filter for " + std::to_string(ci) +
                  " input channels but its input has " + std::to_string(x.shape[3]));
    const auto [sh, sw] = heightWidth(n, "strides");
    const auto [dh, dw] = heightWidth(n, "dilations");
    const Padding pad = padding(n);

    Epilogue e;
    if (n.op == "_FusedConv2D" || n.op == "FusedDepthwiseConv2dNative") {
      const AttrValue* fused = n.attr("fused_ops");
      for (const std::string& f : fused ? fused->strings : std::vector<std::string>{}) {
        if (f == "BiasAdd") e.bias = &requireFloatConstant(n, 2);
        else if (f == "Relu") e.clamp(0, kInf);
        else if (f == "Relu6") e.clamp(0, 6);
        else throw Error("unsupported fused op '" + f + "' in node '" + n.name + "' (op " + n.op + ")");
      }
    }
    e = absorbEpilogue(n.name, e, !e.bias && !e.clamped());
    const size_t outChannels = depthwise ? ci * co : co;
    if (e.bias && static_cast<size_t>(e.bias->elementCount()) != outChannels)
      throw Error("node '" + n.name + "' has a bias of " + std::to_string(e.bias->elementCount()) + " values for " +
                  std::to_string(outChannels) + " channels");

    std::vector<float> weights(filter.f32.size());
    if (depthwise) {
      // TF's [kh, kw, ci, multiplier] is XNNPACK's [1, kh, kw, ci * multiplier].
      weights = filter.f32;
    } else {
      // TF's [kh, kw, ci, co] to XNNPACK's [co, kh, kw, ci].
      for (size_t y = 0; y < kh; ++y)
        for (size_t xk = 0; xk < kw; ++xk)
          for (size_t i = 0; i < ci; ++i)
            for (size_t o = 0; o < co; ++o)
              weights[((o * kh + y) * kw + xk) * ci + i] = filter.f32[((y * kw + xk) * ci + i) * co + o];
    }
    const std::vector<size_t> filterShape = depthwise ? std::vector<size_t>{1, kh, kw, ci * co}
                                                      : std::vector<size_t>{co, kh, kw, ci};
    const uint32_t filterId = defineStatic(std::move(weights), filterShape, n);
    const uint32_t biasId = e.bias ? defineStatic(e.bias->f32, {outChannels}, n) : XNN_INVALID_VALUE_ID;

    const size_t rule = windowRule(n, x, {static_cast<uint32_t>(kh), static_cast<uint32_t>(kw)}, {sh, sw}, {dh, dw},
                                   pad);
    const Value& y = defineValue(e.last, {1, nominal_[rule][0], nominal_[rule][1], outChannels}, rule);
    const uint32_t flags = pad.same ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
    if (depthwise) {
      check(xnn_define_depthwise_convolution_2d(sub(), pad.top, pad.right, pad.bottom, pad.left,
                                                static_cast<uint32_t>(kh), static_cast<uint32_t>(kw), sh, sw, dh, dw,
                                                static_cast<uint32_t>(co), ci, e.lo, e.hi, x.id, filterId, biasId, y.id,
                                                flags),
            n, "a depthwise convolution");
    } else {
      check(xnn_define_convolution_2d(sub(), pad.top, pad.right, pad.bottom, pad.left, static_cast<uint32_t>(kh),
                                      static_cast<uint32_t>(kw), sh, sw, dh, dw, 1, ci, co, e.lo, e.hi, x.id, filterId,
                                      biasId, y.id, flags),
            n, "a convolution");
    }
  }

  static std::vector<size_t> broadcastShape(std::vector<size_t> a, std::vector<size_t> b, const Node& n) {
    if (a.size() < b.size()) std::swap(a, b);
    b.insert(b.begin(), a.size() - b.size(), 1);
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i] || b[i] == 1) continue;
      if (a[i] == 1) a[i] = b[i];
      else throw Error("node '" + n.name + "' adds tensors of incompatible shapes");
    }
    return a;
  }

  // One operand of an elementwise op: a computed tensor, or a constant.
  Value operand(const Node& n, size_t input) {
    if (input >= n.inputs.size()) throw Error("node '" + n.name + "' (op " + n.op + ") lacks an input");
    if (const Tensor* t = constant(n.inputs[input])) {
      if (t->dtype != DType::Float32) throw Error("node '" + n.name + "' reads a non-float constant");
      Value c;
      c.shape.assign(t->shape.begin(), t->shape.end());
      if (c.shape.empty()) c.shape = {1};
      c.id = defineStatic(t->f32, c.shape, n);
      // Broadcasting aligns the last axes: [h, w, c] or [1, h, w, c].
      const size_t rank = c.shape.size();
      SpatialRule fixed{SpatialRule::Fixed, n.name};
      fixed.height = rank >= 3 ? c.shape[rank - 3] : 1;
      fixed.width = rank >= 2 ? c.shape[rank - 2] : 1;
      c.rule = addRule(std::move(fixed));
      return c;
    }
    return value(n, input);
  }

  void defineBinary(const Node& n, xnn_binary_operator type) {
    const Value a = operand(n, 0), b = operand(n, 1);
    const std::vector<size_t> shape = broadcastShape(a.shape, b.shape, n);
    const Epilogue e = absorbEpilogue(n.name, Epilogue{}, false);
    const Value& y = defineValue(e.last, shape, addRule({SpatialRule::Broadcast, n.name, a.rule, b.rule}));
    xnn_binary_params params{e.lo, e.hi};
    check(xnn_define_binary(sub(), type, &params, a.id, b.id, y.id, 0), n, "an elementwise op");
  }

  void defineAdd(const Node& n) { defineBinary(n, xnn_binary_add); }

  void defineClampOrBinary(const Node& n) {
    // A clamp here is one that could not be folded into its producer.
    const Value x = value(n, 0);
    Epilogue e;
    if (n.op == "Relu") {
      e.clamp(0, kInf);
    } else if (n.op == "Relu6") {
      e.clamp(0, 6);
    } else {
      const Tensor* s = n.inputs.size() == 2 ? constant(n.inputs[1]) : nullptr;
      if (!s || s->dtype != DType::Float32 || s->elementCount() != 1)
        return defineBinary(n, n.op == "Minimum" ? xnn_binary_minimum : xnn_binary_maximum);
      if (n.op == "Minimum") e.clamp(-kInf, s->f32[0]);
      else e.clamp(s->f32[0], kInf);
    }
    e = absorbEpilogue(n.name, e, false);
    const Value& y = defineValue(e.last, x.shape, x.rule);
    xnn_unary_params params;
    params.clamp.min = e.lo;
    params.clamp.max = e.hi;
    check(xnn_define_unary(sub(), xnn_unary_clamp, &params, x.id, y.id, 0), n, "a clamp");
  }

  void defineMaxPool(const Node& n) {
    const Value x = value(n, 0);
    const auto [kh, kw] = heightWidth(n, "ksize");
    // The time per output value grows with the window: a 1024x1024 one took
    // seconds on a 17x17 input and would take hours on a real image. BodyPix
    // pools over 3x3 at most.
    if (kh * kw > kMaxPoolWindow)
      throw Error("node '" + n.name + "' pools over " + std::to_string(kh) + "x" + std::to_string(kw) +
                  " values; at most " + std::to_string(kMaxPoolWindow) + " are supported");
    const auto [sh, sw] = heightWidth(n, "strides");
    const Padding pad = padding(n);
    const size_t rule = windowRule(n, x, {kh, kw}, {sh, sw}, {1, 1}, pad);
    const size_t oh = nominal_[rule][0], ow = nominal_[rule][1];
    if (kh == 1 && kw == 1) {
      // XNNPACK has no 1x1 pooling; ResNet uses it to subsample a shortcut,
      // which a 1x1 depthwise convolution with unit weights does exactly.
      if (sh == 1 && sw == 1 && !isOutput(n.name)) {
        values_[n.name] = x;
        return;
      }
      const Epilogue e = absorbEpilogue(n.name, Epilogue{}, false);
      const size_t c = x.shape[3];
      const uint32_t filterId = defineStatic(std::vector<float>(c, 1.0f), {1, 1, 1, c}, n);
      const Value& y = defineValue(e.last, {1, oh, ow, c}, rule);
      check(xnn_define_depthwise_convolution_2d(sub(), 0, 0, 0, 0, 1, 1, sh, sw, 1, 1, 1, c, e.lo, e.hi, x.id, filterId,
                                                XNN_INVALID_VALUE_ID, y.id, 0),
            n, "a 1x1 subsampling");
      return;
    }
    const Epilogue e = absorbEpilogue(n.name, Epilogue{}, false);
    const Value& y = defineValue(e.last, {1, oh, ow, x.shape[3]}, rule);
    check(xnn_define_max_pooling_2d(sub(), pad.top, pad.right, pad.bottom, pad.left, kh, kw, sh, sw, 1, 1, e.lo, e.hi,
                                    x.id, y.id, pad.same ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0),
          n, "a max pooling");
  }

  void definePad(const Node& n) {
    const Value x = value(n, 0);
    const Tensor* p = n.inputs.size() >= 2 ? constant(n.inputs[1]) : nullptr;
    if (!p || p->dtype != DType::Int32 || p->shape != std::vector<int64_t>{static_cast<int64_t>(x.shape.size()), 2})
      throw Error("node '" + n.name + "' (op " + n.op + ") needs constant int32 paddings of shape [" +
                  std::to_string(x.shape.size()) + ",2]");
    float fill = 0;
    if (n.op == "PadV2" && n.inputs.size() >= 3) {
      const Tensor* v = constant(n.inputs[2]);
      if (!v || v->dtype != DType::Float32 || v->elementCount() != 1)
        throw Error("node '" + n.name + "' (op PadV2) needs a scalar float constant value");
      fill = v->f32[0];
    }
    std::vector<size_t> pre(x.shape.size()), post(x.shape.size()), shape = x.shape;
    for (size_t d = 0; d < x.shape.size(); ++d) {
      const int32_t a = p->i32[2 * d], b = p->i32[2 * d + 1];
      if (a < 0 || b < 0 || a > kMaxPadding || b > kMaxPadding)
        throw Error("node '" + n.name + "' has invalid paddings");
      pre[d] = static_cast<size_t>(a);
      post[d] = static_cast<size_t>(b);
      shape[d] += pre[d] + post[d];
    }
    Padding spatial;
    spatial.top = static_cast<uint32_t>(pre[1]);
    spatial.bottom = static_cast<uint32_t>(post[1]);
    spatial.left = static_cast<uint32_t>(pre[2]);
    spatial.right = static_cast<uint32_t>(post[2]);
    const Value& y = defineValue(n.name, shape, windowRule(n, x, {1, 1}, {1, 1}, {1, 1}, spatial));
    check(xnn_define_static_constant_pad(sub(), pre.data(), post.data(), fill, x.id, y.id, 0), n, "a pad");
  }

  void defineIdentity(const Node& n) {
    const Value x = value(n, 0);
    if (!isOutput(n.name)) {
      values_[n.name] = x;
      return;
    }
    const Value& y = defineValue(n.name, x.shape, x.rule);
    check(xnn_define_copy(sub(), x.id, y.id, 0), n, "a copy");
  }

  const GraphModel& model_;
  std::map<std::string, const Node*> byName_;
  std::map<std::string, std::vector<const Node*>> consumers_;
  std::set<std::string> needed_, absorbed_;
  std::map<std::string, Value> values_;
  std::map<std::string, size_t> outputIndex_;
  std::vector<Size2> nominal_;  // each spatial rule's size at the nominal input
  BuiltSubgraph result_;
};

}  // namespace

void initializeXnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  if (status != xnn_status_success) throw Error("XNNPACK failed to initialise (unsupported CPU or out of memory)");
}

void BuiltSubgraph::checkInputSize(size_t height, size_t width) const {
  std::vector<Size2> sizes;
  sizes.reserve(spatial.size());
  for (const SpatialRule& r : spatial) sizes.push_back(evaluate(r, sizes, {height, width}));
}

BuiltSubgraph buildSubgraph(const GraphModel& model, const std::vector<std::string>& outputs) {
  initializeXnnpack();
  BuiltSubgraph built = Builder(model, outputs).build();
  for (size_t i = 0; i < outputs.size(); ++i)
    if (built.outputIds[i] == XNN_INVALID_VALUE_ID)
      throw Error("output '" + outputs[i] + "' is not computed by an op this engine supports");
  if (built.inputChannels == 0) throw Error("model has no Placeholder input");
  return built;
}

}  // namespace bodypix
