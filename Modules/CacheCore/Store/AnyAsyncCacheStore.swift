/// A concrete store wrapping any ``AsyncCacheStore`` — for stores made at run time by a
/// ``CacheRegistry`` (which returns `any AsyncCacheStore`), so that generic code such as
/// ``AsyncCache`` and ``AsyncMemoized`` can use them: the asynchronous counterpart of
/// ``AnyCacheStore``.
///
/// A wrapped ``ExclusiveLoadingStore`` keeps its cross-process load coordination:
/// ``AsyncCache`` looks through the wrapper to it.
///
/// Every call forwards through the existential: a few nanoseconds more than the
/// concrete store.
public struct AnyAsyncCacheStore<Key: Hashable & Sendable, Value: Sendable>: AsyncCacheStore {
    /// The wrapped store.
    public let base: any AsyncCacheStore<Key, Value>

    public init(_ base: any AsyncCacheStore<Key, Value>) { self.base = base }

    public func value(forKey key: Key) async throws -> Value? { try await base.value(forKey: key) }
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws {
        try await base.setValue(value, forKey: key, ttl: ttl)
    }
    @discardableResult
    public func removeValue(forKey key: Key) async throws -> Value? { try await base.removeValue(forKey: key) }
    public func removeAll() async throws { try await base.removeAll() }
    public func contains(_ key: Key) async throws -> Bool { try await base.contains(key) }
    public func peekValue(forKey key: Key) async throws -> Value? { try await base.peekValue(forKey: key) }
    public var count: Int { get async { await base.count } }
    public func values(forKeys keys: [Key]) async throws -> [Key: Value] { try await base.values(forKeys: keys) }
    public func setValues(_ entries: [Key: Value], ttl: Duration?) async throws {
        try await base.setValues(entries, ttl: ttl)
    }
    public var stats: CacheStats { get async { await base.stats } }
    public var capabilities: CacheStoreCapabilities { base.capabilities }
}
