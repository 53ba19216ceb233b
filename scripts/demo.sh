#!/usr/bin/env bash
# make demo: the whole product on this machine, nothing beyond 127.0.0.1.
#   1. singleton-sandbox, the in-memory API server (a test double, not a cluster);
#   2. `kubectl singleton install --self-signed` registers the real webhook configuration;
#   3. singleton-webhook serves with the certificate install generated, its parent cache fed by
#      the sandbox; the sandbox routes the webhook Service to it;
#   4. a narrated scenario with real kubectl and the plugin. Every expectation is checked: the
#      script exits non-zero if anything is allowed that should be denied, or the reverse.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
fail() { echo "demo FAILED: $*" >&2; echo "--- sandbox log" >&2; tail -20 "$work/sandbox.log" >&2; echo "--- webhook log" >&2; tail -20 "$work/webhook.log" >&2 || true; exit 1; }
expect_denied() {
    printf '$ %s\n' "$*"
    if out=$("$@" 2>&1); then echo "$out"; fail "expected a denial: $*"; fi
    echo "$out"
    grep -q 'kube-singleton.dev" denied the request' <<<"$out" || fail "denied, but not by the kube-singleton webhook: $*"
}
wait_for() {  # wait_for DESCRIPTION COMMAND...
    local what=$1; shift
    for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    fail "timed out waiting for $what"
}

webhook_port=$(free_port)
metrics_port=$(free_port)
mkdir -p "$work/bin" "$work/home"
cp "$BIN/kubectl-singleton" plugin/kubectl_complete-singleton "$work/bin/"
export PATH="$work/bin:$PATH" HOME="$work/home" KUBECONFIG="$work/kubeconfig"

say "Start the sandbox API server (in memory, 127.0.0.1; a test double, not a cluster)"
"$BIN/singleton-sandbox" --kubeconfig-out "$KUBECONFIG" \
    --service-endpoint "singleton-system/singleton-webhook=https://127.0.0.1:$webhook_port" >"$work/sandbox.log" 2>&1 &
pids+=($!)
wait_for "the sandbox kubeconfig" test -s "$KUBECONFIG"
wait_for "the sandbox API" kubectl get --raw /version
show kubectl version

say "Install the webhook: the manifests of deploy/, a generated CA and serving certificate"
show kubectl singleton install --self-signed

say "Run singleton-webhook locally with the certificate install stored in the Secret"
kubectl -n singleton-system get secret singleton-webhook-tls -o jsonpath='{.data.tls\.crt}' | base64 -d >"$work/tls.crt"
kubectl -n singleton-system get secret singleton-webhook-tls -o jsonpath='{.data.tls\.key}' | base64 -d >"$work/tls.key"
"$BIN/singleton-webhook" serve --host 127.0.0.1 --port "$webhook_port" --metrics-port "$metrics_port" --metrics-host 127.0.0.1 \
    --tls-cert-file "$work/tls.crt" --tls-key-file "$work/tls.key" --kubeconfig "$KUBECONFIG" >"$work/webhook.log" 2>&1 &
pids+=($!)
wait_for "the webhook's parent cache to sync" curl -sf "http://127.0.0.1:$metrics_port/readyz"
echo "singleton-webhook ready on https://127.0.0.1:$webhook_port (metrics on :$metrics_port)"

say "A Deployment, then mark it a singleton with a PDB and a headless Service"
show kubectl create namespace shop
show kubectl -n shop create deployment poller --image=ghcr.io/example/poller:1.4.2 --replicas=1 --port=8080
show kubectl singleton enable deploy/poller -n shop --mode at-most-one --lease poller-leader --pdb --service

say "kubectl scale is denied by the webhook (the Scale object carries no annotation: the parent is looked up)"
expect_denied kubectl -n shop scale deploy/poller --replicas=3

say "So is an HPA aimed at the singleton, and a manifest edit to 2 replicas"
expect_denied kubectl -n shop autoscale deploy/poller --min=1 --max=5
expect_denied kubectl -n shop patch deploy/poller --type=merge -p '{"spec":{"replicas":2}}'

say "--dry-run=server is judged the same way (sideEffects: None)"
expect_denied kubectl -n shop scale deploy/poller --replicas=2 --dry-run=server

say "Scaling to 0 is allowed: never block a move toward fewer pods"
show kubectl -n shop scale deploy/poller --replicas=0
[[ $(kubectl -n shop get deploy poller -o jsonpath='{.spec.replicas}') == 0 ]] || fail "scale to 0 did not apply"
show kubectl -n shop scale deploy/poller --replicas=1

say "The application's leader election Lease, and who holds it"
pod=$(kubectl -n shop get pods -l app=poller -o jsonpath='{.items[0].metadata.name}')
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
kubectl -n shop apply -f - >/dev/null <<YAML
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: poller-leader
spec:
  holderIdentity: ${pod}_4f3c2a1e-8d7b-4c6a-9e5f-0a1b2c3d4e5f
  leaseDurationSeconds: 15
  acquireTime: "$now"
  renewTime: "$now"
  leaseTransitions: 2
YAML
show kubectl -n shop get leases
show kubectl singleton leases -n shop
show kubectl singleton list -A
show kubectl singleton status deploy/poller -n shop

say "Lint GitOps manifests offline (exit 1: violations found)"
printf '$ kubectl singleton lint -f examples/manifests/violating.yaml\n'
if kubectl singleton lint -f examples/manifests/violating.yaml; then fail "lint should report violations"; fi

say "The webhook goes down: what moves toward safety never reaches it (matchConditions), so it goes through"
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
show kubectl -n shop rollout restart deploy/poller
show kubectl -n shop scale deploy/poller --replicas=0
printf '$ %s\n' "kubectl -n shop patch deploy/poller --type=merge -p '{\"spec\":{\"replicas\":2}}'"
if out=$(kubectl -n shop patch deploy/poller --type=merge -p '{"spec":{"replicas":2}}' 2>&1); then echo "$out"; fail "a scale-up with the webhook down went through (workloads failurePolicy is Fail)"; fi
echo "$out"
grep -q 'failed calling webhook "workloads.kube-singleton.dev"' <<<"$out" || fail "unexpected error: $out"

say "Opt out, with the webhook still down: remove the annotation, then scaling out is the user's call again"
show kubectl singleton disable deploy/poller -n shop
show kubectl -n shop scale deploy/poller --replicas=3

printf '\n\033[1mdemo passed\033[0m: the webhook denied 4 scale-outs and allowed the rest. Everything is stopped.\n'
