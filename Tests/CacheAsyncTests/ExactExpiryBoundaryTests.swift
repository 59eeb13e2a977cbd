import CacheAsync
import CacheCore
import Testing

/// Issue 18, case 4 for CacheAsync: `.milliseconds(300)` stored at 0 is live just below
/// t = 0.3 and expired at exactly 0.3 (it used to end at 0.30000000000000004).
@Suite struct AsyncExactExpiryBoundaryTests {
    @Test func memoryStore300msTTLExpiredAtExactly0point3NotStillAlive() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, Int>(maxEntries: 4, clock: clock)
        try await store.setValue(1, forKey: "a", ttl: .milliseconds(300))
        clock.set(0.3.nextDown)
        #expect(try await store.value(forKey: "a") == 1)
        clock.set(0.3)
        #expect(try await store.value(forKey: "a") == nil)
    }

    @Test func memoryStoreDefaultTTLExpiredAtExactBoundary() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, Int>(maxEntries: 4, defaultTTL: .milliseconds(300), clock: clock)
        try await store.setValue(1, forKey: "a")
        clock.set(0.3)
        #expect(try await store.value(forKey: "a") == nil)
    }

    @Test func asyncCache300msEntryIsReloadedAtExactly0point3() async throws {
        let clock = ManualCacheClock()
        let store = try AsyncMemoryStore<String, AsyncCacheEntry<Int>>(maxEntries: 4, clock: clock)
        let cache = try AsyncCache(store: store, options: .init(ttl: .milliseconds(300)), clock: clock)
        let loads = Counter()
        let load: @Sendable () async throws -> Int = { loads.increment() }
        #expect(try await cache.value(forKey: "k", orLoad: load) == 1)
        clock.set(0.3.nextDown)
        #expect(try await cache.value(forKey: "k", orLoad: load) == 1)
        clock.set(0.3)
        #expect(try await cache.value(forKey: "k", orLoad: load) == 2, "expired at its exact end")
    }
}
