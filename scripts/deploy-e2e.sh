#!/usr/bin/env bash
# The deploy/ manifests end to end, without the plugin: `kubectl apply -k deploy/` into the
# sandbox, a TLS Secret and caBundle made with the openssl command (as an operator without
# cert-manager would), singleton-webhook serving that certificate, and a singleton scale-up
# that the sandbox must deny through the applied ValidatingWebhookConfiguration.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
fail() { echo "deploy-e2e FAILED: $*" >&2; tail -20 "$work"/*.log >&2 || true; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { local what=$1; shift; for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; fail "timed out waiting for $what"; }

port=$(free_port); metrics=$(free_port)
export KUBECONFIG="$work/kubeconfig" HOME="$work"
"$BIN/singleton-sandbox" --kubeconfig-out "$KUBECONFIG" \
    --service-endpoint "singleton-system/singleton-webhook=https://127.0.0.1:$port" >"$work/sandbox.log" 2>&1 &
pids+=($!)
wait_for "the sandbox" kubectl get --raw /version

kubectl apply -k deploy/ >"$work/apply.out" || fail "kubectl apply -k deploy/ was refused"
[[ $(grep -c 'created' "$work/apply.out") -eq 8 ]] || fail "expected 8 objects created: $(cat "$work/apply.out")"

svc=singleton-webhook.singleton-system.svc
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=e2e CA" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$svc" \
    -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' "$svc" "$svc" >"$work/ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
    -extfile "$work/ext" -out "$work/tls.crt" 2>/dev/null
kubectl -n singleton-system create secret tls singleton-webhook-tls --cert "$work/tls.crt" --key "$work/tls.key" >/dev/null
ca=$(base64 -w0 <"$work/ca.crt")
kubectl patch validatingwebhookconfiguration kube-singleton --type=json -p "[
  {\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/1/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/2/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/3/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/4/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/5/clientConfig/caBundle\",\"value\":\"$ca\"},
  {\"op\":\"add\",\"path\":\"/webhooks/6/clientConfig/caBundle\",\"value\":\"$ca\"}]" >/dev/null

"$BIN/singleton-webhook" serve --host 127.0.0.1 --port "$port" --metrics-host 127.0.0.1 --metrics-port "$metrics" \
    --tls-cert-file "$work/tls.crt" --tls-key-file "$work/tls.key" --kubeconfig "$KUBECONFIG" >"$work/webhook.log" 2>&1 &
pids+=($!)
wait_for "the webhook to be ready" curl -sf "http://127.0.0.1:$metrics/readyz"

kubectl apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: e2e
  annotations:
    kube-singleton.dev/mode: at-least-one
spec:
  replicas: 1
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec: {containers: [{name: ledger, image: ghcr.io/example/ledger:2.0}]}
YAML
if out=$(kubectl -n e2e scale deploy/ledger --replicas=2 2>&1); then fail "scale-up was allowed: $out"; fi
grep -q 'admission webhook "scale.kube-singleton.dev" denied the request' <<<"$out" || fail "unexpected error: $out"
kubectl -n e2e scale deploy/ledger --replicas=0 >/dev/null || fail "scale to 0 was refused"
# A namespace labelled enforcement=warn goes to the warn entry: allowed, with the denial as a warning.
kubectl label namespace e2e kube-singleton.dev/enforcement=warn >/dev/null
out=$(kubectl -n e2e scale deploy/ledger --replicas=2 2>&1) || fail "scale-up in a warn namespace was refused: $out"
grep -q 'Warning: Deployment e2e/ledger is a singleton' <<<"$out" || fail "no warning in a warn namespace: $out"
echo "deploy-e2e passed: kubectl apply -k deploy/ created 8 objects; the sandbox denied a singleton scale-up through them, and only warned once the namespace was labelled enforcement=warn"
