# Shared by the release tests (scripts/dist-chroot.sh, scripts/image-rootfs-test.sh,
# scripts/image-test.sh); sourced.
#   release_test_setup NAME   a work directory ($work) and an EXIT trap that stops every pid in
#                             $pids, runs the commands in $cleanups and removes the directory
#   start_sandbox             singleton-sandbox from $BIN on 127.0.0.1; exports KUBECONFIG
#   step TEXT, free_port
#   pod_checks                the webhook run as deploy/ runs the pod, and its checks (below)
release_test_setup() {
  release_test=$1
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  cleanups=()
  trap release_test_cleanup EXIT
}
release_test_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for cmd in ${cleanups[@]+"${cleanups[@]}"}; do eval "$cmd" >/dev/null 2>&1 || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
step() { printf '\n== %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_sandbox() {
  "$BIN/singleton-sandbox" --kubeconfig-out "$work/kubeconfig" >"$work/sandbox.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    [ -s "$work/kubeconfig" ] && kubectl --kubeconfig "$work/kubeconfig" get --raw /version >/dev/null 2>&1 && break
    sleep 0.2
  done
  export KUBECONFIG=$work/kubeconfig
  kubectl get --raw /version >/dev/null || fail "the sandbox did not start"
}

## pod_checks: singleton-webhook run the way deploy/base/deployment.yaml runs the pod, with the
## serving certificate in a directory laid out as the kubelet lays out a Secret volume and a
## kubeconfig for the sandbox API server on 127.0.0.1. Checks:
##   1. it serves TLS, turns ready, and decides every examples/reviews sample as its name says;
##   2. a certificate rotated the kubelet's way (new timestamped directory, `..data` swapped by
##      rename) is served within 10 s, with 0 failed requests from clients sending throughout;
##   3. SIGTERM with clients sending: exit status 0 within the pod's grace period (30 s) and
##      0 requests written and never answered (a refused new connection is not lost).
## SIGTERM_ROUNDS (3): signals sent, each to a freshly started webhook.
## The calling test says how the webhook runs, by defining:
##   webhook_start ARG...   start `singleton-webhook ARG...` in the background with the host
##                          directories $secret at $pod_tls and $kube at $pod_kube, output
##                          appended to $work/webhook.log; set $webhook to a pid whose exit
##                          status is the webhook's
##   webhook_process        print the host PID of the webhook process itself
##   webhook_signal SIG     send it SIG the way the kubelet does (through the runtime)
pod_tls=/etc/singleton-webhook/tls
pod_kube=/etc/singleton-webhook/kube
GRACE=30                    # terminationGracePeriodSeconds (the default)

