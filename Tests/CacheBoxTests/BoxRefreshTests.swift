@testable import CacheBox
import CacheCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An executor that holds jobs until the test runs them: refreshes happen exactly when asked.
final class HeldJobs: Sendable {
    let jobs = Mutex<[@Sendable () -> Void]>([])
    var executor: BoxRefreshExecutor { BoxRefreshExecutor { job in self.jobs.withLock { $0.append(job) } } }
    var count: Int { jobs.withLock { $0.count } }
    /// Runs every held job; returns how many ran.
    @discardableResult
    func runAll() -> Int {
        let taken = jobs.withLock { j -> [@Sendable () -> Void] in defer { j.removeAll() }; return j }
        for job in taken { job() }
        return taken.count
    }
}

struct ReloadFailure: Error {}

/// Whether reloads fail, and how many ran.
final class ReloadControl: Sendable {
    let failing = Mutex(false)
    let reloads = Mutex(0)
    init(failing: Bool = false) { self.failing.withLock { $0 = failing } }
}

@Suite struct BoxRefreshTests {
    /// A cache refreshing 10 s after a write whose reload appends "+" (or throws while `failing`).
    func makeCache(_ clock: ManualCacheClock, _ jobs: HeldJobs, _ control: ReloadControl = ReloadControl(),
                   expiry: BoxExpiry<Int, String> = .never, log: RemovalLog? = nil) throws -> BoxCache<Int, String> {
        try BoxCache<Int, String>(
            maximumWeight: 100, expiry: expiry,
            refresh: .afterWrite(.seconds(10), executor: jobs.executor) { _, old in
                control.reloads.withLock { $0 += 1 }
                if control.failing.withLock({ $0 }) { throw ReloadFailure() }
                return old + "+"
            },
            clock: clock, onRemoval: log?.listener)
    }

