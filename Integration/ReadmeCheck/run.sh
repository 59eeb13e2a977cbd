#!/usr/bin/env bash
# Compiles and runs every Swift code block of README.md (Integration/run.sh runs this), so
# the README cannot drift from the code: each block is an executable of a generated
# package that depends on this one by path; a `print(x)  // Token` line must print Token.
# The blocks run with SWIFT_CACHE_DIR in a fresh temporary directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
generated="$here/.build-readme"
rm -rf "$generated/Sources"
mkdir -p "$generated"
targets=$(python3 "$here/extract.py" "$root/README.md" "$generated" "$root")
log="$generated/build.log"
if ! swift build --package-path "$generated" >"$log" 2>&1; then
    grep -E "error|warning:" "$log" | head -40 || tail -40 "$log"
    echo "FAILED: README's Swift blocks do not compile (generated sources in $generated/Sources)"
    exit 1
fi
tail -1 "$log"
bin=$(swift build --package-path "$generated" --show-bin-path)
cache_dir=$(mktemp -d)
trap 'rm -rf "$cache_dir"' EXIT
failed=0
for target in $targets; do
    echo "--- README block $target"
    if ! SWIFT_CACHE_DIR="$cache_dir" "$bin/$target"; then
        echo "FAILED: README block at line ${target#ReadmeBlock}"; failed=1
    fi
done
[ "$failed" -eq 0 ] && echo "readme: every Swift block compiled and ran"
exit "$failed"
