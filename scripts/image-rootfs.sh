#!/usr/bin/env bash
# `make image-rootfs ROOTFS=DIR`: the filesystem of webhook/Dockerfile's runtime stage, without
# Docker: a Debian bookworm minbase root (what debian:bookworm-slim is made of) with the packages
# that stage installs, and the release binary (scripts/release-build.sh, the build stage's
# recipe) where that stage copies it. The package list and the destination are read from the
# Dockerfile, so the two cannot drift. DIR must not exist or be empty.
# The image's run settings are not part of a filesystem: run it as the Dockerfile's USER.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/image-rootfs.sh DIR}
DOCKERFILE=${DOCKERFILE:-webhook/Dockerfile}

# The runtime stage: everything after the last FROM.
stage=$(awk '/^FROM /{s=""} {s=s $0 "\n"} END{printf "%s", s}' "$DOCKERFILE")
packages=$(sed -n 's/.*apt-get install -y --no-install-recommends \([^\\&]*\).*/\1/p' <<<"$stage" | xargs)
dest=$(sed -n 's#^COPY --from=build /out/singleton-webhook \(/[^ ]*\)$#\1#p' <<<"$stage")
run_dest=$(sed -n 's#^COPY --from=build /out/singleton-run \(/[^ ]*\)$#\1#p' <<<"$stage")
user=$(sed -n 's/^USER \(.*\)$/\1/p' <<<"$stage")
[ -n "$packages" ] && [ -n "$dest" ] && [ -n "$user" ] \
  || { echo "image-rootfs: cannot read the runtime stage of $DOCKERFILE (packages '$packages', binary '$dest', user '$user')" >&2; exit 1; }

if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "image-rootfs: $dir exists and is not empty" >&2; exit 1
fi
base=$(scripts/rootfs.sh $packages)
bin=$(scripts/release-build.sh singleton-webhook .build/release-out/singleton-webhook)

mkdir -p "$dir"
cp -a "$base/." "$dir/"
install -D -m 0755 "$bin" "$dir$dest"
if [ -n "$run_dest" ]; then
  install -D -m 0755 "$(scripts/release-build.sh singleton-run .build/release-out/singleton-run)" "$dir$run_dest"
fi
echo "image-rootfs: $dir: bookworm minbase + $packages, $dest ($(stat -c %s "$bin") bytes); run as $user" >&2
