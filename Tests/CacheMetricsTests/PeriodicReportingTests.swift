import CacheCore
import CacheMetrics
import CacheTools
import MetricsTestKit
import Testing

@Suite("CacheMetricsReporter.start(every:)")
struct PeriodicReportingTests {
    /// Polls `condition` every millisecond for at most `limit`; true when it held.
    /// The limit is generous on purpose: under the full parallel suite on 2 cores, tests
    /// that block cooperative threads (subprocesses, crash loops) can delay the reporting
    /// task for tens of seconds, and for minutes when the machine is also building (seen:
    /// more than 120 s); only a report that never comes is a failure.
    func eventually(within limit: Duration = .seconds(400), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }

    @Test("reports at once, then periodically, and stops when cancelled")
    func reportsAndStops() async throws {
        let metrics = TestMetrics()
        let cache = try LRUCache<String, Int>(maxSize: 4)
        let reporter = try CacheMetricsReporter(name: "periodic", factory: metrics, store: cache)
        let dims = [("cache", "periodic")]
        _ = cache.value(forKey: "missing")

        // A long interval: only the immediate first report can have happened.
        let slow = try reporter.start(every: .seconds(3600))
        #expect(await eventually { reporter.reportCount == 1 })
        #expect(metrics.counterTotal(label: CacheMetricLabel.misses, dimensions: dims) == 1)
        slow.cancel()
        await slow.value  // returns: the wait was interrupted
        #expect(reporter.reportCount == 1)

        // A short interval: new activity shows up in a later report.
        let fast = try reporter.start(every: .milliseconds(5))
        try cache.setValue(1, forKey: "a")
        _ = cache.value(forKey: "a")
        #expect(await eventually { metrics.counterTotal(label: CacheMetricLabel.hits, dimensions: dims) == 1 })
        #expect(await eventually { reporter.reportCount >= 4 })
        fast.cancel()
        await fast.value
        let stopped = reporter.reportCount
        _ = cache.value(forKey: "a")
        await Task.yield()
        #expect(reporter.reportCount == stopped)  // the task has ended: nothing reports any more
        #expect(metrics.counterTotal(label: CacheMetricLabel.hits, dimensions: dims) == 1)
        #expect(reporter.resetCount == 0)
    }

    @Test("with an injected clock: one report per elapsed interval, none in between")
    func injectedClock() async throws {
        let metrics = TestMetrics()
        let clock = ManualTestClock()
        let cache = try LRUCache<String, Int>(maxSize: 4)
        let reporter = try CacheMetricsReporter(name: "clocked", factory: metrics, store: cache)
        let dims = [("cache", "clocked")]
        let task = try reporter.start(every: .seconds(10), clock: clock)

        // The first report happens at once, then the task waits on the clock.
        #expect(await eventually { reporter.reportCount == 1 && clock.sleeperCount == 1 })
        _ = cache.value(forKey: "a")  // miss

        clock.advance(by: .seconds(9))  // not yet an interval
        await Task.yield()
        #expect(reporter.reportCount == 1)
        #expect(clock.sleeperCount == 1)
        #expect(metrics.counterTotal(label: CacheMetricLabel.misses, dimensions: dims) == 0)

        clock.advance(by: .seconds(1))  // 10 s: the second report
        #expect(await eventually { reporter.reportCount == 2 && clock.sleeperCount == 1 })
        #expect(metrics.counterTotal(label: CacheMetricLabel.misses, dimensions: dims) == 1)

        clock.advance(by: .seconds(10))
        #expect(await eventually { reporter.reportCount == 3 && clock.sleeperCount == 1 })

        task.cancel()
        await task.value
        #expect(clock.sleeperCount == 0)
        clock.advance(by: .seconds(100))
        #expect(reporter.reportCount == 3)
    }

    @Test("a task cancelled before it starts reports nothing")
    func cancelledBeforeStart() async throws {
        let metrics = TestMetrics()
        let cache = try LRUCache<String, Int>(maxSize: 4)
        let reporter = try CacheMetricsReporter(name: "never", factory: metrics, store: cache)
        let task = try reporter.start(every: .milliseconds(1))
        task.cancel()
        await task.value
        #expect(reporter.reportCount <= 1)
    }

    @Test("a zero or negative interval is refused")
    func nonPositiveInterval() throws {
        let cache = try LRUCache<String, Int>(maxSize: 4)
        let reporter = try CacheMetricsReporter(name: "busy-loop", factory: TestMetrics(), store: cache)
        for interval in [Duration.zero, .milliseconds(-5)] {
            do {
                _ = try reporter.start(every: interval)
                Issue.record("accepted interval \(interval)")
            } catch {
                #expect(error.setting == "interval")
            }
        }
        #expect(reporter.reportCount == 0)
    }
}
