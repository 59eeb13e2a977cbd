/// The labels and dimension names ``CacheMetricsReporter`` publishes under.
/// Prometheus-friendly: snake case, `_total` on counters, base units in the name.
public enum CacheMetricLabel {
    /// Counter: lookups that found a live value.
    public static let hits = "swift_cache_hits_total"
    /// Counter: lookups that found nothing (or an expired or undecodable entry).
    public static let misses = "swift_cache_misses_total"
    /// Counter with a ``causeDimension`` dimension (`size`, `expired`): entries the cache evicted.
    public static let evictions = "swift_cache_evictions_total"
    /// Counter: loader runs (memoized calls) that returned a value.
    public static let loadSuccesses = "swift_cache_load_successes_total"
    /// Counter: loader runs that threw.
    public static let loadFailures = "swift_cache_load_failures_total"
    /// Counter: values computed but not stored.
    public static let storeFailures = "swift_cache_store_failures_total"
    /// Counter: stored entries that could not be decoded and were dropped.
    public static let decodeFailures = "swift_cache_decode_failures_total"
    /// Counter: lookups the store could not answer (server unreachable, I/O error), counted as misses too.
    public static let readFailures = "swift_cache_read_failures_total"
    /// Counter of whole nanoseconds spent in loaders (an integer counter, so every
    /// backend adds it exactly; divide by 1e9 for seconds).
    public static let loadTime = "swift_cache_load_duration_nanoseconds_total"
    /// Gauge: entries held now.
    public static let entries = "swift_cache_entries"
    /// Gauge: bytes (or total weight) held now.
    public static let bytes = "swift_cache_bytes"

    /// The dimension carrying the reporter's name, on every metric.
    public static let cacheDimension = "cache"
    /// The dimension carrying the ``CacheCore/RemovalCause`` on ``evictions``.
    public static let causeDimension = "cause"
}
