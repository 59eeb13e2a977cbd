import CacheAsync
import CacheCore
import Testing

@Suite struct SingleFlightTests {
    func makeCache(options: AsyncCacheOptions<Int> = .init(), clock: ManualCacheClock = ManualCacheClock()) throws -> AsyncCache<AsyncMemoryStore<String, AsyncCacheEntry<Int>>, Int> {
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 1_000, clock: clock)
        return try AsyncCache(store: store, options: options, clock: clock)
    }

    @Test func hundredsOfWaitersRunTheLoaderOnce() async throws {
        let cache = try makeCache()
        let loads = Counter()
        let gate = AsyncGate()
        let started = Counter()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    started.increment()
                    return try await cache.value(forKey: "k") {
                        loads.increment()
                        await gate.wait()
                        return 42
                    }
                }
            }
            #expect(await eventually { started.current == 500 })
            gate.open()
            var all: [Int] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 500)
        #expect(results.allSatisfy { $0 == 42 })
        #expect(loads.current == 1)
        #expect(await cache.stats.loadSuccesses == 1)
    }

    @Test func cancellingOneWaiterDoesNotCancelTheLoad() async throws {
        let cache = try makeCache()
        let gate = AsyncGate()
        let loads = Counter()
        let loaderStarted = Counter()
        let load: @Sendable () async throws -> Int = {
            loads.increment()
            loaderStarted.increment()
            await gate.wait()
            try Task.checkCancellation()
            return 7
        }
        let first = Task { try await cache.value(forKey: "k", orLoad: load) }
        #expect(await eventually { loaderStarted.current == 1 })
        let others = (0..<50).map { _ in Task { try await cache.value(forKey: "k", orLoad: load) } }
        #expect(await eventually { cache.waitersForLoad(of: "k") == 51 })
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        gate.open()
        for task in others { #expect(try await task.value == 7) }
        #expect(loads.current == 1)
        #expect(await cache.value(forKey: "k") == 7)
    }

    @Test func cancellingEveryWaiterStopsTheLoad() async throws {
        let cache = try makeCache()
        let loaderStarted = Counter()
        let loaderSawCancel = Counter()
        let load: @Sendable () async throws -> Int = {
            loaderStarted.increment()
            do {
                // Never finishes on its own: only cancellation ends it.
                try await Task.sleep(for: .seconds(3_600))
            } catch {
                loaderSawCancel.increment()
                throw error
            }
            return 1
        }
        let waiters = (0..<20).map { _ in Task { try await cache.value(forKey: "k", orLoad: load) } }
        #expect(await eventually { loaderStarted.current == 1 })
        for w in waiters { w.cancel() }
        for w in waiters { await #expect(throws: CancellationError.self) { try await w.value } }
        #expect(await eventually { loaderSawCancel.current == 1 })
        // The next caller starts a fresh load.
        #expect(try await cache.value(forKey: "k") { 99 } == 99)
        #expect(await cache.stats.loadFailures == 0, "a cancelled load is not a failure")
    }

    @Test func aFailingLoadReachesEveryWaiterAndIsNotCached() async throws {
        let cache = try makeCache()
        let gate = AsyncGate()
        let loads = Counter()
        let started = Counter()
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    started.increment()
                    do {
                        _ = try await cache.value(forKey: "bad") {
                            loads.increment()
                            await gate.wait()
                            throw TestFailure(id: 3)
                        }
                        return false
                    } catch let error as TestFailure {
                        return error.id == 3
                    } catch {
                        return false
                    }
                }
            }
            _ = await eventually { started.current == 200 }
            gate.open()
            var all: [Bool] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(outcomes.count == 200 && outcomes.allSatisfy { $0 })
        #expect(loads.current == 1)
        // Not cached: the next call loads again.
        #expect(try await cache.value(forKey: "bad") { 5 } == 5)
        #expect(loads.current == 1)
        let stats = await cache.stats
        #expect(stats.loadFailures == 1 && stats.loadSuccesses == 1)
    }

    @Test func failuresAreCachedOnlyWhenAsked() async throws {
        let clock = ManualCacheClock()
        let cache = try makeCache(options: .init(failureTTL: .seconds(10)), clock: clock)
        let loads = Counter()
        for _ in 0..<3 {
            await #expect(throws: TestFailure.self) {
                try await cache.value(forKey: "x") { loads.increment(); throw TestFailure(id: 1) }
            }
        }
        #expect(loads.current == 1)
        #expect(cache.refreshStats.cachedFailuresThrown == 2)
        clock.advance(by: 11)
        #expect(try await cache.value(forKey: "x") { loads.increment(); return 3 } == 3)
        #expect(loads.current == 2)
    }

    @Test func aStoreThatCannotWriteStillReturnsTheValue() async throws {
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<[UInt8]>>(maxEntries: nil, maxBytes: 100)
        let reported = Counter()
        let cache = try AsyncCache(store: store, options: .init(onStoreFailure: { _, _ in reported.increment() }))
        let big = [UInt8](repeating: 9, count: 500)
        #expect(try await cache.value(forKey: "big") { big } == big)
        #expect(reported.current == 1)
        #expect(await cache.stats.storeFailures == 1)
    }
}
