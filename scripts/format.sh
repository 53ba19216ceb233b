#!/usr/bin/env bash
# The tree's Swift formatting (.swift-format: 4 spaces, lines of 120, as swift-nio).
#   scripts/format.sh          rewrite every Swift file in place
#   scripts/format.sh --check  change nothing; list what is not formatted and exit 1 (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v swift-format >/dev/null; then
  FORMAT=(swift-format)
elif swift format --version >/dev/null 2>&1; then
  FORMAT=(swift format)
else
  echo "format: swift-format not found (it ships with Swift 6 toolchains)" >&2
  exit 2
fi
# Generated files carry `// swift-format-ignore-file`; Fuzz/Modules holds symlinks to Sources.
mapfile -t FILES < <(git ls-files -- '*.swift' ':!:Fuzz/Modules/**')
if [ "${1:-}" = "--check" ]; then
  if ! out=$("${FORMAT[@]}" lint --strict --parallel "${FILES[@]}" 2>&1); then
    echo "$out" | head -n 40
    echo "format: $(echo "$out" | cut -d: -f1 | sort -u | wc -l) file(s) not formatted; run scripts/format.sh (make format)" >&2
    exit 1
  fi
  echo "format: ${#FILES[@]} Swift files formatted"
else
  "${FORMAT[@]}" format --in-place --parallel "${FILES[@]}"
fi
