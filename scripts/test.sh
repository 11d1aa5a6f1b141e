#!/usr/bin/env bash
# Builds what is missing, then runs every test: ESLint and the C++ format
# check, the C++ unit tests (Catch2, as Wasm under node, once per flavour,
# and natively under sanitizers), the JS tests (node's test runner: API, bad
# input, and parity with body-pix on tfjs-backend-cpu) and the browser tests
# (the package in Chromium pages and workers).
#
#   scripts/test.sh           everything (npm test)
#   scripts/test.sh --quick   the edit-test loop (npm run test:quick): builds
#                             the simd flavour only and runs the JS tests on
#                             it; no lint, C++ tests or browser tests
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  '') ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "test: unknown option '$1' (scripts/test.sh [--quick])" >&2; exit 2 ;;
esac

. scripts/lib.sh
. scripts/buildroot.sh

if [ "$quick" -eq 1 ]; then
  bash scripts/build.sh simd
  # The JS tests that loop over flavours run this one only, and loads that
  # would take the engine's default flavour take it (tests/support/flavours.mjs).
  export BODYPIX_TEST_FLAVOURS=simd
else
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
fi

# tfjs-cpu, the reference, is single-threaded and slow: compute its results
# on every core once, into the cache the parity tests read.
echo "test: reference results (body-pix on tfjs-backend-cpu)"
node tests/reference/warm-cache.mjs --jobs "$(nproc)"

# Node 20 runs the relaxed-simd-threads flavour only with this flag; the test
# runner passes it on to every test file's process.
node_flags=(--experimental-wasm-relaxed-simd)

echo "test: JS tests${BODYPIX_TEST_FLAVOURS:+ (flavours: $BODYPIX_TEST_FLAVOURS)}"
# A hang fails its test instead of holding CI until its deadline.
node "${node_flags[@]}" --test --test-timeout=600000 tests/js/

if [ "$quick" -eq 1 ]; then
  exit 0
fi

# Chromium through playwright-core; tests/support/browser.mjs skips them
# loudly without /usr/bin/chromium, or fails them under CI=true.
echo "test: browser tests"
node "${node_flags[@]}" --test --test-timeout=600000 tests/browser/
