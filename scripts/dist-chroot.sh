#!/usr/bin/env bash
# The krew archive on a machine without Swift: a Debian bookworm minbase root (scripts/rootfs.sh,
# cached) with only libcurl4 and ca-certificates added, the archive unpacked where krew puts it,
# and the plugin run from inside (chroot, as an unprivileged user): version, lint, and list and
# enable against the sandbox API server on 127.0.0.1. Fails if anything of a Swift toolchain is
# in that root, or if the plugin needs a library the root lacks.
#   scripts/dist-chroot.sh [ARCHIVE]   (default: what `make dist` built for this machine)
set -euo pipefail
cd "$(dirname "$0")/.."
case $(uname -m) in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 2 ;; esac
archive=${1:-dist/kubectl-singleton_linux_$arch.tar.gz}
[ -f "$archive" ] || { echo "no $archive: run make dist first" >&2; exit 1; }
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift)
BIN=${BIN:-$(swift build --show-bin-path)}   # the sandbox runs on the host

base=$(scripts/rootfs.sh libcurl4 ca-certificates)
. scripts/release-test-lib.sh
release_test_setup dist-chroot
fail() { echo "dist-chroot FAILED: $*" >&2; tail -20 "$work/sandbox.log" >&2 2>/dev/null || true; exit 1; }

step "root: bookworm minbase + libcurl4 ca-certificates (copy of $base)"
root=$work/root
cp -a "$base" "$root"
# Nothing of the build machine's Swift toolchain: no runtime library anywhere, no /opt/swift.
toolchain=$(find "$root" \( -name 'libswift*' -o -name 'libFoundation*' -o -name 'lib_Foundation*' \
  -o -name 'libdispatch*' -o -name 'libBlocksRuntime*' -o -name 'swift*' \) -print | head -5)
[ -z "$toolchain" ] || fail "Swift toolchain files in the root: $toolchain"
[ ! -e "$root/opt/swift" ] || fail "/opt/swift exists in the root"

# Where krew puts a plugin: the archive unpacked in ~/.krew/store/<name>/<version>, the binary
# linked from ~/.krew/bin, which the user has on PATH. The user is unprivileged (nobody).
home=/home/user
store=$home/.krew/store/singleton/v$version
mkdir -p "$root$store" "$root$home/.krew/bin" "$root$home/.kube" "$root$home/manifests"
tar -C "$root$store" -xzf "$archive"
ln -s "$store/kubectl-singleton" "$root$home/.krew/bin/kubectl-singleton"
cp examples/manifests/violating.yaml examples/manifests/clean/database.yaml "$root$home/manifests/"
chown -R 65534:65534 "$root$home"
inside() {
  scripts/in-root.sh --env "HOME=$home" --env "KUBECONFIG=$home/.kube/config" \
    --env "PATH=$home/.krew/bin:/usr/local/bin:/usr/bin:/bin" "$root" 65534:65534 "$@"
}

step "the binary's libraries, resolved inside the root"
libs=$(inside ldd "$store/kubectl-singleton") || fail "ldd failed inside the root"
echo "$libs"
! grep -q 'not found' <<<"$libs" || fail "a library the plugin needs is missing from the root"
! grep -qiE 'swift|foundation|dispatch|/opt/' <<<"$libs" || fail "the plugin loads something of a Swift toolchain"

step "kubectl-singleton version --client"
out=$(inside kubectl-singleton version --client) || fail "version --client exited non-zero: $out"
echo "$out"
grep -q "$version" <<<"$out" || fail "version does not print $version"

step "kubectl-singleton lint (offline)"
inside kubectl-singleton lint -f "$home/manifests/database.yaml" || fail "lint of a clean manifest did not exit 0"
set +e
out=$(inside kubectl-singleton lint -f "$home/manifests/violating.yaml" 2>&1); rc=$?
set -e
echo "$out"
[ $rc = 1 ] || fail "lint of violating.yaml exited $rc, want 1"
grep -q 'violating.yaml' <<<"$out" || fail "lint output does not name the file"

step "the sandbox API server on 127.0.0.1, and a Deployment in it"
start_sandbox
install -o 65534 -g 65534 -m 0600 "$work/kubeconfig" "$root$home/.kube/config"
kubectl create namespace shop
kubectl -n shop create deployment poller --image=ghcr.io/example/poller:1.4.2 --replicas=1

step "kubectl-singleton list -A and enable, from inside the root"
out=$(inside kubectl-singleton list -A 2>&1) || fail "list -A exited non-zero: $out"
echo "$out"
out=$(inside kubectl-singleton enable deploy/poller -n shop --mode at-most-one --pdb 2>&1) || fail "enable exited non-zero: $out"
echo "$out"
mode=$(kubectl -n shop get deploy poller -o jsonpath='{.metadata.annotations.kube-singleton\.dev/mode}')
[ "$mode" = at-most-one ] || fail "enable did not annotate the Deployment (mode: '$mode')"
kubectl -n shop get pdb >/dev/null || fail "enable --pdb created no PodDisruptionBudget"
[ -n "$(kubectl -n shop get pdb -o name)" ] || fail "enable --pdb created no PodDisruptionBudget"
out=$(inside kubectl-singleton list -A 2>&1) || fail "list -A exited non-zero: $out"
echo "$out"
grep -q poller <<<"$out" || fail "list -A does not show the enabled Deployment"

printf '\ndist-chroot passed: %s runs on bookworm minbase + libcurl4 ca-certificates, no Swift toolchain\n' "$archive"
