import CacheCore
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import CacheDisk

@Suite struct DiskMemoizeTests {
    @Test func computesOncePersistsAndKeysByNameAndVersion() throws {
        let dir = temporaryDirectory()
        let cache = try DiskCache(directory: dir)
        let calls = Atomic<Int>(0)
        let square = try cache.memoize(name: "square") { (n: Int, label: String) in
            calls.add(1, ordering: .relaxed)
            return "\(label)\(n * n)"
        }
        #expect(try square(4, "x") == "x16")
        #expect(try square(4, "x") == "x16")
        #expect(calls.load(ordering: .relaxed) == 1)
        let v2 = try cache.memoize(name: "square", version: "2") { (n: Int, label: String) in
            calls.add(1, ordering: .relaxed)
            return "\(label)\(n * n)!"
        }
        #expect(try v2(4, "x") == "x16!")
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(square.info.loadSuccesses == 1)
    }

    @Test func singleFlightAcrossThreadsAndInstances() throws {
        let dir = temporaryDirectory()
        // Two instances on one directory behave like two processes: separate connections and lease owners.
        let caches = [try DiskCache(directory: dir), try DiskCache(directory: dir)]
        let calls = Atomic<Int>(0)
        let functions = try caches.map { cache in
            try cache.memoize(name: "slow") { (n: Int) -> Int in
                calls.add(1, ordering: .relaxed)
                usleep(100_000)
                return n * 3
            }
        }
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            if (try? functions[i % 2](14)) != 42 { wrong.add(1, ordering: .relaxed) }
        }
        #expect(calls.load(ordering: .relaxed) == 1, "8 callers over 2 instances computed \(calls.load(ordering: .relaxed)) times")
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    @Test func aCrashedLeaseHolderBlocksOnlyUntilItsLeaseLapses() throws {
        let dir = temporaryDirectory()
        let clock = ManualCacheClock(start: 1_000_000)
        let crashed = try DiskCache(directory: dir, options: DiskCacheOptions(clock: clock))
        let survivor = try DiskCache(directory: dir, options: DiskCacheOptions(clock: clock))
        // The "crashed" holder took the lease and never released it.
        #expect(try crashed.acquireLease(DiskCacheKey(try CacheKey(name: "job", arguments: 5)), timeout: .seconds(30)))
        let job = try survivor.memoize(name: "job", leaseTimeout: .seconds(30)) { (n: Int) in n + 100 }
        let done = Atomic<Int>(-1)
        let thread = Thread { done.store((try? job(5)) ?? -2, ordering: .relaxed) }
        thread.start()
        usleep(50_000)
        #expect(done.load(ordering: .relaxed) == -1, "the survivor waits while the lease is live")
        clock.advance(by: 31)
        for _ in 0..<400 where done.load(ordering: .relaxed) == -1 { usleep(5_000) }
        #expect(done.load(ordering: .relaxed) == 105, "after the lease lapsed the survivor computed")
    }

    @Test func earlyRecomputationRefreshesBeforeExpiry() throws {
        let clock = ManualCacheClock(start: 1_000_000)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(clock: clock))
        let calls = Atomic<Int>(0)
        let f = try cache.memoize(name: "early", ttl: .seconds(100), beta: 1) { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            usleep(2_000)  // a measurable compute time
            return n + calls.load(ordering: .relaxed)
        }
        #expect(try f(1) == 2)
        // Long before expiry a recomputation is (practically) never chosen.
        for _ in 0..<50 { _ = try f(1) }
        #expect(calls.load(ordering: .relaxed) == 1)
        // At the brink of expiry it almost surely is, and the result is fresh.
        clock.advance(by: 99.999)
        var recomputed = false
        for _ in 0..<50 where !recomputed { recomputed = (try f(1)) != 2 }
        #expect(recomputed)
        #expect(f.earlyRecomputationCount >= 1)
        #expect(calls.load(ordering: .relaxed) >= 2)
    }

    @Test func loaderErrorsPropagateAndAreNotStored() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        struct Failure: Error {}
        let calls = Atomic<Int>(0)
        let f = try cache.memoize(name: "fails") { (n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            throw Failure()
        }
        #expect(throws: Failure.self) { try f(1) }
        #expect(throws: Failure.self) { try f(1) }
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(f.info.loadFailures == 2)
        #expect(throws: CacheConfigurationError.self) { _ = try cache.memoize(name: "") { (n: Int) in n } }
        #expect(throws: CacheConfigurationError.self) { _ = try cache.memoize(name: "b", beta: 1) { (n: Int) in n } }
    }

    @Test func diskMemoizeHonoursEveryMemoizeOption() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        struct Failure: Error {}
        let calls = Atomic<Int>(0)
        let f = try cache.memoize(name: "opts", options: MemoizeOptions(shouldCache: { $0 >= 0 }, cacheErrors: true)) { (n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            if n == 0 { throw Failure() }
            return n < 0 ? -1 : n
        }
        // shouldCache: a negative result is returned but not stored.
        #expect(try f(-5) == -1)
        #expect(try f(-5) == -1)
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(try f(3) == 3)
        #expect(try f(3) == 3)
        #expect(calls.load(ordering: .relaxed) == 3)
        // cacheErrors: the error is remembered in this process, not recomputed.
        #expect(throws: Failure.self) { try f(0) }
        #expect(throws: Failure.self) { try f(0) }
        #expect(calls.load(ordering: .relaxed) == 4)
        #expect(f.info.loadFailures == 1)
    }

    @Test func earlyRecomputationWorksThroughAnErasedStoreAndNeedsARecordingStore() throws {
        let clock = ManualCacheClock(start: 1_000_000)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(clock: clock))
        let calls = Atomic<Int>(0)
        let store = AnyCacheStore(DiskStore<Int>(cache: cache))
        let f = try Memoized(store: store, name: "erased", options: MemoizeOptions(ttl: .seconds(100), beta: 1)) { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            usleep(2_000)
            return n + calls.load(ordering: .relaxed)
        }
        #expect(try f(1) == 2)
        clock.advance(by: 99.999)
        var recomputed = false
        for _ in 0..<50 where !recomputed { recomputed = (try f(1)) != 2 }
        #expect(recomputed)
        #expect(f.earlyRecomputationCount >= 1)
        // A store that records no compute times cannot recompute early: a typed error, not a silent no-op.
        let memory = try DictionaryBackedStore()
        #expect(throws: CacheConfigurationError.self) {
            _ = try Memoized(store: memory, name: "m", options: MemoizeOptions(ttl: .seconds(1), beta: 1)) { (n: Int) in n }
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try cache.memoize(name: "lease", leaseTimeout: .zero) { (n: Int) in n }
        }
    }
}
