import CacheBox
import CacheCore
import CacheTestKit
import Testing

@Suite struct BoxConformanceTests {
    @Test(arguments: BoxPolicy.allCases)
    func conformance(_ policy: BoxPolicy) throws {
        try CacheConformance(
            makeStore: { try BoxCache<Int, String>(maximumWeight: $0 ?? 100_000, policy: policy) },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func conformanceWithShards() throws {
        // Four shards even for small bounds: the capacity is split, the bound still holds.
        try CacheConformance(
            makeStore: { try BoxCache<Int, String>(maximumWeight: $0 ?? 100_000, shards: 4) },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func conformanceWithExpiry() throws {
        try CacheConformance(
            makeStore: { try BoxCache<Int, String>(maximumWeight: $0 ?? 100_000, expiry: .afterWrite(.seconds(600))) },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func engineStoresPassWithCacheKeys() throws {
        let registry = CacheRegistry()
        CacheBoxEngine.register(in: registry)
        #expect(CacheBoxEngine.id == "CacheBox")
        for (policy, option) in [(EvictionPolicy.lru, nil), (.lfu, nil), (.fifo, nil), (.rr, nil), (.ttl, nil), (.lru, "lru")] as [(EvictionPolicy, String?)] {
            try CacheConformance(
                makeStore: { capacity in
                    let store = try registry.makeStore(
                        engine: CacheBoxEngine.id, of: Int.self,
                        configuration: CacheConfiguration(
                            maxSize: capacity ?? 100_000, policy: policy, ttl: .seconds(600),
                            options: option.map { ["policy": $0] } ?? [:]))
                    return AnyCacheStore(store)
                },
                key: { try! CacheKey(name: "conf", arguments: $0) }, value: { $0 * 10 }
            ).runWithKeyChecks()
        }
    }

    @Test func engineServesLRUAndLFUWithTheAdaptivePolicyAndStrictOnesByOption() throws {
        let engine = CacheBoxEngine()
        func policy(_ configuration: CacheConfiguration) throws -> BoxPolicy? {
            (try engine.makeStore(of: Int.self, configuration: configuration) as? BoxCache<CacheKey, Int>)?.policy
        }
        #expect(try policy(CacheConfiguration(policy: .lru)) == .adaptive)
        #expect(try policy(CacheConfiguration(policy: .lfu)) == .adaptive)
        #expect(try policy(CacheConfiguration(policy: .fifo)) == .fifo)
        #expect(try policy(CacheConfiguration(policy: .rr)) == .random)
        #expect(try policy(CacheConfiguration(policy: .lfu, options: ["policy": "lfu"])) == .lfu)
        #expect(try policy(CacheConfiguration(options: ["policy": "lru"])) == .lru)
    }

    @Test func engineRefusesWhatItCannotDo() throws {
        let engine = CacheBoxEngine()
        #expect(engine.traits.capabilities == [.inMemory, .boundedPolicies, .weighted, .perEntryTTL, .syncStores, .asyncStores])
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(policy: .mru))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(policy: .ttl))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(options: ["policy": "clock"]))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(options: ["shards": "0"]))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(options: ["colour": "blue"]))
        }
        let store = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(maxSize: 10, options: ["policy": "fifo", "shards": "1"]))
        let key = try CacheKey(name: "k", arguments: 1)
        try store.setValue(1, forKey: key, ttl: .seconds(60))
        #expect(try store.value(forKey: key) == 1)
    }

    @Test func badConfigurationIsATypedError() {
        #expect(throws: CacheConfigurationError.self) { _ = try BoxCache<Int, Int>(maximumWeight: -1) }
        #expect(throws: CacheConfigurationError.self) { _ = try BoxCache<Int, Int>(maximumWeight: 10, shards: 0) }
        #expect(throws: CacheConfigurationError.self) {
            _ = try BoxCache<Int, Int>(maximumWeight: 10, expiry: .afterWrite(.seconds(-1)))
        }
    }
}
