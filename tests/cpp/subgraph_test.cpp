// Each TF op translation, run through XNNPACK, against a plain computation of
// what TensorFlow defines it to be.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "graph/subgraph_builder.h"
#include "runtime/network.h"
#include "test_graphs.h"

using bodypix::Error;
using bodypix::test::GraphBuilder;
using nlohmann::json;

namespace {

struct T4 {
  int h = 0, w = 0, c = 0;
  std::vector<float> v;
  float& at(int y, int x, int k) { return v[(static_cast<size_t>(y) * w + x) * c + k]; }
  float get(int y, int x, int k) const {
    if (y < 0 || x < 0 || y >= h || x >= w) return 0.0f;
    return v[(static_cast<size_t>(y) * w + x) * c + k];
  }
};

std::vector<float> randomVector(size_t n, unsigned seed, float lo = -1, float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

T4 randomImage(int h, int w, int c, unsigned seed) { return {h, w, c, randomVector(size_t(h) * w * c, seed)}; }

// TF's SAME padding: total = max((out - 1) * stride + effective - in, 0), the
// smaller half before.
int samePadBefore(int in, int k, int stride, int dilation) {
  const int eff = (k - 1) * dilation + 1, out = (in + stride - 1) / stride;
  return std::max((out - 1) * stride + eff - in, 0) / 2;
}

// Convolution as TF defines it; depthwise when `depthwise`, filter [kh,kw,ci,co|mult].
T4 referenceConv(const T4& x, const std::vector<float>& f, int kh, int kw, int co, int sh, int sw, int dh, int dw,
                 bool same, bool depthwise, const std::vector<float>& bias, float lo, float hi) {
  const int ci = x.c;
  const int outC = depthwise ? ci * co : co;
  const int effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
  const int oh = same ? (x.h + sh - 1) / sh : (x.h - effH) / sh + 1;
  const int ow = same ? (x.w + sw - 1) / sw : (x.w - effW) / sw + 1;
  const int pt = same ? samePadBefore(x.h, kh, sh, dh) : 0, pl = same ? samePadBefore(x.w, kw, sw, dw) : 0;
  T4 y{oh, ow, outC, std::vector<float>(size_t(oh) * ow * outC)};
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int o = 0; o < outC; ++o) {
        double acc = bias.empty() ? 0.0 : bias[o];
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx) {
            const int iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw;
            if (depthwise) {
              const int i = o / co, m = o % co;
              acc += double(x.get(iy, ix, i)) * f[((size_t(ky) * kw + kx) * ci + i) * co + m];
            } else {
              for (int i = 0; i < ci; ++i)
                acc += double(x.get(iy, ix, i)) * f[((size_t(ky) * kw + kx) * ci + i) * co + o];
            }
          }
        y.at(oy, ox, o) = std::min(std::max(float(acc), lo), hi);
      }
  return y;
}

// Runs `outputs` of the graph on x; returns them as T4s.
std::vector<T4> run(const GraphBuilder& g, const std::vector<std::string>& outputs, const T4& x) {
  const bodypix::GraphModel model = bodypix::parseGraphModel(g.text(), g.shards());
  bodypix::Network net(bodypix::buildSubgraph(model, outputs), 1);
  net.run(x.v.data(), x.h, x.w);
  std::vector<T4> out;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const bodypix::Shape4& s = net.outputShape(i);
    out.push_back({int(s.h), int(s.w), int(s.c), std::vector<float>(net.output(i), net.output(i) + s.size())});
  }
  return out;
}

void requireClose(const T4& a, const T4& b, float tolerance = 1e-4f) {
  REQUIRE(a.h == b.h);
  REQUIRE(a.w == b.w);
  REQUIRE(a.c == b.c);
  float worst = 0;
  for (size_t i = 0; i < a.v.size(); ++i) worst = std::max(worst, std::abs(a.v[i] - b.v[i]));
  CHECK(worst <= tolerance);
}

const float kInf = std::numeric_limits<float>::infinity();

json convAttrs(std::initializer_list<int64_t> strides, const std::string& padding,
               std::initializer_list<int64_t> dilations = {1, 1, 1, 1}) {
  return {{"strides", GraphBuilder::ints(strides)},
          {"padding", GraphBuilder::str(padding)},
          {"dilations", GraphBuilder::ints(dilations)},
          {"data_format", GraphBuilder::str("NHWC")}};
}

}  // namespace

TEST_CASE("Conv2D SAME stride 2 with BiasAdd and Relu6 fused", "[graph]") {
  const auto f = randomVector(3 * 3 * 3 * 5, 1), b = randomVector(5, 2);
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {3, 3, 3, 5}, f)
      .constant("b", {5}, b)
      .node("conv", "Conv2D", {"x", "w"}, convAttrs({1, 2, 2, 1}, "SAME"))
      .node("bias", "BiasAdd", {"conv", "b"})
      .node("out", "Relu6", {"bias"});
  for (auto [h, w] : {std::pair{9, 7}, std::pair{8, 10}}) {  // odd and even: TF pads more after
    const T4 x = randomImage(h, w, 3, 3);
    requireClose(run(g, {"out"}, x)[0], referenceConv(x, f, 3, 3, 5, 2, 2, 1, 1, true, false, b, 0, 6));
  }
}

