// Tests of the image processing in src/bodypix (bodypix::image): the pre- and
// post-processing must reproduce @tensorflow-models/body-pix 2.2.1 on
// tfjs-backend-cpu 4.22 bit for bit.
//
// Three kinds of checks:
//  1. Values computed once with the real JS (body-pix util.js /
//     decode_part_map.js, tfjs-core + tfjs-backend-cpu 4.22, Node 20) and
//     embedded below (kJsExp ... kPostB*), compared exactly.
//  2. The fused/optimised functions against `ref::`, a plain transcription of
//     the TF.js kernels (full tensors, JS evaluation order, double arithmetic
//     rounded to float32 wherever TF.js stores a Float32Array, JS typed-array
//     reads with NaN for undefined), on random data and awkward sizes.
//  3. Hidden ([.exhaustive]) checks over all float32 values of the properties
//     the fast paths rely on; run with `image_test "[exhaustive]"`.
#include <pthreadpool.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bodypix/parts.h"
#include "bodypix/preprocess.h"
#include "bodypix/segmentation.h"
#include "error.h"
#include "image_support.h"
#include "tfjs/js_math.h"

namespace {

using bodypix::image::OutputGeometry;
using bodypix::image::Padding;
using bodypix::image::Size;

// What the pre-processing tests run: preprocess() with the model's
// normalisation, or (None) padAndResizeTo's `resized` tensor alone, which
// TF.js's values also give.
enum class Normalization { None, MobileNet, ResNet };

Padding preprocess(const uint8_t* pixels, int channels, int height, int width, int targetHeight, int targetWidth,
                   Normalization norm, float* out) {
  if (norm == Normalization::None) {
    return bodypix::test::padAndResizeTo(pixels, channels, height, width, targetHeight, targetWidth, out);
  }
  return bodypix::image::preprocess(pixels, channels, height, width, targetHeight, targetWidth,
                                    norm == Normalization::MobileNet ? bodypix::image::Normalization::MobileNet
                                                                     : bodypix::image::Normalization::ResNet,
                                    out);
}

// ===========================================================================
// Expected values generated once with the real JavaScript: a Node 20 script
// loading @tensorflow-models/body-pix 2.2.1 (dist/util.js,
// dist/decode_part_map.js), @tensorflow/tfjs-core and tfjs-backend-cpu 4.22
// (tf.setBackend('cpu')), printing results as IEEE-754 bit patterns:
//  - kJsExp / kJsRound: Math.exp / Math.round;
//  - kToValid, kResolution: util.toValidInputResolution,
//    util.toInputResolutionHeightAndWidth;
//  - kPadding: util.padAndResizeTo(tf.zeros([h, w, 3], 'int32'), [th, tw]).padding;
//  - kPre*: the RGB bytes as an int32 tensor (what tf.browser.fromPixels
//    gives), util.padAndResizeTo(img, [th, tw]).resized, then MobileNet's
//    tf.sub(tf.div(x, 127.5), 1.0) and ResNet's tf.add(x, [-123.15, ...]);
//  - kPost*: util.scaleAndCropToInputTensorShape(tf.tensor3d(logits), [h, w],
//    [th, tw], [[top, bottom], [left, right]], true) for both heads,
//    decode_part_map.toMaskTensor(tf.squeeze(segScores), threshold) and
//    decodePartSegmentation(mask, partScores).
// ===========================================================================
// The generated tables keep the layout they were printed in.
// clang-format off
// {x, Math.exp(x)} as IEEE-754 bit patterns (V8 in Node v20.20.2).
const uint64_t kJsExp[][2] = {
    {0x0000000000000000ull, 0x3ff0000000000000ull},
    {0x3ff0000000000000ull, 0x4005bf0a8b145769ull},
    {0xbff0000000000000ull, 0x3fd78b56362cef38ull},
    {0x3fe0000000000000ull, 0x3ffa61298e1e069cull},
    {0xbfe0000000000000ull, 0x3fe368b2fc6f960aull},
    {0x4004000000000000ull, 0x40285d6fd931e0bbull},
    {0xc004000000000000ull, 0x3fb50385c094f425ull},
    {0x4024000000000000ull, 0x40d5829dcf950560ull},
    {0xc024000000000000ull, 0x3f07cd79b5647c9aull},
    {0x4034400000000000ull, 0x41c290d76d1966a9ull},
    {0xc034400000000000ull, 0x3e1b93de1e27ca3bull},
    {0x4059000000000000ull, 0x48f3494a9b171bf5ull},
    {0xc059000000000000ull, 0x36ea8c1f14e2af5dull},
    {0x4085e00000000000ull, 0x7f0d945df4f8ec8eull},
    {0xc085e00000000000ull, 0x00d14f2b0fb9307full},
    {0x40862d999999999aull, 0x7fed75ae7a50ee14ull},
    {0xc087480000000000ull, 0x0000000000000001ull},
    {0x3e112e0be826d695ull, 0x3ff000000044b830ull},
    {0xbe112e0be826d695ull, 0x3fefffffff768fa1ull},
    {0x3e2ffffffffdb73dull, 0x3ff0000001000000ull},
    {0x3fd62e42fead449cull, 0x3ff6a09e66640654ull},
    {0x3ff0a2b23f01f375ull, 0x4006a09e662d9b64ull},
    {0xbfeccccccccccccdull, 0x3fda053cc0086e1eull},
    {0x403099999999999aull, 0x416ee207a1562434ull},
    {0xc03099999999999aull, 0x3e709428334b9d67ull},
    {0x4055d33333333333ull, 0x47ceda07978ab485ull},
    {0xc055d33333333333ull, 0x38109874c0b9cacbull},
    {0x3fb999999999999aull, 0x3ff1aec7b35a00d4ull},
    {0xbfb999999999999aull, 0x3fecf46d99d52b3aull},
    {0x3fe6666666666666ull, 0x40001c2a61268987ull},
    {0x40147e6b74dce58dull, 0x4064fd462734d5b2ull},
    {0xc0147e6b74dce58dull, 0x3f7864b0b472deb8ull},
    {0x4040a66666666666ull, 0x42f078401f5a3ec8ull},
    {0xc040a66666666666ull, 0x3cef165bb9b59d94ull},
    {0x01a56e1fc2f8f359ull, 0x3ff0000000000000ull},
    {0x3cb0000000000000ull, 0x3ff0000000000001ull},
    {0xc03ded6420000000ull, 0x3d3c53474ad004bdull},
    {0x40303e9000000000ull, 0x4165a416b10eb1f9ull},
    {0xc00fe2fd00000000ull, 0x3f9305d580be5eeeull},
    {0xc0315760a0000000ull, 0x3e5f991db0cd3085ull},
    {0x402d366500000000ull, 0x4140d2a5615c3fb4ull},
    {0xc0262a0c00000000ull, 0x3ef021db98651dc2ull},
    {0x403a6afbe0000000ull, 0x42514daa18b9491aull},
    {0xc02c83ef80000000ull, 0x3ea59034933341d6ull},
    {0x403c1f8d20000000ull, 0x4277ce672c2f87f6ull},
    {0xc03c9e9f80000000ull, 0x3d5a2f1b77bf2100ull},
    {0x40350fa080000000ull, 0x41d4e38c73412030ull},
    {0x40318c9d80000000ull, 0x4183f2fcb65df87bull},
};
// {x, Math.round(x)}.
const double kJsRound[][2] = {
    {2.5000000000000000, 3.0000000000000000},
    {-2.5000000000000000, -2.0000000000000000},
    {0.50000000000000000, 1.0000000000000000},
    {-0.50000000000000000, 0.0000000000000000},
    {1.5000000000000000, 2.0000000000000000},
    {-1.5000000000000000, -1.0000000000000000},
    {0.49999999999999994, 0.0000000000000000},
    {-0.49999999999999994, 0.0000000000000000},
    {2.4999999999999996, 2.0000000000000000},
    {4503599627370495.5, 4503599627370496.0},
    {-4503599627370495.5, -4503599627370495.0},
    {10000000000000000, 10000000000000000},
    {-10000000000000000, -10000000000000000},
    {0.20000000000000001, 0.0000000000000000},
    {-0.69999999999999996, -1.0000000000000000},
    {3.0000000000000000, 3.0000000000000000},
};
// {inputResolution, outputStride, toValidInputResolution(...)} from body-pix util.js.
const double kToValid[][3] = {
    {524.5, 16, 513},
    {513, 16, 513},
    {512, 16, 513},
    {1, 8, 1},
    {0.1, 16, 1},
    {430.5, 16, 417},
    {257, 32, 257},
    {256, 32, 257},
    {16.1, 8, 17},
    {9, 8, 9},
    {8.999, 8, 9},
    {1000, 16, 993},
    {33, 32, 33},
    {2098, 16, 2097},
};
// {height, width, fraction, stride, resultH, resultW}: body-pix toInputResolutionHeightAndWidth
// (fraction is the numeric internalResolution, or the preset of the string one).
struct ResCase { int height, width; const char* preset; double fraction; int stride, outH, outW; };
const ResCase kResolution[] = {
    {861, 1049, "medium", 0, 16, 417, 513},
    {1049, 861, "medium", 0, 16, 513, 417},
    {513, 513, "full", 0, 16, 513, 513},
    {480, 640, "low", 0, 8, 121, 161},
    {480, 640, "high", 0, 32, 353, 481},
    {1, 1, "low", 0, 16, 1, 1},
    {7, 15, nullptr, 1, 8, 1, 9},
    {37, 53, nullptr, 0.37, 8, 9, 17},
    {64, 48, nullptr, 2, 32, 129, 97},
    {161, 97, nullptr, 0.1, 8, 17, 9},
    {1000, 667, nullptr, 0.33, 16, 321, 209},
    {333, 777, nullptr, 1.7, 8, 561, 1321},
    {1440, 1920, "medium", 0, 16, 721, 961},
    {720, 1280, "high", 0, 8, 537, 961},
    {5, 300, "full", 0, 16, 1, 289},
    {187, 281, nullptr, 0.75, 16, 129, 209},
    {1024, 820, nullptr, 0.6, 32, 609, 481},
    {99, 101, nullptr, 1.99, 8, 193, 201},
};
// {height, width, targetH, targetW, top, bottom, left, right}: padding of body-pix padAndResizeTo.
const int kPadding[][8] = {
    {861, 1049, 417, 513, 0, 0, 5, 5},
    {1049, 861, 513, 417, 5, 5, 0, 0},
    {480, 640, 241, 321, 0, 0, 0, 0},
    {640, 480, 321, 241, 0, 0, 0, 0},
    {1, 1, 1, 1, 0, 0, 0, 0},
    {7, 15, 1, 9, 0, 0, 24, 24},
    {5, 300, 1, 289, 0, 0, 573, 573},
    {300, 5, 289, 1, 573, 573, 0, 0},
    {23, 17, 17, 9, 5, 5, 0, 0},
    {101, 77, 25, 17, 6, 6, 0, 0},
    {120, 160, 49, 81, 0, 0, 19, 19},
    {3, 2, 1, 1, 0, 0, 1, 1},
    {2, 3, 1, 1, 1, 1, 0, 0},
    {1000, 1000, 513, 497, 16, 16, 0, 0},
    {999, 1, 17, 33, 0, 0, 969, 969},
};
// Preprocess case A: RGBA 3x7 -> [5, 5], padding {top 2, bottom 2, left 0, right 0}.
const int kPreASize[4] = {3, 7, 5, 5};
const int kPreAPadding[4] = {2, 2, 0, 0};
const uint8_t kPreAPixels[] = {
    59, 91, 13, 183, 119, 130, 154, 101, 55, 60, 47, 197, 146, 233, 55, 55,
    32, 114, 156, 172, 4, 100, 244, 95, 153, 7, 85, 124, 179, 89, 59, 167,
    156, 189, 132, 242, 174, 128, 125, 22, 53, 190, 61, 86, 77, 182, 180, 212,
    161, 4, 50, 187, 95, 7, 56, 74, 202, 82, 239, 114, 222, 225, 93, 110,
    146, 232, 24, 138, 4, 230, 27, 61, 42, 36, 57, 182, 13, 164, 114, 17,
    112, 151, 157, 180,
};
// padAndResizeTo(...).resized
const uint32_t kPreAResized[] = {
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x41bccccdu,
    0x4211999au, 0x40a66666u, 0x421570a4u, 0x42233333u, 0x4231eb85u, 0x424c7ae1u, 0x429eb852u, 0x41aae148u,
    0x4128f5c3u, 0x4231eb85u, 0x428ae148u, 0x421570a4u, 0x418d70a4u, 0x426dc28fu, 0x431b0000u, 0x42b2cccdu,
    0x42473333u, 0x43153d71u, 0x4318147bu, 0x42fb3333u, 0x42aea3d7u, 0x4335c28fu, 0x428b70a4u, 0x42a0a3d7u,
    0x430b5c29u, 0x431deb85u, 0x42e7999au, 0x4157ae14u, 0x42913333u, 0x4321999au, 0x42833333u, 0x433f3333u,
    0x431947aeu, 0x43363d71u, 0x425147aeu, 0x41cf5c29u, 0x433851ecu, 0x41a8f5c3u, 0x41e7ae14u, 0x42451eb8u,
    0x425ae148u, 0x4267ae14u, 0x42f9eb85u, 0x42dfae14u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u,
};
// MobileNet preprocessInput: tf.sub(tf.div(resized, 127.5), 1.0)
const uint32_t kPreAMobileNet[] = {
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf509d6au,
    0xbf36ea1du, 0xbf758f29u, 0xbf34fcaau, 0xbf2e147bu, 0xbf26b0eeu, 0xbf195becu, 0xbec150acu, 0xbf551ccbu,
    0xbf6acc14u, 0xbf26b0eeu, 0xbee92696u, 0xbf34fcaau, 0xbf5c8057u, 0xbf08a760u, 0x3e5cdce0u, 0xbe98ff66u,
    0xbf1c0269u, 0x3e2e9a20u, 0x3e456940u, 0xbc742780u, 0xbea159acu, 0x3ed9e420u, 0xbee806beu, 0xbebd75c8u,
    0x3dbe8110u, 0x3e745078u, 0xbdbbef20u, 0xbf64ef2du, 0xbedc7610u, 0x3e88ef58u, 0xbef8922cu, 0x3effcc98u,
    0x3e4f0c80u, 0x3edbd194u, 0xbf16f31cu, 0xbf4bf4ebu, 0x3ee42bdcu, 0xbf559828u, 0xbf45da55u, 0xbf1d0db2u,
    0xbf12217eu, 0xbf0bb4aau, 0xbca332a0u, 0xbdfb8ae8u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u,
};
// ResNet preprocessInput: tf.add(resized, [-123.15, -115.90, -103.06])
const uint32_t kPreAResNet[] = {
    0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu,
    0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2c7199au,
    0xc29f0000u, 0xc2c3b852u, 0xc2ab947bu, 0xc2963334u, 0xc26a51ebu, 0xc2900f5cu, 0xc21228f6u, 0xc2a36666u,
    0xc2e12e15u, 0xc28ed70au, 0xc2067ae0u, 0xc2ab947bu, 0xc2c470a4u, 0xc22e7ae1u, 0x41feccccu, 0xc1d40000u,
    0xc2550a3du, 0x41d0b854u, 0x4210b852u, 0x41b451ecu, 0xc20f51ecu, 0x4283b851u, 0xc2055c28u, 0xc22b51ecu,
    0x41bbae14u, 0x425b70a4u, 0xc0eb3330u, 0xc2ccd70au, 0xc1f3ae14u, 0x4219ccceu, 0xc2493334u, 0x42b047aeu,
    0x41f10a3cu, 0x4284ae15u, 0xc24af5c2u, 0xc2c275c3u, 0x4288d70bu, 0xc2a3e147u, 0xc2bc6148u, 0xc2853d71u,
    0xc2415c28u, 0xc28275c3u, 0x4110f5c0u, 0x410c7ae0u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu,
    0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u,
    0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u,
};
// Preprocess case B: RGBA 7x3 -> [4, 6], padding {top 0, bottom 0, left 4, right 4}.
const int kPreBSize[4] = {7, 3, 4, 6};
const int kPreBPadding[4] = {0, 0, 4, 4};
const uint8_t kPreBPixels[] = {
    162, 16, 119, 196, 156, 198, 165, 6, 188, 232, 82, 171, 109, 243, 103, 1,
    66, 85, 40, 247, 100, 183, 73, 139, 114, 199, 204, 102, 47, 164, 107, 188,
    107, 236, 24, 73, 31, 35, 190, 150, 56, 96, 109, 207, 170, 124, 87, 228,
    178, 141, 59, 11, 222, 255, 235, 27, 112, 14, 203, 162, 190, 120, 4, 50,
    113, 126, 133, 242, 176, 183, 14, 168, 245, 60, 220, 227, 45, 251, 56, 212,
    172, 117, 98, 201,
};
// padAndResizeTo(...).resized
const uint32_t kPreBResized[] = {
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x42d80000u, 0x412aaaabu,
    0x429eaaabu, 0x432c0000u, 0x43570000u, 0x42f70000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x42965555u, 0x430c0000u, 0x42ee5555u, 0x429d0000u, 0x43378000u, 0x427d0000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x428b5555u, 0x426aaaabu, 0x42a60000u, 0x430c0000u, 0x42f48000u, 0x431e8000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x4307d555u, 0x428c0000u, 0x421aaaabu, 0x43078000u,
    0x4321e000u, 0x4294c000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
};
// MobileNet preprocessInput: tf.sub(tf.div(resized, 127.5), 1.0)
const uint32_t kPreBMobileNet[] = {
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbe1c9c9cu, 0xbf6a9540u,
    0xbec16c16u, 0x3eb2b2b4u, 0x3f2fafb0u, 0xbd008080u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbed2277eu, 0x3dc8c8d0u, 0xbd85db30u, 0xbec4c4c4u, 0x3ee0e0e0u, 0xbf010101u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbee83d94u, 0xbf0a34e0u, 0xbeb2b2b2u, 0x3dc8c8d0u, 0xbd28a8b0u, 0x3e78f8f8u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
    0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0x3d85db30u, 0xbee6e6e6u, 0xbf325d08u, 0x3d808080u,
    0x3e8a0a0cu, 0xbed55556u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u, 0xbf800000u,
};
// ResNet preprocessInput: tf.add(resized, [-123.15, -115.90, -103.06])
const uint32_t kPreBResNet[] = {
    0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc1726668u, 0xc2d27778u,
    0xc1bdd034u, 0x42436666u, 0x42c63333u, 0x41a38520u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu,
    0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u,
    0xc23feef0u, 0x41c0ccccu, 0x4180da74u, 0xc232999au, 0x42873333u, 0xc21f3d70u, 0xc2f64ccdu, 0xc2e7cccdu,
    0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu,
    0xc2e7cccdu, 0xc2ce1eb8u, 0xc255eef0u, 0xc264eeefu, 0xc1a07ae0u, 0x4186ccccu, 0x40cb3330u, 0x425dc290u,
    0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu,
    0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0x414aeee8u, 0xc237999au, 0xc280c962u, 0x41459998u,
    0x4237e666u, 0xc1e57ae0u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u, 0xc2f64ccdu, 0xc2e7cccdu, 0xc2ce1eb8u,
};
// Postprocess case A: image 6x15, target [9, 17], logits [2, 3], 4 parts, threshold 0.45,
// padding {top 1, bottom 1, left 0, right 0}.
const int kPostADims[7] = {6, 15, 9, 17, 2, 3, 4};
const float kPostAThreshold = 0.45f;
const int kPostAPadding[4] = {1, 1, 0, 0};
const uint32_t kPostASeg[] = {
    0x40600000u, 0xbf0c0c70u, 0xc002da2cu, 0x40100000u, 0xbf81a640u, 0x3fa4b840u,
};
const float kPostAParts[] = {
    19.5f, 2.0f, -1.25f, 19.5f, 18.0f, 0.5f, -1.25f, 2.0f, -1.25f, -3.0f, -3.0f, 0.5f,
    -3.0f, 0.5f, 0.5f, 18.0f, 2.0f, 18.0f, -3.0f, 18.0f, 2.0f, 18.0f, -1.25f, 19.5f,
};
// scaleAndCropToInputTensorShape(seg, ..., sigmoid)
const uint32_t kPostASegScores[] = {
    0x3f771158u, 0x3f7087f7u, 0x3f65e800u, 0x3f558412u, 0x3f3e08d0u, 0x3f1f93feu, 0x3ef95aa5u, 0x3eb3d714u,
    0x3ea44ae9u, 0x3e9580e5u, 0x3e878c65u, 0x3e74f586u, 0x3e5ca745u, 0x3e4632deu, 0x3e31940du, 0x3f75627cu,
    0x3f6e004bu, 0x3f624db5u, 0x3f50c237u, 0x3f385defu, 0x3f19abd5u, 0x3eeee4f5u, 0x3eac2934u, 0x3ea57cf7u,
    0x3e9efd02u, 0x3e98ac06u, 0x3e928c48u, 0x3e8c9fa2u, 0x3e86e78bu, 0x3e816514u, 0x3f736823u, 0x3f6b19b5u,
    0x3f5e4893u, 0x3f4b9ac8u, 0x3f326991u, 0x3f13a528u, 0x3ee47bfbu, 0x3ea4a52bu, 0x3ea6b610u, 0x3ea8d55du,
    0x3eab0250u, 0x3ead3c1bu, 0x3eaf81dcu, 0x3eb1d2a0u, 0x3eb42d69u, 0x3f7116deu, 0x3f67c97cu, 0x3f59d156u,
    0x3f460c59u, 0x3f2c2fe2u, 0x3f0d8625u, 0x3eda2818u, 0x3e9d4d9cu, 0x3ea7f5cfu, 0x3eb301f2u, 0x3ebe65feu,
    0x3eca13fau, 0x3ed5fc31u, 0x3ee20d90u, 0x3eee3613u, 0x3f6e621du, 0x3f6404a4u, 0x3f54e18au, 0x3f4016f5u,
    0x3f25b64eu, 0x3f075567u, 0x3ecff175u, 0x3e9624dau, 0x3ea93bc2u, 0x3ebd7908u, 0x3ed2a00fu, 0x3ee8672du,
    0x3efe7b71u, 0x3f0a42cbu, 0x3f1517bdu, 0x3f6b3c54u, 0x3f5fc042u, 0x3f4f73e9u, 0x3f39bc5eu, 0x3f1f037du,
    0x3f0119dfu, 0x3ec5dfe7u, 0x3e8f2cf1u, 0x3eaa876au, 0x3ec82f52u, 0x3ee76ddbu, 0x3f03b01cu, 0x3f1387c6u,
    0x3f22c6bcu, 0x3f310745u,
};
// scaleAndCropToInputTensorShape(parts, ..., sigmoid)
const uint32_t kPostAPartScores[] = {
    0x3f7ffffdu, 0x3f5b308au, 0x3e89d4c1u, 0x3f800000u, 0x3f7ffffdu, 0x3f604d10u, 0x3e82b5c4u, 0x3f800000u,
    0x3f7ffffdu, 0x3f648e14u, 0x3e77b17cu, 0x3f7ffff8u, 0x3f7ffffdu, 0x3f681b4au, 0x3e6a7ecfu, 0x3f7fffbcu,
    0x3f7ffffdu, 0x3f6b191eu, 0x3e5dd59bu, 0x3f7ffdcbu, 0x3f7ffffcu, 0x3f6da542u, 0x3e51b6b8u, 0x3f7fee68u,
    0x3f7ffffcu, 0x3f6fd683u, 0x3e4621dcu, 0x3f7f771eu, 0x3f7ffffcu, 0x3f71bdf4u, 0x3e3b15bfu, 0x3f7bf67fu,
    0x3f7fffd0u, 0x3f6a873au, 0x3e21563du, 0x3f7b460bu, 0x3f7ffdfeu, 0x3f6053fdu, 0x3e0a8b07u, 0x3f7a78bcu,
    0x3f7fec25u, 0x3f527cf6u, 0x3ded0c5eu, 0x3f798a30u, 0x3f7f443du, 0x3f40ad80u, 0x3dca213du, 0x3f787572u,
    0x3f7963dau, 0x3f2b33bdu, 0x3dabdcb2u, 0x3f7734f5u, 0x3f4edf9du, 0x3f133179u, 0x3d91c3dbu, 0x3f75c283u,
    0x3ea0ae55u, 0x3ef4ee0fu, 0x3d76bc28u, 0x3f741744u, 0x3f7fffa9u, 0x3f53e0e4u, 0x3ea47334u, 0x3f800000u,
    0x3f7fffb3u, 0x3f648e14u, 0x3e94e624u, 0x3f800000u, 0x3f7fffbcu, 0x3f6f2beau, 0x3e8640aeu, 0x3f7ffffcu,
    0x3f7fffc3u, 0x3f75b742u, 0x3e7128fdu, 0x3f7fffe6u, 0x3f7fffc9u, 0x3f79b5bfu, 0x3e57d71bu, 0x3f7fff60u,
    0x3f7fffcfu, 0x3f7c258fu, 0x3e4091a6u, 0x3f7ffc53u, 0x3f7fffd4u, 0x3f7da32au, 0x3e2b5289u, 0x3f7feaadu,
    0x3f7fffd9u, 0x3f7e8d46u, 0x3e180a04u, 0x3f7f85f9u, 0x3f7ffed1u, 0x3f7de423u, 0x3e0a8b06u, 0x3f7f7881u,
    0x3f7ff7d2u, 0x3f7cf115u, 0x3dfc3879u, 0x3f7f698fu, 0x3f7fca20u, 0x3f7b95b8u, 0x3de56109u, 0x3f7f58fau,
    0x3f7ea602u, 0x3f79a8aau, 0x3dd07340u, 0x3f7f4696u, 0x3f779e68u, 0x3f76f2e4u, 0x3dbd514au, 0x3f7f3231u,
    0x3f52eb1fu, 0x3f732db3u, 0x3dabdcb2u, 0x3f7f1b93u, 0x3ed77bb8u, 0x3f6e02adu, 0x3d9bf70eu, 0x3f7f0281u,
    0x3f7ff814u, 0x3f4b7d56u, 0x3ec1785cu, 0x3f800000u, 0x3f7ff9c2u, 0x3f681b4au, 0x3ea878aeu, 0x3f800000u,
    0x3f7ffb14u, 0x3f75b742u, 0x3e913856u, 0x3f7ffffeu, 0x3f7ffc1fu, 0x3f7ba662u, 0x3e78096du, 0x3f7ffff6u,
    0x3f7ffcf1u, 0x3f7e2a7au, 0x3e520fe7u, 0x3f7fffd3u, 0x3f7ffd96u, 0x3f7f3a19u, 0x3e309851u, 0x3f7fff3eu,
    0x3f7ffe18u, 0x3f7facc7u, 0x3e1382f1u, 0x3f7ffcc1u, 0x3f7ffe7fu, 0x3f7fdd3fu, 0x3df514ffu, 0x3f7ff22bu,
    0x3f7ff8cau, 0x3f7fd083u, 0x3ded0c5eu, 0x3f7ff179u, 0x3f7fdf28u, 0x3f7fbf37u, 0x3de56109u, 0x3f7ff0beu,
    0x3f7f6dfcu, 0x3f7fa7c2u, 0x3dde1047u, 0x3f7feff9u, 0x3f7d7ffeu, 0x3f7f87fcu, 0x3dd7174du, 0x3f7fef29u,
    0x3f7551cfu, 0x3f7f5d01u, 0x3dd07340u, 0x3f7fee4eu, 0x3f569878u, 0x3f7f22f7u, 0x3dca213du, 0x3f7fed68u,
    0x3f09062bu, 0x3f7ed4b7u, 0x3dc41e5bu, 0x3f7fec74u, 0x3f7f5674u, 0x3f41feeau, 0x3ee042ccu, 0x3f800000u,
    0x3f7f88fcu, 0x3f6b191eu, 0x3ebd3eafu, 0x3f800000u, 0x3f7fac92u, 0x3f79b5bfu, 0x3e9cb7d5u, 0x3f7fffffu,
    0x3f7fc598u, 0x3f7e2a7au, 0x3e7f1f47u, 0x3f7ffffcu, 0x3f7fd72bu, 0x3f7f7808u, 0x3e4c7fb4u, 0x3f7ffff3u,
    0x3f7fe37eu, 0x3f7fd8ccu, 0x3e21c38eu, 0x3f7fffd9u, 0x3f7fec21u, 0x3f7ff4d4u, 0x3dfd11abu, 0x3f7fff85u,
    0x3f7ff22bu, 0x3f7ffce6u, 0x3dc41e5bu, 0x3f7ffe7fu, 0x3f7fd4eeu, 0x3f7ffc09u, 0x3dca213du, 0x3f7ffe82u,
    0x3f7f7c84u, 0x3f7ffaf0u, 0x3dd07340u, 0x3f7ffe84u, 0x3f7e72c2u, 0x3f7ff98au, 0x3dd7174du, 0x3f7ffe87u,
    0x3f7b5917u, 0x3f7ff7c3u, 0x3dde1047u, 0x3f7ffe8au, 0x3f724be8u, 0x3f7ff581u, 0x3de56109u, 0x3f7ffe8cu,
    0x3f59e58bu, 0x3f7ff2a1u, 0x3ded0c5eu, 0x3f7ffe8fu, 0x3f255e5du, 0x3f7feef9u, 0x3df514ffu, 0x3f7ffe91u,
    0x3f7354f0u, 0x3f376a4fu, 0x3f00013fu, 0x3f800000u, 0x3f77e192u, 0x3f6da542u, 0x3ed2f99cu, 0x3f800000u,
    0x3f7ada6fu, 0x3f7c258fu, 0x3ea8b490u, 0x3f7fffffu, 0x3f7cc3a6u, 0x3f7f3a19u, 0x3e8334b8u, 0x3f7ffffeu,
    0x3f7dfaa4u, 0x3f7fd8ccu, 0x3e47260du, 0x3f7ffffcu, 0x3f7ebeb0u, 0x3f7ff857u, 0x3e140995u, 0x3f7ffff8u,
    0x3f7f397bu, 0x3f7ffe8cu, 0x3dd85ef3u, 0x3f7fffefu, 0x3f7f85f9u, 0x3f7fffbeu, 0x3d9bf70eu, 0x3f7fffd9u,
    0x3f7f01dau, 0x3f7fffb1u, 0x3dabdcb2u, 0x3f7fffdbu, 0x3f7df1bdu, 0x3f7fffa2u, 0x3dbd5149u, 0x3f7fffddu,
    0x3f7bc261u, 0x3f7fff90u, 0x3dd07340u, 0x3f7fffdfu, 0x3f77499du, 0x3f7fff7au, 0x3de56109u, 0x3f7fffe1u,
    0x3f6e4471u, 0x3f7fff61u, 0x3dfc3879u, 0x3f7fffe3u, 0x3f5cd0a6u, 0x3f7fff42u, 0x3e0a8b07u, 0x3f7fffe6u,
    0x3f3e4b69u, 0x3f7fff1du, 0x3e180a04u, 0x3f7fffe7u, 0x3f058f4bu, 0x3f2bd258u, 0x3f0fe61fu, 0x3f800000u,
    0x3f26b434u, 0x3f6fd683u, 0x3ee95d4bu, 0x3f800000u, 0x3f43cdccu, 0x3f7da32au, 0x3eb5213du, 0x3f800000u,
    0x3f5a0ec4u, 0x3f7facc7u, 0x3e86f346u, 0x3f7fffffu, 0x3f694b08u, 0x3f7ff4d4u, 0x3e420254u, 0x3f7fffffu,
    0x3f72e9a8u, 0x3f7ffe8cu, 0x3e075e9cu, 0x3f7fffffu, 0x3f78a85cu, 0x3f7fffd2u, 0x3db87838u, 0x3f7ffffeu,
    0x3f7bf67fu, 0x3f7ffffbu, 0x3d76bc28u, 0x3f7ffffcu, 0x3f7a42c7u, 0x3f7ffffbu, 0x3d91c3dbu, 0x3f7ffffdu,
    0x3f77da59u, 0x3f7ffffau, 0x3dabdcb2u, 0x3f7ffffdu, 0x3f74724au, 0x3f7ffff9u, 0x3dca213du, 0x3f7ffffeu,
    0x3f6fa119u, 0x3f7ffff9u, 0x3ded0c5eu, 0x3f7ffffeu, 0x3f68d5f8u, 0x3f7ffff8u, 0x3e0a8b07u, 0x3f7ffffeu,
    0x3f5f5871u, 0x3f7ffff7u, 0x3e21563du, 0x3f7ffffeu, 0x3f5266a7u, 0x3f7ffff6u, 0x3e3b15bfu, 0x3f7ffffeu,
};
// toMaskTensor(squeeze(segScores), threshold)
const uint8_t kPostAMask[] = {
    1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1,
};
// decodePartSegmentation(mask, partScores)
const int32_t kPostAPartMap[] = {
    3, 3, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, 3, 3, 3, 3, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1,
    3, 3, 3, 3, 3, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1, 3, 3, 3, 3, 3, 3, -1, -1, -1, -1, -1, -1, -1, -1, 3,
    3, 3, 3, 3, 3, 3, -1, -1, -1, -1, -1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, -1, -1, -1, -1, 3, 3, 3, 3, 3,
};
// Postprocess case B: image 9x5, target [9, 17], logits [2, 3], 4 parts, threshold 0.5,
// padding {top 0, bottom 0, left 6, right 6}.
const int kPostBDims[7] = {9, 5, 9, 17, 2, 3, 4};
const float kPostBThreshold = 0.5f;
const int kPostBPadding[4] = {0, 0, 6, 6};
const uint32_t kPostBSeg[] = {
    0x40600000u, 0x402fecd1u, 0x403583bcu, 0x40100000u, 0xc01b0d64u, 0xbfe255a6u,
};
const float kPostBParts[] = {
    0.5f, 19.5f, 0.5f, -1.25f, -1.25f, 0.5f, 18.0f, 2.0f, 0.5f, 19.5f, -1.25f, -1.25f,
    0.5f, 2.0f, 2.0f, 18.0f, 0.5f, 18.0f, 2.0f, -1.25f, 0.5f, 0.5f, 2.0f, -1.25f,
};
// scaleAndCropToInputTensorShape(seg, ..., sigmoid)
const uint32_t kPostBSegScores[] = {
    0x3f731ac8u, 0x3f71e7afu, 0x3f7099d3u, 0x3f70c214u, 0x3f70e9f3u, 0x3f6af479u, 0x3f67c1c7u, 0x3f64216fu,
    0x3f649e36u, 0x3f651910u, 0x3f5e5e11u, 0x3f578667u, 0x3f4f97f2u, 0x3f50b52eu, 0x3f51cd50u, 0x3f4beb7eu,
    0x3f3f73b1u, 0x3f31273au, 0x3f332f3au, 0x3f352f7eu, 0x3f32dd20u, 0x3f1f7936u, 0x3f0a69cfu, 0x3f0d5ad2u,
    0x3f104832u, 0x3f142134u, 0x3ef55e55u, 0x3ec34e3cu, 0x3eca04e2u, 0x3ed0cfa7u, 0x3ee5a1c4u, 0x3ead8229u,
    0x3e7a0e77u, 0x3e832eccu, 0x3e89885bu, 0x3ea66de7u, 0x3e636f95u, 0x3e143daeu, 0x3e1dbb0fu, 0x3e27b62du,
    0x3e633eb0u, 0x3e0c826cu, 0x3da6d3c2u, 0x3db3ccccu, 0x3dc1ad80u,
};
// scaleAndCropToInputTensorShape(parts, ..., sigmoid)
const uint32_t kPostBPartScores[] = {
    0x3e9d5e08u, 0x3f7ea9e5u, 0x3f7fffecu, 0x3f442bd2u, 0x3e869335u, 0x3f725429u, 0x3f7ffffeu, 0x3f54c5cau,
    0x3e640b81u, 0x3f1f597fu, 0x3f800000u, 0x3f617bebu, 0x3e869335u, 0x3f725429u, 0x3f7ffffdu, 0x3f54c5cau,
    0x3e9d5e08u, 0x3f7ea9e5u, 0x3f7fffe1u, 0x3f442bd2u, 0x3eafca7du, 0x3f7f8d02u, 0x3f7fffa9u, 0x3f50b314u,
    0x3e9a6715u, 0x3f7d3b01u, 0x3f7ffff3u, 0x3f52c5a6u, 0x3e869335u, 0x3f6fb060u, 0x3f7ffffeu, 0x3f54c5cau,
    0x3e9a6715u, 0x3f7d2a60u, 0x3f7ffff0u, 0x3f4677bfu, 0x3eafca7du, 0x3f7f8780u, 0x3f7fff81u, 0x3f351879u,
    0x3ec32f36u, 0x3f7fd970u, 0x3f7ffe8du, 0x3f5b1910u, 0x3eafca7du, 0x3f7f7558u, 0x3f7fffb8u, 0x3f50b314u,
    0x3e9d5e08u, 0x3f7e0f6bu, 0x3f7ffff2u, 0x3f442bd2u, 0x3eafca7du, 0x3f7f6eb5u, 0x3f7fffabu, 0x3f351879u,
    0x3ec32f36u, 0x3f7fd5a7u, 0x3f7ffdfdu, 0x3f2400b6u, 0x3ed758d4u, 0x3f7ff314u, 0x3f7ff9cdu, 0x3f6385b2u,
    0x3ec67f59u, 0x3f7fe513u, 0x3f7ffe6bu, 0x3f4e8de5u, 0x3eb62820u, 0x3f7fc7e8u, 0x3f7fff99u, 0x3f2f9a62u,
    0x3ec67f59u, 0x3f7fe31du, 0x3f7ffe30u, 0x3f20fd31u, 0x3ed758d4u, 0x3f7ff121u, 0x3f7ff7dau, 0x3f11644bu,
    0x3eec0a64u, 0x3f7ffbacu, 0x3f7fe57eu, 0x3f6a36f3u, 0x3ede32d2u, 0x3f7ffac7u, 0x3f7ff71eu, 0x3f4c55f8u,
    0x3ed08e01u, 0x3f7ff9b4u, 0x3f7ffd06u, 0x3f17b900u, 0x3ede32d2u, 0x3f7ffa44u, 0x3f7ff618u, 0x3f0af917u,
    0x3eec0a64u, 0x3f7ffac7u, 0x3f7fdf03u, 0x3efc0015u, 0x3f008000u, 0x3f7ffe8du, 0x3f7f8ecau, 0x3f6f72deu,
    0x3ef6811eu, 0x3f7ffefdu, 0x3f7fce1bu, 0x3f4a0b38u, 0x3eec0a64u, 0x3f7fff4bu, 0x3f7fea06u, 0x3efc0015u,
    0x3ef6811eu, 0x3f7ffeddu, 0x3f7fc9d8u, 0x3ee890d7u, 0x3f008000u, 0x3f7ffe2bu, 0x3f7f7aa5u, 0x3ed5665fu,
    0x3f0af917u, 0x3f7fff84u, 0x3f7e1e95u, 0x3f737e0eu, 0x3f077dceu, 0x3f7fffceu, 0x3f7ee883u, 0x3f47ad9du,
    0x3f03ffabu, 0x3f7fffecu, 0x3f7f5df4u, 0x3ec8e05fu, 0x3f077dceu, 0x3f7fffc6u, 0x3f7ed8e0u, 0x3ebc9facu,
    0x3f0af917u, 0x3f7fff5bu, 0x3f7de766u, 0x3eb0b1a3u, 0x3f154cd1u, 0x3f7fffd6u, 0x3f7825a1u, 0x3f769647u,
    0x3f139841u, 0x3f7ffff6u, 0x3f79fb49u, 0x3f453d2eu, 0x3f11e1ddu, 0x3f7ffffeu, 0x3f7b6541u, 0x3e99fb53u,
    0x3f139841u, 0x3f7ffff5u, 0x3f79d19bu, 0x3e9491e6u, 0x3f154cd1u, 0x3f7fffc6u, 0x3f77b848u, 0x3e8f45aeu,
    0x3f1f597fu, 0x3f7ffff2u, 0x3f617bebu, 0x3f78f02cu, 0x3f1f597fu, 0x3f7ffffeu, 0x3f617bebu, 0x3f42ba00u,
    0x3f1f597fu, 0x3f800000u, 0x3f617bebu, 0x3e640b81u, 0x3f1f597fu, 0x3f7ffffeu, 0x3f617bebu, 0x3e640b81u,
    0x3f1f597fu, 0x3f7fffecu, 0x3f617bebu, 0x3e640b81u,
};
// toMaskTensor(squeeze(segScores), threshold)
const uint8_t kPostBMask[] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
// decodePartSegmentation(mask, partScores)
const int32_t kPostBPartMap[] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 1, 1, 1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};
// clang-format on

