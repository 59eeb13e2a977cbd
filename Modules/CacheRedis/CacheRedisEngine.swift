import CacheCore

/// Registers CacheRedis in a ``CacheRegistry`` as engine `"CacheRedis"`.
///
/// The server must be named: typed settings ``CacheEngineSettings/redis(url:defaultTTL:)``,
/// or `configuration.options["url"]` (a `redis://` URL). There is no default address, so a
/// store meant to be shared never talks to an unintended local server; without one, making
/// a store throws ``CacheConfigurationError``. `configuration.namespace`, when set, is the
/// stores' namespace (applied to keys once, ``CacheKey/scoped(in:)``; `removeAll()` and the
/// count cover only it); `configuration.ttl` is the stores' default TTL.
/// Makes async stores (``RedisStore``) and synchronous ones (``RedisSyncStore``, for sync
/// callers off the cooperative pool).
public struct CacheRedisEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheRedis"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "distributed cache on a Redis server: shared between processes and hosts, TTL, lease-locked single-flight" }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.perEntryTTL, .persistent, .multiProcess, .distributed], providesSyncStores: true, providesAsyncStores: true)
    }

    /// The client and default TTL for `configuration` overlaid with `settings`.
    func connect(_ configuration: CacheConfiguration, _ settings: CacheEngineSettings?) throws -> (RedisClient, Duration?) {
        var resolved = try RedisEngineSettings(parsing: configuration)
        if let settings { resolved = resolved.overlaid(by: try settings.require(RedisEngineSettings.self)) }
        guard let server = resolved.server else {
            throw CacheConfigurationError(
                setting: "url", value: "nil",
                reason: "CacheRedis needs a server address: pass .redis(url:) settings or options[\"url\"]")
        }
        return (RedisClient(configuration: server), resolved.defaultTTL)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try makeAsyncStore(of: valueType, configuration: configuration, settings: nil)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeStore(of: valueType, configuration: configuration, settings: nil)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        let (client, ttl) = try connect(configuration, settings)
        return RedisStore<Value>(client: client, namespace: configuration.namespace, defaultTTL: ttl)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any CacheStore<CacheKey, Value> {
        let (client, ttl) = try connect(configuration, settings)
        return RedisSyncStore<Value>(client: client, namespace: configuration.namespace, defaultTTL: ttl)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheRedisEngine())
    }
}
