#!/usr/bin/env bash
# Instructions per review of SingletonCore's admission path (`begin(bytes:)`, the answer
# written), counted by cachegrind: the core built with the release flags that matter here
# (-O, whole module, exclusivity unchecked) into one executable with bench/reader/main.swift,
# run over each body N1 and N2 times; (I(N2) - I(N1)) / (N2 - N1) removes the start-up. The
# bodies: the bench's (bench/review-body.py: a Deployment UPDATE and a `kubectl scale`) and the
# examples' Deployment CREATE and HPA. Load-insensitive, so it runs on a busy machine.
#
#   bench/reader-instructions.sh [N1 N2]    (default 200 1200)
#   CORE=DIR: the core's sources from DIR (a copy of another revision's Sources/SingletonCore)
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-200} n2=${2:-1200}
core=$(cd "${CORE:-Sources/SingletonCore}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/review-body.py examples/reviews/03-scale-down-allowed.json > "$work/03.json"
python3 bench/review-body.py examples/reviews/07-kubectl-scale-denied.json > "$work/07.json"
cp examples/reviews/01-create-singleton-allowed.json "$work/01.json"
cp examples/reviews/09-hpa-denied.json "$work/09.json"
swiftc -O -wmo -parse-as-library -enforce-exclusivity=unchecked -module-name SingletonCore \
  "$core"/*.swift bench/reader/main.swift -o "$work/reader-bench"
count() {  # instructions of one run: $1 rounds over the bodies that follow
  local n=$1; shift
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$work/cg.$n" "$work/reader-bench" "$n" "$@" \
    2>&1 >/dev/null | sed -n 's/.*I *refs: *//p' | tr -d ,
}
for body in 03 07 01 09; do
  i1=$(count "$n1" "$work/$body.json") i2=$(count "$n2" "$work/$body.json")
  echo "$body: $(( (i2 - i1) / (n2 - n1) )) instructions per review ($n1: $i1, $n2: $i2)"
done