// ===========================================================================
// Helpers
// ===========================================================================

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

float bitsToFloat(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

double bitsToDouble(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

uint32_t floatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Bitwise float equality, any NaN equal to any NaN.
bool sameFloat(float a, float b) { return (std::isnan(a) && std::isnan(b)) || floatBits(a) == floatBits(b); }

// Number of elements that differ bitwise; also reports the max |a - b|.
size_t countDiffs(const std::vector<float>& a, const std::vector<float>& b, double* maxAbs = nullptr) {
  REQUIRE(a.size() == b.size());
  size_t n = 0;
  double m = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!sameFloat(a[i], b[i])) {
      ++n;
      m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
    }
  }
  if (maxAbs) *maxAbs = m;
  return n;
}

template <class A, class B>
size_t countIntDiffs(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += static_cast<long>(a[i]) != static_cast<long>(b[i]);
  return n;
}

std::vector<float> fromBits(const uint32_t* bits, size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = bitsToFloat(bits[i]);
  return v;
}

// ===========================================================================
// ref: the TF.js computations, transcribed literally (no fusion, no pruning).
// Tensors hold JS numbers (double) that came out of an Int32Array or a
// Float32Array, i.e. already rounded to what TF.js stores.
// ===========================================================================
namespace ref {

struct T3 {
  int h = 0, w = 0, c = 0;
  std::vector<double> v;
  T3() = default;
  T3(int h_, int w_, int c_) : h(h_), w(w_), c(c_), v(static_cast<size_t>(h_) * w_ * c_, 0.0) {}
  double& at(int y, int x, int k) { return v[(static_cast<size_t>(y) * w + x) * c + k]; }
  double at(int y, int x, int k) const { return v[(static_cast<size_t>(y) * w + x) * c + k]; }
};

double f32(double x) { return static_cast<float>(x); }  // Float32Array store

// xValues[i] in JS: undefined (-> NaN in arithmetic) unless i is an index.
double read(const std::vector<double>& vals, double i) {
  if (!(i >= 0.0) || i >= static_cast<double>(vals.size()) || i != std::floor(i)) return kNaN;
  return vals[static_cast<size_t>(i)];
}

// tf.browser.fromPixels: RGB as int32 (alpha dropped).
T3 fromPixels(const uint8_t* px, int channels, int h, int w) {
  T3 t(h, w, 3);
  for (int i = 0; i < h * w; ++i) {
    for (int k = 0; k < 3; ++k) t.v[static_cast<size_t>(i) * 3 + k] = px[static_cast<size_t>(i) * channels + k];
  }
  return t;
}

// tf.pad3d with zeros.
T3 pad3d(const T3& x, int pt, int pb, int pl, int pr) {
  T3 o(x.h + pt + pb, x.w + pl + pr, x.c);
  for (int y = 0; y < x.h; ++y) {
    for (int xx = 0; xx < x.w; ++xx) {
      for (int k = 0; k < x.c; ++k) o.at(y + pt, xx + pl, k) = x.at(y, xx, k);
    }
  }
  return o;
}

// tfjs-backend-cpu ResizeBilinear (halfPixelCenters = false), batch 1.
T3 resizeBilinear(const T3& x, int newHeight, int newWidth, bool alignCorners) {
  const int oldHeight = x.h, oldWidth = x.w, numChannels = x.c;
  T3 result(newHeight, newWidth, numChannels);
  const double effIn0 = (alignCorners && newHeight > 1) ? oldHeight - 1 : oldHeight;
  const double effIn1 = (alignCorners && newWidth > 1) ? oldWidth - 1 : oldWidth;
  const double effOut0 = (alignCorners && newHeight > 1) ? newHeight - 1 : newHeight;
  const double effOut1 = (alignCorners && newWidth > 1) ? newWidth - 1 : newWidth;
  const double effectiveRowSizeRatio = effIn0 / effOut0;
  const double effectiveColSizeRatio = effIn1 / effOut1;
  const double strides[3] = {static_cast<double>(oldWidth) * numChannels, static_cast<double>(numChannels), 1.0};
  size_t outputIdx = 0;
  for (int r = 0; r < newHeight; ++r) {
    const double sourceFracRow = effectiveRowSizeRatio * r;
    const double sourceRowFloor = std::max(0.0, std::floor(sourceFracRow));
    const double rowFrac = sourceFracRow - sourceRowFloor;
    const double sourceRowCeil = std::min(oldHeight - 1.0, std::ceil(sourceFracRow));
    const double topRowOffset = sourceRowFloor * strides[0];
    const double botRowOffset = sourceRowCeil * strides[0];
    for (int c = 0; c < newWidth; ++c) {
      const double sourceFracCol = effectiveColSizeRatio * c;
      const double sourceColFloor = std::max(0.0, std::floor(sourceFracCol));
      const double colFrac = sourceFracCol - sourceColFloor;
      const double sourceColCeil = std::min(oldWidth - 1.0, std::ceil(sourceFracCol));
      const double topLeftOffest = topRowOffset + sourceColFloor * strides[1];
      const double botLeftOffset = botRowOffset + sourceColFloor * strides[1];
      const double topRightOffset = topRowOffset + sourceColCeil * strides[1];
      const double botRightOffest = botRowOffset + sourceColCeil * strides[1];
      for (int d = 0; d < numChannels; ++d) {
        const double topLeft = read(x.v, topLeftOffest + d);
        const double bottomLeft = read(x.v, botLeftOffset + d);
        const double topRight = read(x.v, topRightOffset + d);
        const double bottomRight = read(x.v, botRightOffest + d);
        const double top = topLeft + (topRight - topLeft) * colFrac;
        const double bottom = bottomLeft + (bottomRight - bottomLeft) * colFrac;
        const double newValue = top + (bottom - top) * rowFrac;
        result.v[outputIdx++] = f32(newValue);
      }
    }
  }
  return result;
}

// tfjs-backend-cpu Sigmoid.
T3 sigmoid(const T3& x) {
  T3 o = x;
  for (double& v : o.v) v = f32(1.0 / (1.0 + bodypix::tfjs::jsExp(-v)));
  return o;
}

// tfjs-backend-cpu CropAndResize, one box, bilinear, extrapolationValue 0.
// The box goes through a float32 tensor first.
T3 cropAndResize(const T3& image, const double boxIn[4], int cropHeight, int cropWidth) {
  const int imageHeight = image.h, imageWidth = image.w, numChannels = image.c;
  T3 output(cropHeight, cropWidth, numChannels);
  const double y1 = f32(boxIn[0]), x1 = f32(boxIn[1]), y2 = f32(boxIn[2]), x2 = f32(boxIn[3]);
  const double inStride[3] = {static_cast<double>(imageWidth) * numChannels, static_cast<double>(numChannels), 1.0};
  const double heightScale = (cropHeight > 1) ? (y2 - y1) * (imageHeight - 1) / (cropHeight - 1) : 0;
  const double widthScale = (cropWidth > 1) ? (x2 - x1) * (imageWidth - 1) / (cropWidth - 1) : 0;
  const double extrapolationValue = 0;
  for (int y = 0; y < cropHeight; y++) {
    const double yInd = (cropHeight > 1) ? y1 * (imageHeight - 1) + y * (heightScale)
                                         : 0.5 * (y1 + y2) * (imageHeight - 1);
    if (yInd < 0 || yInd > imageHeight - 1) {
      for (int x = 0; x < cropWidth; x++) {
        for (int c = 0; c < numChannels; c++) output.at(y, x, c) = extrapolationValue;
      }
      continue;
    }
    const double topInd = std::floor(yInd);
    const double bottomInd = std::ceil(yInd);
    const double yLerp = yInd - topInd;
    for (int x = 0; x < cropWidth; x++) {
      const double xInd = (cropWidth > 1) ? x1 * (imageWidth - 1) + x * widthScale : 0.5 * (x1 + x2) * (imageWidth - 1);
      if (xInd < 0 || xInd > imageWidth - 1) {
        for (int c = 0; c < numChannels; c++) output.at(y, x, c) = extrapolationValue;
        continue;
      }
      const double leftInd = std::floor(xInd);
      const double rightInd = std::ceil(xInd);
      const double xLerp = xInd - leftInd;
      for (int c = 0; c < numChannels; c++) {
        const double topLeft = read(image.v, c + leftInd * inStride[1] + topInd * inStride[0]);
        const double topRight = read(image.v, c + rightInd * inStride[1] + topInd * inStride[0]);
        const double bottomLeft = read(image.v, c + leftInd * inStride[1] + bottomInd * inStride[0]);
        const double bottomRight = read(image.v, c + rightInd * inStride[1] + bottomInd * inStride[0]);
        const double top = topLeft + (topRight - topLeft) * xLerp;
        const double bottom = bottomLeft + (bottomRight - bottomLeft) * xLerp;
        output.at(y, x, c) = f32(top + ((bottom - top) * yLerp));
      }
    }
  }
  return output;
}

// body-pix util.padAndResizeTo's padding (Math.round is tested separately).
Padding padding(int height, int width, int targetH, int targetW) {
  const double targetAspect = static_cast<double>(targetW) / targetH;
  const double aspect = static_cast<double>(width) / height;
  Padding p;
  if (aspect < targetAspect) {
    p.left = p.right = static_cast<int>(bodypix::tfjs::jsRound(0.5 * (targetAspect * height - width)));
  } else {
    p.top = p.bottom = static_cast<int>(bodypix::tfjs::jsRound(0.5 * ((1.0 / targetAspect) * width - height)));
  }
  return p;
}

// padAndResizeTo + the model's preprocessInput.
T3 preprocess(const uint8_t* px, int channels, int h, int w, int targetH, int targetW, Normalization norm) {
  const Padding p = padding(h, w, targetH, targetW);
  T3 x = resizeBilinear(pad3d(fromPixels(px, channels, h, w), p.top, p.bottom, p.left, p.right), targetH, targetW,
                        false);
  if (norm == Normalization::MobileNet) {
    for (double& v : x.v) v = f32(f32(v / 127.5) - 1.0);  // tf.div then tf.sub
  } else if (norm == Normalization::ResNet) {
    const double mean[3] = {f32(-123.15), f32(-115.90), f32(-103.06)};
    for (size_t i = 0; i < x.v.size(); ++i) x.v[i] = f32(x.v[i] + mean[i % 3]);
  }
  return x;
}

// util.scaleAndCropToInputTensorShape (+ removePaddingAndResizeBack).
T3 scaleAndCrop(const T3& logits, int targetH, int targetW, const Padding& p, int h, int w, bool applySigmoid) {
  T3 g = resizeBilinear(logits, targetH, targetW, true);
  if (applySigmoid) g = sigmoid(g);
  const double box[4] = {p.top / (h + p.top + p.bottom - 1.0), p.left / (w + p.left + p.right - 1.0),
                         (p.top + h - 1.0) / (h + p.top + p.bottom - 1.0),
                         (p.left + w - 1.0) / (w + p.left + p.right - 1.0)};
  return cropAndResize(g, box, h, w);
}

// toMaskTensor: greater(scores, scalar(threshold)) with a float32 scalar.
std::vector<int> toMask(const T3& scores, float threshold) {
  std::vector<int> m(scores.v.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = scores.v[i] > static_cast<double>(threshold) ? 1 : 0;
  return m;
}

// decodePartSegmentation: argMax (tfjs-backend-cpu), one-hot . range, then
// (part + 1) * mask - 1.
std::vector<int> decodeParts(const std::vector<int>& mask, const T3& scores) {
  std::vector<int> out(static_cast<size_t>(scores.h) * scores.w);
  for (size_t i = 0; i < out.size(); ++i) {
    const double* v = &scores.v[i * scores.c];
    double max = v[0];
    int maxIndex = 0;
    for (int j = 0; j < scores.c; ++j) {
      if (v[j] > max) {
        max = v[j];
        maxIndex = j;
      }
    }
    out[i] = (maxIndex + 1) * mask[i] - 1;
  }
  return out;
}

T3 tensor(const std::vector<float>& data, int h, int w, int c) {
  T3 t(h, w, c);
  for (size_t i = 0; i < data.size(); ++i) t.v[i] = data[i];
  return t;
}

std::vector<float> toFloats(const T3& t) { return std::vector<float>(t.v.begin(), t.v.end()); }

}  // namespace ref

// ===========================================================================
// Random inputs
// ===========================================================================

enum class LogitKind {
  Uniform,    // independent values in [-8, 8]
  Smooth,     // slowly varying fields, like a real network's heads
  Discrete,   // a few values incl. saturated ones: lots of exact ties
  Saturated,  // mostly > 17 (sigmoid == 1.0f), ties after the sigmoid
  Constant,   // every value equal
  NonFinite,  // Uniform with some NaN / +-Infinity
};

std::vector<float> randomLogits(std::mt19937& rng, int lh, int lw, int c, LogitKind kind) {
  std::uniform_real_distribution<float> u(-8.0f, 8.0f);
  std::uniform_real_distribution<double> phase(0.0, 6.283);
  std::vector<float> v(static_cast<size_t>(lh) * lw * c);
  const float discrete[] = {-30.0f, -5.0f, 0.0f, 0.0f, 2.0f, 2.0f, 16.5f, 17.0f, 20.0f, 30.0f};
  std::vector<double> ph(static_cast<size_t>(c) * 2);
  for (double& p : ph) p = phase(rng);
  for (int y = 0; y < lh; ++y) {
    for (int x = 0; x < lw; ++x) {
      for (int k = 0; k < c; ++k) {
        float& o = v[(static_cast<size_t>(y) * lw + x) * c + k];
        switch (kind) {
          case LogitKind::Uniform:
          case LogitKind::NonFinite:
            o = u(rng);
            break;
          case LogitKind::Smooth:
            o = static_cast<float>(6.0 * std::sin(0.35 * y + ph[k * 2]) * std::cos(0.3 * x + ph[k * 2 + 1]) +
                                   0.3 * u(rng) / 8.0);
            break;
          case LogitKind::Discrete:
            o = discrete[rng() % 10];
            break;
          case LogitKind::Saturated:
            o = 17.0f + std::fabs(u(rng)) * 2.0f - (rng() % 5 == 0 ? 20.0f : 0.0f);
            break;
          case LogitKind::Constant:
            o = 1.5f;
            break;
        }
      }
    }
  }
  if (kind == LogitKind::NonFinite) {
    const float special[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                             -std::numeric_limits<float>::infinity()};
    for (size_t i = 0; i < v.size(); i += 1 + rng() % 7) v[i] = special[rng() % 3];
  }
  return v;
}

std::vector<uint8_t> randomPixels(std::mt19937& rng, int h, int w, int channels) {
  std::vector<uint8_t> px(static_cast<size_t>(h) * w * channels);
  for (uint8_t& p : px) p = static_cast<uint8_t>(rng() & 0xFF);
  return px;
}

// A post-processing geometry: image size, network input size, logits size.
struct PostCase {
  int h, w, targetH, targetW, lh, lw;
};

// Geometry as body-pix builds it for an image, internal resolution and stride.
PostCase bodyPixCase(int h, int w, double fraction, int stride) {
  const Size t = bodypix::image::toInputResolutionHeightAndWidth(fraction, stride, h, w);
  return PostCase{h, w, t.height, t.width, (t.height - 1) / stride + 1, (t.width - 1) / stride + 1};
}

std::vector<PostCase> postCases() {
  std::vector<PostCase> cases = {
      // The way body-pix calls it (padding from computePadding).
      bodyPixCase(1, 1, 0.5, 16),    // 1x1: 0/0 crop box -> NaN scores
      bodyPixCase(2, 2, 1.0, 8),     // target 1x1, logits 1x1
      bodyPixCase(1, 9, 1.0, 8),     // one row
      bodyPixCase(9, 1, 1.0, 8),     // one column
      bodyPixCase(7, 15, 1.0, 8),    // target 1x9, wide padding
      bodyPixCase(23, 17, 0.75, 8),  // padding top/bottom
      bodyPixCase(37, 53, 0.37, 8),  // padding left/right
      bodyPixCase(5, 300, 1.0, 16),  // very wide
      bodyPixCase(300, 5, 1.0, 16),  // very tall
      bodyPixCase(64, 48, 2.0, 32),  // image smaller than target
      bodyPixCase(101, 77, 0.25, 8),
      bodyPixCase(120, 160, 0.5, 16),
      bodyPixCase(161, 97, 0.1, 8),  // tiny target, image much larger
      bodyPixCase(200, 150, 1.0, 32),
      bodyPixCase(250, 190, 0.75, 16),
      bodyPixCase(190, 250, 0.75, 8),
      // Arbitrary sizes the API accepts (logits coarser or finer than usual).
      {13, 11, 2, 2, 2, 2},      // 2x2 logits -> 2x2 grid
      {17, 23, 1, 1, 1, 1},      // 1x1 everything
      {31, 29, 40, 35, 50, 47},  // logits finer than the grid
      {45, 70, 33, 65, 1, 1},    // 1x1 logits upsampled
      {9, 200, 17, 97, 3, 13},
  };
  return cases;
}

Padding paddingFor(const PostCase& c) { return bodypix::image::computePadding(c.h, c.w, c.targetH, c.targetW); }

OutputGeometry geometryOf(const PostCase& c, const Padding& p) {
  return {c.lh, c.lw, c.targetH, c.targetW, p, c.h, c.w};
}

}  // namespace

