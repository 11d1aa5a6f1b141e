#include "tfjs/dequantize.h"
#include <cstring>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace bodypix::tfjs {

namespace {

uint32_t code(const uint8_t* codes, size_t bytesPerCode, size_t i) noexcept {
  if (bytesPerCode == 1) return codes[i];
  uint16_t v;
  std::memcpy(&v, codes + 2 * i, 2);
  return v;
}

#ifdef __wasm_simd128__
// Four codes, widened to 32 bits, to four floats: two doubles at a time, the
// same multiply and add as the scalar code (Wasm SIMD does not fuse them).
v128_t dequantize4(v128_t codes32, v128_t scale, v128_t min) noexcept {
  const v128_t low = wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(codes32), scale), min);
  const v128_t high = wasm_f64x2_add(
      wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(codes32, codes32, 2, 3, 2, 3)), scale), min);
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(low), wasm_f32x4_demote_f64x2_zero(high), 0, 1, 4, 5);
}
#endif

}  // namespace

void dequantize(const uint8_t* codes, size_t bytesPerCode, size_t count, double scale, double min,
                float* out) noexcept {
  size_t i = 0;
#ifdef __wasm_simd128__
  // Loading models is a page's first contact with this code, which V8 runs
  // unoptimised then: eight weights per step instead of one matter there.
  const v128_t vscale = wasm_f64x2_splat(scale), vmin = wasm_f64x2_splat(min);
  for (; i + 8 <= count; i += 8) {
    const v128_t codes16 = bytesPerCode == 1 ? wasm_u16x8_load8x8(codes + i) : wasm_v128_load(codes + 2 * i);
    wasm_v128_store(out + i, dequantize4(wasm_u32x4_extend_low_u16x8(codes16), vscale, vmin));
    wasm_v128_store(out + i + 4, dequantize4(wasm_u32x4_extend_high_u16x8(codes16), vscale, vmin));
  }
#endif
  for (; i < count; ++i) out[i] = static_cast<float>(static_cast<double>(code(codes, bytesPerCode, i)) * scale + min);
}

}  // namespace bodypix::tfjs
