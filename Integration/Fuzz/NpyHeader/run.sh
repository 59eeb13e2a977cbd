#!/usr/bin/env bash
# Builds the .npy header fuzzer with libFuzzer + AddressSanitizer and runs it.
#   Integration/Fuzz/NpyHeader/run.sh smoke          # a few seconds (CI)
#   Integration/Fuzz/NpyHeader/run.sh runs 1000000   # at least N executions
#   Integration/Fuzz/NpyHeader/run.sh time 600       # for N seconds
# The committed seed corpus (corpus/) is read, never written: new inputs go to a
# scratch directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
mode="${1:-smoke}"
limit="${2:-}"
build="${FUZZ_BUILD_DIR:-$root/.build/fuzz-npy}"
mkdir -p "$build/scratch"
src="$root/Modules/CacheJoblib"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name NpyHeaderFuzz \
    "$src/NumPy/NumPyHeader.swift" "$src/NumPy/NumPyFormatError.swift" "$src/Arrays/NumPyElementType.swift" \
    "$here/FuzzNpyHeader.swift" -o "$build/fuzz-npy-header"
case "$mode" in
    smoke) args=(-max_total_time=5) ;;
    runs) args=(-runs="${limit:-1000000}") ;;
    time) args=(-max_total_time="${limit:-60}") ;;
    *) echo "usage: $0 [smoke | runs N | time SECONDS]" >&2; exit 2 ;;
esac
"$build/fuzz-npy-header" "${args[@]}" -max_len=4096 -print_final_stats=1 "$build/scratch" "$here/corpus"
