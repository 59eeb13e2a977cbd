import CacheAsync
import CacheCore
import Testing

@Suite struct RefreshAndMemoizeTests {
    @Test func refreshAheadServesTheOldValueWhileOneReloadReplacesIt() async throws {
        let clock = ManualCacheClock(start: 100)
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 10, clock: clock)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60), refreshAfter: .seconds(30)), clock: clock)
        let version = Counter()
        let gate = AsyncGate()
        let load: @Sendable () async throws -> Int = {
            let v = version.increment()
            if v > 1 { await gate.wait() }
            return v
        }
        #expect(try await cache.value(forKey: "k", orLoad: load) == 1)
        clock.advance(by: 31)
        // Older than refreshAfter: served at once, one background reload starts.
        for _ in 0..<20 { #expect(try await cache.value(forKey: "k", orLoad: load) == 1) }
        #expect(cache.refreshesInFlight == 1)
        #expect(await eventually { version.current == 2 })
        gate.open()
        #expect(await eventually { cache.refreshesInFlight == 0 })
        #expect(try await cache.value(forKey: "k", orLoad: load) == 2)
        #expect(cache.refreshStats.refreshes == 1)
    }

    @Test func aFailedRefreshKeepsTheCurrentValue() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 10, clock: clock)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60), refreshAfter: .seconds(10)), clock: clock)
        #expect(try await cache.value(forKey: "k") { 1 } == 1)
        clock.advance(by: 11)
        #expect(try await cache.value(forKey: "k") { throw TestFailure(id: 9) } == 1)
        #expect(await eventually { cache.refreshesInFlight == 0 })
        #expect(cache.refreshStats.refreshFailures == 1)
        #expect(await cache.value(forKey: "k") == 1)
    }

    @Test func staleIfErrorServesAnExpiredValueWhenTheReloadFails() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 10, clock: clock)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(10), staleIfError: .seconds(30)), clock: clock)
        #expect(try await cache.value(forKey: "k") { 1 } == 1)
        clock.advance(by: 15)
        #expect(await cache.value(forKey: "k") == nil, "expired for plain reads")
        #expect(try await cache.value(forKey: "k") { throw TestFailure(id: 1) } == 1)
        #expect(cache.refreshStats.staleServed == 1)
        clock.advance(by: 30) // past the stale window: the store dropped it
        await #expect(throws: TestFailure.self) { try await cache.value(forKey: "k") { throw TestFailure(id: 2) } }
        // A successful reload replaces the stale entry.
        #expect(try await cache.value(forKey: "k") { 5 } == 5)
    }

    @Test func optionsThatCannotWorkAreRejected() throws {
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 10)
        #expect(throws: CacheConfigurationError.self) { try AsyncCache(store: store, options: .init(ttl: .seconds(5), refreshAfter: .seconds(5))) }
        #expect(throws: CacheConfigurationError.self) { try AsyncCache(store: store, options: .init(staleIfError: .seconds(5))) }
        #expect(throws: CacheConfigurationError.self) { try AsyncCache(store: store, options: .init(ttl: .seconds(-1))) }
    }

    @Test func memoizedFunctionHitsMissesAndExpires() async throws {
        let clock = ManualCacheClock()
        let calls = Counter()
        let double = try AsyncMemoized(maxEntries: 100, options: .init(ttl: .seconds(5)), clock: clock) { (i: Int) async throws -> Int in
            calls.increment()
            return i * 2
        }
        for i in 0..<10 { #expect(try await double(i) == i * 2) }
        for i in 0..<10 { #expect(try await double(i) == i * 2) }
        #expect(calls.current == 10)
        clock.advance(by: 6)
        #expect(try await double(3) == 6)
        #expect(calls.current == 11)
        let info = await double.info
        #expect(info.hits == 10 && info.loadSuccesses == 11)
    }

    @Test func memoizedWithSeveralArguments() async throws {
        let calls = Counter()
        let join = try AsyncMemoized(maxEntries: 10) { (a: String, b: Int) async throws -> String in
            calls.increment()
            return "\(a)-\(b)"
        }
        #expect(try await join("x", 1) == "x-1")
        #expect(try await join("x", 1) == "x-1")
        #expect(try await join("x", 2) == "x-2")
        #expect(calls.current == 2)
    }

    @Test func recursiveMemoizedFibonacci() async throws {
        let store = try AsyncMemoryStore<Int, AsyncCacheEntry<Int>>(maxEntries: 1_000)
        let cache = try AsyncCache(store: store)
        let calls = Counter()
        let fib = AsyncMemoized(cache: cache, key: { (n: Int) in n }) { (fib, n: Int) async throws -> Int in
            calls.increment()
            return n < 2 ? n : try await fib(n - 1) + fib(n - 2)
        }
        #expect(try await fib(80) == 23_416_728_348_467_685)
        #expect(calls.current == 81)
    }

    @Test func awaitingItselfWithTheSameArgumentsThrows() async throws {
        let store = try AsyncMemoryStore<Int, AsyncCacheEntry<Int>>(maxEntries: 10)
        let cache = try AsyncCache(store: store)
        let loop = AsyncMemoized(cache: cache, key: { (n: Int) in n }) { (me, n: Int) async throws -> Int in
            try await me(n)
        }
        await #expect(throws: AsyncMemoizeRecursionError.self) { try await loop(1) }
    }
}
