/* Some XNNPACK wasmsimd kernels include <arm_neon.h> by mistake; they only
   use wasm SIMD intrinsics. See cmake/XNNPACK.cmake. */
#include <wasm_simd128.h>
