import CacheCore

/// Registers CacheRedis in a ``CacheRegistry`` as engine `"CacheRedis"`.
/// `configuration.options["url"]` is the server's `redis://` URL (default
/// `redis://127.0.0.1:6379`); `configuration.namespace`, when set, is appended to the
/// URL's key prefix; `configuration.ttl` is the stores' default TTL. Makes async stores (``RedisStore``) and synchronous ones
/// (``RedisSyncStore``, for sync callers off the cooperative pool).
public struct CacheRedisEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheRedis"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "distributed cache on a Redis server: shared between processes and hosts, TTL, lease-locked single-flight" }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.perEntryTTL, .persistent, .multiProcess, .distributed], providesSyncStores: true, providesAsyncStores: true)
    }

    func client(for configuration: CacheConfiguration) throws -> RedisClient {
        try configuration.validate()
        if configuration.maxSize != nil {
            throw CacheConfigurationError(setting: "maxSize", value: "\(configuration.maxSize!)", reason: "Redis bounds memory with the server's maxmemory policy, not per cache")
        }
        var redis = try RedisConfiguration(url: configuration.options["url"] ?? "redis://127.0.0.1:6379")
        if let namespace = configuration.namespace { redis.keyPrefix += namespace + ":" }
        return RedisClient(configuration: redis)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        RedisStore<Value>(client: try client(for: configuration), defaultTTL: configuration.ttl)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        RedisSyncStore<Value>(client: try client(for: configuration), defaultTTL: configuration.ttl)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheRedisEngine())
    }
}
