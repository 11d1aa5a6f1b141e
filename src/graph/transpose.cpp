#include "graph/transpose.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace bodypix::graph {

std::vector<float> transposed(const float* in, size_t rows, size_t cols) {
  std::vector<float> out(rows * cols);
  size_t r = 0;
#ifdef __wasm_simd128__
  // A model's first load runs this unoptimised (V8 optimises only what runs
  // again): 4x4 blocks in vector registers instead of one float at a time.
  for (; r + 4 <= rows; r += 4) {
    size_t c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v128_t a = wasm_v128_load(in + r * cols + c), b = wasm_v128_load(in + (r + 1) * cols + c);
      const v128_t x = wasm_v128_load(in + (r + 2) * cols + c), y = wasm_v128_load(in + (r + 3) * cols + c);
      const v128_t ab01 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab23 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
      const v128_t xy01 = wasm_i32x4_shuffle(x, y, 0, 4, 1, 5), xy23 = wasm_i32x4_shuffle(x, y, 2, 6, 3, 7);
      wasm_v128_store(&out[c * rows + r], wasm_i64x2_shuffle(ab01, xy01, 0, 2));
      wasm_v128_store(&out[(c + 1) * rows + r], wasm_i64x2_shuffle(ab01, xy01, 1, 3));
      wasm_v128_store(&out[(c + 2) * rows + r], wasm_i64x2_shuffle(ab23, xy23, 0, 2));
      wasm_v128_store(&out[(c + 3) * rows + r], wasm_i64x2_shuffle(ab23, xy23, 1, 3));
    }
    for (; c < cols; ++c)
      for (size_t k = r; k < r + 4; ++k) out[c * rows + k] = in[k * cols + c];
  }
#endif
  // Row by row, each written in order.
  for (; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  return out;
}

}  // namespace bodypix::graph
