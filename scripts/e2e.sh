#!/usr/bin/env bash
# The end-to-end scripts `make test` runs after the Swift suites. Each runs whatever the others
# did; the summary counts what passed, names what failed, and the exit status is non-zero when
# anything failed. Logs: .build/e2e/NAME.log (the tail of a failed one is printed).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build/e2e
passed=0
failed=()
run() {  # name command...
  local name=$1 log=".build/e2e/$1.log"
  shift
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "passed: $name (log: $log)"
  else
    failed+=("$name")
    echo "FAILED: $name (log: $log); its last lines:"
    tail -n 40 "$log" | sed 's/^/  | /'
  fi
}
run review-examples scripts/review-examples.sh      # offline verdicts of examples/reviews
run validate-manifests scripts/validate-manifests.sh  # strict schema validation of deploy/ and install output
run deploy-e2e scripts/deploy-e2e.sh                # deploy/ applied to the sandbox
run dist scripts/dist.sh                            # the krew archive and manifest (release build, cached)
run dist-chroot scripts/dist-chroot.sh              # that archive in a Debian root without Swift
run check-dockerfile scripts/check-dockerfile.sh    # webhook/Dockerfile's build stage has what the manifest needs
run image-rootfs scripts/image-rootfs-test.sh       # the image's filesystem, run as the pod runs it
run demo scripts/demo.sh                            # the narrated demo against the sandbox
if [ ${#failed[@]} -eq 0 ]; then
  echo "end-to-end scripts: $passed passed, 0 failed"
else
  echo "end-to-end scripts: $passed passed, ${#failed[@]} failed (${failed[*]})"
  exit 1
fi
