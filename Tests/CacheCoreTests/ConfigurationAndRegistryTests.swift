import CacheCore
import Testing

struct FakeEngine: CacheEngine {
    var id: CacheEngineID
    var summary: String { "test engine" }
    var traits: CacheEngineTraits { CacheEngineTraits(capabilities: []) }
    func makeStore<Value: Codable & Sendable>(of valueType: Value.Type, configuration: CacheConfiguration) throws -> any CacheStore<CacheKey, Value> {
        DictionaryStore<CacheKey, Value>()
    }
}

@Suite struct ConfigurationAndRegistryTests {
    @Test func invalidConfigurationFailsAtConstruction() throws {
        #expect(throws: CacheConfigurationError(setting: "maxSize", value: "-1", reason: "must be ≥ 0")) {
            _ = try CacheConfiguration(maxSize: -1)
        }
        #expect(throws: CacheConfigurationError.self) { _ = try CacheConfiguration(ttl: .seconds(-3)) }
        #expect(throws: CacheConfigurationError.self) { _ = try CacheConfiguration(ttl: .zero) }
        #expect(throws: CacheConfigurationError.self) { _ = try CacheConfiguration(directory: "") }
        do {
            _ = try EvictionPolicy(parsing: "lruu")
            Issue.record("expected an error")
        } catch {
            #expect(error.setting == "policy")
            #expect(error.description.contains("'lruu'"))
        }
        #expect(try EvictionPolicy(parsing: "LFU") == .lfu)
    }

    @Test func registryIsPerInstance() throws {
        let registry = CacheRegistry()
        #expect(registry.registeredIDs.isEmpty)
        registry.register(FakeEngine(id: "A"))
        registry.register(FakeEngine(id: "B"))
        #expect(registry.registeredIDs == ["A", "B"])
        #expect(!CacheRegistry.shared.isRegistered("A"))
        let store = try registry.makeStore(engine: "A", of: Int.self, configuration: CacheConfiguration())
        try store.setValue(1, forKey: CacheKey(name: "f", arguments: 1))
        #expect(store.count == 1)
        #expect(registry.unregister("A"))
        do {
            _ = try registry.makeStore(engine: "A", of: Int.self, configuration: CacheConfiguration())
            Issue.record("expected an error")
        } catch let error as CacheEngineUnavailableError {
            #expect(error.engine == "A")
            #expect(error.registered == ["B"])
        }
        #expect(throws: CacheEngineUnavailableError.self) {
            _ = try registry.makeAsyncStore(engine: "B", of: Int.self, configuration: CacheConfiguration())
        }
    }

    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualCacheClock(start: 100)
        #expect(clock.now() == 100)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now() == 101.5)
        #expect(Duration.cacheSeconds(2.5).cacheSeconds == 2.5)
    }

    @Test func statsMergeAndRatio() {
        var a = CacheStats()
        a.hits = 3; a.misses = 1
        a.recordRemoval(.size)
        a.recordRemoval(.explicit)
        var b = CacheStats()
        b.hits = 1; b.recordRemoval(.expired, count: 2)
        a.merge(b)
        #expect(a.hits == 4)
        #expect(a.hitRatio == 0.8)
        #expect(a.evictions == [.size: 1, .expired: 2])
        #expect(a.evictionCount == 3)
    }
}
