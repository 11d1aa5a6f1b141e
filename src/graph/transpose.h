#pragma once
#include <cstddef>
#include <vector>

namespace bodypix::graph {

// The rows x cols matrix in (row-major) transposed: element [r][c] moves to
// [c][r]. TF's convolution filters [kh, kw, ci, co] are XNNPACK's
// [co, kh, kw, ci] this way, with rows = kh * kw * ci and cols = co.
std::vector<float> transposed(const float* in, size_t rows, size_t cols);

}  // namespace bodypix::graph
