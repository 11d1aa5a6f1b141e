#!/usr/bin/env bash
# Builds the wasm flavours with Emscripten 3.1.69 in the Debian 13 build root
# (scripts/buildroot.sh), copies bodypix-<flavour>.{mjs,wasm} into
# <repo>/dist/ and bundles the package's modules there (scripts/bundle.mjs).
#
#   scripts/build.sh                      all flavours: relaxed-simd-threads
#                                         simd-threads relaxed-simd simd baseline
#   scripts/build.sh simd baseline        just these
#   scripts/build.sh --print-build-dir simd   where that flavour's build dir is
#                                             (run `ctest` there for C++ tests)
#
# Environment: BODYPIX_CACHE (default ~/.cache/bodypix-wasm) holds sources and
# build dirs; BODYPIX_SHARED (default <repo>/../shared); BODYPIX_BUILD_TYPE
# (default Release); BODYPIX_JOBS (default nproc).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all_flavours=(relaxed-simd-threads simd-threads relaxed-simd simd baseline)

. "$repo/scripts/lib.sh"
. "$repo/scripts/buildroot.sh"
build_type="${BODYPIX_BUILD_TYPE:-Release}"

print_build_dir=0
flavours=()
for arg in "$@"; do
  case "$arg" in
    --print-build-dir) print_build_dir=1 ;;
    relaxed-simd-threads|simd-threads|relaxed-simd|simd|baseline) flavours+=("$arg") ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
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
buildroot_ensure

hold_lock "$build_root/.lock" build
mkdir -p "$repo/dist"

for flavour in "${flavours[@]}"; do
  dir="$build_root/$flavour"
  start=$(now)
  # A tree configured by another toolchain cannot be reconfigured in place.
  if [ "$(cat "$dir/.bodypix-buildroot" 2>/dev/null || true)" != "$buildroot_dir" ]; then
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  printf '%s\n' "$buildroot_dir" >"$dir/.bodypix-buildroot"
  if [ ! -f "$dir/build.ninja" ] ||
     [ "$(cached BODYPIX_CACHE_DIR "$dir")" != "$BODYPIX_CACHE" ] ||
     [ "$(cached BODYPIX_SHARED_DIR "$dir")" != "$BODYPIX_SHARED" ] ||
     [ "$(cached CMAKE_BUILD_TYPE "$dir")" != "$build_type" ]; then
    cmake_configure "build: $flavour" "$dir" in_buildroot emcmake cmake -S "$repo" -B "$dir" -G Ninja \
      -DBODYPIX_FLAVOUR="$flavour" \
      -DCMAKE_BUILD_TYPE="$build_type" \
      -DBODYPIX_CACHE_DIR="$BODYPIX_CACHE" \
      -DBODYPIX_SHARED_DIR="$BODYPIX_SHARED"
  fi
  cmake_compile "build: $flavour" "$dir" in_buildroot
  copied=""
  for ext in mjs wasm; do
    out="$dir/dist/bodypix-$flavour.$ext"
    [ -f "$out" ] || continue
    if ! cmp -s "$out" "$repo/dist/bodypix-$flavour.$ext"; then
      cp "$out" "$repo/dist/bodypix-$flavour.$ext.tmp"
      mv "$repo/dist/bodypix-$flavour.$ext.tmp" "$repo/dist/bodypix-$flavour.$ext"
    fi
    copied+=" .$ext"
  done
  echo "build: $flavour done in $(( $(now) - start ))s; dist:$copied"
done

node "$repo/scripts/bundle.mjs"
echo "build: bundle done; dist: bodypix-wasm.js worker.js"

