#!/usr/bin/env bash
# Benchmark: singleton-webhook vs an nginx answering a fixed AdmissionReview, same TLS setup,
# and vs the floor (bench/floor: the webhook's network stack answering the same fixed bytes).
# Alternates A B C A B C, server and load generator on separate cores (taskset), HTTPS/1.1
# keep-alive, 8 and 1 connections; then the webhook with WORKLOADS parents in its cache.
# Environment: DURATION (10s), ROUNDS (2), WORKLOADS (10000), SERVER_CPU (0), LOAD_CPU (1).
# Last, bench/list-bench.sh: the plugin's list -A and start-up against kubectl's.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
WORKLOADS=${WORKLOADS:-10000}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

for tool in nginx wrk; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "installing $tool"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool"
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

. bench/lib.sh
wait_http() {  # url, tries of 0.1 s
  for _ in $(seq 1 "${2:-300}"); do curl -skf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; return 1
}
rss_kib() { ps -o rss= -p "$1" --ppid "$1" | awk '{s+=$1} END {print s}'; }

echo "== throwaway certificate"
throwaway_certificate

# The shipped binary: the release recipe of webhook/Dockerfile and make dist
# (scripts/release-build.sh, which says what each flag is for).
echo "== building singleton-webhook (scripts/release-build.sh: the image's release recipe)"
BIN=$(scripts/release-build.sh singleton-webhook)

# A Deployment UPDATE review as the API server sends it (compact JSON with managedFields and
# status; allowed: replicas go down), and kubectl scale on an at-most-one Deployment (denied
# from the cache).
python3 bench/review-body.py examples/reviews/03-scale-down-allowed.json >"$WORK/review.json"
python3 -c 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' \
  examples/reviews/07-kubectl-scale-denied.json >"$WORK/scale.json"
echo "review body: Deployment UPDATE, compact JSON, $(wc -c <"$WORK/review.json") bytes"

start_webhook() {  # extra flags...
  WPORT=$(free_port); MPORT=$(free_port)
  taskset -c "$SERVER_CPU" "$BIN" serve --host 127.0.0.1 --port "$WPORT" --metrics-host 127.0.0.1 --metrics-port "$MPORT" \
    --tls-cert-file "$WORK/tls.crt" --tls-key-file "$WORK/tls.key" --threads 1 "$@" 2>>"$WORK/webhook.log" &
  WPID=$!; PIDS+=("$WPID")
  wait_http "https://127.0.0.1:$WPORT/healthz"
}

start_webhook --parent-lookup none
curl -sk --data-binary @"$WORK/review.json" -H 'Content-Type: application/json' "https://127.0.0.1:$WPORT/validate" >"$WORK/answer.json"
grep -q '"allowed":true' "$WORK/answer.json" || { echo "unexpected webhook answer: $(cat "$WORK/answer.json")"; exit 1; }
if grep -q '\$' "$WORK/answer.json"; then echo "answer contains \$, cannot embed in nginx.conf"; exit 1; fi
ANSWER=$(sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$WORK/answer.json")

NPORT=$(free_port)
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  client_body_temp_path $WORK/nginx-body;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $WORK/tls.crt;
    ssl_certificate_key $WORK/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 7m;
    client_body_buffer_size 16k;
    location = /validate { default_type application/json; return 200 '$ANSWER'; }
  }
}
NGINX
taskset -c "$SERVER_CPU" "$NGINX" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" &
NPID=$!; PIDS+=("$NPID")
wait_http "https://127.0.0.1:$NPORT/" 100 || true  # 404 is fine: wait until it listens
for _ in $(seq 1 50); do curl -sk -o /dev/null "https://127.0.0.1:$NPORT/validate" -d x && break; sleep 0.1; done
cmp -s <(curl -sk --data-binary @"$WORK/review.json" -H 'Content-Type: application/json' "https://127.0.0.1:$NPORT/validate") "$WORK/answer.json" \
  || { echo "nginx does not answer the webhook's bytes"; exit 1; }

# The floor: the same network stack answering the webhook's bytes without deciding anything,
# built with the same optimisation (full LTO, exclusivity checked at compile time), so
# webhook/floor stays the cost of the webhook's own work.
echo "== building the floor server (bench/floor: SwiftNIO + NIOSSL + NIOHTTP1, fixed answer, full LTO)"
FLOOR=$(PACKAGE_PATH=bench/floor scripts/release-build.sh nio-floor)
FPORT=$(free_port)
taskset -c "$SERVER_CPU" "$FLOOR" \
  "$FPORT" "$WORK/tls.crt" "$WORK/tls.key" "$WORK/answer.json" >/dev/null &
