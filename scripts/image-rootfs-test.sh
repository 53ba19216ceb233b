#!/usr/bin/env bash
# The webhook image's filesystem (`make image-rootfs`), run the way deploy/base/deployment.yaml
# runs the pod, without a container engine (scripts/in-root.sh): UID 65532, read-only root,
# no_new_privs, the serving certificate in a directory laid out as the kubelet lays out a
# Secret volume, and a kubeconfig for the sandbox API server on 127.0.0.1. Checks:
#   1. it serves TLS, turns ready, and decides every examples/reviews sample as its name says;
#   2. a certificate rotated the kubelet's way (new timestamped directory, `..data` swapped by
#      rename) is served within 10 s, with 0 failed requests from clients sending throughout;
#   3. SIGTERM with clients sending: exit status 0 within the pod's grace period (30 s) and
#      0 requests written and never answered (a refused new connection is not lost).
#   ROOTFS=DIR reuses an image root made by `make image-rootfs ROOTFS=DIR` (else a fresh one).
#   SIGTERM_ROUNDS (3): signals sent, each to a freshly started webhook.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)}   # the sandbox runs on the host
GRACE=30                                      # terminationGracePeriodSeconds (the default)
. scripts/release-test-lib.sh
release_test_setup image-rootfs-test
fail() {
  echo "image-rootfs-test FAILED: $*" >&2
  echo "--- webhook log" >&2; tail -20 "$work/webhook.log" >&2 2>/dev/null || true
  exit 1
}

step "the image's filesystem"
root=$work/rootfs
if [ -n "${ROOTFS:-}" ]; then cp -a "$ROOTFS" "$root"; else scripts/image-rootfs.sh "$root"; fi
[ -x "$root/usr/local/bin/singleton-webhook" ] || fail "no /usr/local/bin/singleton-webhook in the image root"
[ -z "$(find "$root" -name 'libswift*' -print -quit)" ] && [ ! -e "$root/opt/swift" ] || fail "Swift toolchain files in the image root"
# The container runtime creates the volumes' mount points in the container's root before it
# makes the root read-only; so do we, in this copy.
mkdir -p "$root/etc/singleton-webhook/tls" "$root/etc/singleton-webhook/kube"

step "CA, serving certificate, and the Secret volume as the kubelet writes it"
pki=$work/pki; mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=test-ca \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
serving_cert() {  # NAME: a serving certificate for 127.0.0.1 signed by the CA, fresh serial
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=singleton-webhook \
    -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 1 -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:singleton-webhook.singleton-system.svc\n') \
    -out "$pki/$1.crt" 2>/dev/null
}
fingerprint() { openssl x509 -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr '[:upper:]' '[:lower:]'; }
secret=$work/secret-volume; mkdir -p "$secret"
# The kubelet's atomic writer: the payload goes into a new `..<timestamp>` directory, a
# `..data_tmp` symlink to it is renamed over `..data` (one rename(2)), the user-visible names
# are symlinks through `..data`, and the old timestamped directory is removed afterwards.
kubelet_write_secret() {  # NAME
  local ts old
  ts=$(mktemp -d "$secret/..$(date -u +%Y_%m_%d_%H_%M_%S).XXXXXXXXX")
  chmod 0755 "$ts"
  install -m 0644 "$pki/$1.crt" "$ts/tls.crt"
  install -m 0644 "$pki/$1.key" "$ts/tls.key"
  old=$(readlink "$secret/..data" || true)
  ln -s "$(basename "$ts")" "$secret/..data_tmp"
  mv -T "$secret/..data_tmp" "$secret/..data"
  for f in tls.crt tls.key; do [ -L "$secret/$f" ] || ln -s "..data/$f" "$secret/$f"; done
  if [ -n "$old" ]; then rm -rf "${secret:?}/$old"; fi
}
serving_cert first
kubelet_write_secret first
ls -la "$secret"

step "the sandbox API server on 127.0.0.1, with the parent workload of the samples"
start_sandbox
kubectl create namespace shop
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d["metadata"].pop(k,None) for k in ("uid","resourceVersion","generation")]; d.pop("status",None); print(json.dumps(d))' \
  examples/reviews/parent-web.json | kubectl create -f -
kube=$work/kube-volume; mkdir -p "$kube"
install -m 0644 "$work/kubeconfig" "$kube/kubeconfig"

step "singleton-webhook in the image root: UID 65532, read-only root, the pod's arguments"
start_webhook() {  # sets $webhook, $port
  port=$(free_port); metrics=$(free_port)
  scripts/in-root.sh --read-only \
    --bind-ro "$secret:/etc/singleton-webhook/tls" --bind-ro "$kube:/etc/singleton-webhook/kube" \
    "$root" 65532:65532 /usr/local/bin/singleton-webhook serve \
    --port="$port" --tls-cert-file=/etc/singleton-webhook/tls/tls.crt --tls-key-file=/etc/singleton-webhook/tls/tls.key \
    --metrics-port="$metrics" --on-lookup-failure=allow \
    --host=127.0.0.1 --metrics-host=127.0.0.1 --kubeconfig=/etc/singleton-webhook/kube/kubeconfig \
    >>"$work/webhook.log" 2>&1 &
  webhook=$!; pids+=("$webhook")
  local ready=false
  for _ in $(seq 1 150); do
    if curl -sf --cacert "$pki/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null; then ready=true; break; fi
    kill -0 "$webhook" 2>/dev/null || fail "the webhook exited"
    sleep 0.2
  done
  $ready || fail "the webhook did not turn ready (readyz on the TLS port, as the readinessProbe asks)"
  [ "$(stat -c %u "/proc/$webhook")" = 65532 ] || fail "the webhook does not run as UID 65532"
  grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$webhook/status" || fail "no_new_privs is not set"
  echo "ready: https://127.0.0.1:$port, pid $webhook, uid $(stat -c %u "/proc/$webhook")"
}
start_webhook

