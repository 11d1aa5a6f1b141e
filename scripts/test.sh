#!/usr/bin/env bash
# Builds what is missing, then runs every test: ESLint and the C++ format
# check, the C++ unit tests (Catch2, as Wasm under node, once per flavour,
# and natively under sanitizers), the JS tests (node's test runner: API, bad
# input, and parity with body-pix on tfjs-backend-cpu) and the browser tests
# (the package in Chromium pages and workers).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
. scripts/lib.sh
. scripts/buildroot.sh

# Seconds each, so they come before a build that takes minutes. setup.sh
# provides ESLint (npm ci) and clang-format.
bash scripts/setup.sh
echo "test: lint (ESLint: npm run lint)"
npm run --silent lint
echo "test: C++ format (scripts/format.sh --check)"
bash scripts/format.sh --check

bash scripts/build.sh

# In the build root, whose node the build configured.
for flavour in relaxed-simd-threads simd-threads relaxed-simd simd baseline; do
  echo "test: C++ unit tests, $flavour"
  (cd "$(bash scripts/build.sh --print-build-dir "$flavour")" && in_buildroot ctest --output-on-failure)
done

# The same C++ built natively with AddressSanitizer and UBSan, then libFuzzer
# on the model loader and graph builder for a bounded time.
echo "test: native ASan+UBSan unit tests and ${BODYPIX_FUZZ_SECONDS:-60} s of fuzzing"
bash scripts/test-native.sh

# tfjs-cpu, the reference, is single-threaded and slow: compute its results
# on every core once, into the cache the parity tests read.
echo "test: reference results (body-pix on tfjs-backend-cpu)"
node tests/reference/warm-cache.mjs --jobs "$(nproc)"

# Node 20 runs the relaxed-simd-threads flavour only with this flag; the test
# runner passes it on to every test file's process.
node_flags=(--experimental-wasm-relaxed-simd)

echo "test: JS tests"
# A hang fails its test instead of holding CI until its deadline.
node "${node_flags[@]}" --test --test-timeout=600000 tests/js/

# Chromium through playwright-core; tests/support/browser.mjs skips them
# loudly without /usr/bin/chromium, or fails them under CI=true.
echo "test: browser tests"
node "${node_flags[@]}" --test --test-timeout=600000 tests/browser/
