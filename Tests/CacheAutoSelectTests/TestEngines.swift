import CacheAutoSelect
import CacheCore
import CacheFunctools
import Synchronization

/// An engine registered under a real id whose stores are simple in-memory
/// dictionaries: the chain only reads the registry, so these stand in for backends
/// built on other branches. `refusesPolicies` models an engine that rejects a configuration.
struct TestEngine: CacheEngine {
    let id: CacheEngineID
    var traits: CacheEngineTraits = CacheEngineTraits(capabilities: [.perEntryTTL], providesSyncStores: true, providesAsyncStores: true)
    var refusesPolicies: Set<EvictionPolicy> = []
    var summary: String { "test engine standing in for \(id)" }

    func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        if refusesPolicies.contains(configuration.policy) {
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue, reason: "\(id) test engine refuses it")
        }
        return DictionaryStore<CacheKey, Value>(engine: id, configuration: configuration)
    }
}

/// An unbounded dictionary store that remembers which engine made it.
final class DictionaryStore<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    let engine: CacheEngineID
    let configuration: CacheConfiguration?
    let entries = Mutex<[Key: Value]>([:])
    let counters = Mutex(CacheStats())
    let failSets: Bool

    init(engine: CacheEngineID, configuration: CacheConfiguration? = nil, failSets: Bool = false) {
        self.engine = engine
        self.configuration = configuration
        self.failSets = failSets
    }

    func value(forKey key: Key) throws -> Value? {
        let v = entries.withLock { $0[key] }
        counters.withLock { if v == nil { $0.misses += 1 } else { $0.hits += 1 } }
        return v
    }

    func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws {
        if failSets { throw CacheIOError(operation: "write", location: "\(engine) test store", reason: "disk full") }
        entries.withLock { $0[key] = value }
    }

    func removeValue(forKey key: Key) throws -> Value? { entries.withLock { $0.removeValue(forKey: key) } }
    func removeAll() throws { entries.withLock { $0.removeAll() } }
    func contains(_ key: Key) throws -> Bool { entries.withLock { $0[key] != nil } }
    func peekValue(forKey key: Key) throws -> Value? { entries.withLock { $0[key] } }
    var count: Int { entries.withLock { $0.count } }
    var stats: CacheStats {
        var s = counters.withLock { $0 }
        s.count = count
        return s
    }
    var capabilities: CacheStoreCapabilities { [.perEntryTTL] }
}

/// A registry with test engines under the given real ids, each declaring the capabilities
/// the real engine declares (so hints that require persistence or sharing are met as they
/// would be with the real modules).
func registry(_ ids: [CacheEngineID]) -> CacheRegistry {
    let registry = CacheRegistry()
    for id in ids {
        let capabilities = (KnownEngines.capabilities[id] ?? []).union([.perEntryTTL])
        registry.register(TestEngine(id: id, traits: CacheEngineTraits(capabilities: capabilities, providesSyncStores: true, providesAsyncStores: true)))
    }
    return registry
}

/// Every engine that exists today, as test engines.
func everythingBuilt() -> CacheRegistry { registry(KnownEngines.built) }

/// The engine behind a store the selection made.
func engineOf<Value>(_ store: AnyCacheStore<CacheKey, Value>) -> CacheEngineID? {
    if let test = store.base as? DictionaryStore<CacheKey, Value> { return test.engine }
    if store.base is LRUMemoStore<CacheKey, Value> { return CacheFunctoolsEngine.id }
    return nil
}

/// A custom Codable struct of the acceptance table.
struct Report: Codable, Sendable, Equatable {
    var title: String
    var lines: [String]
}
