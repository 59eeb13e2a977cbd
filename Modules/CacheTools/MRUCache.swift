import CacheCore

/// A bounded most-recently-used cache: the victim is the entry used last.
///
/// cachetools 8 has no MRUCache (5.x deprecated it, 6.0 removed it; 5.x also filed a new
/// key at the least-recent end, a quirk not copied here): this is cachetools `LRUCache`
/// with `popitem()` taking the most recent entry instead of the least.
///
/// A hit moves the entry to the most-recent end; a store of a new key (or a heavier value
/// for an existing key) evicts most-recently-used entries until the new total weight fits
/// in ``maxSize``; the key being stored is not yet in the order, so it is never the victim
/// of its own insertion.
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
/// used; ``PolicyCache/keys`` lists the keys most recently used first.
public typealias MRUCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, OrderedPolicyState<Key, Value, MRUEviction>>
