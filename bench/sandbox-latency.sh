#!/usr/bin/env bash
# Sandbox latency as it fills: two singleton-sandbox processes side by side, one holding about
# SMALL objects and one about LARGE (Deployments with their ReplicaSet and Pod, --prefill),
# each with a watch open on Deployments; CREATES Deployment POSTs shaped like
# `kubectl create deployment` go to them alternately over keep-alive HTTPS (bench/sandbox-post.py).
# Prints the medians and `ratio sandbox create latency LARGE/SMALL objects: X` (target <= 2).
#
#   bench/sandbox-latency.sh [BINARY]   BINARY: a singleton-sandbox build (default: the release recipe)
# Environment: SMALL (10), LARGE (10000), CREATES (300), FILL_API (1: fill through POSTs instead
# of --prefill, for builds that lack it).
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${SMALL:-10}
LARGE=${LARGE:-10000}
CREATES=${CREATES:-300}
BIN=${1:-}
[ -n "$BIN" ] || BIN=$(scripts/release-build.sh singleton-sandbox)

. bench/lib.sh
# Not called in $(...): a subshell's PIDS would not reach cleanup, leaving the sandbox running.
start_sandbox() {  # objects -> SANDBOX_PORT
  local token out
  token=bench-$1
  out="$WORK/sandbox-$1.out"
  local prefill=(--prefill "$1")
  [ "${FILL_API:-0}" = 1 ] && prefill=()
  "$BIN" "${prefill[@]}" --token-auth --token "$token" >"$out" 2>"$WORK/sandbox-$1.err" &
  PIDS+=("$!")
  for _ in $(seq 1 3000); do
    grep -q "listening on" "$out" 2>/dev/null && break
    sleep 0.1
  done
  SANDBOX_PORT=$(grep -o 'https://127.0.0.1:[0-9]*' "$out" | sed 's/.*://')
}
start_sandbox "$SMALL"; PSMALL=$SANDBOX_PORT
start_sandbox "$LARGE"; PLARGE=$SANDBOX_PORT
python3 bench/sandbox-post.py "$CREATES" "$PSMALL" "bench-$SMALL" "$SMALL" "$PLARGE" "bench-$LARGE" "$LARGE"
