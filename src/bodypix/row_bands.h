// Rows of an image shared among the threads of a pthreadpool, in bands: what
// the pre- and post-processing use between the network's runs.
#pragma once

#include <pthreadpool.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace bodypix::image::detail {

// How many bands forEachBand() makes of `height` rows on `pool` (nullptr:
// one, on the calling thread). More bands than threads, for balance: rows
// without a person cost the post-processing far less than rows with one.
inline int bandCount(int height, pthreadpool_t pool) noexcept {
  constexpr int kBandsPerThread = 4;
  const int threads = pool ? static_cast<int>(pthreadpool_get_threads_count(pool)) : 1;
  return threads > 1 ? std::clamp(threads * kBandsPerThread, 1, height) : 1;
}

// Calls rows(band, y0, y1) for each of bandCount(height, pool) bands of rows
// [y0, y1) that together cover [0, height), on the threads of `pool`. rows
// must not throw.
template <typename Rows>
void forEachBand(int height, pthreadpool_t pool, Rows&& rows) noexcept {
  struct Context {
    Rows& rows;
    int height, bands;
  } context{rows, height, bandCount(height, pool)};
  pthreadpool_parallelize_1d(
      context.bands > 1 ? pool : nullptr,
      [](void* c, size_t i) {
        const Context& ctx = *static_cast<const Context*>(c);
        const int band = static_cast<int>(i);
        ctx.rows(band, static_cast<int>(int64_t{ctx.height} * band / ctx.bands),
                 static_cast<int>(int64_t{ctx.height} * (band + 1) / ctx.bands));
      },
      &context, static_cast<size_t>(context.bands), 0);
}

}  // namespace bodypix::image::detail
