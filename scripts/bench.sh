#!/usr/bin/env bash
# Builds what is missing, then runs the Node benchmark (scripts/bench.mjs).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/build.sh" >&2
# Node 20 runs the relaxed-simd-threads flavour only with this flag.
node --experimental-wasm-relaxed-simd "$repo/scripts/bench.mjs" "$@"
# bench.mjs's cold column loads everything in one process; a first-time
# user's cold start, against the peer's, takes fresh processes.
echo
node --experimental-wasm-relaxed-simd "$repo/scripts/bench-cold.mjs"
