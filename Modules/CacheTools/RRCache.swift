import CacheCore
import Synchronization

/// A bounded random-replacement cache with the semantics of cachetools 8 `RRCache`.
///
/// A store of a new key (or a heavier value for an existing key) evicts randomly chosen
/// entries until the new total weight fits in ``maxSize``. Hits change nothing. The choice
/// comes from the cache's own SplitMix64 generator: pass a `seed` for a reproducible
/// sequence. The victim is `keys[random(below: count)]`, where ``keys`` is cachetools' key
/// list (insertion order, a removed key's place taken by the last key) — so cachetools
/// given a `choice` drawing from the same generator evicts the same keys.
///
/// `maxSize` counts weight: 1 per entry unless a `weigher` is given. An item heavier than
/// `maxSize` is not stored: ``setValue(_:forKey:)`` throws `CacheStoreError(.itemTooLarge)`
/// and the subscript setter drops it silently (counted in `stats.storeFailures`).
/// `maxSize` 0 is allowed and stores nothing.
///
/// Thread-safe: all state is behind one `Mutex`. The weigher runs before the lock is taken
/// and the removal listener after it is released, so both may call back into the cache.
public final class RRCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    @usableFromInline let state: Mutex<RRPolicyState<Key, Value>>
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
    ///   - seed: seeds the victim choice; `nil` picks a random seed.
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public init(
        maxSize: Int,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        seed: UInt64? = nil,
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        self.maxSize = maxSize
        self.weigher = weigher
        self.clock = clock
        self.listener = onRemoval
        state = Mutex(RRPolicyState(maxSize: maxSize, expected: weigher == nil ? maxSize : 64, seed: seed ?? UInt64.random(in: .min ... .max)))
    }

    /// The value for `key`; counts a hit or a miss.
    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        state.withLock { $0.get(key) }
    }

    /// Stores `value` for `key`, evicting random entries as needed.
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
        if ttl != nil { throw perEntryTTLError(key, cache: "RRCache") }
        try setValue(value, forKey: key)
    }

    /// Get is ``value(forKey:)``; set stores, and
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

    /// Whether `key` is present, without touching the counters.
    /// - Complexity: O(1).
    @inlinable
    public func contains(_ key: Key) -> Bool { state.withLock { $0.contains(key) } }

    /// The value for `key` without counting a hit or miss or touching the policy's order.
    /// - Complexity: O(1).
    @inlinable
    public func peekValue(forKey key: Key) -> Value? { state.withLock { $0.peek(key) } }

    /// The keys in cachetools' key-list order (random replacement has no eviction order).
    /// - Complexity: O(n).
    public var keys: [Key] { state.withLock { $0.keysInEvictionOrder() } }

    /// Entries held now. - Complexity: O(1).
    public var count: Int { state.withLock { $0.table.count } }

    /// Total weight held now (entries, when there is no weigher). - Complexity: O(1).
    public var currentSize: Int { state.withLock { $0.table.totalWeight } }

    /// A snapshot of the counters; `bytes` is the total weight. - Complexity: O(1).
    public var stats: CacheStats { state.withLock { $0.stats() } }

    /// `.weighted` when a weigher was given.
    public var capabilities: CacheStoreCapabilities { weigher == nil ? [] : .weighted }
}
