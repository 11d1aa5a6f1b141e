#!/usr/bin/env bash
# Builds the wasm flavours and copies bodypix-<flavour>.{js,wasm,worker.js}
# into <repo>/dist/.
#
#   scripts/build.sh                      all flavours: simd-threads simd baseline
#   scripts/build.sh simd baseline        just these
#   scripts/build.sh --print-build-dir simd   where that flavour's build dir is
#                                             (run `ctest` there for C++ tests)
#
# Environment: BODYPIX_CACHE (default ~/.cache/bodypix-wasm) holds sources and
# build dirs; BODYPIX_SHARED (default <repo>/../shared); BODYPIX_BUILD_TYPE
# (default Release); BODYPIX_JOBS (default nproc).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all_flavours=(simd-threads simd baseline)

. "$repo/scripts/lib.sh"
build_type="${BODYPIX_BUILD_TYPE:-Release}"

print_build_dir=0
flavours=()
for arg in "$@"; do
  case "$arg" in
    --print-build-dir) print_build_dir=1 ;;
    simd-threads|simd|baseline) flavours+=("$arg") ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "build: unknown flavour or option '$arg' (flavours: ${all_flavours[*]})" >&2; exit 2 ;;
  esac
done
if [ "${#flavours[@]}" -eq 0 ]; then
  flavours=("${all_flavours[@]}")
fi
if [ "$print_build_dir" -eq 1 ]; then
  for f in "${flavours[@]}"; do echo "$build_root/$f"; done
  exit 0
fi

bash "$repo/scripts/setup.sh"

hold_lock "$build_root/.lock" build

# Emscripten's JS optimizer imports acorn, which Debian installs here.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
node_bin=$(command -v node)

mkdir -p "$repo/dist"
# The repo's package.json says "type": "module", which would make node load
# Emscripten's CommonJS-style output (and the pthread worker script) as ES
# modules and fail on require(). This marks dist/ as CommonJS.
dist_pkg='{ "type": "commonjs" }'
if [ "$(cat "$repo/dist/package.json" 2>/dev/null || true)" != "$dist_pkg" ]; then
  printf '%s\n' "$dist_pkg" > "$repo/dist/package.json"
fi

for flavour in "${flavours[@]}"; do
  dir="$build_root/$flavour"
  start=$(now)
  mkdir -p "$dir"
  if [ ! -f "$dir/build.ninja" ] ||
     [ "$(cached BODYPIX_CACHE_DIR "$dir")" != "$BODYPIX_CACHE" ] ||
     [ "$(cached BODYPIX_SHARED_DIR "$dir")" != "$BODYPIX_SHARED" ] ||
     [ "$(cached CMAKE_BUILD_TYPE "$dir")" != "$build_type" ]; then
    cmake_configure "build: $flavour" "$dir" emcmake cmake -S "$repo" -B "$dir" -G Ninja \
      -DBODYPIX_FLAVOUR="$flavour" \
      -DCMAKE_BUILD_TYPE="$build_type" \
      -DBODYPIX_CACHE_DIR="$BODYPIX_CACHE" \
      -DBODYPIX_SHARED_DIR="$BODYPIX_SHARED" \
      "-DCMAKE_CROSSCOMPILING_EMULATOR=$node_bin;--no-experimental-fetch"
  fi
  cmake_compile "build: $flavour" "$dir"
  copied=""
  for ext in js wasm worker.js; do
    out="$dir/dist/bodypix-$flavour.$ext"
    [ -f "$out" ] || continue
    if ! cmp -s "$out" "$repo/dist/bodypix-$flavour.$ext"; then
      cp "$out" "$repo/dist/bodypix-$flavour.$ext.tmp"
      mv "$repo/dist/bodypix-$flavour.$ext.tmp" "$repo/dist/bodypix-$flavour.$ext"
    fi
    copied+=" .$ext"
  done
  if [ -z "$copied" ]; then
    copied=" nothing (no bindings/*.cpp yet)"
  fi
  echo "build: $flavour done in $(( $(now) - start ))s; dist:$copied"
done
