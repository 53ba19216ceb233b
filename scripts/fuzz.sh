#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets of Fuzz/ (with AddressSanitizer) and runs each one.
#
#   FUZZ_SECONDS=N    how long each target runs (default 60)
#   FUZZ_RUNS=N       run each target for N executions instead (for long runs)
#   FUZZ_TARGETS=...  which targets (default: review yaml sandbox)
#   FUZZ_JOBS=N       fuzz each target in N processes sharing its corpus (default 1); FUZZ_RUNS
#                     is then split between them
#
# Each target ends with `fuzz: E execs, C crashes`. A crash, a hang (-timeout), an allocation
# past the memory limit or, for review, paths that disagree stops that target and saves the
# input under .build-fuzz/crashes/<target>/; the script then exits 1. New inputs that reach
# new code are kept in .build-fuzz/corpus/<target>/ and seed the next run; Fuzz/corpus/<target>/
# is the committed seed corpus (read only), with the shared fixtures read from ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
targets=${FUZZ_TARGETS:-review yaml sandbox}
scratch=.build-fuzz
swift=${SWIFT:-swift}

mkdir -p "$scratch"
started=$(date +%s)
# -sanitize=fuzzer,address as one flag: swiftc keeps only the last -sanitize it is given, and
# SwiftPM's --sanitize (needed so that libFuzzer's main is the program's) passes one per sanitizer.
if ! "$swift" build --package-path Fuzz --scratch-path "$scratch" -c release \
    --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address \
    -Xswiftc -parse-as-library -Xswiftc -enable-testing -Xswiftc -use-ld=lld \
    >"$scratch/build.log" 2>&1; then
    grep -v 'unhandled; explicitly declare\|^    /.*/Fuzz/Modules/' "$scratch/build.log" | tail -40
    echo "fuzz: the build of the fuzz targets failed (log: $scratch/build.log)" >&2
    exit 1
fi
echo "fuzz: targets built in $(( $(date +%s) - started )) s ($scratch)"

jobs=${FUZZ_JOBS:-1}
# No allocation stacks while fuzzing (recording them was a quarter of the review target's time);
# replaying a saved input without ASAN_OPTIONS prints them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}

# Seeds from the shared fixtures (../shared, beside the checkout; absent in a user's clone): read
# from there at run time, never copied into the repository.
shared=../shared/fixtures
shared_seeds() {  # target -> a folder of seeds (possibly empty)
    local dir="$scratch/shared-seeds/$1"
    rm -rf "$dir" && mkdir -p "$dir"
    case $1 in
        review)
            for f in "$shared"/public/admission/*.review.json "$shared"/public/admission/wrapped/*.json \
                     "$shared"/k8s-api/HEAD/admission.k8s.io.v1.AdmissionReview.json; do
                [ -f "$f" ] && cp "$f" "$dir/"
            done ;;
        yaml)
            for f in "$shared"/public/manifests/*.yaml "$shared"/public/leases/*.yaml; do
                [ -f "$f" ] && cp "$f" "$dir/"
            done ;;
    esac
    echo "$dir"
}

failed=0
for target in $targets; do
    binary="$scratch/release/fuzz-$target"
    seeds="Fuzz/corpus/$target"
    fixtures=$(shared_seeds "$target")
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/crashes/$target"  # not "artifacts": SwiftPM empties its own artifacts folder
    [ -x "$binary" ] || { echo "fuzz: no target '$target' (Fuzz/Sources/fuzz-$target)" >&2; exit 2; }
    mkdir -p "$corpus"
    rm -rf "$artifacts" && mkdir -p "$artifacts"
    options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
    if [ -n "$runs" ]; then options+=(-runs=$(( runs / jobs ))); else options+=(-max_total_time="$seconds"); fi
    [ -f "Fuzz/$target.dict" ] && options+=(-dict="Fuzz/$target.dict")
    echo "fuzz $target: $jobs x $binary $corpus $seeds $fixtures ${options[*]}"
    began=$(date +%s)
    pids=()
    for job in $(seq 1 "$jobs"); do
        "$binary" "$corpus" "$seeds" "$fixtures" "${options[@]}" >"$scratch/fuzz-$target-$job.log" 2>&1 &
        pids+=($!)
    done
    status=0
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
    elapsed=$(( $(date +%s) - began ))
    execs=0
    for job in $(seq 1 "$jobs"); do
        log="$scratch/fuzz-$target-$job.log"
        done_=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        # A crash may end the run before the final stats: take the last progress line instead.
        [ -n "$done_" ] || done_=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
        execs=$(( execs + ${done_:-0} ))
    done
    crashes=$(find "$artifacts" -type f | wc -l)
    kept=$(find "$corpus" -type f | wc -l)
    echo "fuzz: $execs execs, $crashes crashes ($target, $elapsed s, corpus $kept inputs)"
    if [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ] || [ "$execs" -eq 0 ]; then
        failed=1
        for job in $(seq 1 "$jobs"); do grep -v '^#[0-9]' "$scratch/fuzz-$target-$job.log" | tail -40 >&2; done
        for input in "$artifacts"/*; do
            [ -f "$input" ] && echo "fuzz $target: reproduce with $binary $input" >&2
        done
        echo "fuzz $target: failed (exit status $status; logs: $scratch/fuzz-$target-*.log)" >&2
    fi
done
exit $failed
