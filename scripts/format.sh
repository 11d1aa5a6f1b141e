#!/usr/bin/env bash
# Formats the C++ sources with clang-format and the repository's .clang-format.
#
#   scripts/format.sh           formats them in place
#   scripts/format.sh --check   changes nothing: names each file that differs
#                               from clang-format's output and exits 1 if any
#
# Files: src/, bindings/, tests/cpp/ and tests/fuzz/*.{cpp,h} (not
# tests/fuzz/regressions: fuzzer inputs). CLANG_FORMAT names the binary
# (default clang-format). The style is checked with clang-format 14, Debian
# 12's, which scripts/setup.sh installs; other versions may format some lines
# differently.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

check=0
case "${1:-}" in
  --check) check=1 ;;
  '') ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "format: unknown option '$1' (scripts/format.sh [--check])" >&2; exit 2 ;;
esac

clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null; then
  echo "format: $clang_format not found (scripts/setup.sh installs Debian's clang-format)" >&2
  exit 1
fi

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  { find src bindings tests/cpp -type f \( -name '*.cpp' -o -name '*.h' \) -print0
    find tests/fuzz -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.h' \) -print0
  } | sort -z)

if [ "$check" -eq 0 ]; then
  "$clang_format" -i --style=file "${files[@]}"
  exit 0
fi

differ=0
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file "$f" | cmp -s - "$f"; then
    changed=$("$clang_format" --style=file "$f" | diff "$f" - | grep -c '^<' || true)
    echo "format: $f differs from clang-format ($changed line(s))"
    differ=$((differ + 1))
  fi
done
if [ "$differ" -gt 0 ]; then
  version=$("$clang_format" --version)
  echo "format: $differ of ${#files[@]} files need scripts/format.sh ($version)" >&2
  exit 1
fi
