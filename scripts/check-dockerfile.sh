#!/usr/bin/env bash
# Checks webhook/Dockerfile without a Docker engine (CI machines have none): the build stage's
# COPY lines must bring in everything the package manifest refers to. SwiftPM validates every
# target's path, test targets included, even when it builds one product, so a directory the
# Dockerfile forgets fails `docker build` at its first `swift build`.
#
# Copies exactly what the build stage COPYs into an empty directory, then asks SwiftPM to load
# the manifest there (`swift package describe`: no download, no compilation).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKERFILE=${DOCKERFILE:-webhook/Dockerfile}  # or another Dockerfile to check
CONTEXT=$(mktemp -d /tmp/dockerfile-context.XXXXXX)
trap 'rm -rf "$CONTEXT"' EXIT

copied=0
# COPY lines of the build stage: those without --from (the runtime stage copies from the build).
while read -r _ src dst; do
  if [ ! -e "$src" ]; then
    echo "$DOCKERFILE: COPY $src: no such file or directory in the repository" >&2
    exit 1
  fi
  # Where it lands in the image's WORKDIR: `COPY x ./` keeps the name, `COPY x ./y` renames.
  case $dst in */) target="$dst$(basename "$src")" ;; *) target=$dst ;; esac
  mkdir -p "$CONTEXT/$(dirname "$target")"
  cp -R "$src" "$CONTEXT/$target"
  copied=$((copied + 1))
done < <(grep -E '^COPY ' "$DOCKERFILE" | grep -v -- '--from')

if ! output=$(cd "$CONTEXT" && swift package describe 2>&1 >/dev/null); then
  echo "$DOCKERFILE: the build stage's files do not make a loadable package:" >&2
  echo "$output" >&2
  echo "(add the missing directory to the COPY lines of the build stage)" >&2
  exit 1
fi
# Scripts the build stage runs must be among what it copied.
for script in $(grep -E '^RUN ' "$DOCKERFILE" | grep -oE 'scripts/[A-Za-z0-9_.-]+' | sort -u); do
  [ -f "$CONTEXT/$script" ] || { echo "$DOCKERFILE: RUN uses $script, which no COPY line brings in" >&2; exit 1; }
done
echo "$DOCKERFILE: the $copied COPY sources of the build stage make a loadable package"
