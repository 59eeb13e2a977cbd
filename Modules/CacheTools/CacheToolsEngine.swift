import CacheCore

/// Registers CacheTools in a ``CacheRegistry`` as engine `"CacheTools"`.
///
/// `configuration.policy` picks the cache (`lru` default, `lfu`, `fifo`, `rr`, `mru`,
/// `ttl` — which needs `configuration.ttl` — and `tlru`, whose time to use is the
/// configuration's `ttl`); `maxSize` bounds entries (default 1,024).
public struct CacheToolsEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheTools"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "policy caches in memory: LRU, LFU, FIFO, RR, MRU, TTL, TLRU (cachetools)" }
    public var traits: CacheEngineTraits { CacheEngineTraits(capabilities: [.inMemory, .boundedPolicies, .weighted]) }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try configuration.validate()
        try configuration.rejectUnknownOptions(known: [], engine: Self.id)
        let size = configuration.maxSize ?? 1_024
        switch configuration.policy {
        case .lru: return try LRUCache<CacheKey, Value>(maxSize: size)
        case .lfu: return try LFUCache<CacheKey, Value>(maxSize: size)
        case .fifo: return try FIFOCache<CacheKey, Value>(maxSize: size)
        case .rr: return try RRCache<CacheKey, Value>(maxSize: size)
        case .mru: return try MRUCache<CacheKey, Value>(maxSize: size)
        case .ttl, .tlru:
            guard let ttl = configuration.ttl else {
                throw CacheConfigurationError(setting: "ttl", value: "nil", reason: "policy \(configuration.policy) needs a ttl")
            }
            if configuration.policy == .ttl { return try TTLCache<CacheKey, Value>(maxSize: size, ttl: ttl) }
            let seconds = ttl.cacheSeconds
            return try TLRUCache<CacheKey, Value>(maxSize: size, ttu: { _, _, now in now + seconds })
        }
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheToolsEngine())
    }
}