// ===========================================================================
// JS number semantics
// ===========================================================================

TEST_CASE("jsExp equals V8's Math.exp bit for bit", "[image][js]") {
  for (const auto& e : kJsExp) {
    const double x = bitsToDouble(e[0]);
    const double got = bodypix::tfjs::jsExp(x);
    INFO("x = " << x);
    uint64_t gotBits;
    std::memcpy(&gotBits, &got, sizeof gotBits);
    CHECK(gotBits == e[1]);
  }
  CHECK(std::isnan(bodypix::tfjs::jsExp(kNaN)));
  CHECK(bodypix::tfjs::jsExp(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
  CHECK(bodypix::tfjs::jsExp(-std::numeric_limits<double>::infinity()) == 0.0);
}

TEST_CASE("jsRound follows Math.round", "[image][js]") {
  for (const auto& r : kJsRound) {
    INFO("x = " << r[0]);
    CHECK(bodypix::tfjs::jsRound(r[0]) == r[1]);
  }
  CHECK(std::signbit(bodypix::tfjs::jsRound(-0.5)));  // Math.round(-0.5) is -0
}

TEST_CASE("sigmoidStrictlyBelow is a valid plateau bound (samples)", "[image][js]") {
  // The exhaustive version is the hidden [exhaustive] test below.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-90.0f, 62.0f);
  for (int i = 0; i < 200000; ++i) {
    const float m = (i < 1000) ? static_cast<float>(i - 500) / 16.0f : u(rng);
    const double bound = bodypix::tfjs::sigmoidStrictlyBelow(m);
    if (bound == -INFINITY) continue;
    float y = static_cast<float>(bound);
    if (static_cast<double>(y) >= bound) y = std::nextafter(y, -INFINITY);
    INFO("m = " << m);
    REQUIRE(bodypix::tfjs::sigmoidF32(y) < bodypix::tfjs::sigmoidF32(m));
  }
}

// ===========================================================================
// Internal resolution and padding (expected values from body-pix's util.js)
// ===========================================================================

TEST_CASE("internal resolution presets and validation", "[image][resolution]") {
  using bodypix::image::internalResolutionFraction;
  CHECK(internalResolutionFraction("low") == 0.25);
  CHECK(internalResolutionFraction("medium") == 0.5);
  CHECK(internalResolutionFraction("high") == 0.75);
  CHECK(internalResolutionFraction("full") == 1.0);
  CHECK_THROWS_AS(internalResolutionFraction("Medium"), bodypix::Error);
  CHECK_THROWS_AS(internalResolutionFraction(""), bodypix::Error);
  CHECK(internalResolutionFraction(0.1) == 0.1);
  CHECK(internalResolutionFraction(2.0) == 2.0);
  CHECK(internalResolutionFraction(1.37) == 1.37);
  CHECK_THROWS_AS(internalResolutionFraction(0.09), bodypix::Error);
  CHECK_THROWS_AS(internalResolutionFraction(2.01), bodypix::Error);
  CHECK_THROWS_AS(internalResolutionFraction(kNaN), bodypix::Error);
}

TEST_CASE("toValidInputResolution matches body-pix", "[image][resolution]") {
  for (const auto& t : kToValid) {
    INFO("resolution " << t[0] << " stride " << t[1]);
    CHECK(bodypix::image::toValidInputResolution(t[0], static_cast<int>(t[1])) == t[2]);
  }
  CHECK_THROWS_AS(bodypix::image::toValidInputResolution(100, 0), bodypix::Error);
  CHECK_THROWS_AS(bodypix::image::toValidInputResolution(kNaN, 16), bodypix::Error);
}

TEST_CASE("toInputResolutionHeightAndWidth matches body-pix", "[image][resolution]") {
  for (const auto& c : kResolution) {
    const double f = c.preset ? bodypix::image::internalResolutionFraction(c.preset) : c.fraction;
    INFO(c.height << "x" << c.width << " fraction " << f << " stride " << c.stride);
    const Size s = bodypix::image::toInputResolutionHeightAndWidth(f, c.stride, c.height, c.width);
    CHECK(s.height == c.outH);
    CHECK(s.width == c.outW);
  }
  CHECK_THROWS_AS(bodypix::image::toInputResolutionHeightAndWidth(0.05, 16, 100, 100), bodypix::Error);
  CHECK_THROWS_AS(bodypix::image::toInputResolutionHeightAndWidth(0.5, 16, 0, 100), bodypix::Error);
}

TEST_CASE("computePadding matches padAndResizeTo", "[image][resolution]") {
  for (const auto& c : kPadding) {
    INFO(c[0] << "x" << c[1] << " -> " << c[2] << "x" << c[3]);
    const Padding p = bodypix::image::computePadding(c[0], c[1], c[2], c[3]);
    CHECK(p.top == c[4]);
    CHECK(p.bottom == c[5]);
    CHECK(p.left == c[6]);
    CHECK(p.right == c[7]);
  }
  CHECK_THROWS_AS(bodypix::image::computePadding(0, 5, 5, 5), bodypix::Error);
  CHECK_THROWS_AS(bodypix::image::computePadding(5, 5, 5, -1), bodypix::Error);
}

// ===========================================================================
// Pre-processing
// ===========================================================================

namespace {

void checkPreprocessAgainstTfjs(const int size[4], const int pad[4], const uint8_t* pixels, const uint32_t* resized,
                                const uint32_t* mobilenet, const uint32_t* resnet) {
  const int h = size[0], w = size[1], th = size[2], tw = size[3];
  const size_t n = static_cast<size_t>(th) * tw * 3;
  std::vector<uint8_t> rgb(static_cast<size_t>(h) * w * 3);
  for (int i = 0; i < h * w; ++i) {
    for (int k = 0; k < 3; ++k) rgb[static_cast<size_t>(i) * 3 + k] = pixels[static_cast<size_t>(i) * 4 + k];
  }
  const struct {
    Normalization norm;
    const uint32_t* expected;
  } variants[] = {{Normalization::None, resized},
                  {Normalization::MobileNet, mobilenet},
                  {Normalization::ResNet, resnet}};
  for (const auto& v : variants) {
    for (int channels : {4, 3}) {
      std::vector<float> out(n, -1234.0f);
      const Padding p = preprocess(channels == 4 ? pixels : rgb.data(), channels, h, w, th, tw, v.norm, out.data());
      CHECK(p.top == pad[0]);
      CHECK(p.bottom == pad[1]);
      CHECK(p.left == pad[2]);
      CHECK(p.right == pad[3]);
      double maxAbs = 0;
      INFO("normalization " << static_cast<int>(v.norm) << ", channels " << channels);
      CHECK(countDiffs(out, fromBits(v.expected, n), &maxAbs) == 0);
      CHECK(maxAbs == 0.0);
    }
  }
}

}  // namespace

TEST_CASE("preprocess equals tfjs-backend-cpu bit for bit", "[image][preprocess]") {
  SECTION("padding top/bottom") {
    checkPreprocessAgainstTfjs(kPreASize, kPreAPadding, kPreAPixels, kPreAResized, kPreAMobileNet, kPreAResNet);
  }
  SECTION("padding left/right") {
    checkPreprocessAgainstTfjs(kPreBSize, kPreBPadding, kPreBPixels, kPreBResized, kPreBMobileNet, kPreBResNet);
  }
}

TEST_CASE("preprocess equals the reference on random images", "[image][preprocess]") {
  std::mt19937 rng(12345);
  const int sizes[][4] = {
      {1, 1, 1, 1},     {1, 1, 33, 17},     {2, 2, 1, 1},         {3, 7, 5, 5},      {7, 3, 4, 6},
      {1, 300, 17, 33}, {300, 1, 33, 17},   {37, 53, 9, 17},      {64, 48, 129, 97}, {101, 77, 25, 17},
      {161, 97, 17, 9}, {120, 160, 49, 81}, {250, 190, 177, 129}, {33, 33, 33, 33},  {5, 9, 257, 513},
  };
  for (const auto& s : sizes) {
    for (int channels : {3, 4}) {
      const std::vector<uint8_t> px = randomPixels(rng, s[0], s[1], channels);
      for (Normalization norm : {Normalization::None, Normalization::MobileNet, Normalization::ResNet}) {
        INFO(s[0] << "x" << s[1] << " -> " << s[2] << "x" << s[3] << ", channels " << channels << ", normalization "
                  << static_cast<int>(norm));
        std::vector<float> out(static_cast<size_t>(s[2]) * s[3] * 3);
        const Padding p = preprocess(px.data(), channels, s[0], s[1], s[2], s[3], norm, out.data());
        const Padding rp = ref::padding(s[0], s[1], s[2], s[3]);
        CHECK(p.top == rp.top);
        CHECK(p.bottom == rp.bottom);
        CHECK(p.left == rp.left);
        CHECK(p.right == rp.right);
        const ref::T3 expected = ref::preprocess(px.data(), channels, s[0], s[1], s[2], s[3], norm);
        CHECK(countDiffs(out, ref::toFloats(expected)) == 0);
      }
    }
  }
}

TEST_CASE("preprocess handles extreme pixel values", "[image][preprocess]") {
  // All-255 and all-0 images, and a checkerboard (largest interpolation steps).
  for (int pattern = 0; pattern < 3; ++pattern) {
    const int h = 19, w = 27, th = 33, tw = 17;
    std::vector<uint8_t> px(static_cast<size_t>(h) * w * 4);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        for (int k = 0; k < 4; ++k) {
          px[(static_cast<size_t>(y) * w + x) * 4 + k] = pattern == 0   ? 255
                                                         : pattern == 1 ? 0
                                                                        : (((x + y + k) & 1) ? 255 : 0);
        }
      }
    }
    for (Normalization norm : {Normalization::None, Normalization::MobileNet, Normalization::ResNet}) {
      std::vector<float> out(static_cast<size_t>(th) * tw * 3);
      preprocess(px.data(), 4, h, w, th, tw, norm, out.data());
      CHECK(countDiffs(out, ref::toFloats(ref::preprocess(px.data(), 4, h, w, th, tw, norm))) == 0);
    }
  }
}

