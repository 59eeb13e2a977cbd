#!/usr/bin/env bash
# Integration checks: builds and tests the consumer packages in Integration/ (each
# its own Package.swift depending on the root package by path), and proves that a
# consumer of CacheFunctools alone, and one of CacheAutoSelect + CacheTools, compile
# no SQLite, NIO or CLI code, that a consumer of CacheRedis compiles no CacheAsync, and
# that a CacheBox-only or CacheKlepto-only consumer compiles no other backend.
# A consumer whose products are not in the root manifest yet is reported as skipped.
# Other groups add their checks as Integration/*/run.sh; this script runs them too.
set -euo pipefail
cd "$(dirname "$0")"
root_manifest=../Package.swift
failures=0

has_products() {
    local missing=()
    for product in "$@"; do
        grep -q "\.library(name: \"$product\"" "$root_manifest" || missing+=("$product")
    done
    if [ ${#missing[@]} -gt 0 ]; then echo "${missing[*]}"; return 1; fi
}

run_consumer() {
    local dir=$1; shift
    echo "--- $dir"
    local missing
    if ! missing=$(has_products "$@"); then
        echo "SKIPPED $dir: products not in this checkout yet: $missing"
        return 0
    fi
    if ! swift build --build-tests --package-path "$dir" 2>&1 | tail -3; then
        echo "FAILED to build $dir"; failures=$((failures + 1)); return 0
    fi
    if ! swift test --skip-build --package-path "$dir" 2>&1 | tail -15; then
        echo "FAILED tests of $dir"; failures=$((failures + 1)); return 0
    fi
    # pipefail makes the pipelines above fail with swift's status.
}

check_lean_products() {
    local dir=$1
    echo "--- $dir: build products must contain no SQLite, NIO or CLI objects"
    local build="$dir/.build"
    local offenders
    offenders=$(find -L "$build" \( -name '*.o' -o -name '*.swiftmodule' -o -name '*.a' -o -name '*.so' \) 2>/dev/null \
        | grep -E '/(CCacheSQLite|CacheSQLite|CacheDisk|CacheKlepto|CacheRedis|NIO[A-Za-z]*|CNIO[A-Za-z]*|CacheCLI|cachectl|ArgumentParser[A-Za-z]*)[./]' || true)
    if [ -n "$offenders" ]; then
        echo "FAILED: $dir compiled code it must not:"; echo "$offenders" | head -20; failures=$((failures + 1))
    fi
    local binary
    binary=$(find "$build" -path '*debug*' \( -name '*PackageTests.xctest' -o -name '*PackageTests' \) -type f 2>/dev/null | head -1)
    if [ -z "$binary" ]; then
        binary=$(find "$build" -path '*debug*' -name '*PackageTests.xctest' 2>/dev/null | head -1)
        [ -d "$binary" ] && binary=$(find "$binary" -type f -perm -u+x | head -1)
    fi
    if [ -z "$binary" ]; then echo "FAILED: no test binary found under $build"; failures=$((failures + 1)); return 0; fi
    if nm "$binary" 2>/dev/null | grep -qi 'sqlite3'; then
        echo "FAILED: $binary contains sqlite3 symbols"; failures=$((failures + 1))
    fi
    if command -v ldd >/dev/null && ldd "$binary" 2>/dev/null | grep -qiE 'sqlite|NIO'; then
        echo "FAILED: $binary links SQLite or NIO"; failures=$((failures + 1))
    fi
    if nm "$binary" 2>/dev/null | grep -qE 'ArgumentParser|CacheCLI|\$s[0-9]+NIO'; then
        echo "FAILED: $binary contains CLI or NIO symbols"; failures=$((failures + 1))
    fi
    echo "ok: $(find -L "$build" -name '*.o' | wc -l) objects, none from SQLite, NIO or the CLI; $(basename "$binary") has no sqlite3 symbol"
}

run_consumer FunctoolsOnlyConsumer CacheFunctools
check_lean_products FunctoolsOnlyConsumer
run_consumer AutoSelectToolsConsumer CacheAutoSelect CacheTools
if has_products CacheAutoSelect CacheTools >/dev/null; then check_lean_products AutoSelectToolsConsumer; fi
run_consumer AutoSelectDiskJoblibConsumer CacheAutoSelect CacheDisk CacheJoblib
run_consumer RedisOnlyConsumer CacheRedis CacheCore
if has_products CacheRedis >/dev/null; then
    echo "--- RedisOnlyConsumer: build products must contain no CacheAsync, SQLite or CLI objects"
    offenders=$(find -L RedisOnlyConsumer/.build \( -name '*.o' -o -name '*.swiftmodule' \) 2>/dev/null \
        | grep -E '/(CacheAsync|CCacheSQLite|CacheSQLite|CacheDisk|CacheCLI|cachectl|ArgumentParser[A-Za-z]*)[./]' || true)
    if [ -n "$offenders" ]; then
        echo "FAILED: RedisOnlyConsumer compiled code it must not:"; echo "$offenders" | head -20; failures=$((failures + 1))
    else
        echo "ok: RedisOnlyConsumer compiled no CacheAsync, SQLite or CLI code"
    fi
fi
# Consumers of one backend: no other backend, no NIO, no CLI (and for CacheBox no SQLite).
check_only_backend() {
    local dir=$1 forbidden=$2
    echo "--- $dir: build products must contain no other backend, NIO or CLI objects"
    local offenders
    offenders=$(find -L "$dir/.build" \( -name '*.o' -o -name '*.swiftmodule' \) 2>/dev/null | grep -E "/($forbidden)[./]" || true)
    if [ -n "$offenders" ]; then
        echo "FAILED: $dir compiled code it must not:"; echo "$offenders" | head -20; failures=$((failures + 1))
    else
        echo "ok: $dir compiled none of: ${forbidden//|/, }"
    fi
}
other_backends='CacheFunctools|CacheTools|CacheDisk|CacheJoblib|CacheAsync|CacheRedis|CacheRESP|CacheAutoSelect|CacheCLI|cachectl|ArgumentParser[A-Za-z]*|NIO[A-Za-z]*|CNIO[A-Za-z]*'
run_consumer BoxOnlyConsumer CacheBox
if has_products CacheBox >/dev/null; then
    check_lean_products BoxOnlyConsumer
    check_only_backend BoxOnlyConsumer "$other_backends|CacheKlepto"
fi
run_consumer KleptoOnlyConsumer CacheKlepto
if has_products CacheKlepto >/dev/null; then check_only_backend KleptoOnlyConsumer "$other_backends|CacheBox"; fi
run_consumer AutoSelectEverythingConsumer CacheAutoSelect CacheFunctools CacheTools CacheDisk CacheJoblib CacheAsync CacheRedis

for script in */run.sh; do
    [ -x "$script" ] || continue
    # The soak runs every check at full size for as long as it is given: never in CI.
    if [ "$script" = "Soak/run.sh" ]; then continue; fi
    echo "--- $script"
    "./$script" || { echo "FAILED $script"; failures=$((failures + 1)); }
done

if [ "$failures" -gt 0 ]; then echo "integration: $failures failure(s)"; exit 1; fi
echo "integration: ok"
