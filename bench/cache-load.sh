#!/usr/bin/env bash
# The parent-cache part of bench/run.sh alone: the webhook lists WORKLOADS deployments from
# bench/fake-api.py, and this reports the time to /readyz, the peak RSS (VmHWM, which covers
# the initial list) and the RSS once synced, idle and after a short load of scale reviews.
#
#   bench/cache-load.sh BINARY [RUNS]      BINARY: a singleton-webhook build (say which)
# Environment: WORKLOADS (10000), LOAD (5s of wrk, 1 connection; 0 skips it), PAGED (1: the
# fake API honours `limit` as the API server does; 0: every list in one page).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/cache-load.sh BINARY [RUNS]}
RUNS=${2:-3}
WORKLOADS=${WORKLOADS:-10000}
LOAD=${LOAD:-5s}

. bench/lib.sh
status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

throwaway_certificate
python3 -c 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' \
  examples/reviews/07-kubectl-scale-denied.json >"$WORK/scale.json"

start_fake_api "$WORKLOADS"
for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$APORT/" && break; sleep 0.1; done

printf "%-4s %10s %10s %10s %10s %10s\n" run ready_ms cached peak_KiB idle_KiB load_KiB
for run in $(seq 1 "$RUNS"); do
  WPORT=$(free_port); MPORT=$(free_port)
  start=$(date +%s%N)
  "$BIN" serve --host 127.0.0.1 --port "$WPORT" --metrics-host 127.0.0.1 --metrics-port "$MPORT" \
    --tls-cert-file "$WORK/tls.crt" --tls-key-file "$WORK/tls.key" --threads 1 \
    --kubeconfig "$WORK/kubeconfig" --log-level warning 2>>"$WORK/webhook.log" &
  WPID=$!; PIDS+=("$WPID")
  until curl -sf -o /dev/null "http://127.0.0.1:$MPORT/readyz"; do sleep 0.02; done
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  cached=$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^singleton_webhook_parent_cache_objects\{kind="deployments"\}/ {print $2}')
  sleep 3
  idle=$(status_kib "$WPID" VmRSS)
  loaded=-
  if [ "$LOAD" != 0 ]; then
    BENCH_BODY="$WORK/scale.json" wrk -t1 -c1 -d"$LOAD" -s bench/post.lua "https://127.0.0.1:$WPORT/validate" >/dev/null
    sleep 2
    loaded=$(status_kib "$WPID" VmRSS)
  fi
  peak=$(status_kib "$WPID" VmHWM)
  printf "%-4s %10s %10s %10s %10s %10s\n" "$run" "$ready_ms" "$cached" "$peak" "$idle" "$loaded"
  kill "$WPID"; wait "$WPID" 2>/dev/null || true
done
