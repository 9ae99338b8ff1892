#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer (debug, scratch path .build-fuzz) and runs them one after
# another. Fuzz/README.md explains the targets and how to read the results.
#
#   Fuzz/run.sh --seconds 60 [target…]     each target for 60 s (make fuzz)
#   Fuzz/run.sh --runs 1000000 [target…]   each target to 1,000,000 inputs (make fuzz-full)
#   Fuzz/run.sh --build-only [target…]
#   FUZZ_CONFIGURATION=release Fuzz/run.sh …   optimised build in .build-fuzz-release (same sanitizers, faster)
#   FUZZ_ARGS="-detect_leaks=0" Fuzz/run.sh …   more libFuzzer flags (the last of a flag given twice wins)
#   Fuzz/run.sh --write-seeds [target…]    (re)writes the committed seeds, Fuzz/corpus/<target>/
#
# Inputs the fuzzer finds go to Fuzz/work/corpus/<target>/ (ignored by git), crashes, hangs and leaks to
# Fuzz/work/artifacts/<target>/, the logs to Fuzz/work/logs/, one summary line per target to Fuzz/work/summary.txt.
# Exits non-zero when a target found something.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
CONFIGURATION=${FUZZ_CONFIGURATION:-debug}   # release: the same sanitizers on optimised code, several times faster
SCRATCH=.build-fuzz; [ "$CONFIGURATION" = release ] && SCRATCH=.build-fuzz-release
TIMEOUT=${FUZZ_TIMEOUT:-10}       # seconds for one input before libFuzzer calls it a hang
RSS_LIMIT=${FUZZ_RSS_LIMIT_MB:-2048}
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}   # Swift's own crash backtracer takes minutes under ASan
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

mode=seconds; amount=60
case "${1:-}" in
    --seconds) amount=$2; shift 2 ;;
    --runs) mode=runs; amount=$2; shift 2 ;;
    --build-only) mode=build; shift ;;
    --write-seeds) mode=seeds; shift ;;
esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Fuzz/*/main.swift | grep -v seeds | cut -d/ -f2))
fi

build() {
    CARDGATE_FUZZ=1 $SWIFT build -c "$CONFIGURATION" --scratch-path "$SCRATCH" \
        -Xswiftc -sanitize=fuzzer,address -Xcxx -fsanitize=fuzzer-no-link,address --product "fuzz-$1"
}

if [ "${FUZZ_BUILD:-1}" != 0 ]; then   # FUZZ_BUILD=0: run the executables as they are
    for t in "${targets[@]}"; do
        echo "== building fuzz-$t"
        build "$t" || exit 2
    done
fi
[ "$mode" = build ] && exit 0
if [ "$mode" = seeds ]; then
    for t in "${targets[@]}"; do
        CARDGATE_FUZZ_WRITE_SEEDS="Fuzz/corpus/$t" "$SCRATCH/$CONFIGURATION/fuzz-$t" || exit 2
    done
    exit 0
fi

mkdir -p Fuzz/work/logs
found=0
for t in "${targets[@]}"; do
    mkdir -p "Fuzz/work/corpus/$t" "Fuzz/work/artifacts/$t"
    corpora=("Fuzz/work/corpus/$t" "Fuzz/corpus/$t")
    [ -d "Fuzz/regressions/$t" ] && corpora+=("Fuzz/regressions/$t")
    limit=(-max_total_time="$amount"); [ "$mode" = runs ] && limit=(-runs="$amount")
    log="Fuzz/work/logs/$t.log"
    command=($SCRATCH/$CONFIGURATION/fuzz-$t "${corpora[@]}" "${limit[@]}" -timeout="$TIMEOUT" -detect_leaks=1
             -rss_limit_mb="$RSS_LIMIT" -print_final_stats=1 -artifact_prefix="Fuzz/work/artifacts/$t/" ${FUZZ_ARGS:-})
    echo "== fuzz-$t: ${command[*]}"
    start=$(date +%s)
    "${command[@]}" >"$log" 2>&1
    rc=$?
    elapsed=$(( $(date +%s) - start ))
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
    cov=$(sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/p' <<<"$last")
    line="fuzz-$t ($CONFIGURATION): exit $rc, ${runs:-?} runs in ${elapsed} s, ${cov:-cov ?}, peak RSS ${peak:-?} MB"
    echo "$line" | tee -a Fuzz/work/summary.txt
    if [ $rc -ne 0 ]; then
        found=1
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*contract broken|artifact_prefix|Test unit written)' "$log" | head -20
    fi
done
exit $found
