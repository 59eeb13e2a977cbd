import CacheCore
import Synchronization

/// A bounded least-frequently-used cache with the semantics of cachetools 8 `LFUCache`.
///
/// Every hit and every update of an existing key counts one use; a new key starts at 1.
/// A store of a new key (or a heavier value for an existing key) evicts until the new total
/// weight fits in ``maxSize``, each time the least frequently used key — among equals, the
/// one that reached that count first, as cachetools breaks ties — so the same sequence of
/// operations evicts the same keys as cachetools. `contains` does not count a use.
/// All operations are O(1) (frequency buckets).
///
/// `maxSize` counts weight: 1 per entry unless a `weigher` is given. An item heavier than
/// `maxSize` is not stored: ``setValue(_:forKey:)`` throws `CacheStoreError(.itemTooLarge)`
/// and the subscript setter drops it silently (counted in `stats.storeFailures`).
/// `maxSize` 0 is allowed and stores nothing.
///
/// Thread-safe: all state is behind one `Mutex`. The weigher runs before the lock is taken
/// and the removal listener after it is released, so both may call back into the cache.
public final class LFUCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    @usableFromInline let state: Mutex<LFUPolicyState<Key, Value>>
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let listener: RemovalListener<Key, Value>?
    /// The bound on the total weight (entries, when there is no weigher).
    public let maxSize: Int
    /// The clock (not consulted by this policy; accepted for a uniform initializer).
    public let clock: any CacheClock

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public init(
        maxSize: Int,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        self.maxSize = maxSize
        self.weigher = weigher
        self.clock = clock
        self.listener = onRemoval
        state = Mutex(LFUPolicyState(maxSize: maxSize, expected: weigher == nil ? maxSize : 64))
    }

    /// The value for `key`, counting one use of it; counts a hit or a miss.
    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        state.withLock { $0.get(key) }
    }

    /// Stores `value` for `key`, evicting least-frequently-used entries as needed;
    /// updating an existing key counts one use of it.
    /// - Throws: `CacheStoreError(.itemTooLarge)` when the item alone weighs more than
    ///   ``maxSize`` (nothing changes, an existing value stays), `.unsupported` for a negative weight.
    /// - Complexity: O(1) amortized, plus O(k) for k evictions.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key) throws(CacheStoreError) {
        let weight: Int
        do { weight = try weighItem(key, value, weigher: weigher, maxSize: maxSize) } catch {
            state.withLock { $0.counters.storeFailures &+= 1 }
            throw error
        }
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s.set(key, value, weight: weight, &r)
            return r
        }
        removed.deliver(to: listener)
    }

    /// `CacheStore` entry point; a non-nil `ttl` throws `.unsupported` (no per-entry TTL).
    /// - Complexity: as ``setValue(_:forKey:)``.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws(CacheStoreError) {
        if ttl != nil { throw perEntryTTLError(key, cache: "LFUCache") }
        try setValue(value, forKey: key)
    }

    /// Get counts a use (like ``value(forKey:)``); set stores, and
    /// **silently drops** an item heavier than ``maxSize``; setting `nil` removes the key.
    /// - Complexity: O(1).
    @inlinable
    public subscript(key: Key) -> Value? {
        get { value(forKey: key) }
        set {
            if let newValue { try? setValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Removes and returns the value for `key` (cause `.explicit`).
    /// - Complexity: O(1).
    @inlinable @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        let (v, removed) = state.withLock { s -> (Value?, Removals<Key, Value>) in
            var r = Removals<Key, Value>()
            let v = s.remove(key, &r)
            return (v, r)
        }
        removed.deliver(to: listener)
        return v
    }

    /// Removes every entry (cause `.cleared`); counters are kept.
    /// - Complexity: O(n).
    public func removeAll() {
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s.removeAll(&r)
            return r
        }
        removed.deliver(to: listener)
    }

    /// Whether `key` is present, without counting a use or touching the counters.
    /// - Complexity: O(1).
    @inlinable
    public func contains(_ key: Key) -> Bool { state.withLock { $0.contains(key) } }

    /// The value for `key` without counting a hit or miss or touching the policy's order.
    /// - Complexity: O(1).
    @inlinable
    public func peekValue(forKey key: Key) -> Value? { state.withLock { $0.peek(key) } }

    /// The keys in eviction order: lowest use count first, ties by arrival at that count.
    /// - Complexity: O(n).
    public var keys: [Key] { state.withLock { $0.keysInEvictionOrder() } }

    /// Entries held now. - Complexity: O(1).
    public var count: Int { state.withLock { $0.table.count } }

    /// Total weight held now (entries, when there is no weigher). - Complexity: O(1).
    public var currentSize: Int { state.withLock { $0.table.totalWeight } }

    /// A snapshot of the counters; `bytes` is the total weight. - Complexity: O(1).
    public var stats: CacheStats { state.withLock { $0.stats() } }

    /// The use count of `key` (1 after insertion), or nil when absent; counts nothing.
    /// - Complexity: O(1).
    public func useCount(forKey key: Key) -> Int? { state.withLock { $0.useCount(key) } }

    /// `.weighted` when a weigher was given.
    public var capabilities: CacheStoreCapabilities { weigher == nil ? [] : .weighted }
}
