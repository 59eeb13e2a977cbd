import CacheCore

/// Registers CacheBox in a ``CacheRegistry`` as engine `"CacheBox"`.
///
/// The store is a ``BoxCache`` (asynchronous stores: its ``AsyncBoxCache``) bounded at `configuration.maxSize` entries (default 1,024).
/// The policy is ``BoxPolicy/adaptive`` (W-TinyLFU) unless asked otherwise. The adaptive
/// policy weighs recency and frequency at once, so it serves both `configuration.policy`
/// `.lru` (the configuration's default) and `.lfu` (what the selection chain's "access
/// frequency" rule asks for); `.fifo` and `.rr` pick those policies; `.ttl` the adaptive
/// policy with entries expiring `configuration.ttl` after their write. `options["policy"]`
/// (`adaptive`, `lru`, `lfu`, `fifo`, `random`) overrides everything: it is how to ask for
/// strict LRU or strict LFU. A `configuration.ttl`
/// makes every entry expire that long after its write. `options["shards"]` sets the shard
/// count. MRU and TLRU are refused with a typed error.
public struct CacheBoxEngine: CacheEngine {
    /// The engine's registry id.
    public static let id: CacheEngineID = "CacheBox"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "concurrent in-memory cache: adaptive W-TinyLFU (or LRU, LFU, FIFO, RR), weights, timer-wheel expiry" }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.inMemory, .boundedPolicies, .weighted, .perEntryTTL], providesAsyncStores: true)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeCache(of: valueType, configuration: configuration)
    }

    /// An ``AsyncBoxCache`` over the same cache ``makeStore(of:configuration:)`` makes.
    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try makeCache(of: valueType, configuration: configuration).asynchronous
    }

    func makeCache<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> BoxCache<CacheKey, Value> {
        try configuration.validate()
        try configuration.rejectUnknownOptions(known: ["policy", "shards"], engine: Self.id)
        let policy = try Self.policy(configuration)
        var shards: Int?
        if let text = configuration.options["shards"] {
            guard let n = Int(text), n >= 1 else {
                throw CacheConfigurationError(setting: "options.shards", value: text, reason: "expected a whole number ≥ 1")
            }
            shards = n
        }
        if configuration.policy == .ttl && configuration.ttl == nil {
            throw CacheConfigurationError(setting: "ttl", value: "nil", reason: "policy ttl needs a ttl")
        }
        let expiry: BoxExpiry<CacheKey, Value> = configuration.ttl.map { .afterWrite($0) } ?? .never
        return try BoxCache<CacheKey, Value>(
            maximumWeight: configuration.maxSize ?? 1_024, policy: policy, expiry: expiry, shards: shards)
    }

    /// The policy a configuration asks for.
    static func policy(_ configuration: CacheConfiguration) throws(CacheConfigurationError) -> BoxPolicy {
        if let name = configuration.options["policy"] {
            guard let p = BoxPolicy(rawValue: name.lowercased()) else {
                throw CacheConfigurationError(
                    setting: "options.policy", value: name,
                    reason: "unknown CacheBox policy; expected one of \(BoxPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return p
        }
        switch configuration.policy {
        case .lru, .lfu, .ttl: return .adaptive
        case .fifo: return .fifo
        case .rr: return .random
        case .mru, .tlru:
            throw CacheConfigurationError(
                setting: "policy", value: configuration.policy.rawValue,
                reason: "CacheBox has no \(configuration.policy.rawValue) policy; use CacheTools for it")
        }
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheBoxEngine())
    }
}
