#include <catch2/catch.hpp>

#include <vector>

#include "graph/transpose.h"

using bodypix::graph::transposed;

TEST_CASE("transposed moves [r][c] to [c][r] at every shape, whole blocks or not") {
  for (size_t rows : {1, 3, 4, 5, 8, 27, 64})
    for (size_t cols : {1, 2, 4, 7, 8, 33}) {
      std::vector<float> in(rows * cols);
      for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
      const std::vector<float> out = transposed(in.data(), rows, cols);
      REQUIRE(out.size() == in.size());
      for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c) {
          INFO(rows << "x" << cols << " at [" << r << "][" << c << "]");
          REQUIRE(out[c * rows + r] == in[r * cols + c]);
        }
    }
}
