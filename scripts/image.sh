#!/usr/bin/env bash
# `make image`: webhook/Dockerfile built into IMAGE (default: the release tag of
# Sources/SingletonCore/Version.swift) by scripts/container.sh's engine. Prints the image's name.
# - Docker: the Dockerfile's public base images.
# - podman, on a machine that reaches no registry (our CI machines): the base images made
#   locally (scripts/image-bases.sh) and named by build arguments, no registry asked
#   (--pull=never), and this machine's Swift package mirror mounted read-only into the build,
#   where the build image's git looks for github.com.
# The build is cached layer by layer: only a changed source rebuilds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift)
IMAGE=${IMAGE:-ghcr.io/kube-singleton/singleton-webhook:v$version}
MIRROR=${SWIFT_PACKAGES_MIRROR:-/opt/swift-packages}

engine=$(scripts/container.sh --engine)
args=()
if [ "$engine" = podman ]; then
  [ -d "$MIRROR" ] || { echo "image: no Swift package mirror at $MIRROR (SWIFT_PACKAGES_MIRROR)" >&2; exit 1; }
  read -ra bases <<<"$(scripts/image-bases.sh)"
  args=(--pull=never --volume "$MIRROR:$MIRROR:ro" "${bases[@]}")
fi
start=$(date +%s)
scripts/container.sh build "${args[@]}" -f webhook/Dockerfile -t "$IMAGE" . >&2
echo "image: $IMAGE built by $engine in $(( $(date +%s) - start )) s," \
  "$(scripts/container.sh image inspect --format '{{.Size}}' "$IMAGE") bytes" >&2
echo "$IMAGE"
