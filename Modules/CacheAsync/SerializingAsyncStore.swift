import CacheCore
import Logging
import Synchronization

/// Puts typed values into a store of bytes through a pluggable ``CacheSerializer``.
/// Each entry carries its serializer's id and format version (``CacheValueEnvelope``);
/// an entry that fails to decode is a miss: it is removed, counted in
/// `decodeFailures` and logged — never a crash, never wrong data.
public final class SerializingAsyncStore<Base: AsyncCacheStore, Value: Sendable>: AsyncCacheStore, Sendable where Base.Value == [UInt8] {
    public typealias Key = Base.Key

    public let base: Base
    public let serializer: AnyCacheSerializer<Value>
    let logger: Logger
    let decodeFailures = Mutex(0)

    public init<S: CacheSerializer>(base: Base, serializer: S, logger: Logger = Logger(label: "swift-cache.async")) where S.Value == Value {
        self.base = base
        self.serializer = AnyCacheSerializer(serializer)
        self.logger = logger
    }

    public var capabilities: CacheStoreCapabilities { base.capabilities }

    public func value(forKey key: Key) async throws -> Value? {
        guard let bytes = try await base.value(forKey: key) else { return nil }
        return await decode(bytes, key: key)
    }

    func decode(_ bytes: [UInt8], key: Key) async -> Value? {
        do {
            return try CacheValueEnvelope.unwrap(bytes, with: serializer)
        } catch {
            decodeFailures.withLock { $0 += 1 }
            logger.warning("dropping an entry that does not decode", metadata: ["key": "\(cacheDescribeKey(key))", "error": "\(error)"])
            _ = try? await base.removeValue(forKey: key)
            return nil
        }
    }

    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws {
        try await base.setValue(try CacheValueEnvelope.wrap(value, with: serializer), forKey: key, ttl: ttl)
    }

    @discardableResult
    public func removeValue(forKey key: Key) async throws -> Value? {
        guard let bytes = try await base.removeValue(forKey: key) else { return nil }
        // The entry is gone either way; one that does not decode reports no value.
        return try? CacheValueEnvelope.unwrap(bytes, with: serializer)
    }

    public func contains(_ key: Key) async throws -> Bool { try await base.contains(key) }

    public func peekValue(forKey key: Key) async throws -> Value? {
        guard let bytes = try await base.peekValue(forKey: key) else { return nil }
        return await decode(bytes, key: key)
    }

    public var count: Int { get async { await base.count } }

    public func removeAll() async throws { try await base.removeAll() }

    public func values(forKeys keys: [Key]) async throws -> [Key: Value] {
        var out: [Key: Value] = [:]
        for (key, bytes) in try await base.values(forKeys: keys) {
            if let value = await decode(bytes, key: key) { out[key] = value }
        }
        return out
    }

    public func setValues(_ entries: [Key: Value], ttl: Duration?) async throws {
        var encoded: [Key: [UInt8]] = [:]
        for (key, value) in entries { encoded[key] = try CacheValueEnvelope.wrap(value, with: serializer) }
        try await base.setValues(encoded, ttl: ttl)
    }

    public var stats: CacheStats {
        get async {
            var stats = await base.stats
            let failed = decodeFailures.withLock { $0 }
            stats.decodeFailures += failed
            stats.misses += failed
            stats.hits -= min(stats.hits, failed)
            return stats
        }
    }
}