TEST_CASE("preprocess validates its arguments", "[image][preprocess]") {
  std::vector<uint8_t> px(16 * 4);
  std::vector<float> out(16 * 3);
  using bodypix::image::Normalization;
  using bodypix::image::preprocess;
  CHECK_THROWS_AS(preprocess(nullptr, 4, 4, 4, 4, 4, Normalization::MobileNet, out.data()), bodypix::Error);
  CHECK_THROWS_AS(preprocess(px.data(), 4, 4, 4, 4, 4, Normalization::MobileNet, nullptr), bodypix::Error);
  CHECK_THROWS_AS(preprocess(px.data(), 2, 4, 4, 4, 4, Normalization::MobileNet, out.data()), bodypix::Error);
  CHECK_THROWS_AS(preprocess(px.data(), 4, 0, 4, 4, 4, Normalization::MobileNet, out.data()), bodypix::Error);
  CHECK_THROWS_AS(preprocess(px.data(), 4, 4, 4, 4, 0, Normalization::MobileNet, out.data()), bodypix::Error);
  CHECK_THROWS_AS(preprocess(px.data(), 4, 4, 4, 4, 4, static_cast<Normalization>(42), out.data()), bodypix::Error);
}

// ===========================================================================
// Post-processing
// ===========================================================================

