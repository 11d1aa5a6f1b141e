#!/usr/bin/env bash
# Builds what is missing, then runs the Node benchmark (scripts/bench.mjs).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/build.sh" >&2
node "$repo/scripts/bench.mjs" "$@"
