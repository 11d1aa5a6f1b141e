#pragma once
#include <cstddef>
#include <cstdint>

namespace bodypix::tfjs {

// TF.js's affine dequantization of uint8 and uint16 weights, bit for bit:
// each code v becomes float(double(v) * scale + min), computed in double and
// stored as float32, as its Float32Array does. codes holds count little-endian
// values of bytesPerCode (1 or 2) bytes; out receives count floats.
void dequantize(const uint8_t* codes, size_t bytesPerCode, size_t count, double scale, double min, float* out) noexcept;

// The largest code a weight of bytesPerCode bytes can hold.
inline uint32_t largestCode(size_t bytesPerCode) noexcept { return bytesPerCode == 1 ? 0xffu : 0xffffu; }

}  // namespace bodypix::tfjs