namespace {

template <class Dims, class Pad>
void checkPostAgainstTfjs(const Dims& d, const Pad& pad, float threshold, const uint32_t* segBits, const float* parts,
                          const uint32_t* segScores, const uint32_t* partScores, const uint8_t* mask,
                          const int32_t* partMap) {
  const int h = d[0], w = d[1], th = d[2], tw = d[3], lh = d[4], lw = d[5], P = d[6];
  const size_t n = static_cast<size_t>(h) * w;
  const Padding p = bodypix::image::computePadding(h, w, th, tw);
  REQUIRE(p.top == pad[0]);
  REQUIRE(p.bottom == pad[1]);
  REQUIRE(p.left == pad[2]);
  REQUIRE(p.right == pad[3]);
  const std::vector<float> seg = fromBits(segBits, static_cast<size_t>(lh) * lw);

  std::vector<float> scores(n);
  bodypix::test::scaleAndCropToInputTensorShape(seg.data(), 1, {lh, lw, th, tw, p, h, w}, true, scores.data());
  double maxAbs = 0;
  CHECK(countDiffs(scores, fromBits(segScores, n), &maxAbs) == 0);
  CHECK(maxAbs == 0.0);

  std::vector<float> pscores(n * P);
  bodypix::test::scaleAndCropToInputTensorShape(parts, P, {lh, lw, th, tw, p, h, w}, true, pscores.data());
  CHECK(countDiffs(pscores, fromBits(partScores, n * P), &maxAbs) == 0);
  CHECK(maxAbs == 0.0);

  std::vector<uint8_t> m(n);
  bodypix::image::segmentationMask(seg.data(), {lh, lw, th, tw, p, h, w}, threshold, m.data());
  CHECK(countIntDiffs(m, std::vector<uint8_t>(mask, mask + n)) == 0);

  std::vector<int32_t> pm(n);
  std::vector<uint8_t> m2(n);
  bodypix::image::partSegmentation(seg.data(), parts, P, {lh, lw, th, tw, p, h, w}, threshold, pm.data(), m2.data());
  CHECK(countIntDiffs(pm, std::vector<int32_t>(partMap, partMap + n)) == 0);
  CHECK(countIntDiffs(m2, std::vector<uint8_t>(mask, mask + n)) == 0);
}

// Every post-processing entry point against the reference for one input.
void checkPostAgainstReference(const PostCase& c, const std::vector<float>& seg, const std::vector<float>& parts, int P,
                               float threshold) {
  const Padding p = paddingFor(c);
  const size_t n = static_cast<size_t>(c.h) * c.w;
  INFO("image " << c.h << "x" << c.w << " target " << c.targetH << "x" << c.targetW << " logits " << c.lh << "x" << c.lw
                << "x" << P << " padding " << p.top << "," << p.bottom << "," << p.left << "," << p.right
                << " threshold " << threshold);

  const ref::T3 segScores = ref::scaleAndCrop(ref::tensor(seg, c.lh, c.lw, 1), c.targetH, c.targetW, p, c.h, c.w, true);
  const ref::T3 partScores = ref::scaleAndCrop(ref::tensor(parts, c.lh, c.lw, P), c.targetH, c.targetW, p, c.h, c.w,
                                               true);
  const std::vector<int> mask = ref::toMask(segScores, threshold);
  const std::vector<int> partMap = ref::decodeParts(mask, partScores);

  std::vector<float> got(n);
  bodypix::test::scaleAndCropToInputTensorShape(seg.data(), 1, geometryOf(c, p), true, got.data());
  CHECK(countDiffs(got, ref::toFloats(segScores)) == 0);

  std::vector<float> gotParts(n * P);
  bodypix::test::scaleAndCropToInputTensorShape(parts.data(), P, geometryOf(c, p), true, gotParts.data());
  CHECK(countDiffs(gotParts, ref::toFloats(partScores)) == 0);

  // Raw scores (no sigmoid).
  const ref::T3 raw = ref::scaleAndCrop(ref::tensor(parts, c.lh, c.lw, P), c.targetH, c.targetW, p, c.h, c.w, false);
  bodypix::test::scaleAndCropToInputTensorShape(parts.data(), P, geometryOf(c, p), false, gotParts.data());
  CHECK(countDiffs(gotParts, ref::toFloats(raw)) == 0);

  std::vector<uint8_t> m(n, 77);
  bodypix::image::segmentationMask(seg.data(), geometryOf(c, p), threshold, m.data());
  CHECK(countIntDiffs(m, mask) == 0);

  std::vector<int32_t> pm(n, 77);
  std::vector<uint8_t> m2(n, 77);
  bodypix::image::partSegmentation(seg.data(), parts.data(), P, geometryOf(c, p), threshold, pm.data(), m2.data());
  CHECK(countIntDiffs(pm, partMap) == 0);
  CHECK(countIntDiffs(m2, mask) == 0);
  bodypix::image::partSegmentation(seg.data(), parts.data(), P, geometryOf(c, p), threshold,
                                   pm.data());  // without maskOut
  CHECK(countIntDiffs(pm, partMap) == 0);
}

}  // namespace

