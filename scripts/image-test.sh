#!/usr/bin/env bash
# `make image-test`: the built webhook image (`make image`) run by its container engine
# (scripts/container.sh) with deploy/base/deployment.yaml's settings: the image's entrypoint as
# PID 1, the pod's arguments, --user 65532:65532, a read-only root with no tmpfs added,
# no-new-privileges, every capability dropped, the runtime's default seccomp profile, the
# memory limit; the Secret volume (as the kubelet lays it out) and a kubeconfig for the sandbox
# API server mounted read-only. Then the checks of scripts/image-rootfs-test.sh
# (pod_checks, scripts/release-test-lib.sh): TLS and verdicts, the kubelet's certificate
# rotation under load, SIGTERM (delivered by the engine, as the kubelet does) with 0 lost.
#   IMAGE (default: what `make image` tags), SIGTERM_ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)}   # the sandbox runs on the host
version=$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift)
IMAGE=${IMAGE:-ghcr.io/kube-singleton/singleton-webhook:v$version}
. scripts/release-test-lib.sh
release_test_setup image-test
engine=$(scripts/container.sh --engine)
container() { scripts/container.sh "$@"; }

step "the image: $IMAGE ($engine)"
container image inspect "$IMAGE" >/dev/null 2>&1 || fail "no image $IMAGE in $engine's store (make image)"
config=$(container image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}} user={{.Config.User}}' "$IMAGE")
echo "$config"
[ "$config" = '["/usr/local/bin/singleton-webhook"] ["serve"] user=65532:65532' ] \
  || fail "the image's entrypoint, command or user is not the Dockerfile's"
size=$(container image inspect --format '{{.Size}}' "$IMAGE")
echo "size: $size bytes ($((size / 1024 / 1024)) MiB)"
contents=$(container run --rm --user 0 --entrypoint /bin/sh "$IMAGE" -c \
  'cat /etc/debian_version; find / -xdev \( -name "libswift*" -o -path /opt/swift \) -print; ldd /usr/local/bin/singleton-webhook')
echo "$contents"
grep -q '^12\.' <<<"$contents" || fail "the image is not Debian bookworm"
! grep -qE 'libswift|/opt/swift' <<<"$contents" || fail "Swift toolchain files in the image"
! grep -q 'not found' <<<"$contents" || fail "a library the webhook needs is missing from the image"

# The pod's resources.limits.memory and securityContext (deploy/base/deployment.yaml).
memory=$(sed -n 's/^ *memory: \([0-9]*\)Mi$/\1/p' deploy/base/deployment.yaml | tail -1)
[ -n "$memory" ] || fail "no memory limit in deploy/base/deployment.yaml"
run_args=(--user 65532:65532 --read-only --security-opt no-new-privileges --cap-drop ALL --memory "${memory}m")
[ "$engine" = podman ] && run_args+=(--read-only-tmpfs=false)   # podman adds /tmp, /run tmpfs otherwise
containers=0
webhook_start() {
  containers=$((containers + 1)); name=$release_test-$$-$containers
  cleanups+=("scripts/container.sh rm -f $name")
  container run --rm --name "$name" "${run_args[@]}" \
    --volume "$secret:$pod_tls:ro" --volume "$kube:$pod_kube:ro" "$IMAGE" "$@" >>"$work/webhook.log" 2>&1 &
  webhook=$!   # the engine's client: it exits with the container's status
  for _ in $(seq 1 100); do
    [ "$(container inspect --format '{{.State.Pid}}' "$name" 2>/dev/null || echo 0)" -gt 0 ] && return
    kill -0 "$webhook" 2>/dev/null || fail "the container did not start"
    sleep 0.1
  done
  fail "the container did not start within 10 s"
}
webhook_process() { container inspect --format '{{.State.Pid}}' "$name"; }
webhook_signal() { container kill --signal "$1" "$name" >/dev/null; }

pod_checks
echo "image: $IMAGE, $((size / 1024 / 1024)) MiB"