served_fingerprint() {
  openssl s_client -connect "127.0.0.1:$port" -servername singleton-webhook </dev/null 2>/dev/null | fingerprint
}
# The samples name the parent by its uid in the Scale reviews; the sandbox gave it another.
parent_uid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["uid"])' examples/reviews/parent-web.json)
sandbox_uid=$(kubectl -n shop get deploy web -o jsonpath='{.metadata.uid}')
mkdir -p "$work/reviews"
for f in examples/reviews/[0-9]*.json; do sed "s/$parent_uid/$sandbox_uid/g" "$f" >"$work/reviews/$(basename "$f")"; done
reviews=("$work"/reviews/*.json)

step "1. every sample review decided over TLS, as its name says"
python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 1 --report "$work/warmup.json" &
client=$!
sleep 2; kill -INT "$client"; wait "$client" || { cat "$work/warmup.json"; fail "reviews failed or were decided wrongly"; }
python3 - "$work/warmup.json" "${#reviews[@]}" <<'PY' || fail "too few reviews answered"
import json, sys
r = json.load(open(sys.argv[1])); print({k: r[k] for k in ("sent", "answered", "lost", "wrong")})
sys.exit(0 if r["answered"] >= int(sys.argv[2]) else 1)
PY

step "2. certificate rotation, the kubelet's way, with clients sending throughout"
first=$(fingerprint <"$pki/first.crt")
[ "$(served_fingerprint)" = "$first" ] || fail "the served certificate is not the one in the volume"
python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 4 --report "$work/rotation.json" &
client=$!
sleep 2
serving_cert second
second=$(fingerprint <"$pki/second.crt")
kubelet_write_secret second
start=$(date +%s.%N); picked=false
while python3 -c "import sys,time; sys.exit(0 if time.time() - $start < 10 else 1)"; do
  if [ "$(served_fingerprint)" = "$second" ]; then picked=true; break; fi
  sleep 0.2
done
rotated_in=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
$picked || { kill -INT "$client"; fail "the rotated certificate was not served within 10 s"; }
echo "rotated certificate served after ${rotated_in} s"
sleep 3
kill -INT "$client"
wait "$client" || { cat "$work/rotation.json"; fail "requests failed during the rotation"; }
python3 - "$work/rotation.json" "$first" "$second" <<'PY' || fail "the clients did not see both certificates"
import json, sys
r = json.load(open(sys.argv[1])); print({k: r[k] for k in ("sent", "answered", "lost", "wrong", "refused", "reconnects")})
sys.exit(0 if r["fingerprints"] == [sys.argv[2], sys.argv[3]] and r["refused"] == 0 else 1)
PY

step "3. SIGTERM with clients sending: exit 0 within ${GRACE} s, nothing lost (${SIGTERM_ROUNDS:=3} rounds)"
# Per round: 8 connections sending back to back (requests arrive just before and after the
# signal) and 2 writing every request in two parts 0.3 s apart (requests half read at the signal).
lost_total=0
for round in $(seq 1 "$SIGTERM_ROUNDS"); do
  [ "$round" = 1 ] || start_webhook
  clients=()
  python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 8 --split-every 0 \
    --report "$work/sigterm-$round-steady.json" & clients+=($!)
  python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 2 --split-every 1 \
    --report "$work/sigterm-$round-split.json" & clients+=($!)
  sleep 2
  kill -USR1 "${clients[@]}"    # from now on a refused connection is the server's stop, not a loss
  kill -TERM "$webhook"
  start=$(date +%s.%N); exited=false
  while python3 -c "import sys,time; sys.exit(0 if time.time() - $start < $GRACE else 1)"; do
    if ! kill -0 "$webhook" 2>/dev/null; then exited=true; break; fi
    sleep 0.1
  done
  took=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
  $exited || { kill -KILL "$webhook"; kill -INT "${clients[@]}"; fail "still running ${GRACE} s after SIGTERM (the kubelet would SIGKILL it)"; }
  set +e; wait "$webhook"; status=$?; set -e
  echo "round $round: exited with status $status, ${took} s after SIGTERM"
  [ "$status" = 0 ] || fail "exit status $status after SIGTERM, want 0"
  # The clients stop on their own once connections are refused.
  for _ in $(seq 1 100); do kill -0 "${clients[@]}" 2>/dev/null || break; sleep 0.1; done
  kill -INT "${clients[@]}" 2>/dev/null || true
  for client in "${clients[@]}"; do wait "$client" || true; done
  for kind in steady split; do
    lost=$(python3 - "$work/sigterm-$round-$kind.json" "$kind" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("  " + sys.argv[2], {k: r[k] for k in ("sent", "answered", "lost", "wrong", "refused")}, file=sys.stderr)
for e in r["errors"]:
    print("    " + e, file=sys.stderr)
print(r["lost"] + r["wrong"])
PY
)
    lost_total=$((lost_total + lost))
  done
done
[ "$lost_total" = 0 ] || fail "$lost_total requests written around SIGTERM were never answered (or decided wrongly)"

printf '\nimage-rootfs-test passed: decided every sample, rotation served after %s s, exit 0 %s s after SIGTERM, 0 lost\n' \
  "$rotated_in" "$took"
