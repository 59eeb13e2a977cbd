import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers CacheDisk in a ``CacheRegistry`` as engine `"CacheDisk"`.
///
/// Typed settings: ``CacheEngineSettings/disk(directory:sizeLimit:shards:evictionPolicy:defaultTTL:inlineThreshold:synchronous:)``.
/// From a ``CacheConfiguration`` (see ``DiskEngineSettings/init(parsing:)``): `directory`
/// (required), `maxSize` = size limit in **bytes** (default 1 GiB), `ttl` = default time
/// to live, `policy` = `.fifo` (least recently stored, the default for disk), `.lru` or
/// `.lfu`; `namespace` keeps this store's keys apart in a shared directory (applied once,
/// ``CacheKey/scoped(in:)``).
public struct CacheDiskEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheDisk"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "persistent, multi-process, crash-safe disk cache (SQLite index + value files), diskcache semantics" }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.perEntryTTL, .persistent, .multiProcess, .weighted],
                          providesSyncStores: true, providesAsyncStores: true)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeDiskStore(of: valueType, configuration: configuration)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        AsyncDiskStore(try makeDiskStore(of: valueType, configuration: configuration))
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeDiskStore(of: valueType, configuration: configuration, settings: settings)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        AsyncDiskStore(try makeDiskStore(of: valueType, configuration: configuration, settings: settings))
    }

    public func hasStoredData(configuration: CacheConfiguration, settings: CacheEngineSettings?) -> Bool {
        guard let resolved = try? Self.settings(configuration, settings), let directory = resolved.directory else { return false }
        return access(directory + "/cache.db", F_OK) == 0 || FanoutDiskCache.existingShardCount(in: directory) > 0
    }

    /// The configuration parsed, overlaid with typed `settings`.
    static func settings(_ configuration: CacheConfiguration, _ settings: CacheEngineSettings?) throws -> DiskEngineSettings {
        let parsed = try DiskEngineSettings(parsing: configuration)
        guard let settings else { return parsed }
        return parsed.overlaid(by: try settings.require(DiskEngineSettings.self))
    }

    /// The typed store for `configuration` and `settings` (what ``makeStore(of:configuration:settings:)`` returns).
    public func makeDiskStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings? = nil
    ) throws -> DiskStore<Value> {
        let resolved = try Self.settings(configuration, settings)
        guard let directory = resolved.directory else {
            throw CacheConfigurationError(setting: "directory", value: "nil", reason: "CacheDisk needs a directory")
        }
        if let shards = resolved.shards {
            return DiskStore(cache: try FanoutDiskCache(directory: directory, shardCount: shards, options: resolved.cacheOptions),
                             namespace: configuration.namespace)
        }
        return DiskStore(cache: try DiskCache(directory: directory, options: resolved.cacheOptions), namespace: configuration.namespace)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheDiskEngine())
    }
}
