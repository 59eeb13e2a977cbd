import CacheBox
import CacheCore
import CacheTestKit
import Synchronization
import Testing

@Suite struct AsyncBoxCacheTests {
    @Test(arguments: [BoxPolicy.adaptive, .lru, .lfu])
    func asyncConformance(_ policy: BoxPolicy) async throws {
        try await AsyncCacheConformance(
            makeStore: { try BoxCache<Int, String>(maximumWeight: $0 ?? 100_000, policy: policy).asynchronous },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func engineMakesAsyncStores() async throws {
        let registry = CacheRegistry()
        CacheBoxEngine.register(in: registry)
        #expect(registry.engine(CacheBoxEngine.id)?.traits.capabilities.contains(.asyncStores) == true)
        try await AsyncCacheConformance(
            makeStore: { capacity in
                AnyAsyncCacheStore(try registry.makeAsyncStore(
                    engine: CacheBoxEngine.id, of: Int.self,
                    configuration: CacheConfiguration(maxSize: capacity ?? 100_000)))
            },
            key: { try! CacheKey(name: "f", arguments: $0) }, value: { $0 }
        ).run()
    }

    @Test func concurrentAsyncMissesLoadOnce() async throws {
        let cache = try BoxCache<Int, Int>(maximumWeight: 100).asynchronous
        let control = ReloadControl()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try await cache.value(forKey: 5) { key in
                        control.reloads.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(50))
                        return key * 10
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 50, count: 32))
        #expect(control.reloads.withLock { $0 } == 1)
        #expect(cache.cache.stats.loadSuccesses == 1)
        #expect(await cache.value(forKey: 5) == 50)
    }

    @Test func asyncBulkLoad() async throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 100).asynchronous
        try await cache.setValue("one", forKey: 1)
        let found = try await cache.values(forKeys: [1, 2, 3]) { missing in
            #expect(missing == [2, 3])
            return Dictionary(uniqueKeysWithValues: missing.map { ($0, "v\($0)") })
        }
        #expect(found == [1: "one", 2: "v2", 3: "v3"])
    }

    @Test func aFailedAsyncLoadReachesTheCallerAndStoresNothing() async throws {
        let cache = try BoxCache<Int, Int>(maximumWeight: 100).asynchronous
        await #expect(throws: ReloadFailure.self) { _ = try await cache.value(forKey: 1) { _ in throw ReloadFailure() } }
        #expect(await cache.contains(1) == false)
        #expect(await cache.stats.loadFailures == 1)
    }
}