TEST_CASE("post-processing equals tfjs-backend-cpu bit for bit", "[image][postprocess]") {
  SECTION("padding top/bottom") {
    checkPostAgainstTfjs(kPostADims, kPostAPadding, kPostAThreshold, kPostASeg, kPostAParts, kPostASegScores,
                         kPostAPartScores, kPostAMask, kPostAPartMap);
  }
  SECTION("padding left/right") {
    checkPostAgainstTfjs(kPostBDims, kPostBPadding, kPostBThreshold, kPostBSeg, kPostBParts, kPostBSegScores,
                         kPostBPartScores, kPostBMask, kPostBPartMap);
  }
}

TEST_CASE("post-processing equals the reference on random logits", "[image][postprocess]") {
  std::mt19937 rng(987654321);
  const LogitKind kinds[] = {LogitKind::Uniform, LogitKind::Smooth, LogitKind::Discrete, LogitKind::Saturated,
                             LogitKind::Constant};
  const float thresholds[] = {0.5f, 0.7f, 0.0f, 0.999f};
  int i = 0;
  for (const PostCase& c : postCases()) {
    for (LogitKind kind : kinds) {
      const int P = (i % 3 == 0) ? 24 : (i % 3 == 1) ? 5 : 2;
      const float threshold = thresholds[i % 4];
      ++i;
      const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1,
                                                  kind == LogitKind::Constant ? LogitKind::Smooth : kind);
      const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, P, kind);
      INFO("logit kind " << static_cast<int>(kind));
      checkPostAgainstReference(c, seg, parts, P, threshold);
    }
  }
}

