import CacheCore

/// A bounded first-in-first-out cache with the semantics of cachetools 8 `FIFOCache`.
///
/// Entries leave in insertion order; a hit changes nothing, and (as in cachetools 8) storing
/// a new value for an existing key moves it to the newest end. A store of a new key (or a heavier value
/// for an existing key) evicts the oldest entries until the new total weight fits
/// in ``maxSize`` — the same sequence of operations evicts the same keys as cachetools.
/// `contains` does not touch the order either.
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
/// ``PolicyCache/value(forKey:)`` leaves the order unchanged; ``PolicyCache/setValue(_:forKey:)``
/// moves an existing key to the newest end; ``PolicyCache/keys`` lists the oldest first.
public typealias FIFOCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, OrderedPolicyState<Key, Value, FIFOEviction>>
