#!/usr/bin/env bash
# The parent cache at a large cluster's size: the webhook lists LARGE (100000) workloads from
# bench/fake-api.py in its replicasets shape (one Deployment in eleven, ten ReplicaSets each,
# about 400 singletons), paged by `limit`/`continue`. The fake API answers the first
# ReplicaSet watch with 410 Gone, so the figures include one full relist.
#
#   bench/cache-scale.sh BINARY            BINARY: a release build of singleton-webhook
# Prints `ready with N cached: X s` (start to /readyz), `rss with N cached: X MiB` (ps, after
# the relist and the scale reviews), the peak (VmHWM), and the targets' verdicts: ready <= 5 s,
# RSS <= 32 MiB, and scale reviews of singletons (a Deployment and a ReplicaSet it owns) and of
# a non-singleton ReplicaSet answered from the cache with no API lookup.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/cache-scale.sh BINARY}
LARGE=${LARGE:-100000}

. bench/lib.sh
status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }  # user + system
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="$1" '$1 == m {v = $2} END {print v}'; }

throwaway_certificate
# kubectl scale reviews: the singleton Deployment shop/web (the example), its singleton
# ReplicaSet, and a non-singleton ReplicaSet of the fake cluster (uid as fake-api.py writes it).
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
base = json.load(open("examples/reviews/07-kubectl-scale-denied.json"))
def scale(ns, name, uid, resource):
    r = json.loads(json.dumps(base))
    q = r["request"]
    q["name"], q["namespace"] = name, ns
    for k in ("resource", "requestResource"):
        q[k]["resource"] = resource
    for o in (q["object"], q["oldObject"]):
        o["metadata"].update(name=name, namespace=ns, uid=uid)
    return json.dumps(r, separators=(",", ":"))
alphabet = "bcdfghjklmnpqrstvwxz2456789"
def template_hash(i):
    out = ""
    for _ in range(10):
        i, r = divmod(i * 7919 + 104729, len(alphabet))
        out += alphabet[r]
    return out
reviews = {
    "deployment": scale("shop", "web", "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c", "deployments"),
    "replicaset": scale("shop", "web-5d8f7c9b6d", "00000000-0000-4000-8000-0000000000aa", "replicasets"),
    "other": scale("team-003", "svc-00003-" + template_hash(35), "20000000-0000-4000-8000-%012d" % 35, "replicasets"),
}
for name, body in reviews.items():
    open(f"{work}/scale-{name}.json", "w").write(body)
PY

export GONE_ONCE=1
start_fake_api "$LARGE" "" replicasets
APID=${PIDS[-1]}
for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$APORT/" && break; sleep 0.1; done

WPORT=$(free_port); MPORT=$(free_port)
start=$(date +%s%N)
"$BIN" serve --host 127.0.0.1 --port "$WPORT" --metrics-host 127.0.0.1 --metrics-port "$MPORT" \
  --tls-cert-file "$WORK/tls.crt" --tls-key-file "$WORK/tls.key" --threads 1 \
  --kubeconfig "$WORK/kubeconfig" --log-level warning 2>>"$WORK/webhook.log" &
WPID=$!; PIDS+=("$WPID")
until curl -sf -o /dev/null "http://127.0.0.1:$MPORT/readyz"; do sleep 0.02; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
ready_cpu_ms=$(cpu_ms "$WPID"); api_cpu_ms=$(cpu_ms "$APID")
# The first ReplicaSet watch is refused with 410: wait for the relist that follows.
for _ in $(seq 1 600); do
  [ "$(metric 'singleton_webhook_parent_cache_relists_total{kind="replicasets"}')" = 2.0 ] && break; sleep 0.1
done
relists=$(metric 'singleton_webhook_parent_cache_relists_total{kind="replicasets"}')
cached=0
for kind in deployments replicasets statefulsets replicationcontrollers; do
  n=$(metric "singleton_webhook_parent_cache_objects{kind=\"$kind\"}")
  cached=$(awk -v a="$cached" -v b="${n:-0}" 'BEGIN {print a + b}')
done
answers=""
for review in deployment replicaset other; do
  for _ in $(seq 1 20); do
    curl -sk --data-binary @"$WORK/scale-$review.json" -H 'Content-Type: application/json' \
      "https://127.0.0.1:$WPORT/validate" >"$WORK/answer-$review.json"
  done
  answers+="$review:$(grep -o '"allowed":[a-z]*' "$WORK/answer-$review.json" | cut -d: -f2) "
done
from_cache=$(metric 'singleton_webhook_parent_lookups_total{source="cache"}')
from_api=$(metric 'singleton_webhook_parent_lookups_total{source="api"}')
sleep 2
rss=$(ps -o rss= -p "$WPID" | tr -d ' ')
peak=$(status_kib "$WPID" VmHWM)
kill "$WPID"; wait "$WPID" 2>/dev/null || true

echo "to /readyz: webhook CPU $ready_cpu_ms ms, fake API CPU $api_cpu_ms ms (both lists, load-insensitive)"
echo "cached workloads: $cached (replicaset lists: ${relists:-?}); peak (VmHWM) $((peak / 1024)) MiB"
echo "scale reviews: $answers; parent lookups: cache ${from_cache:-0}, api ${from_api:-0}"
awk -v n="$LARGE" -v ms="$ready_ms" -v rss="$rss" -v answers="$answers" -v api="${from_api:-0}" -v cache="${from_cache:-0}" 'BEGIN {
  printf "ready with %d cached: %.1f s\n", n, ms / 1000
  printf "rss with %d cached: %.1f MiB\n", n, rss / 1024
  printf "target ready with %d cached <= 5 s: %s\n", n, (ms <= 5000) ? "met" : "NOT met"
  printf "target rss with %d cached <= 32 MiB: %s\n", n, (rss <= 32 * 1024) ? "met" : "NOT met"
  ok = (answers == "deployment:false replicaset:false other:true ") && api == 0 && cache >= 60
  printf "target singleton scale decisions from the cache, no API round trip: %s\n", ok ? "met" : "NOT met" }'