fail() {
  echo "$release_test FAILED: $*" >&2
  echo "--- webhook log" >&2; tail -20 "$work/webhook.log" >&2 2>/dev/null || true
  exit 1
}
pod_fingerprint() { openssl x509 -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr '[:upper:]' '[:lower:]'; }
pod_serving_cert() {  # NAME: a serving certificate for 127.0.0.1 signed by the CA, fresh serial
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=singleton-webhook \
    -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 1 -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:singleton-webhook.singleton-system.svc\n') \
    -out "$pki/$1.crt" 2>/dev/null
}
# The kubelet's atomic writer: the payload goes into a new `..<timestamp>` directory, a
# `..data_tmp` symlink to it is renamed over `..data` (one rename(2)), the user-visible names
# are symlinks through `..data`, and the old timestamped directory is removed afterwards.
pod_kubelet_write_secret() {  # NAME
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
pod_start_webhook() {  # sets $webhook, $port: the pod's arguments, ready as the readinessProbe asks
  port=$(free_port); metrics=$(free_port)
  webhook_start serve \
    --port="$port" --tls-cert-file="$pod_tls/tls.crt" --tls-key-file="$pod_tls/tls.key" \
    --metrics-port="$metrics" --on-lookup-failure=allow \
    --host=127.0.0.1 --metrics-host=127.0.0.1 --kubeconfig="$pod_kube/kubeconfig"
  pids+=("$webhook")
  local ready=false process
  for _ in $(seq 1 150); do
    if curl -sf --cacert "$pki/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null; then ready=true; break; fi
    kill -0 "$webhook" 2>/dev/null || fail "the webhook exited"
    sleep 0.2
  done
  $ready || fail "the webhook did not turn ready (readyz on the TLS port, as the readinessProbe asks)"
  process=$(webhook_process)
  [ "$(stat -c %u "/proc/$process")" = 65532 ] || fail "the webhook does not run as UID 65532"
  grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$process/status" || fail "no_new_privs is not set"
  echo "ready: https://127.0.0.1:$port, pid $process, uid $(stat -c %u "/proc/$process")"
}
pod_served_fingerprint() {
  openssl s_client -connect "127.0.0.1:$port" -servername singleton-webhook </dev/null 2>/dev/null | pod_fingerprint
}

pod_checks() {
  step "CA, serving certificate, and the Secret volume as the kubelet writes it"
  pki=$work/pki; mkdir -p "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=test-ca \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  secret=$work/secret-volume; mkdir -p "$secret"
  pod_serving_cert first
  pod_kubelet_write_secret first
  ls -la "$secret"

  step "the sandbox API server on 127.0.0.1, with the parent workload of the samples"
  start_sandbox
  kubectl create namespace shop
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d["metadata"].pop(k,None) for k in ("uid","resourceVersion","generation")]; d.pop("status",None); print(json.dumps(d))' \
    examples/reviews/parent-web.json | kubectl create -f -
  kube=$work/kube-volume; mkdir -p "$kube"
  install -m 0644 "$work/kubeconfig" "$kube/kubeconfig"

  step "singleton-webhook: UID 65532, read-only root, the pod's arguments"
  pod_start_webhook

  # The samples name the parent by its uid in the Scale reviews; the sandbox gave it another.
  local parent_uid sandbox_uid f client first second start picked rotated_in took round status lost lost_total kind rss
  parent_uid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["uid"])' examples/reviews/parent-web.json)
  sandbox_uid=$(kubectl -n shop get deploy web -o jsonpath='{.metadata.uid}')
  mkdir -p "$work/reviews"
  for f in examples/reviews/[0-9]*.json; do sed "s/$parent_uid/$sandbox_uid/g" "$f" >"$work/reviews/$(basename "$f")"; done
  local reviews=("$work"/reviews/*.json)

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
  first=$(pod_fingerprint <"$pki/first.crt")
  [ "$(pod_served_fingerprint)" = "$first" ] || fail "the served certificate is not the one in the volume"
  python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 4 --report "$work/rotation.json" &
  client=$!
  sleep 2
  pod_serving_cert second
  second=$(pod_fingerprint <"$pki/second.crt")
  pod_kubelet_write_secret second
  start=$(date +%s.%N); picked=false
  while python3 -c "import sys,time; sys.exit(0 if time.time() - $start < 10 else 1)"; do
    if [ "$(pod_served_fingerprint)" = "$second" ]; then picked=true; break; fi
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
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$(webhook_process)/status")
  echo "resident memory after these requests: $((rss / 1024)) MiB"

  step "3. SIGTERM with clients sending: exit 0 within ${GRACE} s, nothing lost (${SIGTERM_ROUNDS:=3} rounds)"
  # Per round: 8 connections sending back to back (requests arrive just before and after the
  # signal) and 2 writing every request in two parts 0.3 s apart (requests half read at the signal).
  lost_total=0
  for round in $(seq 1 "$SIGTERM_ROUNDS"); do
    [ "$round" = 1 ] || pod_start_webhook
    local clients=()
    python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 8 --split-every 0 \
      --report "$work/sigterm-$round-steady.json" --drain-ack "$work/sigterm-$round-steady.ack" & clients+=($!)
    python3 scripts/review-client.py "127.0.0.1:$port" "$pki/ca.crt" "${reviews[@]}" --connections 2 --split-every 1 \
      --report "$work/sigterm-$round-split.json" --drain-ack "$work/sigterm-$round-split.ack" & clients+=($!)
    sleep 2
    kill -USR1 "${clients[@]}"    # from now on a refused connection is the server's stop, not a loss
    # Python runs the handler on its main thread when it next gets the interpreter: stop the
    # server only once both clients have it, or a worker may meet the refusal first.
    for _ in $(seq 1 50); do
      [ -e "$work/sigterm-$round-steady.ack" ] && [ -e "$work/sigterm-$round-split.ack" ] && break
      sleep 0.1
    done
    [ -e "$work/sigterm-$round-steady.ack" ] && [ -e "$work/sigterm-$round-split.ack" ] ||
      fail "the test clients did not take SIGUSR1 within 5 s"
    webhook_signal TERM
    start=$(date +%s.%N); local exited=false
    while python3 -c "import sys,time; sys.exit(0 if time.time() - $start < $GRACE else 1)"; do
      if ! kill -0 "$webhook" 2>/dev/null; then exited=true; break; fi
      sleep 0.1
    done
    took=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
    $exited || { webhook_signal KILL; kill -INT "${clients[@]}"; fail "still running ${GRACE} s after SIGTERM (the kubelet would SIGKILL it)"; }
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

  printf '\n%s passed: decided every sample, rotation served after %s s, %s MiB resident, exit 0 %s s after SIGTERM, 0 lost\n' \
    "$release_test" "$rotated_in" "$((rss / 1024))" "$took"
}
