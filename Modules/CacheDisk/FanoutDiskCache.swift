import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A disk cache split into N shards — separate ``DiskCache`` directories
/// (`shard-000`, `shard-001`, …), each with its own SQLite file and write lock — so
/// writers of different keys rarely wait for each other. A key's shard is chosen by
/// the XXH3 digest of its stored bytes, the same in every process.
///
/// Unlike diskcache's FanoutCache, a write that cannot complete (busy past the timeout,
/// disk full) throws: nothing is silently dropped. The size limit is split evenly
/// between shards. There are no cross-shard transactions: ``shard(for:)`` gives the
/// shard of a key for a ``DiskCache/transact(_:)`` over keys known to share it.
public final class FanoutDiskCache: Sendable {
    public let directory: String
    public let shards: [DiskCache]

    /// Opens (creating if needed) `shardCount` shards under `directory`.
    /// `options.sizeLimit` is the total; each shard gets an equal part.
    public init(directory: String, shardCount: Int = 8, options: DiskCacheOptions = DiskCacheOptions()) throws {
        guard (1...256).contains(shardCount) else {
            throw CacheConfigurationError(setting: "shardCount", value: "\(shardCount)", reason: "must be between 1 and 256")
        }
        try options.validate()
        try DiskCache.prepareDirectory(directory)
        var existing = 0
        while existing < 256, access(directory + "/" + FanoutDiskCache.shardName(existing), F_OK) == 0 { existing += 1 }
        if existing != 0 && existing != shardCount {
            throw CacheConfigurationError(setting: "shardCount", value: "\(shardCount)",
                                          reason: "\(directory) already holds \(existing) shards; keys would land in other shards")
        }
        var shardOptions = options
        if let limit = options.sizeLimit { shardOptions.sizeLimit = limit / shardCount }
        self.directory = directory
        shards = try (0..<shardCount).map { index in
            try DiskCache(directory: directory + "/" + FanoutDiskCache.shardName(index), options: shardOptions)
        }
    }

    static func shardName(_ index: Int) -> String {
        let digits = String(index)
        return "shard-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Whether `directory` holds a fanout cache, and how many shards.
    public static func existingShardCount(in directory: String) -> Int {
        var count = 0
        while count < 256, access(directory + "/" + shardName(count) + "/cache.db", F_OK) == 0 { count += 1 }
        return count
    }

    /// The shard holding `key`.
    /// - Complexity: O(key length) for the digest.
    public func shard(for key: some DiskCacheKeyConvertible) -> DiskCache {
        let bytes = key.diskCacheKey.storageBytes
        let digest = bytes.withUnsafeBytes { XXH3.hash64($0) }
        return shards[Int(digest % UInt64(shards.count))]
    }

    public func get<Value: Codable & Sendable>(_ key: some DiskCacheKeyConvertible, as type: Value.Type = Value.self) throws -> Value? {
        try shard(for: key).get(key, as: type)
    }

    public func set<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws {
        try shard(for: key).set(value, forKey: key, ttl: ttl, tag: tag)
    }

    @discardableResult
    public func add<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws -> Bool {
        try shard(for: key).add(value, forKey: key, ttl: ttl, tag: tag)
    }

    @discardableResult
    public func delete(_ key: some DiskCacheKeyConvertible) throws -> Bool { try shard(for: key).delete(key) }

    public func pop<Value: Codable & Sendable>(_ key: some DiskCacheKeyConvertible, as type: Value.Type = Value.self) throws -> Value? {
        try shard(for: key).pop(key, as: type)
    }

    public func contains(_ key: some DiskCacheKeyConvertible) throws -> Bool { try shard(for: key).contains(key) }

    @discardableResult
    public func incr(_ key: some DiskCacheKeyConvertible, by delta: Int64 = 1, default initial: Int64 = 0) throws -> Int64 {
        try shard(for: key).incr(key, by: delta, default: initial)
    }

    @discardableResult
    public func touch(_ key: some DiskCacheKeyConvertible, ttl: Duration?) throws -> Bool { try shard(for: key).touch(key, ttl: ttl) }

    /// Removes every entry of every shard; returns how many.
    @discardableResult
    public func clear() throws -> Int { try shards.reduce(0) { $0 + (try $1.clear()) } }

    @discardableResult
    public func evict(tag: String) throws -> Int { try shards.reduce(0) { $0 + (try $1.evict(tag: tag)) } }

    @discardableResult
    public func expire() throws -> Int { try shards.reduce(0) { $0 + (try $1.expire()) } }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    public func volume() throws -> Int { try shards.reduce(0) { $0 + (try $1.volume()) } }

    /// The shards' counters added up.
    public var stats: CacheStats {
        var total = CacheStats()
        for shard in shards { total.merge(shard.stats) }
        return total
    }

    /// Every key of every shard (shard by shard, each in store order).
    public func keys() throws -> [DiskCacheKey] { try shards.flatMap { try $0.keys() } }

    public func close() { for shard in shards { shard.close() } }
}
