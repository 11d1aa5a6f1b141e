// Bit-exact replicas of the JavaScript number operations that TF.js's CPU
// kernels rely on, so that C++ results match tfjs-backend-cpu bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace bodypix::tfjs {

// Math.exp as V8 computes it: V8 uses its own port of fdlibm's e_exp.c
// (src/base/ieee754.cc, ieee754::exp), not the C library's exp. Using the
// same algorithm makes the result identical on every platform (glibc, musl
// in Emscripten, ...), not just within 1 ulp.
double jsExp(double x) noexcept;

// JavaScript Math.round: the integer nearest to x, ties towards +infinity
// (Math.round(2.5) == 3, Math.round(-2.5) == -2), -0 for x in [-0.5, -0].
// Unlike floor(x + 0.5) it is exact for every double (0.49999999999999994
// -> 0).
inline double jsRound(double x) noexcept {
  if (!std::isfinite(x)) return x;
  const double f = std::floor(x);
  const double r = (x - f >= 0.5) ? f + 1.0 : f;  // x - f is exact here
  return r == 0.0 ? std::copysign(0.0, x) : r;
}

// tfjs-backend-cpu's Sigmoid kernel on one float32 element:
// Float32Array[i] = 1 / (1 + Math.exp(-x)), evaluated in double.
inline float sigmoidF32(float x) noexcept { return static_cast<float>(1.0 / (1.0 + jsExp(-static_cast<double>(x)))); }

// A lower bound of the plateau of sigmoidF32 around m: every float y < the
// returned value has sigmoidF32(y) < sigmoidF32(m) (strictly), so a channel
// whose logits all lie below it can never tie with one whose logits are all
// >= m. Conservative (the real plateau is at least 4x narrower; -infinity
// where the sigmoid saturates). Checked exhaustively over all floats against
// sigmoidF32 (which is also non-decreasing over all floats).
inline double sigmoidStrictlyBelow(float m) noexcept {
  if (!(m >= -87.0f) || m > 60.0f) return -INFINITY;  // denormal / saturated
  if (m < 0.0f) return static_cast<double>(m) - 0x1p-20;
  // Plateau width <= 2 ulp / sigmoid'(m) <= 2^-21 e^m; 2^(floor(m log2 e) + 1) > e^m.
  const int e = static_cast<int>(m * 1.4426950408889634) + 1;        // <= 88
  const uint64_t bits = static_cast<uint64_t>(1023 + e - 19) << 52;  // 2^(e-19)
  double width;
  std::memcpy(&width, &bits, sizeof width);
  return static_cast<double>(m) - width;
}

}  // namespace bodypix::tfjs
