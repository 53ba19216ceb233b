#!/usr/bin/env bash
# The webhook image's filesystem (`make image-rootfs`), run the way deploy/base/deployment.yaml
# runs the pod, without a container engine (scripts/in-root.sh): UID 65532, read-only root,
# no_new_privs, the serving certificate in a directory laid out as the kubelet lays out a
# Secret volume, and a kubeconfig for the sandbox API server on 127.0.0.1; then the checks of
# pod_checks (scripts/release-test-lib.sh): TLS and verdicts, certificate rotation, SIGTERM.
# scripts/image-test.sh runs the same checks against the built image.
#   ROOTFS=DIR reuses an image root made by `make image-rootfs ROOTFS=DIR` (else a fresh one).
#   SIGTERM_ROUNDS (3): signals sent, each to a freshly started webhook.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)}   # the sandbox runs on the host
. scripts/release-test-lib.sh
release_test_setup image-rootfs-test

step "the image's filesystem"
root=$work/rootfs
if [ -n "${ROOTFS:-}" ]; then cp -a "$ROOTFS" "$root"; else scripts/image-rootfs.sh "$root"; fi
[ -x "$root/usr/local/bin/singleton-webhook" ] || fail "no /usr/local/bin/singleton-webhook in the image root"
[ -z "$(find "$root" -name 'libswift*' -print -quit)" ] && [ ! -e "$root/opt/swift" ] || fail "Swift toolchain files in the image root"
# The container runtime creates the volumes' mount points in the container's root before it
# makes the root read-only; so do we, in this copy.
mkdir -p "$root$pod_tls" "$root$pod_kube"

webhook_start() {
  scripts/in-root.sh --read-only --bind-ro "$secret:$pod_tls" --bind-ro "$kube:$pod_kube" \
    "$root" 65532:65532 /usr/local/bin/singleton-webhook "$@" >>"$work/webhook.log" 2>&1 &
  webhook=$!   # in-root.sh execs: this is the webhook's own pid
}
webhook_process() { echo "$webhook"; }
webhook_signal() { kill -"$1" "$webhook"; }

pod_checks

step "singleton-run in the image: UID 65532, read-only root, the sandbox's kubeconfig"
[ -x "$root/usr/local/bin/singleton-run" ] || fail "no /usr/local/bin/singleton-run in the image root"
run_status=0
scripts/in-root.sh --read-only --bind-ro "$kube:$pod_kube" "$root" 65532:65532 /usr/local/bin/singleton-run \
  --kubeconfig "$pod_kube/kubeconfig" --lease image-rootfs-test --lease-duration 2s --renew-deadline 1.5s \
  --retry-period 0.3s -- /bin/sh -c 'exit $((SINGLETON_FENCING_TOKEN + 7))' || run_status=$?
[ "$run_status" = 7 ] || fail "singleton-run exited $run_status, not the command's 7 (token 0 + 7)"
[ "$(kubectl get lease image-rootfs-test -o jsonpath='{.spec.holderIdentity}/{.spec.leaseDurationSeconds}')" = /1 ] \
  || fail "the Lease was not released"
echo "singleton-run: acquired, ran the command with token 0, released the Lease"
