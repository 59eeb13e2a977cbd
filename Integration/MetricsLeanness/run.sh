#!/usr/bin/env bash
# Run by Integration/run.sh after it has built the consumers: a consumer that does not
# depend on CacheMetrics must compile no swift-metrics code (CoreMetrics, Metrics,
# MetricsTestKit) and no CacheMetrics, and its test binary must hold no such symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
failures=0
checked=0
for dir in FunctoolsOnlyConsumer AutoSelectToolsConsumer; do
    build="$dir/.build"
    if [ ! -d "$build" ]; then echo "SKIPPED $dir: not built (Integration/run.sh builds it first)"; continue; fi
    checked=$((checked + 1))
    offenders=$(find -L "$build" \( -name '*.o' -o -name '*.swiftmodule' -o -name '*.a' -o -name '*.so' \) 2>/dev/null \
        | grep -E '/(CoreMetrics|Metrics|MetricsTestKit|CacheMetrics)[./]' || true)
    if [ -n "$offenders" ]; then
        echo "FAILED: $dir compiled swift-metrics or CacheMetrics:"; echo "$offenders" | head -10; failures=$((failures + 1)); continue
    fi
    binary=$(find "$build" -path '*debug*' \( -name '*PackageTests.xctest' -o -name '*PackageTests' \) -type f 2>/dev/null | head -1)
    if [ -n "$binary" ] && nm "$binary" 2>/dev/null | grep -qE '\$s(11CoreMetrics|7Metrics|12CacheMetrics)'; then
        echo "FAILED: $binary contains swift-metrics or CacheMetrics symbols"; failures=$((failures + 1)); continue
    fi
    echo "ok: $dir compiled no swift-metrics or CacheMetrics code"
done
if [ "$checked" -eq 0 ]; then echo "MetricsLeanness: no consumer was built"; exit 1; fi
[ "$failures" -eq 0 ]
