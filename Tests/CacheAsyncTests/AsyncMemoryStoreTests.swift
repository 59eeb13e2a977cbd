import CacheAsync
import CacheCore
import Synchronization
import Testing

@Suite struct AsyncMemoryStoreTests {
    @Test func getSetRemoveAndStats() async throws {
        let store = try AsyncMemoryStore<String, Int>(maxEntries: 100)
        #expect(try await store.value(forKey: "a") == nil)
        try await store.setValue(1, forKey: "a")
        try await store.setValue(2, forKey: "b", ttl: nil)
        #expect(try await store.value(forKey: "a") == 1)
        #expect(try await store.removeValue(forKey: "a") != nil)
        #expect(try await store.removeValue(forKey: "a") == nil)
        #expect(try await store.value(forKey: "a") == nil)
        let bulk = try await store.values(forKeys: ["a", "b", "c"])
        #expect(bulk == ["b": 2])
        try await store.setValues(["x": 10, "y": 20], ttl: .seconds(5))
        #expect(store.count == 3)
        let stats = await store.stats
        #expect(stats.hits == 2)
        #expect(stats.misses == 4)
        #expect(stats.count == 3)
        try await store.removeAll()
        #expect(store.count == 0)
    }

    @Test func ttlExpiresWithTheInjectedClock() async throws {
        let clock = ManualCacheClock(start: 1_000)
        let removed = Mutex<[RemovalCause]>([])
        let store = try AsyncMemoryStore<String, Int>(
            maxEntries: 10, defaultTTL: .seconds(60), clock: clock, onRemoval: { _, _, cause in removed.withLock { $0.append(cause) } })
        try await store.setValue(1, forKey: "default")
        try await store.setValue(2, forKey: "short", ttl: .seconds(5))
        clock.advance(by: 4.9)
        #expect(try await store.value(forKey: "short") == 2)
        clock.advance(by: 0.2)
        #expect(try await store.value(forKey: "short") == nil)
        #expect(try await store.value(forKey: "default") == 1)
        clock.advance(by: 60)
        #expect(store.purgeExpired() == 1)
        #expect(store.count == 0)
        #expect(removed.withLock { $0 } == [.expired, .expired])
        #expect(await store.stats.evictions[.expired] == 2)
    }

    @Test func countBoundEvictsLeastRecentlyUsed() async throws {
        let store = try AsyncMemoryStore<Int, Int>(maxEntries: 3)
        for i in 0..<3 { try await store.setValue(i, forKey: i) }
        _ = try await store.value(forKey: 0) // 0 is now most recent; 1 is least
        try await store.setValue(3, forKey: 3)
        #expect(try await store.value(forKey: 1) == nil)
        #expect(try await store.value(forKey: 0) == 0)
        #expect(store.count == 3)
        #expect(await store.stats.evictions[.size] == 1)
        for i in 10..<1_000 {
            try await store.setValue(i, forKey: i)
            #expect(store.count <= 3)
        }
    }

    @Test func byteBoundAndTooLargeItems() async throws {
        let store = try AsyncMemoryStore<String, [UInt8]>(maxEntries: nil, maxBytes: 1_000)
        for i in 0..<20 { try await store.setValue([UInt8](repeating: 1, count: 200), forKey: "k\(i)") }
        let stats = await store.stats
        #expect(stats.bytes <= 1_000)
        #expect(stats.count == 4) // 4 × (200 + 2 or 3 key bytes) fits, 5 does not
        await #expect(throws: CacheStoreError.self) {
            try await store.setValue([UInt8](repeating: 0, count: 1_001), forKey: "huge")
        }
        #expect(try await store.value(forKey: "huge") == nil)
        #expect(store.capabilities.contains(.weighted))
    }

    @Test func invalidConfigurationFailsAtConstruction() {
        #expect(throws: CacheConfigurationError.self) { try AsyncMemoryStore<Int, Int>(maxEntries: -1) }
        #expect(throws: CacheConfigurationError.self) { try AsyncMemoryStore<Int, Int>(maxBytes: -5) }
        #expect(throws: CacheConfigurationError.self) { try AsyncMemoryStore<Int, Int>(defaultTTL: .zero) }
    }

    @Test func namespacesAreSeparateAndClearIndependently() async throws {
        let store = try AsyncMemoryStore<NamespacedKey<String>, Int>(maxEntries: 100)
        try await store.setValue(1, forKey: NamespacedKey(namespace: "users", key: "1"))
        try await store.setValue(2, forKey: NamespacedKey(namespace: "posts", key: "1"))
        #expect(try await store.value(forKey: NamespacedKey(namespace: "users", key: "1")) == 1)
        #expect(try await store.value(forKey: NamespacedKey(namespace: "posts", key: "1")) == 2)
        #expect(try await store.removeAll(inNamespace: "users") == 1)
        #expect(try await store.value(forKey: NamespacedKey(namespace: "users", key: "1")) == nil)
        #expect(try await store.value(forKey: NamespacedKey(namespace: "posts", key: "1")) == 2)
    }

    @Test func hundredsOfConcurrentTasksKeepTheBound() async throws {
        let store = try AsyncMemoryStore<Int, Int>(maxEntries: 64)
        let wrong = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<300 {
                group.addTask {
                    for i in 0..<200 {
                        let k = (t * 7 + i) % 128
                        if i % 3 == 0 { try await store.setValue(k * 2, forKey: k) }
                        if let v = try await store.value(forKey: k), v != k * 2 { wrong.increment() }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(wrong.current == 0)
        #expect(store.count <= 64)
    }

    @Test func engineRegistration() async throws {
        let registry = CacheRegistry()
        CacheAsyncEngine.register(in: registry)
        #expect(registry.isRegistered("CacheAsync"))
        let store = try registry.makeAsyncStore(engine: "CacheAsync", of: String.self, configuration: .init(maxSize: 10, ttl: .seconds(5)))
        let key = try CacheKey(name: "f", arguments: 1)
        try await store.setValue("one", forKey: key, ttl: nil)
        #expect(try await store.value(forKey: key) == "one")
        #expect(throws: CacheConfigurationError.self) {
            try registry.makeAsyncStore(engine: "CacheAsync", of: String.self, configuration: .init(policy: .lfu))
        }
        #expect(throws: (any Error).self) {
            try registry.makeStore(engine: "CacheAsync", of: String.self, configuration: .init())
        }
    }
}
