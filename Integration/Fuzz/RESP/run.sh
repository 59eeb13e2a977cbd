#!/usr/bin/env bash
# Builds the RESP reply-parser fuzzer with libFuzzer + AddressSanitizer and runs it.
#   Integration/Fuzz/RESP/run.sh smoke          # a few seconds (CI)
#   Integration/Fuzz/RESP/run.sh runs 1000000   # at least N executions
#   Integration/Fuzz/RESP/run.sh time 600       # for N seconds
# The committed seed corpus (corpus/) is read, never written: new inputs go to a
# scratch directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
mode="${1:-smoke}"
limit="${2:-}"
build="${FUZZ_BUILD_DIR:-$root/.build/fuzz-resp}"
mkdir -p "$build/scratch"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name RESPFuzz \
    "$root"/Modules/CacheRESP/*.swift "$here/FuzzRESP.swift" -o "$build/fuzz-resp"
case "$mode" in
    smoke) args=(-max_total_time=5) ;;
    runs) args=(-runs="${limit:-1000000}") ;;
    time) args=(-max_total_time="${limit:-60}") ;;
    *) echo "usage: $0 [smoke | runs N | time SECONDS]" >&2; exit 2 ;;
esac
"$build/fuzz-resp" "${args[@]}" -max_len=4096 -print_final_stats=1 "$build/scratch" "$here/corpus"