TEST_CASE("DepthwiseConv2dNative reads dilations [2,2,1,1] as TF.js does: height 2, width 1", "[graph]") {
  const auto f = randomVector(3 * 3 * 4 * 2, 4), b = randomVector(8, 5);
  GraphBuilder g;
  g.placeholder("x", 4)
      .constant("w", {3, 3, 4, 2}, f)
      .constant("b", {8}, b)
      .node("dw", "DepthwiseConv2dNative", {"x", "w"}, convAttrs({1, 1, 1, 1}, "SAME", {2, 2, 1, 1}))
      .node("out", "BiasAdd", {"dw", "b"});
  const T4 x = randomImage(11, 9, 4, 6);
  requireClose(run(g, {"out"}, x)[0], referenceConv(x, f, 3, 3, 2, 1, 1, 2, 1, true, true, b, -kInf, kInf));
}

TEST_CASE("Pad then a VALID strided conv, as ResNet's stem does", "[graph]") {
  const auto f = randomVector(3 * 3 * 3 * 4, 7);
  GraphBuilder g;
  g.placeholder("x")
      .intConstant("p", {4, 2}, {0, 0, 2, 1, 1, 2, 0, 0})
      .constant("w", {3, 3, 3, 4}, f)
      .node("pad", "Pad", {"x", "p"})
      .node("out", "Conv2D", {"pad", "w"}, convAttrs({1, 2, 2, 1}, "VALID"));
  const T4 x = randomImage(8, 9, 3, 8);
  T4 padded{11, 12, 3, std::vector<float>(11 * 12 * 3, 0.0f)};
  for (int y = 0; y < 8; ++y)
    for (int xx = 0; xx < 9; ++xx)
      for (int c = 0; c < 3; ++c) padded.at(y + 2, xx + 1, c) = x.get(y, xx, c);
  requireClose(run(g, {"out"}, x)[0], referenceConv(padded, f, 3, 3, 4, 2, 2, 1, 1, false, false, {}, -kInf, kInf));
}

TEST_CASE("MaxPool 3x3 stride 2 VALID, and the 1x1 stride 2 subsampling ResNet uses", "[graph]") {
  GraphBuilder g;
  g.placeholder("x")
      .node("pool", "MaxPool", {"x"},
            {{"ksize", GraphBuilder::ints({1, 3, 3, 1})},
             {"strides", GraphBuilder::ints({1, 2, 2, 1})},
             {"padding", GraphBuilder::str("VALID")}})
      .node("sub", "MaxPool", {"x"},
            {{"ksize", GraphBuilder::ints({1, 1, 1, 1})},
             {"strides", GraphBuilder::ints({1, 2, 2, 1})},
             {"padding", GraphBuilder::str("SAME")}});
  const T4 x = randomImage(9, 8, 3, 9);
  const auto out = run(g, {"pool", "sub"}, x);
  REQUIRE(out[0].h == 4);
  REQUIRE(out[0].w == 3);
  for (int y = 0; y < 4; ++y)
    for (int xx = 0; xx < 3; ++xx)
      for (int c = 0; c < 3; ++c) {
        float m = -kInf;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) m = std::max(m, x.get(2 * y + ky, 2 * xx + kx, c));
        CHECK(out[0].get(y, xx, c) == m);
      }
  REQUIRE(out[1].h == 5);
  REQUIRE(out[1].w == 4);
  for (int y = 0; y < 5; ++y)
    for (int xx = 0; xx < 4; ++xx)
      for (int c = 0; c < 3; ++c) CHECK(out[1].get(y, xx, c) == x.get(2 * y, 2 * xx, c));
}

TEST_CASE("Add with Relu fused, Identity, and a Minimum/Maximum clip fused into a conv", "[graph]") {
  const auto f = randomVector(3 * 4, 10), b = randomVector(4, 11);
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {1, 1, 3, 4}, f)
      .constant("b", {4}, b)
      .constant("hi", {}, {0.25f})
      .constant("lo", {}, {-0.25f})
      .node("c1", "Conv2D", {"x", "w"}, convAttrs({1, 1, 1, 1}, "SAME"))
      .node("c2", "Conv2D", {"x", "w"}, convAttrs({1, 1, 1, 1}, "SAME"))
      .node("add", "AddV2", {"c1", "c2"})
      .node("relu", "Relu", {"add"})
      .node("id", "Identity", {"relu"})
      .node("c3", "Conv2D", {"x", "w"}, convAttrs({1, 1, 1, 1}, "SAME"))
      .node("c3b", "BiasAdd", {"c3", "b"})
      .node("min", "Minimum", {"c3b", "hi"})
      .node("clip", "Maximum", {"min", "lo"});
  const T4 x = randomImage(5, 6, 3, 12);
  const auto out = run(g, {"id", "clip"}, x);
  T4 sum = referenceConv(x, f, 1, 1, 4, 1, 1, 1, 1, true, false, {}, -kInf, kInf);
  for (float& v : sum.v) v = std::max(2 * v, 0.0f);
  requireClose(out[0], sum);
  requireClose(out[1], referenceConv(x, f, 1, 1, 4, 1, 1, 1, 1, true, false, b, -0.25f, 0.25f));
}

