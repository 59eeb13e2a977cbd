#!/usr/bin/env bash
# Builds the one fuzz binary (Modules/CacheFuzz, every reader of outside bytes behind a
# target switch) with libFuzzer + AddressSanitizer and runs targets on their corpora.
#   Integration/Fuzz/run.sh smoke [TARGET...]          # 5 s per target (CI)
#   Integration/Fuzz/run.sh runs 10000000 TARGET...    # at least N executions each
#   Integration/Fuzz/run.sh time 600 TARGET...         # N seconds each
# Targets: binary-codable envelope box-snapshot klepto-entry klepto-file npy-header
# npy-array resp cache-key (all when none is named). The committed seed corpus
# (corpus/<target>/) is read, never written: new inputs go to a scratch directory. A crash
# is saved by libFuzzer as crash-*; copy it into corpus/<target>/ and FuzzCorpusTests
# replays it in every `swift test` from then on.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mode="${1:-smoke}"
shift || true
limit=""
if [ "$mode" != smoke ]; then limit="${1:?usage: $0 [smoke | runs N | time SECONDS] [TARGET...]}"; shift; fi
all=(binary-codable envelope box-snapshot klepto-entry klepto-file npy-header npy-array resp cache-key)
targets=("$@")
[ "${#targets[@]}" -eq 0 ] && targets=("${all[@]}")
scratch="${FUZZ_BUILD_DIR:-$root/.build-fuzz}"
swift build --package-path "$root" --scratch-path "$scratch" --product CacheFuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -DSWIFT_CACHE_FUZZ 2>&1 | grep -E "error|warning:|Compiling|Build" | tail -3
binary="$(swift build --package-path "$root" --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address --show-bin-path)/CacheFuzz"
case "$mode" in
    smoke) args=(-max_total_time=5) ;;
    runs) args=(-runs="$limit") ;;
    time) args=(-max_total_time="$limit") ;;
    *) echo "usage: $0 [smoke | runs N | time SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
for target in "${targets[@]}"; do
    work="$scratch/fuzz-work/$target"
    mkdir -p "$work/new"
    echo "--- fuzz $target (${args[*]})"
    (cd "$work" && FUZZ_TARGET="$target" "$binary" "${args[@]}" -max_len=65536 -print_final_stats=1 \
        "$work/new" "$here/corpus/$target" 2>&1 | grep -E "stat::number_of_executed_units|Done|ERROR|SUMMARY|crash-|BINGO|deadly" || true)
    if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
        echo "FAILED: $target found a crash: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head -3)"
        exit 1
    fi
done
echo "fuzz: ${#targets[@]} targets, no crash"
