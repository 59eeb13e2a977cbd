import CacheCore

/// Registers CacheFunctools in a ``CacheRegistry`` as engine `"CacheFunctools"`.
public struct CacheFunctoolsEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheFunctools"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "bounded LRU memoization (functools.lru_cache), the fastest in-memory hit" }
    public var traits: CacheEngineTraits { CacheEngineTraits(capabilities: [.inMemory]) }

    /// Honours `maxSize` (entries); rejects settings it cannot keep.
    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try configuration.validate()
        try configuration.rejectUnknownOptions(known: [], engine: Self.id)
        if configuration.policy != .lru {
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue, reason: "CacheFunctools only evicts LRU")
        }
        if let ttl = configuration.ttl {
            throw CacheConfigurationError(setting: "ttl", value: "\(ttl)", reason: "CacheFunctools has no time to live; use CacheTools' TTL cache")
        }
        return try LRUMemoStore<CacheKey, Value>(maxSize: configuration.maxSize ?? 128)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheFunctoolsEngine())
    }
}
