#!/usr/bin/env bash
# The container engine of `make image` and `make image-test`: Docker when an engine answers,
# else podman the way it runs containers on our CI machines (Debian's podman 4.3 with runc).
#   scripts/container.sh --engine               print docker or podman
#   scripts/container.sh SUBCOMMAND ARGS...     run the engine's SUBCOMMAND
# With podman:
# - runc (PODMAN_RUNTIME): the default crun fails on these machines' hybrid cgroups;
# - for `build` and `run`: the host's network (no CNI setup; the tests serve on 127.0.0.1) and
#   ulimits no higher than the session's own, which may only be lowered.
set -euo pipefail
if docker info >/dev/null 2>&1; then engine=docker
elif command -v podman >/dev/null; then engine=podman
else echo "container.sh: no Docker engine and no podman (apt-get install podman runc)" >&2; exit 1
fi
[ "${1:-}" = --engine ] && { echo "$engine"; exit 0; }
sub=${1:?usage: scripts/container.sh --engine | SUBCOMMAND ARGS...}; shift
[ "$engine" = docker ] && exec docker "$sub" "$@"
extra=()
case $sub in
  build|run) extra=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024) ;;
esac
exec podman --runtime "${PODMAN_RUNTIME:-/usr/sbin/runc}" "$sub" "${extra[@]}" "$@"
