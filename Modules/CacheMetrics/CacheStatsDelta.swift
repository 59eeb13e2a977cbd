import CacheCore

/// What changed between two ``CacheStats`` snapshots: the increments one report publishes.
///
/// Every field is ≥ 0. When any monotonic counter of the newer snapshot is below the
/// older one's (hits, misses, an eviction cause, loads, failures, load time), the stats
/// were reset in between — `cache_clear()`, `LRUMemoStore.removeAll()` — and the delta is
/// the newer snapshot's counters in full (everything counted since the reset), with
/// ``wasReset`` set. A reset followed by so much activity that every counter passed its
/// old value cannot be told apart from no reset; the increments are then too small.
public struct CacheStatsDelta: Sendable, Hashable {
    public var hits: Int64 = 0
    public var misses: Int64 = 0
    /// Evictions by cause; causes that did not change are absent.
    public var evictions: [RemovalCause: Int64] = [:]
    public var loadSuccesses: Int64 = 0
    public var loadFailures: Int64 = 0
    public var storeFailures: Int64 = 0
    public var decodeFailures: Int64 = 0
    public var readFailures: Int64 = 0
    /// Loader time, in whole nanoseconds.
    public var loadTimeNanoseconds: Int64 = 0
    /// Whether the newer snapshot's counters went backwards (a stats reset).
    public var wasReset: Bool = false

    public init() {}

    /// The increments from `previous` to `current`.
    /// - Complexity: O(number of eviction causes).
    public init(from previous: CacheStats, to current: CacheStats) {
        let reset = Self.wentBackwards(from: previous, to: current)
        let base = reset ? CacheStats() : previous
        wasReset = reset
        hits = Self.increment(base.hits, current.hits)
        misses = Self.increment(base.misses, current.misses)
        loadSuccesses = Self.increment(base.loadSuccesses, current.loadSuccesses)
        loadFailures = Self.increment(base.loadFailures, current.loadFailures)
        storeFailures = Self.increment(base.storeFailures, current.storeFailures)
        decodeFailures = Self.increment(base.decodeFailures, current.decodeFailures)
        readFailures = Self.increment(base.readFailures, current.readFailures)
        let time = Self.nanoseconds(current.totalLoadTime) - Self.nanoseconds(base.totalLoadTime)
        loadTimeNanoseconds = max(0, time)
        for (cause, n) in current.evictions {
            let d = Self.increment(base.evictions[cause] ?? 0, n)
            if d > 0 { evictions[cause] = d }
        }
    }

    /// Whether nothing changed.
    public var isEmpty: Bool {
        hits == 0 && misses == 0 && evictions.isEmpty && loadSuccesses == 0 && loadFailures == 0
            && storeFailures == 0 && decodeFailures == 0 && readFailures == 0 && loadTimeNanoseconds == 0
    }

    /// A duration in whole nanoseconds, clamped to `0...Int64.max` (292 years).
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : max(0, total)
    }

    static func increment(_ old: Int, _ new: Int) -> Int64 {
        Int64(max(0, new - max(0, old)))
    }

    static func wentBackwards(from previous: CacheStats, to current: CacheStats) -> Bool {
        if current.hits < previous.hits || current.misses < previous.misses { return true }
        if current.loadSuccesses < previous.loadSuccesses || current.loadFailures < previous.loadFailures { return true }
        if current.storeFailures < previous.storeFailures || current.decodeFailures < previous.decodeFailures { return true }
        if current.readFailures < previous.readFailures { return true }
        if current.totalLoadTime < previous.totalLoadTime { return true }
        for (cause, n) in previous.evictions where (current.evictions[cause] ?? 0) < n { return true }
        return false
    }
}
