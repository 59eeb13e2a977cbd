import CacheAsync
import CacheCore
import CacheFunctools
import CacheMetrics
import CacheTools
import CoreMetrics
import MetricsTestKit
import Synchronization
import Testing

/// Every test gets its own `TestMetrics` passed as the factory: nothing bootstraps the
/// global `MetricsSystem`, so tests run in parallel without sharing metrics.
@Suite("CacheMetricsReporter")
struct CacheMetricsReporterTests {
    let metrics = TestMetrics()

    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        metrics.counterTotal(label: label, dimensions: dimensions)
    }

    func gauge(_ label: String, _ dimensions: [(String, String)]) throws -> Double? {
        try metrics.expectGauge(label, dimensions).lastValue
    }

    @Test("an LRUCache's hits, misses and size evictions: deltas across two reports")
    func lruCacheDeltas() async throws {
        let cache = try LRUCache<String, Int>(maxSize: 2)
        let reporter = try CacheMetricsReporter(name: "lru", factory: metrics, store: cache)
        let dims = [("cache", "lru")]

        try cache.setValue(1, forKey: "a")
        try cache.setValue(2, forKey: "b")
        _ = cache.value(forKey: "a")  // hit
        _ = cache.value(forKey: "x")  // miss
        try cache.setValue(3, forKey: "c")  // evicts b (least recently used)

        let first = await reporter.report()
        #expect(first.hits == 1)
        #expect(first.misses == 1)
        #expect(first.evictions == [.size: 1])
        #expect(!first.wasReset)
        #expect(total(CacheMetricLabel.hits, dims) == 1)
        #expect(total(CacheMetricLabel.misses, dims) == 1)
        #expect(total(CacheMetricLabel.evictions, dims + [("cause", "size")]) == 1)

        _ = cache.value(forKey: "a")
        _ = cache.value(forKey: "c")
        _ = cache.value(forKey: "b")  // evicted: miss
        try cache.setValue(4, forKey: "d")  // evicts a
        try cache.setValue(5, forKey: "e")  // evicts c

        let second = await reporter.report()
        #expect(second.hits == 2)
        #expect(second.misses == 1)
        #expect(second.evictions == [.size: 2])

        let stats = cache.stats
        #expect(total(CacheMetricLabel.hits, dims) == Int64(stats.hits))
        #expect(total(CacheMetricLabel.misses, dims) == Int64(stats.misses))
        #expect(total(CacheMetricLabel.evictions, dims + [("cause", "size")]) == 3)
        #expect(try metrics.expectCounter(CacheMetricLabel.hits, dims).values == [1, 2])

        // A report with nothing new adds nothing.
        let third = await reporter.report()
        #expect(third.isEmpty)
        #expect(try metrics.expectCounter(CacheMetricLabel.hits, dims).values == [1, 2])
        #expect(reporter.reportCount == 3)
    }

    @Test("an AsyncMemoryStore: expired and size evictions under the cause dimension, gauges")
    func asyncMemoryStoreEvictionCausesAndGauges() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, [UInt8]>(maxEntries: 3, maxBytes: 1 << 20, clock: clock)
        let reporter = try CacheMetricsReporter(
            name: "sessions", dimensions: [("service", "api")], factory: metrics, store: store)
        let dims = [("cache", "sessions"), ("service", "api")]

        try await store.setValue([1, 2, 3], forKey: "short", ttl: .seconds(1))
        try await store.setValue(Array(repeating: 7, count: 100), forKey: "long")
        await reporter.report()
        #expect(try gauge(CacheMetricLabel.entries, dims) == 2)
        #expect(try gauge(CacheMetricLabel.bytes, dims) == Double(await store.stats.bytes))
        #expect(await store.stats.bytes > 0)

        clock.advance(by: .seconds(2))
        #expect(try await store.value(forKey: "short") == nil)  // expired: miss + eviction
        #expect(try await store.value(forKey: "long") != nil)   // hit
        for i in 0..<4 { try await store.setValue([UInt8(i)], forKey: "k\(i)") }  // 5 entries into 3: 2 size evictions

        let delta = await reporter.report()
        #expect(delta.evictions == [.expired: 1, .size: 2])
        #expect(total(CacheMetricLabel.evictions, dims + [("cause", "expired")]) == 1)
        #expect(total(CacheMetricLabel.evictions, dims + [("cause", "size")]) == 2)
        #expect(total(CacheMetricLabel.evictions, dims) == 3)
        #expect(total(CacheMetricLabel.hits, dims) == 1)
        #expect(total(CacheMetricLabel.misses, dims) == 1)
        let stats = await store.stats
        #expect(try gauge(CacheMetricLabel.entries, dims) == 3)
        #expect(try gauge(CacheMetricLabel.bytes, dims) == Double(stats.bytes))
        #expect(try metrics.expectGauge(CacheMetricLabel.entries, dims).values == [2, 3])

        // Every series carries the cache and extra dimensions.
        for counter in metrics.counters {
            #expect(counter.dimensions.contains { $0 == ("cache", "sessions") })
            #expect(counter.dimensions.contains { $0 == ("service", "api") })
        }
    }

    @Test("eviction series for size and expired exist (at 0) before the first eviction")
    func evictionSeriesExistUpFront() async throws {
        let cache = try LRUCache<Int, Int>(maxSize: 10)
        let reporter = try CacheMetricsReporter(name: "empty", factory: metrics, store: cache)
        await reporter.report()
        let causes = Set(metrics.counters(label: CacheMetricLabel.evictions).compactMap { counter in
            counter.dimensions.first { $0.0 == "cause" }?.1
        })
        #expect(causes == ["size", "expired"])
        #expect(metrics.counterTotal(label: CacheMetricLabel.evictions) == 0)
    }

    @Test("a memoized function's loads, load failures and load time")
    func memoizedLoadCounters() async throws {
        struct Odd: Error {}
        let half = try lruCache(maxSize: 16) { (n: Int) throws -> Int in
            if n % 2 != 0 { throw Odd() }
            return n / 2
        }
        let reporter = try CacheMetricsReporter(name: "half", factory: metrics, stats: { half.info })
        let dims = [("cache", "half")]
        #expect(try half(4) == 2)
        #expect(try half(4) == 2)
        #expect(throws: Odd.self) { try half(3) }

        let delta = await reporter.report()
        let info = half.info
        #expect(delta.loadSuccesses == 1)
        #expect(delta.loadFailures == Int64(info.loadFailures))
        #expect(info.loadFailures >= 1)
        #expect(total(CacheMetricLabel.loadSuccesses, dims) == 1)
        #expect(total(CacheMetricLabel.loadFailures, dims) == Int64(info.loadFailures))
        #expect(total(CacheMetricLabel.hits, dims) == Int64(info.hits))
        #expect(total(CacheMetricLabel.loadTime, dims) == CacheStatsDelta.nanoseconds(info.totalLoadTime))
    }

    @Test("store and decode failures and load time from a stats closure, exactly")
    func closureSourceFailuresAndLoadTime() async throws {
        let snapshots = SnapshotSequence()
        let reporter = try CacheMetricsReporter(name: "remote", factory: metrics, stats: { snapshots.next() })
        let dims = [("cache", "remote")]
        var s = CacheStats()
        s.storeFailures = 2
        s.decodeFailures = 1
        s.readFailures = 4
        s.totalLoadTime = .milliseconds(1500)
        snapshots.set(s)
        await reporter.report()
        s.storeFailures = 5
        s.totalLoadTime = .seconds(2) + .nanoseconds(7)
        snapshots.set(s)
        let delta = await reporter.report()
        #expect(delta.storeFailures == 3)
        #expect(delta.decodeFailures == 0)
        #expect(delta.loadTimeNanoseconds == 500_000_007)
        #expect(total(CacheMetricLabel.storeFailures, dims) == 5)
        #expect(total(CacheMetricLabel.decodeFailures, dims) == 1)
        #expect(total(CacheMetricLabel.readFailures, dims) == 4)
        #expect(total(CacheMetricLabel.loadTime, dims) == 2_000_000_007)
    }

    @Test("a stats reset (lruCache clear) publishes no negative increment")
    func resetIsNotNegative() async throws {
        let square = try lruCache(maxSize: 4) { (n: Int) in n * n }
        let reporter = try CacheMetricsReporter(name: "square", factory: metrics, stats: { square.info })
        let dims = [("cache", "square")]
        for n in 0..<6 { _ = try square(n) }  // 6 misses, 2 size evictions
        for n in 2..<6 { _ = try square(n) }  // 4 hits
        await reporter.report()
        #expect(total(CacheMetricLabel.hits, dims) == 4)
        #expect(total(CacheMetricLabel.misses, dims) == 6)

        try square.clear()  // resets the store's and the function's counters
        #expect(square.cacheInfo().hits == 0)
        _ = try square(1)  // miss
        _ = try square(1)  // hit
        let delta = await reporter.report()
        #expect(delta.wasReset)
        #expect(delta.hits == 1)
        #expect(delta.misses == 1)
        #expect(reporter.resetCount == 1)
        #expect(total(CacheMetricLabel.hits, dims) == 5)
        #expect(total(CacheMetricLabel.misses, dims) == 7)
        for counter in metrics.counters {
            #expect(counter.values.allSatisfy { $0 >= 0 }, "\(counter.label) got \(counter.values)")
        }
        #expect(try gauge(CacheMetricLabel.entries, dims) == 1)

        // After the reset, deltas continue from the new baseline.
        _ = try square(1)
        let next = await reporter.report()
        #expect(!next.wasReset)
        #expect(next.hits == 1)
        #expect(total(CacheMetricLabel.hits, dims) == 6)
    }

    @Test("a reset that lowered only one counter still counts as a reset of all")
    func partialBackwardsIsAReset() {
        var before = CacheStats()
        before.hits = 10
        before.misses = 3
        before.evictions = [.size: 4]
        var after = CacheStats()
        after.hits = 2
        after.misses = 5  // passed its old value after the reset
        after.evictions = [.size: 1, .expired: 1]
        let delta = CacheStatsDelta(from: before, to: after)
        #expect(delta.wasReset)
        #expect(delta.hits == 2)
        #expect(delta.misses == 5)
        #expect(delta.evictions == [.size: 1, .expired: 1])

        after.evictions = [:]  // a cause that disappeared went backwards too
        after.hits = 11
        after.misses = 3
        #expect(CacheStatsDelta(from: before, to: after).wasReset)
    }

    @Test("nanoseconds clamps negative and huge durations")
    func nanosecondsClamp() {
        #expect(CacheStatsDelta.nanoseconds(.zero) == 0)
        #expect(CacheStatsDelta.nanoseconds(.seconds(-3)) == 0)
        #expect(CacheStatsDelta.nanoseconds(.microseconds(1)) == 1000)
        #expect(CacheStatsDelta.nanoseconds(.seconds(Int64.max)) == .max)
    }

    @Test("concurrent reports are serialized: totals match the final stats, no false reset")
    func concurrentReports() async throws {
        let cache = try LRUCache<Int, Int>(maxSize: 8)
        let reporter = try CacheMetricsReporter(name: "busy", factory: metrics, store: cache)
        let dims = [("cache", "busy")]
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<200 {
                        let key = (i * 7 + worker) % 16
                        if cache.value(forKey: key) == nil { try? cache.setValue(i, forKey: key) }
                    }
                }
                group.addTask {
                    for _ in 0..<10 { await reporter.report() }
                }
            }
        }
        await reporter.report()
        let stats = cache.stats
        #expect(reporter.resetCount == 0)
        #expect(reporter.reportCount == 41)
        #expect(total(CacheMetricLabel.hits, dims) == Int64(stats.hits))
        #expect(total(CacheMetricLabel.misses, dims) == Int64(stats.misses))
        #expect(total(CacheMetricLabel.evictions, dims) == Int64(stats.evictionCount))
        #expect(stats.hits + stats.misses == 800)
    }

    @Test("destroyMetrics releases every series from the factory")
    func destroyReleasesSeries() async throws {
        let cache = try LRUCache<Int, Int>(maxSize: 1)
        let other = try CacheMetricsReporter(name: "kept", factory: metrics, store: cache)
        let reporter = try CacheMetricsReporter(name: "gone", factory: metrics, store: cache)
        try cache.setValue(1, forKey: 1)
        try cache.setValue(2, forKey: 2)  // a size eviction
        await reporter.report()
        await other.report()
        #expect(metrics.counters(label: CacheMetricLabel.hits, dimensions: [("cache", "gone")]).count == 1)
        reporter.destroyMetrics()
        let gone = metrics.counters.filter { $0.dimensions.contains { $0 == ("cache", "gone") } }
        #expect(gone.isEmpty)
        #expect(throws: (any Error).self) { try metrics.expectGauge(CacheMetricLabel.entries, [("cache", "gone")]) }
        #expect(throws: (any Error).self) { try metrics.expectGauge(CacheMetricLabel.bytes, [("cache", "gone")]) }
        // The other reporter's series are untouched.
        #expect(metrics.counterTotal(label: CacheMetricLabel.evictions, dimensions: [("cache", "kept")]) == 1)
        #expect(try gauge(CacheMetricLabel.entries, [("cache", "kept")]) == 1)
    }

    @Test("bad names and dimensions fail at construction")
    func invalidConfiguration() throws {
        let cache = try LRUCache<Int, Int>(maxSize: 1)
        #expect(throws: CacheConfigurationError.self) {
            try CacheMetricsReporter(name: "", factory: metrics, store: cache)
        }
        for bad in [[("cache", "x")], [("cause", "x")], [("", "x")], [("a", "1"), ("a", "2")]] {
            do {
                _ = try CacheMetricsReporter(name: "ok", dimensions: bad, factory: metrics, store: cache)
                Issue.record("accepted dimensions \(bad)")
            } catch {
                #expect(error.setting == "dimensions")
                #expect(error.description.contains(bad.last!.0.isEmpty ? "empty" : "\"\(bad.last!.0)\""))
            }
        }
        #expect(metrics.counters.isEmpty)
    }
}

/// A stats source the test sets by hand (for fields no in-memory store produces on demand).
final class SnapshotSequence: Sendable {
    private let current = Mutex(CacheStats())
    func set(_ stats: CacheStats) { current.withLock { $0 = stats } }
    func next() -> CacheStats { current.withLock { $0 } }
}
