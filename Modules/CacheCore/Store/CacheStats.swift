/// A snapshot of what a cache has done. Every backend reports the same fields.
public struct CacheStats: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Lookups that found a live value.
    public var hits: Int = 0
    /// Lookups that found nothing (or only an expired or undecodable entry).
    public var misses: Int = 0
    /// Entries the cache removed on its own, by cause (`.size`, `.expired`).
    public var evictions: [RemovalCause: Int] = [:]
    /// Entries held now.
    public var count: Int = 0
    /// Bytes held now, or total weight for weighted in-memory caches.
    public var bytes: Int = 0
    /// Loader runs (memoized function calls) that returned a value.
    public var loadSuccesses: Int = 0
    /// Loader runs that threw.
    public var loadFailures: Int = 0
    /// Values computed but not stored (too heavy, I/O failure, serialization failure).
    public var storeFailures: Int = 0
    /// Stored entries that could not be decoded and were dropped (counted as misses too).
    public var decodeFailures: Int = 0
    /// Lookups the store could not answer — its server unreachable, a timeout, an I/O
    /// error (counted as misses too: the caller computes).
    public var readFailures: Int = 0
    /// Total time spent in loaders.
    public var totalLoadTime: Duration = .zero

    public init() {}

    /// Total evictions over every cause.
    public var evictionCount: Int { evictions.values.reduce(0, +) }

    /// hits / (hits + misses), or 0 before the first lookup.
    public var hitRatio: Double {
        let total = hits + misses
        return total == 0 ? 0 : Double(hits) / Double(total)
    }

    /// Records a removal; only evictions (size, expiry) are counted.
    public mutating func recordRemoval(_ cause: RemovalCause, count: Int = 1) {
        if cause.isEviction { evictions[cause, default: 0] += count }
    }

    /// Counts one loader run that returned (`succeeded`) or threw, and its duration.
    package mutating func recordLoad(succeeded: Bool, elapsed: Duration) {
        if succeeded { loadSuccesses += 1 } else { loadFailures += 1 }
        totalLoadTime += elapsed
    }

    /// This snapshot (a store's) plus a memoizer's own load counters: loads, load
    /// failures, store failures and load time — not hits or misses, which the store counts.
    package func addingLoadCounters(of own: CacheStats) -> CacheStats {
        var total = self
        total.loadSuccesses += own.loadSuccesses
        total.loadFailures += own.loadFailures
        total.storeFailures += own.storeFailures
        total.totalLoadTime += own.totalLoadTime
        return total
    }

    /// Adds another snapshot's counters (count and bytes too) to this one.
    public mutating func merge(_ other: CacheStats) {
        hits += other.hits
        misses += other.misses
        for (cause, n) in other.evictions { evictions[cause, default: 0] += n }
        count += other.count
        bytes += other.bytes
        loadSuccesses += other.loadSuccesses
        loadFailures += other.loadFailures
        storeFailures += other.storeFailures
        decodeFailures += other.decodeFailures
        readFailures += other.readFailures
        totalLoadTime += other.totalLoadTime
    }

    public var description: String {
        let ev = evictions.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "hits=\(hits) misses=\(misses) evictions=[\(ev)] count=\(count) bytes=\(bytes) "
            + "loads=\(loadSuccesses) loadFailures=\(loadFailures) storeFailures=\(storeFailures) "
            + "decodeFailures=\(decodeFailures) readFailures=\(readFailures) loadTime=\(totalLoadTime)"
    }
}