TEST_CASE("post-processing with NaN / infinite logits", "[image][postprocess]") {
  std::mt19937 rng(5);
  for (const PostCase& c :
       {bodyPixCase(37, 53, 0.37, 8), bodyPixCase(120, 160, 0.5, 16), PostCase{31, 29, 40, 35, 50, 47}}) {
    const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1, LogitKind::NonFinite);
    const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, 24, LogitKind::NonFinite);
    checkPostAgainstReference(c, seg, parts, 24, 0.5f);
  }
}

TEST_CASE("post-processing with unusual thresholds", "[image][postprocess]") {
  // tf.greater with thresholds outside [0, 1]: everything / nothing passes,
  // including extrapolated (0) pixels for a negative threshold.
  std::mt19937 rng(77);
  for (const float threshold :
       {-0.5f, 1.0f, 1.5f, std::numeric_limits<float>::quiet_NaN(), 0.2689414f, std::nextafter(0.5f, 0.0f)}) {
    for (const PostCase& c : {bodyPixCase(23, 17, 0.75, 8), bodyPixCase(7, 15, 1.0, 8), bodyPixCase(1, 1, 0.5, 16)}) {
      const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1, LogitKind::Discrete);
      const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, 24, LogitKind::Uniform);
      checkPostAgainstReference(c, seg, parts, 24, threshold);
    }
  }
}

