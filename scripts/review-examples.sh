#!/usr/bin/env bash
# Decides every sample AdmissionReview under examples/reviews with `singleton-webhook review`
# and checks each verdict against the one its file name promises (-allowed / -denied).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/singleton-webhook"
parent=examples/reviews/parent-web.json
failures=0
for f in examples/reviews/[0-9]*.json; do
    out=$("$bin" review "$f" --parent "$parent" 2>&1)
    rc=$?
    case $rc in 0) verdict=allowed ;; 1) verdict=denied ;; *) verdict="error($rc)" ;; esac
    want=allowed; [[ $f == *-denied.json ]] && want=denied
    mark="ok  "; [[ $verdict == "$want" ]] || { mark="FAIL"; failures=$((failures + 1)); }
    printf '%s %-42s %s\n' "$mark" "$(basename "$f")" "$verdict"
    python3 - "$out" <<'PY'
import json, sys, textwrap
r = json.loads(sys.argv[1])["response"]
for line in [r.get("status", {}).get("message")] + r.get("warnings", []):
    if line:
        print(textwrap.fill(line, 100, initial_indent="       ", subsequent_indent="       "))
PY
done
[[ $failures -eq 0 ]] || { echo "$failures sample(s) decided wrongly" >&2; exit 1; }
