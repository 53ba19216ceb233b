#!/usr/bin/env bash
# End-to-end run against a real cluster in kind. Needs Docker, kind and kubectl; our CI machines
# have no Docker engine, so this script is NOT run by CI: it is the recipe for a workstation.
#
#   e2e/kind.sh            create a cluster, install, run the scenario, delete the cluster
#   KEEP_CLUSTER=1 e2e/kind.sh   leave the cluster running afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=${CLUSTER:-kube-singleton-e2e}
image=ghcr.io/kube-singleton/singleton-webhook:e2e
ns=e2e-singleton

for tool in docker kind kubectl swift; do
    command -v "$tool" >/dev/null || { echo "e2e/kind.sh needs $tool on PATH" >&2; exit 2; }
done
cleanup() { [[ ${KEEP_CLUSTER:-0} == 1 ]] || kind delete cluster --name "$cluster" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
expect_denied() {
    local out
    if out=$("$@" 2>&1); then echo "expected a denial, got success: $out" >&2; exit 1; fi
    grep -q 'kube-singleton' <<<"$out" || { echo "denied, but not by kube-singleton: $out" >&2; exit 1; }
    echo "denied as expected: $out"
}

step "cluster and image"
kind create cluster --name "$cluster" --wait 120s
docker build -f webhook/Dockerfile -t "$image" .
kind load docker-image "$image" --name "$cluster"

step "plugin"
swift build -c release --product kubectl-singleton
export PATH="$(swift build -c release --show-bin-path):$PATH"
kubectl singleton version

step "install the webhook"
kubectl singleton install --self-signed --image "$image"
kubectl -n singleton-system rollout status deploy/singleton-webhook --timeout=180s
kubectl singleton doctor

step "scenario"
kubectl create namespace "$ns"
kubectl -n "$ns" create deployment poller --image=registry.k8s.io/pause:3.9 --replicas=1
kubectl singleton enable deploy/poller -n "$ns" --mode at-most-one --pdb --service
expect_denied kubectl -n "$ns" scale deploy/poller --replicas=3
expect_denied kubectl -n "$ns" autoscale deploy/poller --min=1 --max=5
kubectl -n "$ns" scale deploy/poller --replicas=0
kubectl singleton status deploy/poller -n "$ns"
kubectl singleton leases -A
echo; echo "e2e passed"
