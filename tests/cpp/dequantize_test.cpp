#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tfjs/dequantize.h"

using bodypix::tfjs::dequantize;

namespace {

// TF.js: Float32Array.from(codes, v => v * scale + min), in double.
float reference(uint32_t v, double scale, double min) { return static_cast<float>(v * scale + min); }

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

}  // namespace

TEST_CASE("dequantize gives TF.js's float32 for every uint16 code, bit for bit") {
  // Odd scales and offsets whose products round differently in float and
  // double; a count that leaves a tail after whole vectors.
  for (const auto& [scale, min] :
       {std::pair{0.0003906250931322575, -12.80078125}, std::pair{1e-7, 3.3}, std::pair{-0.0123, 0.5}}) {
    std::vector<uint8_t> codes;
    const size_t count = 65536 + 5;
    for (size_t i = 0; i < count; ++i) {
      const uint16_t v = static_cast<uint16_t>(i * 40503u);
      codes.push_back(static_cast<uint8_t>(v & 0xff));
      codes.push_back(static_cast<uint8_t>(v >> 8));
    }
    std::vector<float> out(count);
    dequantize(codes.data(), 2, count, scale, min, out.data());
    for (size_t i = 0; i < count; ++i) {
      const uint32_t v = codes[2 * i] | (uint32_t{codes[2 * i + 1]} << 8);
      INFO("code " << v << " at " << i);
      REQUIRE(bits(out[i]) == bits(reference(v, scale, min)));
    }
  }
}

TEST_CASE("dequantize gives TF.js's float32 for every uint8 code, in any position") {
  const double scale = 0.0117647058823529, min = -1.4999;
  std::vector<uint8_t> codes;
  for (int repeat = 0; repeat < 3; ++repeat)
    for (int v = 0; v < 256; ++v) codes.push_back(static_cast<uint8_t>((v * 7 + repeat) & 0xff));
  codes.resize(codes.size() - 3);
  std::vector<float> out(codes.size());
  dequantize(codes.data(), 1, codes.size(), scale, min, out.data());
  for (size_t i = 0; i < codes.size(); ++i) {
    INFO("code " << int{codes[i]} << " at " << i);
    REQUIRE(bits(out[i]) == bits(reference(codes[i], scale, min)));
  }
}
