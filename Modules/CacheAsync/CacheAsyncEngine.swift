import CacheCore

/// Registers CacheAsync in a ``CacheRegistry`` as engine `"CacheAsync"`: async
/// in-memory stores (``AsyncMemoryStore``) bounded by `maxSize` entries, with the
/// configuration's `ttl` as their default time to live.
/// `options["maxBytes"]` adds a byte bound.
public struct CacheAsyncEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheAsync"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "async in-memory cache: TTL, single-flight, refresh-ahead, bounded by count and bytes" }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.inMemory, .perEntryTTL, .weighted], providesSyncStores: false, providesAsyncStores: true)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try configuration.validate()
        try configuration.rejectUnknownOptions(known: ["maxBytes"], engine: Self.id)
        guard configuration.policy == .lru || configuration.policy == .ttl else {
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue, reason: "CacheAsync evicts LRU (with TTL); use CacheTools for other policies")
        }
        var maxBytes: Int?
        if let text = configuration.options["maxBytes"] {
            guard let parsed = Int(text), parsed >= 0 else {
                throw CacheConfigurationError(setting: "options.maxBytes", value: "'\(text)'", reason: "must be a non-negative integer")
            }
            maxBytes = parsed
        }
        return try AsyncMemoryStore<CacheKey, Value>(
            maxEntries: configuration.maxSize ?? 10_000, maxBytes: maxBytes, defaultTTL: configuration.ttl)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheAsyncEngine())
    }
}
