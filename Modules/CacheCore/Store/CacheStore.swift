/// A synchronous key-value cache: the contract every in-memory and disk store keeps.
///
/// Stores are reference types shared between threads; each guards its own state.
/// In-memory stores key by any `Hashable`; stores whose entries outlive the process
/// key by ``CacheKey`` (a canonical encoding, never `hashValue`).
///
/// Reads count a hit or a miss in ``stats``. An entry that cannot be decoded is a miss:
/// the store removes it and logs why; it never returns wrong data.
public protocol CacheStore<Key, Value>: AnyObject, Sendable {
    associatedtype Key: Hashable & Sendable
    associatedtype Value: Sendable

    /// The value for `key`, or `nil` when absent or expired.
    func value(forKey key: Key) throws -> Value?

    /// Stores `value`. `ttl` is honoured when ``capabilities`` contains `.perEntryTTL`;
    /// a store without it throws ``CacheStoreError`` (`.unsupported`) for a non-nil `ttl`.
    /// Throws ``CacheStoreError`` (`.itemTooLarge`) when the value alone exceeds the bound.
    func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws

    /// Removes and returns the value for `key`.
    @discardableResult
    func removeValue(forKey key: Key) throws -> Value?

    /// Removes every entry.
    func removeAll() throws

    /// Whether a live entry exists, without counting a hit or miss or touching recency.
    func contains(_ key: Key) throws -> Bool

    /// The live value for `key` without counting a hit or miss or touching recency.
    /// The default asks ``contains(_:)`` then ``value(forKey:)`` (which counts);
    /// stores implement it when they can do better.
    func peekValue(forKey key: Key) throws -> Value?

    /// Live entries held now.
    var count: Int { get }

    /// A snapshot of the counters.
    var stats: CacheStats { get }

    var capabilities: CacheStoreCapabilities { get }
}

extension CacheStore {
    public func peekValue(forKey key: Key) throws -> Value? {
        try contains(key) ? value(forKey: key) : nil
    }

    /// Stores `value` with no time to live.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key) throws {
        try setValue(value, forKey: key, ttl: nil)
    }

    public var capabilities: CacheStoreCapabilities { [] }
}

/// The asynchronous store contract that CacheAsync, CacheRedis and the CacheDisk
/// adapter implement. Implementations never block a thread of the cooperative pool.
///
/// It has the operations of ``CacheStore`` with the same names and result types
/// (plus bulk reads and writes), so code moves between the two by adding `await`.
public protocol AsyncCacheStore<Key, Value>: Sendable {
    associatedtype Key: Hashable & Sendable
    associatedtype Value: Sendable

    /// The value for `key`, counting a hit or a miss.
    func value(forKey key: Key) async throws -> Value?
    func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws
    /// Removes `key`; returns the value it held, or `nil` when there was none.
    @discardableResult
    func removeValue(forKey key: Key) async throws -> Value?
    func removeAll() async throws
    /// Whether a live entry exists for `key` (no hit or miss is counted).
    func contains(_ key: Key) async throws -> Bool
    /// The value for `key` without counting a hit or miss or refreshing recency.
    /// Defaults to ``value(forKey:)``.
    func peekValue(forKey key: Key) async throws -> Value?
    /// Live entries (what "live" means is the store's: a shared store counts its scope).
    var count: Int { get async }

    /// Bulk read: the values found, keyed by their key. Missing keys are absent.
    func values(forKeys keys: [Key]) async throws -> [Key: Value]
    /// Bulk write with one TTL for all.
    func setValues(_ entries: [Key: Value], ttl: Duration?) async throws

    var stats: CacheStats { get async }
    var capabilities: CacheStoreCapabilities { get }
}

extension AsyncCacheStore {
    public func peekValue(forKey key: Key) async throws -> Value? { try await value(forKey: key) }

    public func contains(_ key: Key) async throws -> Bool { try await peekValue(forKey: key) != nil }

    public func values(forKeys keys: [Key]) async throws -> [Key: Value] {
        var found: [Key: Value] = [:]
        for key in keys { if let v = try await value(forKey: key) { found[key] = v } }
        return found
    }

    public func setValues(_ entries: [Key: Value], ttl: Duration?) async throws {
        for (key, value) in entries { try await setValue(value, forKey: key, ttl: ttl) }
    }

    public func setValue(_ value: Value, forKey key: Key) async throws {
        try await setValue(value, forKey: key, ttl: nil)
    }

    public var capabilities: CacheStoreCapabilities { [] }
}
