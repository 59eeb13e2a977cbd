#!/usr/bin/env bash
# The soak: every reliability check at full size, for as long as you give it. Not in CI
# (CI runs the small versions in `swift test`). Prints a summary table at the end.
#
#   Integration/Soak/run.sh                 # defaults below
#   SOAK_FUZZ_RUNS=10000000 SOAK_OPERATIONS=10000000 Integration/Soak/run.sh
#
# 1. stress: every in-memory store, 8 threads x 1,000,000 operations (SWIFT_CACHE_STRESS_FULL=1)
# 2. kill loops: 100 SIGKILLs per CacheKlepto archive and mode, plus CacheDisk's and
#    CacheJoblib's crash tests
# 3. fuzz: every target for SOAK_FUZZ_RUNS executions (libFuzzer + AddressSanitizer)
# 4. leaks: the stress suites under AddressSanitizer's leak checker (LeakSanitizer)
# 5. memory: `cachectl soak` (release): resident size and heap of each bounded cache over
#    SOAK_OPERATIONS operations
set -uo pipefail
cd "$(dirname "$0")/../.."
fuzz_runs="${SOAK_FUZZ_RUNS:-1000000}"
operations="${SOAK_OPERATIONS:-10000000}"
summary=()
record() { summary+=("$(printf '%-44s %s' "$1" "$2")"); }
started=$(date +%s)

echo "=== stress and kill loops at full size"
if SWIFT_CACHE_STRESS_FULL=1 SWIFT_CACHE_REQUIRE_SERVICES=1 swift test \
    --filter "StressTests|KillLoopTests|killedWritersLeaveAConsistentCache|processKilledMidWrite" 2>&1 | tee /tmp/soak-stress.log | grep -E "✘|Test run"; then
    record "stress 8 x 1,000,000 + 100 kills/archive" "$(grep -E 'Test run with' /tmp/soak-stress.log | tail -1)"
else
    record "stress + kill loops" "FAILED (see /tmp/soak-stress.log)"
fi

echo "=== fuzz: $fuzz_runs executions per target"
if Integration/Fuzz/run.sh runs "$fuzz_runs" 2>&1 | tee /tmp/soak-fuzz.log | grep -E "^--- fuzz|Done|FAILED"; then
    record "fuzz ($fuzz_runs runs per target)" "$(grep -c '^Done' /tmp/soak-fuzz.log) targets, no crash"
else
    record "fuzz" "FAILED (see /tmp/soak-fuzz.log)"
fi

echo "=== leaks: the stress suites under AddressSanitizer + LeakSanitizer"
if ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/Integration/Soak/lsan-suppressions.txt" \
    swift test --sanitize=address --scratch-path .build-asan \
    --filter "StressTests|CacheConformance|ConformanceTests" 2>&1 | tee /tmp/soak-leaks.log | grep -E "✘|Test run|LeakSanitizer|ERROR: AddressSanitizer"; then
    if grep -q "LeakSanitizer\|ERROR: AddressSanitizer" /tmp/soak-leaks.log; then
        record "leaks (ASan + LSan)" "REPORTED (see /tmp/soak-leaks.log)"
    else
        record "leaks (ASan + LSan)" "none reported; $(grep -E 'Test run with' /tmp/soak-leaks.log | tail -1)"
    fi
else
    record "leaks (ASan + LSan)" "FAILED (see /tmp/soak-leaks.log)"
fi

echo "=== memory: cachectl soak, $operations operations per cache"
swift build -c release --product cachectl 2>&1 | tail -1
if .build/release/cachectl soak --operations "$operations" | tee /tmp/soak-memory.log; then
    while read -r line; do
        record "$(echo "$line" | awk '{print "soak " $2}')" "$(echo "$line" | sed 's/.*growth/growth/')"
    done < <(grep '^soak ' /tmp/soak-memory.log)
else
    record "memory soak" "FAILED"
fi

echo
echo "=== summary ($(( $(date +%s) - started )) s)"
printf '%s\n' "${summary[@]}"
grep -q "FAILED\|REPORTED" <(printf '%s\n' "${summary[@]}") && exit 1 || exit 0
