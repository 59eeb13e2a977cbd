import CacheCore

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
/// and keeps the key's previous value; the subscript setter, which cannot throw, drops it
/// silently and removes the key's previous value (cause `.replaced`; cachetools raises
/// `ValueError` and keeps it), so no read returns the value the assignment meant to
/// replace. Both count `stats.storeFailures`.
/// `maxSize` 0 is allowed and stores nothing.
///
/// Thread-safe: all state is behind one `Mutex`. The weigher runs before the lock is taken
/// and the removal listener after it is released, so both may call back into the cache.
///
/// ``PolicyCache/value(forKey:)`` counts one use of the key, and so does updating it;
/// ``PolicyCache/keys`` lists the lowest use count first, ties by arrival at that count.
public typealias LFUCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, LFUPolicyState<Key, Value>>

extension PolicyCache where State == LFUPolicyState<Key, Value> {
    /// The use count of `key` (1 after insertion), or nil when absent; counts nothing.
    /// - Complexity: O(1).
    public func useCount(forKey key: Key) -> Int? { state.withLock { $0.useCount(key) } }
}
