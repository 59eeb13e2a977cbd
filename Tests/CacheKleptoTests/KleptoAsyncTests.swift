import CacheCore
import CacheKlepto
import CacheTestKit
import Testing

@Suite struct KleptoAsyncTests {
    /// CacheTestKit's async suite over the async face of a KleptoCache on each archive.
    @Test(arguments: ArchiveKind.allCases)
    func asyncConformance(kind: ArchiveKind) async throws {
        try await AsyncCacheConformance(
            makeStore: { capacity in
                try KleptoCache<CacheKey, String>(
                    archive: kind.make("async-conf"), policy: capacity.map { .lru(maxSize: $0) } ?? .unbounded
                ).asynchronous
            },
            key: { try! CacheKey(name: "k", arguments: $0) }, value: { "v\($0)" }, isBounded: false
        ).runWithKeyChecks()
    }

    @Test func engineMakesAsyncStoresThatPersist() async throws {
        let registry = CacheRegistry()
        CacheKleptoEngine.register(in: registry)
        #expect(registry.engine(CacheKleptoEngine.id)?.traits.providesAsyncStores == true)
        let directory = try temporaryDirectory("async-engine")
        let configuration = try CacheConfiguration(directory: directory, namespace: "report", options: ["archive": "sql"])
        let key = try CacheKey(name: "report", arguments: 7)
        let first = try registry.makeAsyncStore(engine: CacheKleptoEngine.id, of: [String].self, configuration: configuration)
        try await first.setValue(["a", "b"], forKey: key, ttl: nil)
        #expect(first.capabilities.contains(.asyncStores))
        // Another store over the same archive (a later run) reads it back.
        let second = try registry.makeAsyncStore(engine: CacheKleptoEngine.id, of: [String].self, configuration: configuration)
        #expect(try await second.value(forKey: key) == ["a", "b"])
        #expect(await second.count == 1)
        #expect(try await second.removeValue(forKey: key) == ["a", "b"])
        #expect(try await second.contains(key) == false)
    }
}
