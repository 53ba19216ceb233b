#!/usr/bin/env bash
# A Debian bookworm minbase root filesystem made by mmdebstrap from Debian's packages, cached
# under .build/rootfs/ and keyed by what goes into it: only the first run (or a changed package
# list) downloads. Prints the cached root's path. Callers copy it before changing anything.
#
#   scripts/rootfs.sh [PACKAGE...]
# (minbase, Priority required and apt, is what `debian:bookworm-slim` is made of.)
# Needs root (mmdebstrap's root mode) and `mmdebstrap` (`make deps` installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(printf '%s\n' "$@" | sort -u | paste -sd, -)

args=(--mode=root --variant=minbase --format=directory)
[ -n "$packages" ] && args+=("--include=$packages")
sources=("deb http://deb.debian.org/debian bookworm main"
         "deb http://deb.debian.org/debian bookworm-updates main"
         "deb http://deb.debian.org/debian-security bookworm-security main")

key=$(printf '%s\n' "${args[@]}" "${sources[@]}" | sha256sum | cut -c1-16)
root="$PWD/.build/rootfs/bookworm-$key"
if [ ! -f "$root.done" ]; then
  command -v mmdebstrap >/dev/null || { echo "rootfs: mmdebstrap is not installed (make deps)" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "rootfs: mmdebstrap's root mode needs root" >&2; exit 1; }
  echo "rootfs: building bookworm minbase${packages:+ + $packages} into $root" >&2
  rm -rf "$root" "$root.tmp"
  mkdir -p "$(dirname "$root")"
  mmdebstrap "${args[@]}" bookworm "$root.tmp" "${sources[@]}" </dev/null >&2
  mv "$root.tmp" "$root"
  printf '%s\n' "${args[@]}" >"$root.done"
fi
echo "$root"
