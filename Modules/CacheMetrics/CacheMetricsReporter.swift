import CacheCore
import CoreMetrics
import Synchronization

/// Publishes a cache's ``CacheCore/CacheStats`` to swift-metrics: counters for hits,
/// misses, evictions (by cause), loads and failures, incremented by what changed since
/// the last report, and gauges for entries and bytes. Labels are in ``CacheMetricLabel``
/// and in the module's README.md.
///
/// ```swift
/// import CacheMetrics
/// import Metrics
///
/// MetricsSystem.bootstrap(myPrometheusFactory)       // once, at startup, before the reporter
/// let store = try LRUCache<String, User>(maxSize: 10_000)
/// let reporter = try CacheMetricsReporter(name: "users", dimensions: [("service", "api")], store: store)
/// let reporting = try reporter.start(every: .seconds(10))   // reports now, then every 10 s
/// // …
/// reporting.cancel()                                  // stops; `await reporter.report()` flushes a last time
/// ```
///
/// The first report publishes everything the cache counted before it (the baseline is
/// zero). A snapshot whose counters went backwards is a stats reset (see
/// ``CacheStatsDelta``): its counters are published in full, never as negative increments.
///
/// Reports are serialized: a report started while another runs waits for it, so every
/// snapshot is compared with the one published just before it.
///
/// Thread-safe: the state is behind a `Mutex`; the metric objects are swift-metrics'.
public final class CacheMetricsReporter: Sendable {
    /// Where the reporter reads the stats from.
    public typealias StatsSource = @Sendable () async -> CacheStats

    /// The value of the `cache` dimension.
    public let name: String
    /// Every dimension on the metrics: `("cache", name)` first, then the extra ones.
    public let dimensions: [(String, String)]
    let source: StatsSource
    let instruments: CacheMetricsInstruments
    let state = Mutex(ReporterState())

    struct ReporterState: Sendable {
        /// The snapshot the last report published (zero before the first).
        var published = CacheStats()
        /// The last report started, so the next one runs after it.
        var tail: Task<CacheStatsDelta, Never>?
        var reportCount = 0
        var resetCount = 0
    }

    /// - Parameters:
    ///   - name: the `cache` dimension's value; not empty.
    ///   - dimensions: extra dimensions on every metric, e.g. `[("service", "api")]`; names
    ///     not empty, distinct, and not `cache` or `cause`, which the reporter sets.
    ///   - factory: the metrics backend; `nil` (the default) is the one bootstrapped in
    ///     `MetricsSystem` — bootstrap it before creating the reporter.
    ///   - stats: reads the cache's current stats.
    /// - Throws: ``CacheCore/CacheConfigurationError`` naming `name` or `dimensions`.
    public init(
        name: String, dimensions extra: [(String, String)] = [], factory: (any MetricsFactory)? = nil,
        stats: @escaping StatsSource
    ) throws(CacheConfigurationError) {
        try Self.validate(name: name, dimensions: extra)
        self.name = name
        self.dimensions = [(CacheMetricLabel.cacheDimension, name)] + extra
        self.source = stats
        self.instruments = CacheMetricsInstruments(factory: factory ?? MetricsSystem.factory, dimensions: dimensions)
    }

    /// A reporter of a synchronous store's ``CacheCore/CacheStore/stats``.
    public convenience init(
        name: String, dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil,
        store: some CacheStore
    ) throws(CacheConfigurationError) {
        try self.init(name: name, dimensions: dimensions, factory: factory, stats: { store.stats })
    }

    /// A reporter of an asynchronous store's ``CacheCore/AsyncCacheStore/stats``.
    public convenience init(
        name: String, dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil,
        store: some AsyncCacheStore
    ) throws(CacheConfigurationError) {
        try self.init(name: name, dimensions: dimensions, factory: factory, stats: { await store.stats })
    }

    /// Reads the stats and publishes what changed since the last report: counter
    /// increments and the entries and bytes gauges.
    /// - Returns: the increments published.
    @discardableResult
    public func report() async -> CacheStatsDelta {
        let task = state.withLock { state in
            let previous = state.tail
            let task = Task { [self] in
                _ = await previous?.value
                return await self.publishOnce()
            }
            state.tail = task
            return task
        }
        return await task.value
    }

    /// Removes this reporter's metrics from the backend (swift-metrics' `destroy()` on each),
    /// e.g. when the cache it reports is discarded; call it after the last report. Reports
    /// made afterwards publish through handlers the backend no longer exports.
    public func destroyMetrics() {
        instruments.destroy()
    }

    /// Reports published so far.
    public var reportCount: Int { state.withLock { $0.reportCount } }

    /// Reports whose snapshot showed a stats reset (counters that went backwards).
    public var resetCount: Int { state.withLock { $0.resetCount } }

    /// The snapshot the last report published (all zero before the first).
    public var lastPublished: CacheStats { state.withLock { $0.published } }

    /// One report; callers are serialized by ``report()``'s task chain.
    private func publishOnce() async -> CacheStatsDelta {
        let current = await source()
        let delta = state.withLock { state in
            let delta = CacheStatsDelta(from: state.published, to: current)
            state.published = current
            state.reportCount += 1
            if delta.wasReset { state.resetCount += 1 }
            return delta
        }
        instruments.publish(delta, current: current)
        return delta
    }

    static func validate(name: String, dimensions: [(String, String)]) throws(CacheConfigurationError) {
        if name.isEmpty {
            throw CacheConfigurationError(setting: "name", value: "\"\"", reason: "the cache dimension needs a non-empty name")
        }
        var seen: Set<String> = []
        for (key, value) in dimensions {
            let rendered = "(\"\(key)\", \"\(value)\")"
            if key.isEmpty {
                throw CacheConfigurationError(setting: "dimensions", value: rendered, reason: "a dimension name must not be empty")
            }
            if key == CacheMetricLabel.cacheDimension || key == CacheMetricLabel.causeDimension {
                throw CacheConfigurationError(
                    setting: "dimensions", value: rendered, reason: "\"\(key)\" is set by the reporter itself")
            }
            if !seen.insert(key).inserted {
                throw CacheConfigurationError(setting: "dimensions", value: rendered, reason: "the dimension \"\(key)\" is given twice")
            }
        }
    }
}
