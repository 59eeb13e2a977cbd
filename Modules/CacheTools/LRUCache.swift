import CacheCore

/// A bounded least-recently-used cache with the semantics of cachetools 8 `LRUCache`.
///
/// A hit moves the entry to the most-recent end; a store of a new key (or a heavier value
/// for an existing key) evicts least-recently-used entries until the new total weight fits
/// in ``maxSize`` — the same sequence of operations evicts the same keys as cachetools.
/// `contains` does not touch recency.
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
/// ``PolicyCache/value(forKey:)`` and the subscript getter mark the entry most recently
/// used; ``PolicyCache/keys`` lists the keys least recently used first.
public typealias LRUCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, OrderedPolicyState<Key, Value, LRUEviction>>