TEST_CASE("mask at logits exactly on the threshold boundary", "[image][postprocess]") {
  // Constant logits make every grid value exactly that logit, so a logit
  // equal to the smallest float whose sigmoid exceeds the threshold (and its
  // predecessor) tests the exact boundary of the mask's fast classification.
  const auto fromOrdered = [](int64_t k) {
    const uint32_t b = k >= 0 ? static_cast<uint32_t>(k) : (0x80000000u | static_cast<uint32_t>(-k));
    return bitsToFloat(b);
  };
  std::mt19937 rng(3);
  for (const float threshold : {0.5f, 0.7f, 0.3f, 0.999f, 1e-6f, 0.9999999f}) {
    int64_t lo = -0x7F800000LL, hi = 0x7F800000LL;  // sig(lo) <= t < sig(hi)
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (bodypix::tfjs::sigmoidF32(fromOrdered(mid)) > threshold ? hi : lo) = mid;
    }
    for (const float x : {fromOrdered(hi), fromOrdered(lo)}) {
      INFO("threshold " << threshold << " logit " << x);
      for (const PostCase& c : {bodyPixCase(23, 17, 0.75, 8), bodyPixCase(37, 53, 0.37, 8)}) {
        const std::vector<float> seg(static_cast<size_t>(c.lh) * c.lw, x);
        const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, 3, LogitKind::Smooth);
        checkPostAgainstReference(c, seg, parts, 3, threshold);
      }
    }
  }
}

TEST_CASE("part map with more channels than the pruning handles", "[image][postprocess]") {
  std::mt19937 rng(11);
  for (const PostCase& c : {bodyPixCase(23, 17, 0.75, 8), bodyPixCase(120, 160, 0.5, 16)}) {
    const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1, LogitKind::Smooth);
    const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, 70, LogitKind::Smooth);
    checkPostAgainstReference(c, seg, parts, 70, 0.3f);
  }
}

TEST_CASE("post-processing of a photo-sized input", "[image][postprocess]") {
  // 1049x861 at 'medium', stride 16 (as the benchmark), smooth logits.
  std::mt19937 rng(2024);
  const PostCase c = bodyPixCase(861, 1049, 0.5, 16);
  REQUIRE(c.targetH == 417);
  REQUIRE(c.targetW == 513);
  const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1, LogitKind::Smooth);
  const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, 24, LogitKind::Smooth);
  const Padding p = paddingFor(c);
  const size_t n = static_cast<size_t>(c.h) * c.w;
  const ref::T3 segScores = ref::scaleAndCrop(ref::tensor(seg, c.lh, c.lw, 1), c.targetH, c.targetW, p, c.h, c.w, true);
  const ref::T3 partScores = ref::scaleAndCrop(ref::tensor(parts, c.lh, c.lw, 24), c.targetH, c.targetW, p, c.h, c.w,
                                               true);
  const std::vector<int> mask = ref::toMask(segScores, 0.7f);
  std::vector<int32_t> pm(n);
  std::vector<uint8_t> m(n);
  bodypix::image::partSegmentation(seg.data(), parts.data(), 24, geometryOf(c, p), 0.7f, pm.data(), m.data());
  CHECK(countIntDiffs(m, mask) == 0);
  CHECK(countIntDiffs(pm, ref::decodeParts(mask, partScores)) == 0);
  // Every pixel masked: the part map everywhere.
  const std::vector<int> all(n, 1);
  bodypix::image::partSegmentation(seg.data(), parts.data(), 24, geometryOf(c, p), -1.0f, pm.data());
  CHECK(countIntDiffs(pm, ref::decodeParts(all, partScores)) == 0);
}

TEST_CASE("pre- and post-processing on a thread pool give one thread's results", "[image][postprocess]") {
  // A pool of its own, ended with the test: wasm builds preload only the
  // Workers the engine's pool may take. Builds without threads get none.
  const std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)> pool(pthreadpool_create(2), pthreadpool_destroy);
  if (!pool) {
    WARN("no thread pool in this build: only one thread to compare with");
    return;
  }
  std::mt19937 rng(31);
  for (const auto& [h, w, th, tw] : {std::array<int, 4>{861, 1049, 417, 513}, {5, 7, 3, 2}, {40, 30, 65, 49}}) {
    for (const int channels : {3, 4}) {
      std::vector<uint8_t> px(static_cast<size_t>(h) * w * channels);
      for (uint8_t& v : px) v = static_cast<uint8_t>(rng());
      for (const auto norm : {bodypix::image::Normalization::MobileNet, bodypix::image::Normalization::ResNet}) {
        std::vector<float> one(static_cast<size_t>(th) * tw * 3), pooled(one.size(), -7.0f);
        const Padding p1 = bodypix::image::preprocess(px.data(), channels, h, w, th, tw, norm, one.data());
        const Padding p2 = bodypix::image::preprocess(px.data(), channels, h, w, th, tw, norm, pooled.data(),
                                                      pool.get());
        CHECK(p1.top == p2.top);
        CHECK(p1.left == p2.left);
        CHECK(countDiffs(one, pooled) == 0);
      }
    }
  }
  std::vector<PostCase> cases = postCases();
  cases.push_back(bodyPixCase(861, 1049, 0.5, 16));
  cases.push_back(bodyPixCase(3, 5, 1.0, 8));  // fewer rows than bands
  int i = 0;
  for (const PostCase& c : cases) {
    for (LogitKind kind : {LogitKind::Smooth, LogitKind::Discrete, LogitKind::NonFinite}) {
      const int P = ++i % 2 ? 24 : 70;  // pruned, and every channel
      const Padding p = paddingFor(c);
      const size_t n = static_cast<size_t>(c.h) * c.w;
      INFO("image " << c.h << "x" << c.w << " logits " << c.lh << "x" << c.lw << "x" << P << " kind "
                    << static_cast<int>(kind));
      const std::vector<float> seg = randomLogits(rng, c.lh, c.lw, 1, LogitKind::Smooth);
      const std::vector<float> parts = randomLogits(rng, c.lh, c.lw, P, kind);
      std::vector<uint8_t> m(n), pooledM(n, 77);
      bodypix::image::segmentationMask(seg.data(), geometryOf(c, p), 0.6f, m.data());
      bodypix::image::segmentationMask(seg.data(), geometryOf(c, p), 0.6f, pooledM.data(), pool.get());
      CHECK(m == pooledM);
      std::vector<int32_t> pm(n), pooledPm(n, 77);
      bodypix::image::partSegmentation(seg.data(), parts.data(), P, geometryOf(c, p), 0.6f, pm.data(), m.data());
      bodypix::image::partSegmentation(seg.data(), parts.data(), P, geometryOf(c, p), 0.6f, pooledPm.data(),
                                       pooledM.data(), pool.get());
      CHECK(pm == pooledPm);
      CHECK(m == pooledM);
      bodypix::image::partSegmentation(seg.data(), parts.data(), P, geometryOf(c, p), 0.6f, pooledPm.data(), nullptr,
                                       pool.get());
      CHECK(pm == pooledPm);
    }
  }
}

TEST_CASE("post-processing validates its arguments", "[image][postprocess]") {
  std::vector<float> logits(4 * 4 * 24, 0.0f);
  std::vector<float> f(16 * 16 * 24);
  std::vector<uint8_t> m(16 * 16);
  std::vector<int32_t> pm(16 * 16);
  const Padding p{};
  const Padding bad{-1, 0, 0, 0};
  using namespace bodypix::image;
  CHECK_THROWS_AS(segmentationMask(nullptr, {4, 4, 49, 49, p, 16, 16}, 0.5f, m.data()), bodypix::Error);
  CHECK_THROWS_AS(segmentationMask(logits.data(), {0, 4, 49, 49, p, 16, 16}, 0.5f, m.data()), bodypix::Error);
  CHECK_THROWS_AS(segmentationMask(logits.data(), {4, 4, 49, 0, p, 16, 16}, 0.5f, m.data()), bodypix::Error);
  CHECK_THROWS_AS(segmentationMask(logits.data(), {4, 4, 49, 49, p, 0, 16}, 0.5f, m.data()), bodypix::Error);
  CHECK_THROWS_AS(segmentationMask(logits.data(), {4, 4, 49, 49, bad, 16, 16}, 0.5f, m.data()), bodypix::Error);
  CHECK_THROWS_AS(segmentationMask(logits.data(), {4, 4, 49, 49, p, 16, 16}, 0.5f, nullptr), bodypix::Error);
  CHECK_THROWS_AS(partSegmentation(logits.data(), nullptr, 24, {4, 4, 49, 49, p, 16, 16}, 0.5f, pm.data()),
                  bodypix::Error);
  CHECK_THROWS_AS(partSegmentation(logits.data(), logits.data(), 0, {4, 4, 49, 49, p, 16, 16}, 0.5f, pm.data()),
                  bodypix::Error);
  CHECK_THROWS_AS(partSegmentation(logits.data(), logits.data(), 24, {4, 4, 49, 49, p, 16, 16}, 0.5f, nullptr),
                  bodypix::Error);
  CHECK_THROWS_AS(bodypix::test::scaleAndCropToInputTensorShape(logits.data(), 0, {4, 4, 49, 49, p, 16, 16}, true,
                                                                f.data()),
                  bodypix::Error);
  try {
    segmentationMask(logits.data(), {4, -3, 49, 49, p, 16, 16}, 0.5f, m.data());
    FAIL("no exception");
  } catch (const bodypix::Error& e) {
    CHECK(std::string(e.what()).find("logits size") != std::string::npos);
  }
}

// ===========================================================================
// Hidden exhaustive checks of the properties the fast paths rely on (about a
// minute each natively): `image_test "[exhaustive]"`.
// ===========================================================================

TEST_CASE("sigmoidF32 is non-decreasing and sigmoidStrictlyBelow is sound over all floats", "[.][exhaustive]") {
  const auto fromOrdered = [](int64_t k) {
    const uint32_t b = k >= 0 ? static_cast<uint32_t>(k) : (0x80000000u | static_cast<uint32_t>(-k));
    return bitsToFloat(b);
  };
  const int64_t first = -0x7F800000LL, last = 0x7F800000LL;  // -inf .. +inf
  float prev = bodypix::tfjs::sigmoidF32(fromOrdered(first));
  int64_t plateauStart = first;
  size_t nonMonotonic = 0, badBounds = 0;
  for (int64_t k = first + 1; k <= last; ++k) {
    const float x = fromOrdered(k);
    const float s = bodypix::tfjs::sigmoidF32(x);
    if (s < prev) ++nonMonotonic;
    if (s != prev) plateauStart = k;
    prev = s;
    const double bound = bodypix::tfjs::sigmoidStrictlyBelow(x);
    if (bound == -INFINITY) continue;
    float y = static_cast<float>(bound);
    if (static_cast<double>(y) >= bound) y = std::nextafter(y, -INFINITY);
    if (!(y < fromOrdered(plateauStart))) ++badBounds;
  }
  CHECK(nonMonotonic == 0);
  CHECK(badBounds == 0);
}

TEST_CASE("MobileNet normalisation shortcut is exact on [0, 255]", "[.][exhaustive]") {
  size_t bad = 0;
  for (uint32_t b = 0;; ++b) {
    const float v = bitsToFloat(b);
    if (!(v <= 255.0f)) break;
    const float js = static_cast<float>(static_cast<double>(static_cast<float>(v / 127.5)) - 1.0);
    const float fast = static_cast<float>(static_cast<double>(v) * (1.0 / 127.5)) - 1.0f;
    bad += floatBits(js) != floatBits(fast);
  }
  CHECK(bad == 0);
}
