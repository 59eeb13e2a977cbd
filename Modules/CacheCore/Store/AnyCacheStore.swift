/// A concrete store wrapping any ``CacheStore`` — for stores made at run time by a
/// ``CacheRegistry`` (which returns `any CacheStore`), so that generic code such as
/// ``Memoized`` can use them.
///
/// Every call forwards through the existential: a few nanoseconds more than the
/// concrete store.
public final class AnyCacheStore<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    /// The wrapped store.
    public let base: any CacheStore<Key, Value>

    public init(_ base: any CacheStore<Key, Value>) { self.base = base }

    public func value(forKey key: Key) throws -> Value? { try base.value(forKey: key) }
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws { try base.setValue(value, forKey: key, ttl: ttl) }
    @discardableResult
    public func removeValue(forKey key: Key) throws -> Value? { try base.removeValue(forKey: key) }
    public func removeAll() throws { try base.removeAll() }
    public func contains(_ key: Key) throws -> Bool { try base.contains(key) }
    public func peekValue(forKey key: Key) throws -> Value? { try base.peekValue(forKey: key) }
    public var count: Int { base.count }
    public var stats: CacheStats { base.stats }
    public var capabilities: CacheStoreCapabilities { base.capabilities }
}
