// jsExp: fdlibm's e_exp.c algorithm, as adapted by V8 (src/base/ieee754.cc).
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
//
// The arithmetic below must not be contracted into fused multiply-adds or it
// would stop matching V8 bit for bit.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "tfjs/js_math.h"

#include <cstring>
#include <limits>

namespace bodypix::tfjs {
namespace {

inline uint32_t highWord(double x) noexcept {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return static_cast<uint32_t>(bits >> 32);
}

inline uint32_t lowWord(double x) noexcept {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return static_cast<uint32_t>(bits);
}

inline double fromHighWord(uint32_t hi) noexcept {
  const uint64_t bits = static_cast<uint64_t>(hi) << 32;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

}  // namespace

// Method (fdlibm): reduce x = k*ln2 + r with |r| <= 0.5*ln2, approximate
// exp(r) with a degree-5 rational remez polynomial, scale by 2^k.
double jsExp(double x) noexcept {
  constexpr double kOThreshold = 7.09782712893383973096e+02;
  constexpr double kUThreshold = -7.45133219101941108420e+02;
  constexpr double kLn2Hi[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
  constexpr double kLn2Lo[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
  constexpr double kHalf[2] = {0.5, -0.5};
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double P1 = 1.66666666666666019037e-01;
  constexpr double P2 = -2.77777777770155933842e-03;
  constexpr double P3 = 6.61375632143793436117e-05;
  constexpr double P4 = -1.65339022054652515390e-06;
  constexpr double P5 = 4.13813679705723846039e-08;
  constexpr double kE = 2.718281828459045;                   // V8 special case for exp(1)
  constexpr double kTwoM1000 = 9.33263618503218878990e-302;  // 2^-1000
  constexpr double kTwo1023 = 8.988465674311579539e307;      // 2^1023

  uint32_t hx = highWord(x);
  const int xsb = static_cast<int>((hx >> 31) & 1);
  hx &= 0x7FFFFFFFu;

  if (hx >= 0x40862E42u) {  // |x| >= 709.78...
    if (hx >= 0x7FF00000u) {
      if (((hx & 0xFFFFFu) | lowWord(x)) != 0) return x + x;  // NaN
      return xsb == 0 ? x : 0.0;                              // exp(+-inf)
    }
    if (x > kOThreshold) return std::numeric_limits<double>::infinity();
    if (x < kUThreshold) return 0.0;
  }

  double hi = 0.0, lo = 0.0;
  int k = 0;
  if (hx > 0x3FD62E42u) {    // |x| > 0.5 ln2
    if (hx < 0x3FF0A2B2u) {  // and |x| < 1.5 ln2
      if (x == 1.0) return kE;
      hi = x - kLn2Hi[xsb];
      lo = kLn2Lo[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = static_cast<int>(kInvLn2 * x + kHalf[xsb]);
      const double t = k;
      hi = x - t * kLn2Hi[0];  // t*ln2Hi is exact here
      lo = t * kLn2Lo[0];
    }
    x = hi - lo;
  } else if (hx < 0x3E300000u) {  // |x| < 2^-28
    return 1.0 + x;
  }

  const double t = x * x;
  const double twopk = k >= -1021 ? fromHighWord(0x3FF00000u + (static_cast<uint32_t>(k) << 20))
                                  : fromHighWord(0x3FF00000u + (static_cast<uint32_t>(k + 1000) << 20));
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * kTwo1023;
    return y * twopk;
  }
  return y * twopk * kTwoM1000;
}

}  // namespace bodypix::tfjs