    @Test func staleEntryIsServedWhileOneReloadRuns() throws {
        let clock = ManualCacheClock(start: 0)
        let jobs = HeldJobs()
        let control = ReloadControl()
        let log = RemovalLog()
        let cache = try makeCache(clock, jobs, control, log: log)
        try cache.setValue("a", forKey: 1)
        clock.advance(by: 9.9)
        #expect(cache.value(forKey: 1) == "a")
        #expect(jobs.count == 0, "fresh: no refresh")
        clock.advance(by: 0.1)
        for _ in 0..<5 { #expect(cache.value(forKey: 1) == "a", "the stale value is served at once") }
        #expect(jobs.count == 1, "one reload for five stale reads")
        #expect(cache.refreshesInFlight == 1)
        #expect(try cache.value(forKey: 1, orLoad: { _ in "never" }) == "a", "orLoad serves the stale value too")
        #expect(jobs.runAll() == 1)
        #expect(control.reloads.withLock { $0 } == 1)
        #expect(cache.value(forKey: 1) == "a+")
        #expect(cache.refreshStats == { var s = BoxRefreshStats(); s.started = 1; s.succeeded = 1; return s }())
        #expect(cache.refreshesInFlight == 0)
        #expect(log.causes(of: 1) == [.replaced])
        #expect(cache.stats.loadSuccesses == 1)
        clock.advance(by: 5)
        _ = cache.value(forKey: 1)
        #expect(jobs.count == 0, "the refreshed entry is fresh for another 10 s")
        clock.advance(by: 5)
        _ = cache.value(forKey: 1)
        #expect(jobs.runAll() == 1)
        #expect(cache.value(forKey: 1) == "a++")
    }

    @Test func aFailedRefreshKeepsTheOldValueAndIsCounted() throws {
        let clock = ManualCacheClock(start: 0)
        let jobs = HeldJobs()
        let control = ReloadControl(failing: true)
        let cache = try makeCache(clock, jobs, control)
        try cache.setValue("a", forKey: 1)
        clock.advance(by: 11)
        #expect(cache.value(forKey: 1) == "a")
        jobs.runAll()
        #expect(cache.value(forKey: 1) == "a", "the old value stays")
        #expect(cache.refreshStats.failed == 1)
        #expect(cache.stats.loadFailures == 1)
        // Still stale: the next read tries again, and a success replaces it.
        control.failing.withLock { $0 = false }
        #expect(cache.value(forKey: 1) == "a")
        #expect(jobs.runAll() == 1)
        #expect(cache.value(forKey: 1) == "a+")
        #expect(cache.refreshStats.started == 2)
    }

    @Test func aWriteOrRemovalDuringTheReloadWins() throws {
        let clock = ManualCacheClock(start: 0)
        let jobs = HeldJobs()
        let cache = try makeCache(clock, jobs)
        try cache.setValue("a", forKey: 1)
        try cache.setValue("b", forKey: 2)
        clock.advance(by: 10)
        _ = cache.value(forKey: 1)
        _ = cache.value(forKey: 2)
        // Written again at the same clock reading: the stamps still differ.
        try cache.setValue("new", forKey: 1)
        cache.removeValue(forKey: 2)
        #expect(jobs.runAll() == 2)
        #expect(cache.value(forKey: 1) == "new", "the reload of the older write was dropped")
        #expect(cache.value(forKey: 2) == nil, "a removed key is not brought back")
        #expect(cache.refreshStats.discarded == 2)
        #expect(cache.refreshStats.succeeded == 0)
    }

    @Test func anExpiredEntryIsAMissNotStale() throws {
        let clock = ManualCacheClock(start: 0)
        let jobs = HeldJobs()
        let cache = try makeCache(clock, jobs, expiry: .afterWrite(.seconds(20)))
        try cache.setValue("a", forKey: 1)
        clock.advance(by: 15)
        #expect(cache.value(forKey: 1) == "a")
        jobs.runAll()
        clock.advance(by: 15)
        #expect(cache.value(forKey: 1) == "a+", "the refresh restarted the expiry at its write")
        #expect(jobs.runAll() == 1, "stale again at 15 s after the refresh")
        clock.advance(by: 25)
        #expect(cache.value(forKey: 1) == nil)
        #expect(jobs.count == 0, "no refresh for an expired entry")
    }

    @Test func theDispatchExecutorRefreshesInTheBackground() throws {
        let clock = ManualCacheClock(start: 0)
        let cache = try BoxCache<Int, Int>(
            maximumWeight: 10, refresh: BoxRefresh<Int, Int>.afterWrite(.seconds(1)) { _, old in old + 1 }, clock: clock)
        try cache.setValue(1, forKey: 7)
        clock.advance(by: 2)
        #expect(cache.value(forKey: 7) == 1)
        var waited = 0
        while cache.peekValue(forKey: 7) == 1 && waited < 10_000 { usleep(1_000); waited += 1 }
        #expect(cache.peekValue(forKey: 7) == 2)
    }

    @Test func aNonPositiveIntervalIsRefused() {
        #expect(throws: CacheConfigurationError.self) {
            _ = try BoxCache<Int, Int>(maximumWeight: 10, refresh: BoxRefresh<Int, Int>.afterWrite(.zero) { _, v in v })
        }
    }
}

@Suite struct BoxBulkLoadTests {
    @Test func missesAreLoadedInOneCall() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 100)
        try cache.setValue("held", forKey: 1)
        let calls = Mutex<[Set<Int>]>([])
        let found = try cache.values(forKeys: [1, 2, 3, 2, 4]) { missing in
            calls.withLock { $0.append(missing) }
            // 4 is left out; 99 was not asked for.
            return [2: "two", 3: "three", 99: "extra"]
        }
        #expect(found == [1: "held", 2: "two", 3: "three"])
        #expect(calls.withLock { $0 } == [[2, 3, 4]])
        #expect(cache.peekValue(forKey: 99) == "extra", "extra entries are stored")
        #expect(cache.peekValue(forKey: 4) == nil)
        let again = try cache.values(forKeys: [1, 2, 3]) { _ in Issue.record("all held"); return [:] }
        #expect(again.count == 3)
        #expect(cache.stats.loadSuccesses == 1)
    }

    @Test func aFailingBulkLoadStoresNothing() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 100)
        #expect(throws: ReloadFailure.self) { _ = try cache.values(forKeys: [1, 2]) { _ in throw ReloadFailure() } }
        #expect(cache.count == 0)
        #expect(cache.stats.loadFailures == 1)
    }
}
