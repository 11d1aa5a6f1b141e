// One define* function per TF op the graph builder translates; the table
// that picks them is Builder::translate (subgraph_builder.cpp).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "error.h"
#include "graph/builder.h"
#include "graph/transpose.h"

namespace bodypix::graph {

void Builder::definePlaceholder(const Node& n) {
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

std::pair<uint32_t, uint32_t> Builder::heightWidth(const Node& n, const char* key) {
  const std::vector<int64_t> v = n.intsAttr(key);
  if (v.empty()) return {1, 1};
  if (v.size() < 3 || v[1] < 1 || v[2] < 1 || v[1] > 1024 || v[2] > 1024)
    throw Error("node '" + n.name + "' has an invalid " + key + " attribute");
  return {static_cast<uint32_t>(v[1]), static_cast<uint32_t>(v[2])};
}

WindowPadding Builder::padding(const Node& n) {
  const std::string format = n.stringAttr("data_format", "NHWC");
  if (format != "NHWC") throw Error("node '" + n.name + "' uses data_format " + format + "; only NHWC is supported");
  const std::string p = n.stringAttr("padding", "VALID");
  WindowPadding out;
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

void Builder::defineConvolution(const Node& n, bool depthwise) {
  const Value x = value(n, 0);
  const Tensor& filter = requireFloatConstant(n, 1);
  if (filter.shape.size() != 4 || filter.elementCount() == 0)
    throw Error("node '" + n.name + "' has a filter of shape that is not 4D");
  const size_t kh = static_cast<size_t>(filter.shape[0]), kw = static_cast<size_t>(filter.shape[1]);
  const size_t ci = static_cast<size_t>(filter.shape[2]), co = static_cast<size_t>(filter.shape[3]);
  if (ci != x.shape[3])
    throw Error("node '" + n.name + "' has a filter for " + std::to_string(ci) + " input channels but its input has " +
                std::to_string(x.shape[3]));
  const auto [sh, sw] = heightWidth(n, "strides");
  const auto [dh, dw] = heightWidth(n, "dilations");
  const WindowPadding pad = padding(n);

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

  // TF's [kh, kw, ci, multiplier] is XNNPACK's [1, kh, kw, ci * multiplier];
  // its [kh, kw, ci, co] is XNNPACK's [co, kh, kw, ci] transposed.
  std::vector<float> weights = depthwise ? filter.f32 : transposed(filter.f32.data(), kh * kw * ci, co);
  const std::vector<size_t> filterShape = depthwise ? std::vector<size_t>{1, kh, kw, ci * co}
                                                    : std::vector<size_t>{co, kh, kw, ci};
  const uint32_t filterId = defineStatic(std::move(weights), filterShape, n, Static::Weights);
  const uint32_t biasId = e.bias ? defineStatic(e.bias->f32, {outChannels}, n, Static::Weights) : XNN_INVALID_VALUE_ID;

  const size_t rule = windowRule(n, x, {static_cast<uint32_t>(kh), static_cast<uint32_t>(kw)}, {sh, sw}, {dh, dw}, pad);
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

std::vector<size_t> Builder::broadcastShape(std::vector<size_t> a, std::vector<size_t> b, const Node& n) {
  if (a.size() < b.size()) std::swap(a, b);
  b.insert(b.begin(), a.size() - b.size(), 1);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || b[i] == 1) continue;
    if (a[i] == 1) a[i] = b[i];
    else throw Error("node '" + n.name + "' adds tensors of incompatible shapes");
  }
  return a;
}

Value Builder::operand(const Node& n, size_t input) {
  if (input >= n.inputs.size()) throw Error("node '" + n.name + "' (op " + n.op + ") lacks an input");
  if (const Tensor* t = constant(n.inputs[input])) {
    if (t->dtype != DType::Float32) throw Error("node '" + n.name + "' reads a non-float constant");
    Value c;
    c.shape.assign(t->shape.begin(), t->shape.end());
    if (c.shape.empty()) c.shape = {1};
    c.id = defineStatic(t->f32, c.shape, n, Static::Operand);
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

void Builder::defineBinary(const Node& n, xnn_binary_operator type) {
  const Value a = operand(n, 0), b = operand(n, 1);
  const std::vector<size_t> shape = broadcastShape(a.shape, b.shape, n);
  const Epilogue e = absorbEpilogue(n.name, Epilogue{}, false);
  const Value& y = defineValue(e.last, shape, addRule({SpatialRule::Broadcast, n.name, a.rule, b.rule}));
  xnn_binary_params params{e.lo, e.hi};
  check(xnn_define_binary(sub(), type, &params, a.id, b.id, y.id, 0), n, "an elementwise op");
}

void Builder::defineClampOrBinary(const Node& n) {
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

void Builder::defineMaxPool(const Node& n) {
  const Value x = value(n, 0);
  const auto [kh, kw] = heightWidth(n, "ksize");
  // The time per output value grows with the window: a 1024x1024 one took
  // seconds on a 17x17 input and would take hours on a real image. BodyPix
  // pools over 3x3 at most.
  if (kh * kw > kMaxPoolWindow)
    throw Error("node '" + n.name + "' pools over " + std::to_string(kh) + "x" + std::to_string(kw) +
                " values; at most " + std::to_string(kMaxPoolWindow) + " are supported");
  const auto [sh, sw] = heightWidth(n, "strides");
  const WindowPadding pad = padding(n);
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
    const uint32_t filterId = defineStatic(std::vector<float>(c, 1.0f), {1, 1, 1, c}, n, Static::Weights);
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

void Builder::definePad(const Node& n) {
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
    if (a < 0 || b < 0 || a > kMaxPadding || b > kMaxPadding) throw Error("node '" + n.name + "' has invalid paddings");
    pre[d] = static_cast<size_t>(a);
    post[d] = static_cast<size_t>(b);
    shape[d] += pre[d] + post[d];
  }
  WindowPadding spatial;
  spatial.top = static_cast<uint32_t>(pre[1]);
  spatial.bottom = static_cast<uint32_t>(post[1]);
  spatial.left = static_cast<uint32_t>(pre[2]);
  spatial.right = static_cast<uint32_t>(post[2]);
  const Value& y = defineValue(n.name, shape, windowRule(n, x, {1, 1}, {1, 1}, {1, 1}, spatial));
  check(xnn_define_static_constant_pad(sub(), pre.data(), post.data(), fill, x.id, y.id, 0), n, "a pad");
}

void Builder::defineIdentity(const Node& n) {
  const Value x = value(n, 0);
  if (!isOutput(n.name)) {
    values_[n.name] = x;
    return;
  }
  const Value& y = defineValue(n.name, x.shape, x.rule);
  check(xnn_define_copy(sub(), x.id, y.id, 0), n, "a copy");
}

}  // namespace bodypix::graph
