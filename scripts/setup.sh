#!/usr/bin/env bash
# Installs what building and testing bodypix-wasm needs on a Debian 12
# machine. Safe to run any number of times: it only acts (and only speaks)
# when something is missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/scripts/lib.sh"

say() { printf 'setup: %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
else
  as_root=(sudo)
fi

# chromium: the browser tests drive it through playwright-core (which brings
# no browser of its own).
# clang, libclang-rt-14-dev (sanitizer runtimes, libFuzzer), libcpuinfo-dev:
# the native sanitizer and fuzzing build (scripts/test-native.sh).
# ninja-build: a no-op rebuild of ~2000 XNNPACK objects takes well under a
# second with ninja (make needs several per flavour).
# debootstrap: the Debian 13 root that holds the Wasm toolchain
# (scripts/buildroot.sh).
# clang-format: scripts/format.sh (the style is checked with its version 14).
packages=(
  debootstrap nlohmann-json3-dev catch2
  cmake make ninja-build python3 xz-utils ca-certificates
  chromium
  clang clang-format libclang-rt-14-dev libcpuinfo-dev
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing+=("$pkg") ;;
  esac
done

# XNNPACK, pthreadpool and FXdiv come from trixie's source packages (bookworm
# has no usable xnnpack source). A deb-src-only entry lets apt download
# sources from trixie without ever offering its binaries for install.
need_update=0
if [ -z "$(trixie_src_uri)" ]; then
  say "adding the Debian trixie deb-src entry (source downloads only)"
  echo 'deb-src http://deb.debian.org/debian trixie main' |
    "${as_root[@]}" tee /etc/apt/sources.list.d/trixie-src.list >/dev/null
  need_update=1
fi
# The entry may be there while its index was never fetched (fresh machine,
# cleaned lists).
if ! compgen -G '/var/lib/apt/lists/*_dists_trixie_*Sources*' >/dev/null; then
  need_update=1
fi
if [ "${#missing[@]}" -gt 0 ]; then
  need_update=1
fi

# apt's chatter goes to a log, shown only when it fails.
apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
run_apt() {
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    say "apt-get $1 failed" >&2
    exit 1
  fi
}
if [ "$need_update" -eq 1 ]; then
  say "apt-get update"
  run_apt update
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  run_apt install -y --no-install-recommends "${missing[@]}"
fi

# JS dependencies (TF.js reference implementation, image codecs) for the
# parity tests and benchmarks, and ESLint (npm run lint).
if [ -f "$repo/package.json" ]; then
  if [ ! -d "$repo/node_modules" ] ||
     { [ -f "$repo/package-lock.json" ] && [ "$repo/package-lock.json" -nt "$repo/node_modules" ]; }; then
    if [ -f "$repo/package-lock.json" ]; then
      say "npm ci"
      (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error)
    else
      say "npm install"
      (cd "$repo" && npm install --no-audit --no-fund --loglevel=error)
    fi
    # npm leaves the folder's mtime alone when nothing changed: without this
    # a lock file touched by git would trigger npm on every run.
    touch "$repo/node_modules"
  fi
fi
