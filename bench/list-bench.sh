#!/usr/bin/env bash
# The plugin against kubectl, side by side on the same server (run by bench/run.sh, or alone): `kubectl singleton list -A` against `kubectl get deploy,sts,rs,rc,pod,pdb,svc,
# hpa,lease -A` over LIST_WORKLOADS (5,000) workloads served by bench/list-api.py, and
# `kubectl-singleton version --client` against `kubectl version --client`. Alternates the two tools,
# RUNS times each (START_RUNS for the start-up pair), and prints the median wall times, the
# CPU each used, the ratios and their verdicts. Needs PLUGIN (a release build) and kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
LIST_WORKLOADS=${LIST_WORKLOADS:-5000}
RUNS=${RUNS:-5}
START_RUNS=${START_RUNS:-41}
. bench/lib.sh
throwaway_certificate
PLUGIN=${PLUGIN:-$(scripts/release-build.sh kubectl-singleton)}
KUBECTL=${KUBECTL:-$(command -v kubectl)}

echo "== plugin list -A vs kubectl get, $LIST_WORKLOADS workloads (bench/list-api.py), $RUNS runs each"
LPORT=$(free_port)
python3 bench/list-api.py "$LPORT" "$WORK/tls.crt" "$WORK/tls.key" "$LIST_WORKLOADS" >"$WORK/list-api.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 600); do grep -q ready "$WORK/list-api.log" 2>/dev/null && break; sleep 0.2; done
write_kubeconfig "$LPORT" "$WORK/list.kubeconfig"
export KUBECONFIG="$WORK/list.kubeconfig"
GET=("$KUBECTL" --cache-dir "$WORK/kubectl-cache" get deploy,sts,rs,rc,pod,pdb,svc,hpa,lease -A)
LIST=("$PLUGIN" list -A)
# Warm-up: the server builds each page once; kubectl fills its discovery cache.
"${GET[@]}" >"$WORK/get.txt"
"${LIST[@]}" >"$WORK/list.txt"
echo "kubectl get: $(wc -l <"$WORK/get.txt") lines; plugin list: $(($(wc -l <"$WORK/list.txt") - 1)) singletons"
read -r _ GET_WALL GET_CPU _ LIST_WALL LIST_CPU < <(python3 bench/alternate.py "$RUNS" \
  "get=${GET[*]}" "list=${LIST[*]}" | tr '\n' ' '; echo)
echo "median wall: plugin list -A ${LIST_WALL}s, kubectl get ${GET_WALL}s; median CPU (user+sys): plugin ${LIST_CPU}s, kubectl ${GET_CPU}s"
awk -v l="$LIST_WALL" -v g="$GET_WALL" -v lc="$LIST_CPU" -v gc="$GET_CPU" -v n="$LIST_WORKLOADS" 'BEGIN {
  r = l / g
  printf "ratio plugin list -A / kubectl get (%d workloads): %.2f\n", n, r
  printf "ratio plugin list -A / kubectl get CPU (%d workloads): %.2f\n", n, lc / gc
  printf "target plugin list -A / kubectl get <= 0.5: %s\n", (r <= 0.5) ? "met" : "NOT met" }'

echo "== plugin start vs kubectl start, $START_RUNS runs each"
read -r _ KSTART _ _ PSTART _ < <(python3 bench/alternate.py "$START_RUNS" \
  "kubectl=$KUBECTL version --client" "plugin=$PLUGIN version --client" | tr '\n' ' '; echo)
echo "median wall: kubectl-singleton version --client ${PSTART}s, kubectl version --client ${KSTART}s"
awk -v p="$PSTART" -v k="$KSTART" 'BEGIN {
  r = (k > 0) ? p / k : 0
  printf "ratio plugin start / kubectl version --client: %.2f\n", r
  printf "target plugin start / kubectl version --client <= 0.3: %s\n", (r <= 0.3) ? "met" : "NOT met" }'
