#!/usr/bin/env bash
# The Debian 13 (trixie) root that every Wasm flavour is built in. Its
# Emscripten 3.1.69 (clang 19) has native Wasm exceptions that work with
# threads, the standard Relaxed SIMD opcodes and ES module glue that node
# runs; Debian 12's 3.1.6 has none of these, and trixie's clang needs
# trixie's libc, so it runs in a chroot.
#
#   scripts/buildroot.sh               make the root if needed (~2 min, once)
#   scripts/buildroot.sh run CMD...    run CMD in the root, in the current
#                                      folder
#
# CMD sees the checkout, the cache's build and source folders and the shared
# folder at their own paths, in a private mount namespace: the mounts vanish
# with CMD, however it ends, so nothing outside ever sees them.
#
# Sourced by build.sh and test.sh for buildroot_ensure and in_buildroot.
# Environment: as for build.sh (BODYPIX_CACHE, BODYPIX_SHARED).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  . "$repo/scripts/lib.sh"
fi

# What the root holds. Changing the list makes a new root beside the old.
buildroot_packages=(emscripten cmake ninja-build python3 nlohmann-json3-dev)
# Catch2 stays the host's 2.13 (one header, also used by the native build):
# trixie's is Catch2 3, a compiled library.
buildroot_host_dirs=(/usr/include/catch2)

buildroot_dir="$BODYPIX_CACHE/buildroot/trixie-$(printf '%s\n' "${buildroot_packages[@]}" | sha256sum | cut -c1-10)"

# buildroot_ensure: makes the root unless a checked one is there.
buildroot_ensure() {
  [ -f "$buildroot_dir/.bodypix-ready" ] && return 0
  mkdir -p "$(dirname "$buildroot_dir")"
  hold_lock "$buildroot_dir.lock" buildroot
  [ -f "$buildroot_dir/.bodypix-ready" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "buildroot: making the Debian 13 build root needs root (debootstrap, chroot)" >&2
    exit 1
  fi
  local mirror part="$buildroot_dir.part" log start
  mirror=$(trixie_src_uri)
  if [ -z "$mirror" ]; then
    echo "buildroot: no apt entry for trixie's archive: run scripts/setup.sh" >&2
    exit 1
  fi
  log="$(dirname "$buildroot_dir")/make.log"
  : >"$log"
  rm -rf "$part"
  start=$(now)
  echo "buildroot: debootstrap Debian 13 (minbase) into $part (~2 min)"
  if ! debootstrap --variant=minbase trixie "$part" "$mirror" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "buildroot: debootstrap FAILED (log: $log)" >&2
    exit 1
  fi
  cp /etc/resolv.conf "$part/etc/resolv.conf" 2>/dev/null || true
  # CMake fetches XNNPACK's sources with apt-get source (cmake/DebianSources.cmake).
  printf 'deb-src %s trixie main\n' "$mirror" >>"$part/etc/apt/sources.list"
  echo "buildroot: installing ${buildroot_packages[*]} in the root (~3 min)"
  if ! chroot "$part" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      sh -c 'apt-get update && apt-get install -y --no-install-recommends "$@" && apt-get clean' _ \
      "${buildroot_packages[@]}" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "buildroot: apt-get install in the root FAILED (log: $log)" >&2
    exit 1
  fi
  local dir
  for dir in "${buildroot_host_dirs[@]}"; do mkdir -p "$part$dir"; done
  # A root left by a run that failed its check: mv would nest the new one in it.
  rm -rf "$buildroot_dir"
  mv "$part" "$buildroot_dir"
  local version
  version=$(in_buildroot emcc --version 2>>"$log" | head -n 1 || true)
  # The build's flags and the glue fix-ups (cmake/PthreadWorkerUrl.cmake)
  # were made for this version.
  if [[ "$version" != *" 3.1.69 "* ]]; then
    tail -n 30 "$log" >&2
    echo "buildroot: expected Emscripten 3.1.69 in the root, got '${version:-nothing}' (log: $log)" >&2
    exit 1
  fi
  touch "$buildroot_dir/.bodypix-ready"
  echo "buildroot: ready in $(( $(now) - start ))s: $version"
}

# in_buildroot CMD...: runs CMD in the root, in the current folder.
in_buildroot() {
  local binds=("$repo" "$BODYPIX_CACHE/build" "$BODYPIX_CACHE/sources" "${buildroot_host_dirs[@]}")
  [ -d "$BODYPIX_SHARED" ] && binds+=("$BODYPIX_SHARED")
  mkdir -p "$BODYPIX_CACHE/build" "$BODYPIX_CACHE/sources"
  unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 cwd=$2 nbinds=$3
    shift 3
    for dir in "${@:1:$nbinds}"; do
      mkdir -p "$root$dir"
      mount --bind "$dir" "$root$dir"
    done
    shift "$nbinds"
    mount --bind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
      PATH=/usr/local/bin:/usr/bin:/bin \
      BODYPIX_CACHE="$BODYPIX_CACHE" BODYPIX_SHARED="$BODYPIX_SHARED" ${CI:+CI="$CI"} \
      sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' _ "$buildroot_dir" "$PWD" "${#binds[@]}" "${binds[@]}" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  buildroot_ensure
  if [ "${1:-}" = run ]; then
    shift
    in_buildroot "$@"
  fi
fi
