# Shared by scripts/build.sh (the Wasm flavours) and scripts/test-native.sh
# (the native sanitizer build): where sources and build trees live, one
# build of a tree at a time, and CMake steps that keep their output in a log
# and show only the part that explains a failure.
# Sourced with $repo set; sets BODYPIX_CACHE, BODYPIX_SHARED and jobs.

export BODYPIX_CACHE="${BODYPIX_CACHE:-$HOME/.cache/bodypix-wasm}"
mkdir -p "$BODYPIX_CACHE"
BODYPIX_CACHE=$(cd "$BODYPIX_CACHE" && pwd)
BODYPIX_SHARED="${BODYPIX_SHARED:-$repo/../shared}"
if [ -d "$BODYPIX_SHARED" ]; then
  BODYPIX_SHARED=$(cd "$BODYPIX_SHARED" && pwd)
fi
export BODYPIX_SHARED
jobs="${BODYPIX_JOBS:-$(nproc)}"

# One build tree per checkout: two clones building at once must not share
# (and keep invalidating) one CMake cache.
build_root="$BODYPIX_CACHE/build/$(basename "$repo")-$(printf '%s' "$repo" | sha256sum | cut -c1-10)"

now() { date +%s; }

# cached VAR DIR: VAR's value in DIR's CMake cache (empty if unconfigured).
cached() { sed -n "s|^$1:[A-Z]*=||p" "$2/CMakeCache.txt" 2>/dev/null; }

# hold_lock FILE TAG: two builds of one tree at once (npm start beside npm
# test) would run two ninjas in it: the second waits for the first. Each call
# takes a lock of its own, which lasts as long as the calling script.
hold_lock() {
  local fd
  mkdir -p "$(dirname "$1")"
  exec {fd}>"$1"
  if ! flock -n "$fd"; then
    echo "$2: waiting for another build to finish"
    flock "$fd"
  fi
}

# cmake_configure TAG DIR COMMAND...: runs the configure COMMAND, logged.
cmake_configure() {
  local tag=$1 dir=$2
  shift 2
  echo "$tag: configure ($dir)"
  if ! "$@" >"$dir/configure.log" 2>&1; then
    tail -n 40 "$dir/configure.log" >&2
    echo "$tag: configure FAILED (log: $dir/configure.log)" >&2
    exit 1
  fi
}

# cmake_compile TAG DIR [WRAPPER...]: builds DIR, logged; WRAPPER runs the
# build (in_buildroot for the Wasm flavours).
cmake_compile() {
  local tag=$1 dir=$2
  shift 2
  echo "$tag: compile"
  if ! "$@" cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
    grep -E -B2 -A12 'error|FAILED' "$dir/build.log" | head -n 80 >&2 || tail -n 60 "$dir/build.log" >&2
    echo "$tag: compile FAILED (log: $dir/build.log)" >&2
    exit 1
  fi
}

# trixie_src_uri: the archive URI of the apt entry that offers trixie's
# sources (setup.sh adds one), empty if there is none. The build root is
# bootstrapped from the same archive.
trixie_src_uri() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    sed -nE 's/^[[:space:]]*deb-src[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+trixie([[:space:]].*)?$/\2/p' "$f"
  done | head -n 1 | grep . && return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822: one stanza carrying both "Types: ... deb-src" and "Suites: ... trixie".
    awk 'BEGIN{RS=""} /(^|\n)Types:[^\n]*deb-src/ && /(^|\n)Suites:[^\n]*(^|[[:space:]])trixie([[:space:]]|\n|$)/ {
      if (match($0, /(^|\n)URIs:[[:space:]]*[^[:space:]\n]+/)) { u = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[[:space:]]*/, "", u); print u; exit }
    }' "$f"
  done | head -n 1
}
