import CacheCore
import CoreMetrics
import Synchronization

/// The swift-metrics objects of one reporter, created once from its factory.
final class CacheMetricsInstruments: Sendable {
    let factory: any MetricsFactory
    let dimensions: [(String, String)]
    let hits: Counter
    let misses: Counter
    let loadSuccesses: Counter
    let loadFailures: Counter
    let storeFailures: Counter
    let decodeFailures: Counter
    let readFailures: Counter
    let loadTime: Counter
    let entries: Gauge
    let bytes: Gauge
    /// One counter per eviction cause; `size` and `expired` exist from the start so
    /// their series read 0 before the first eviction, any other cause is added when seen.
    let evictions: Mutex<[RemovalCause: Counter]>

    init(factory: any MetricsFactory, dimensions: [(String, String)]) {
        self.factory = factory
        self.dimensions = dimensions
        func counter(_ label: String) -> Counter { Counter(label: label, dimensions: dimensions, factory: factory) }
        hits = counter(CacheMetricLabel.hits)
        misses = counter(CacheMetricLabel.misses)
        loadSuccesses = counter(CacheMetricLabel.loadSuccesses)
        loadFailures = counter(CacheMetricLabel.loadFailures)
        storeFailures = counter(CacheMetricLabel.storeFailures)
        decodeFailures = counter(CacheMetricLabel.decodeFailures)
        readFailures = counter(CacheMetricLabel.readFailures)
        loadTime = counter(CacheMetricLabel.loadTime)
        entries = Gauge(label: CacheMetricLabel.entries, dimensions: dimensions, factory: factory)
        bytes = Gauge(label: CacheMetricLabel.bytes, dimensions: dimensions, factory: factory)
        var byCause: [RemovalCause: Counter] = [:]
        for cause in RemovalCause.allCases where cause.isEviction {
            byCause[cause] = Self.evictionCounter(cause, dimensions: dimensions, factory: factory)
        }
        evictions = Mutex(byCause)
    }

    static func evictionCounter(_ cause: RemovalCause, dimensions: [(String, String)], factory: any MetricsFactory) -> Counter {
        Counter(
            label: CacheMetricLabel.evictions,
            dimensions: dimensions + [(CacheMetricLabel.causeDimension, cause.rawValue)],
            factory: factory)
    }

    func evictionCounter(_ cause: RemovalCause) -> Counter {
        evictions.withLock { byCause in
            if let counter = byCause[cause] { return counter }
            let counter = Self.evictionCounter(cause, dimensions: dimensions, factory: factory)
            byCause[cause] = counter
            return counter
        }
    }

    /// Releases every metric from the factory (each counter and gauge's `destroy()`).
    func destroy() {
        for counter in [hits, misses, loadSuccesses, loadFailures, storeFailures, decodeFailures, readFailures, loadTime] {
            counter.destroy()
        }
        entries.destroy()
        bytes.destroy()
        let byCause = evictions.withLock { byCause in
            defer { byCause = [:] }
            return byCause
        }
        for counter in byCause.values { counter.destroy() }
    }

    /// Adds `delta`'s increments to the counters and sets the gauges from `current`.
    func publish(_ delta: CacheStatsDelta, current: CacheStats) {
        func add(_ counter: Counter, _ amount: Int64) { if amount > 0 { counter.increment(by: amount) } }
        add(hits, delta.hits)
        add(misses, delta.misses)
        add(loadSuccesses, delta.loadSuccesses)
        add(loadFailures, delta.loadFailures)
        add(storeFailures, delta.storeFailures)
        add(decodeFailures, delta.decodeFailures)
        add(readFailures, delta.readFailures)
        add(loadTime, delta.loadTimeNanoseconds)
        for (cause, amount) in delta.evictions.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            add(evictionCounter(cause), amount)
        }
        entries.record(current.count)
        bytes.record(current.bytes)
    }
}