FPID=$!; PIDS+=("$FPID")
for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$FPORT/validate" -d x && break; sleep 0.1; done
cmp -s <(curl -sk --data-binary @"$WORK/review.json" -H 'Content-Type: application/json' "https://127.0.0.1:$FPORT/validate") "$WORK/answer.json" \
  || { echo "the floor server does not answer the webhook's bytes"; exit 1; }

# wrk -> "req/s p50_ms p99_ms errors"
measure() {  # port connections body duration
  BENCH_BODY="$3" taskset -c "$LOAD_CPU" wrk -t1 -c"$2" -d"$4" --latency -s bench/post.lua "https://127.0.0.1:$1/validate" >"$WORK/wrk.out"
  python3 bench/wrk-parse.py <"$WORK/wrk.out"
}

echo "== warm-up"
measure "$WPORT" 8 "$WORK/review.json" 2s >/dev/null
measure "$NPORT" 8 "$WORK/review.json" 2s >/dev/null
measure "$FPORT" 8 "$WORK/review.json" 2s >/dev/null

echo "== A/B runs ($ROUNDS rounds x 8 and 1 connections, $DURATION each; server on cpu $SERVER_CPU, wrk on cpu $LOAD_CPU)"
printf "%-8s %5s %5s %12s %10s %10s %7s\n" server round conns "req/s" "p50 ms" "p99 ms" errors
: >"$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for conns in 8 1; do
    for server in webhook nginx floor; do
      case $server in webhook) port=$WPORT ;; nginx) port=$NPORT ;; floor) port=$FPORT ;; esac
      read -r rps p50 p99 errors < <(measure "$port" "$conns" "$WORK/review.json" "$DURATION")
      printf "%-8s %5s %5s %12s %10s %10s %7s\n" "$server" "$round" "$conns" "$rps" "$p50" "$p99" "$errors"
      echo "$server $conns $rps $p50 $p99 $errors" >>"$WORK/results"
    done
  done
done
WRSS=$(rss_kib "$WPID"); NRSS=$(rss_kib "$NPID"); FRSS=$(rss_kib "$FPID")
echo "RSS after load: webhook $((WRSS / 1024)) MiB ($WRSS KiB), nginx $((NRSS / 1024)) MiB ($NRSS KiB, master + worker)"
python3 bench/summary.py "$WORK/results" "$WRSS" "$NRSS" "$FRSS"

kill "$WPID" "$NPID" "$FPID" 2>/dev/null || true
wait "$WPID" "$NPID" "$FPID" 2>/dev/null || true

echo "== webhook with $WORKLOADS workloads in its parent cache (local metadata API)"
start_fake_api "$WORKLOADS" "$LOAD_CPU"
# Denials log one line each at info; warning keeps the measurement on the decision path.
start_webhook --kubeconfig "$WORK/kubeconfig" --log-level warning
wait_http "http://127.0.0.1:$MPORT/readyz" 1200
CACHED=$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^singleton_webhook_parent_cache_objects\{kind="deployments"\}/ {print $2}')
echo "cached deployments: $CACHED; RSS synced, idle: $(( $(rss_kib "$WPID") / 1024 )) MiB"
read -r rps p50 p99 errors < <(measure "$WPORT" 1 "$WORK/scale.json" "$DURATION")
curl -sk --data-binary @"$WORK/scale.json" -H 'Content-Type: application/json' "https://127.0.0.1:$WPORT/validate" | grep -q '"allowed":false' \
  || echo "WARNING: the scale review was not denied"
LOOKUPS=$(curl -s "http://127.0.0.1:$MPORT/metrics" | grep '^singleton_webhook_parent_lookups_total' | tr '\n' ' ')
CRSS=$(rss_kib "$WPID")
echo "scale decisions (cache hits, 1 connection): $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors; $LOOKUPS"
echo "RSS with $CACHED cached workloads after load: $((CRSS / 1024)) MiB ($CRSS KiB)"
awk -v r="$CRSS" -v p="$p99" 'BEGIN {
  printf "target RSS with 10k cached <= 40 MiB: %s\n", (r <= 40*1024) ? "met" : "NOT met";
  printf "target scale p99 (cache hit) < 1 ms: %s\n", (p < 1) ? "met" : "NOT met" }'
kill "$WPID" 2>/dev/null || true

echo "== webhook with a large cluster's parent cache (bench/cache-scale.sh)"
bench/cache-scale.sh "$BIN"

echo "== sandbox create latency as it fills (bench/sandbox-latency.sh)"
bench/sandbox-latency.sh

echo "== kubectl-singleton against kubectl (bench/list-bench.sh)"
bench/list-bench.sh
