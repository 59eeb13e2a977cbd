import CacheCore

/// Registers CacheDisk in a ``CacheRegistry`` as engine `"CacheDisk"`.
///
/// Configuration: `directory` (required), `maxSize` = size limit in **bytes**, `ttl` =
/// default time to live, `policy` = `.fifo` (least recently stored, the default for
/// disk), `.lru` or `.lfu`; `namespace` keeps this store's keys apart in a shared
/// directory. Options: `"shards"` (a ``FanoutDiskCache`` of that many shards),
/// `"eviction"` = `"none"` (fail writes past the limit instead of evicting),
/// `"inlineThreshold"` (bytes), `"synchronous"` = `normal` | `full` | `off`.
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

    /// The typed store for `configuration` (what ``makeStore(of:configuration:)`` returns).
    public func makeDiskStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> DiskStore<Value> {
        try configuration.validate()
        guard let directory = configuration.directory else {
            throw CacheConfigurationError(setting: "directory", value: "nil", reason: "CacheDisk needs a directory")
        }
        var options = DiskCacheOptions(sizeLimit: configuration.maxSize, defaultTTL: configuration.ttl)
        switch configuration.policy {
        case .fifo: options.evictionPolicy = .leastRecentlyStored
        case .lru: options.evictionPolicy = .leastRecentlyUsed
        case .lfu: options.evictionPolicy = .leastFrequentlyUsed
        case .ttl:
            guard configuration.ttl != nil else {
                throw CacheConfigurationError(setting: "policy", value: "ttl", reason: "the ttl policy needs a ttl")
            }
            options.evictionPolicy = .leastRecentlyStored
        case .rr, .mru, .tlru:
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue,
                                          reason: "CacheDisk evicts fifo (least recently stored), lru or lfu")
        }
        for (name, value) in configuration.options {
            switch name {
            case "shards": break
            case "eviction":
                guard value == "none" else {
                    throw CacheConfigurationError(setting: "options.eviction", value: value, reason: "expected 'none' (or use policy)")
                }
                options.evictionPolicy = .none
            case "inlineThreshold":
                guard let bytes = Int(value), bytes >= 0 else {
                    throw CacheConfigurationError(setting: "options.inlineThreshold", value: value, reason: "expected a byte count ≥ 0")
                }
                options.inlineThreshold = bytes
            case "synchronous":
                guard let mode = DiskSynchronousMode(rawValue: value.uppercased()) else {
                    throw CacheConfigurationError(setting: "options.synchronous", value: value, reason: "expected normal, full or off")
                }
                options.synchronous = mode
            default:
                throw CacheConfigurationError(setting: "options.\(name)", value: value,
                                              reason: "unknown CacheDisk option; known: shards, eviction, inlineThreshold, synchronous")
            }
        }
        if let shardText = configuration.options["shards"] {
            guard let shards = Int(shardText), (1...256).contains(shards) else {
                throw CacheConfigurationError(setting: "options.shards", value: shardText, reason: "expected 1…256")
            }
            return DiskStore(cache: try FanoutDiskCache(directory: directory, shardCount: shards, options: options),
                             namespace: configuration.namespace)
        }
        return DiskStore(cache: try DiskCache(directory: directory, options: options), namespace: configuration.namespace)
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheDiskEngine())
    }
}
