import CacheCore

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
/// and keeps the key's previous value; the subscript setter, which cannot throw, drops it
/// silently and removes the key's previous value (cause `.replaced`; cachetools raises
/// `ValueError` and keeps it), so no read returns the value the assignment meant to
/// replace. Both count `stats.storeFailures`.
/// `maxSize` 0 is allowed and stores nothing.
///
/// Thread-safe: all state is behind one `Mutex`. The weigher runs before the lock is taken
/// and the removal listener after it is released, so both may call back into the cache.
///
/// ``PolicyCache/keys`` lists cachetools' key-list order (random replacement has no
/// eviction order).
public typealias RRCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, RRPolicyState<Key, Value>>

extension PolicyCache where State == RRPolicyState<Key, Value> {
    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - seed: seeds the victim choice; `nil` picks a random seed.
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public convenience init(
        maxSize: Int,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        seed: UInt64? = nil,
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        let expected = Self.expectedEntries(maxSize: maxSize, weigher: weigher)
        self.init(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: onRemoval, settings: (),
                  state: RRPolicyState(maxSize: maxSize, expected: expected, seed: seed ?? UInt64.random(in: .min ... .max)))
    }
}