TEST_CASE("_FusedConv2D and FusedDepthwiseConv2dNative with BiasAdd and Relu", "[graph]") {
  const auto f = randomVector(3 * 3 * 3 * 2, 13), b = randomVector(2, 14), fd = randomVector(3 * 3 * 3, 15),
             bd = randomVector(3, 16);
  json attrs = convAttrs({1, 1, 1, 1}, "SAME");
  attrs["fused_ops"] = GraphBuilder::strs({"BiasAdd", "Relu"});
  attrs["num_args"] = {{"i", "1"}};
  GraphBuilder g;
  g.placeholder("x")
      .constant("w", {3, 3, 3, 2}, f)
      .constant("b", {2}, b)
      .constant("wd", {3, 3, 3, 1}, fd)
      .constant("bd", {3}, bd)
      .node("conv", "_FusedConv2D", {"x", "w", "b"}, attrs)
      .node("dw", "FusedDepthwiseConv2dNative", {"x", "wd", "bd"}, attrs);
  const T4 x = randomImage(6, 5, 3, 17);
  const auto out = run(g, {"conv", "dw"}, x);
  requireClose(out[0], referenceConv(x, f, 3, 3, 2, 1, 1, 1, 1, true, false, b, 0, kInf));
  requireClose(out[1], referenceConv(x, fd, 3, 3, 1, 1, 1, 1, 1, true, true, bd, 0, kInf));
}

TEST_CASE("one runtime serves many input sizes", "[graph]") {
  const auto f = randomVector(3 * 3 * 3 * 2, 18);
  GraphBuilder g;
  g.placeholder("x").constant("w", {3, 3, 3, 2}, f).node("out", "Conv2D", {"x", "w"}, convAttrs({1, 2, 2, 1}, "SAME"));
  const bodypix::GraphModel model = bodypix::parseGraphModel(g.text(), g.shards());
  bodypix::Network net(bodypix::buildSubgraph(model, {"out"}), 1);
  for (auto [h, w] : {std::pair{17, 33}, std::pair{5, 5}, std::pair{17, 33}, std::pair{40, 3}}) {
    const T4 x = randomImage(h, w, 3, unsigned(h * w));
    net.run(x.v.data(), h, w);
    const bodypix::Shape4& s = net.outputShape(0);
    const T4 got{int(s.h), int(s.w), int(s.c), std::vector<float>(net.output(0), net.output(0) + s.size())};
    requireClose(got, referenceConv(x, f, 3, 3, 2, 2, 2, 1, 1, true, false, {}, -kInf, kInf));
  }
}

TEST_CASE("graphs the engine cannot run are errors naming the op and node", "[graph][errors]") {
  GraphBuilder g;
  g.placeholder("x").node("s", "Softmax", {"x"}).node("r", "Relu", {"s"});
  const bodypix::GraphModel model = bodypix::parseGraphModel(g.text(), g.shards());
  CHECK_THROWS_WITH(bodypix::buildSubgraph(model, {"r"}), Catch::Contains("unsupported op 'Softmax' at node 's'"));
  CHECK_THROWS_WITH(bodypix::buildSubgraph(model, {"float_segments"}), Catch::Contains("no node 'float_segments'"));

  GraphBuilder mismatch;
  mismatch.placeholder("x")
      .constant("w", {1, 1, 4, 2}, randomVector(8, 1))
      .node("c", "Conv2D", {"x", "w"}, convAttrs({1, 1, 1, 1}, "SAME"));
  const bodypix::GraphModel m2 = bodypix::parseGraphModel(mismatch.text(), mismatch.shards());
  CHECK_THROWS_WITH(bodypix::buildSubgraph(m2, {"c"}), Catch::Contains("4 input channels but its input has 3"));

  GraphBuilder nchw;
  nchw.placeholder("x")
      .constant("w", {1, 1, 3, 2}, randomVector(6, 1))
      .node("c", "Conv2D", {"x", "w"}, {{"data_format", GraphBuilder::str("NCHW")}});
  const bodypix::GraphModel m3 = bodypix::parseGraphModel(nchw.text(), nchw.shards());
  CHECK_THROWS_WITH(bodypix::buildSubgraph(m3, {"c"}), Catch::Contains("only NHWC"));
}
