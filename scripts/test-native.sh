#!/usr/bin/env bash
# Native sanitizer and fuzzing run (clang, AddressSanitizer +
# UndefinedBehaviorSanitizer; see cmake/Native.cmake):
#   1. builds the engine, XNNPACK and the C++ unit tests natively into
#      $BODYPIX_CACHE/build/<checkout>/native-asan (XNNPACK once, ~10 min on
#      2 cores; then only what changed);
#   2. runs the unit tests and a replay of the fuzz seed corpus via ctest;
#   3. fuzzes the model loader (tests/fuzz/model_fuzz.cpp) for
#      BODYPIX_FUZZ_SECONDS (default 60; 0 skips it), one process, starting
#      from the seeds (and the fixed findings in tests/fuzz/regressions).
# Exits non-zero on a failed test or any fuzzer finding; a finding's input
# is kept in <build>/fuzz-artifacts/ and the log says how to replay it.
#
# Environment: BODYPIX_CACHE, BODYPIX_SHARED, BODYPIX_JOBS as for build.sh;
# BODYPIX_FUZZ_SECONDS, BODYPIX_FUZZ_SEED (default 1; 0 = random).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_seconds="${BODYPIX_FUZZ_SECONDS:-60}"
. "$repo/scripts/lib.sh"

# Beside the wasm flavours' build folders of this checkout.
dir="$build_root/native-asan"

bash "$repo/scripts/setup.sh"

mkdir -p "$dir"
hold_lock "$dir.lock" test-native

start=$(now)

if [ ! -f "$dir/build.ninja" ] || [ "$(cached BODYPIX_FUZZ "$dir")" != "ON" ] ||
   [ "$(cached BODYPIX_CACHE_DIR "$dir")" != "$BODYPIX_CACHE" ] ||
   [ "$(cached BODYPIX_SHARED_DIR "$dir")" != "$BODYPIX_SHARED" ]; then
  # RelWithDebInfo: optimised enough to fuzz fast, with line numbers in reports.
  cmake_configure test-native "$dir" cmake -S "$repo" -B "$dir" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBODYPIX_SANITIZE=address,undefined -DBODYPIX_FUZZ=ON \
    -DBODYPIX_CACHE_DIR="$BODYPIX_CACHE" \
    -DBODYPIX_SHARED_DIR="$BODYPIX_SHARED"
fi
cmake_compile test-native "$dir"
echo "test-native: built in $(( $(now) - start ))s"

echo "test-native: C++ unit tests and seed replay under ASan+UBSan"
(cd "$dir" && ctest --output-on-failure)

if [ "$fuzz_seconds" -gt 0 ]; then
  echo "test-native: fuzzing the model loader for ${fuzz_seconds}s"
  # A fresh corpus each time: one kept across runs grows by tens of MB a
  # minute (variants of the real model), and replaying it at start-up would
  # eat the time budget.
  corpus="$dir/fuzz-corpus"
  artifacts="$dir/fuzz-artifacts"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  # ctest wrote the seeds; the first folder is the one libFuzzer adds to.
  # nice: the machine's other work should not wait for the fuzzer. A fixed
  # seed (BODYPIX_FUZZ_SEED) makes the run repeatable; set another, or 0 for
  # a random one, to explore further.
  set +e
  nice -n 10 "$dir/fuzz/bodypix_model_fuzz" \
      -seed="${BODYPIX_FUZZ_SEED:-1}" \
      -max_total_time="$fuzz_seconds" -timeout=30 -rss_limit_mb=2048 \
      -dict="$repo/tests/fuzz/model.dict" \
      -artifact_prefix="$artifacts/" -print_final_stats=1 \
      "$corpus" "$dir/fuzz-seeds" "$repo/tests/fuzz/regressions" >"$dir/fuzz.log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$dir/fuzz.log" || true
  if [ "$rc" -ne 0 ]; then
    grep -E -A40 '==ERROR|runtime error|deadly signal|Timeout|out-of-memory|uncaught' "$dir/fuzz.log" | head -n 80 >&2 ||
      tail -n 60 "$dir/fuzz.log" >&2
    echo "test-native: the fuzzer found a problem (log: $dir/fuzz.log; input in $artifacts/;" \
      "replay: $dir/fuzz/bodypix_model_fuzz <input>)" >&2
    exit 1
  fi
fi
echo "test-native: done in $(( $(now) - start ))s"
