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
# test) would run two ninjas in it: the second waits for the first. The lock
# lasts as long as the calling script.
hold_lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  if ! flock -n 9; then
    echo "$2: waiting for another build of this checkout to finish"
    flock 9
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

# cmake_compile TAG DIR: builds DIR, logged.
cmake_compile() {
  local tag=$1 dir=$2
  echo "$tag: compile"
  if ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
    grep -E -B2 -A12 'error|FAILED' "$dir/build.log" | head -n 80 >&2 || tail -n 60 "$dir/build.log" >&2
    echo "$tag: compile FAILED (log: $dir/build.log)" >&2
    exit 1
  fi
}
