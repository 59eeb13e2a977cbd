import CacheCore

/// A bounded time-aware LRU cache with the semantics of cachetools 8 `TLRUCache`: each
/// entry's expiry comes from a time-to-use function.
///
/// Storing `value` for `key` at time `now` makes it live while `clock.now() < ttu(key,
/// value, now)`. A value already expired on arrival is not stored, and removes the key's
/// current entry (cause `.replaced`). Expired entries are misses and leave with cause `.expired`: lazily
/// when read, before every store, and on ``expire()`` (also run by ``count``, ``keys``,
/// ``currentSize`` and ``stats``, as cachetools' `len()` does). When a store needs room the
/// least recently used live entry goes (cause `.size`), so the same operations at the same
/// times evict the same keys as cachetools.
///
/// `maxSize` counts weight as in ``LRUCache``; an item heavier than `maxSize` is refused
/// (`setValue` throws `.itemTooLarge`, the subscript setter drops it silently).
/// Inject a `ManualCacheClock` in tests. The clock is read, and the weigher and `ttu` run,
/// before the lock is taken; the removal listener runs after it is released.
///
/// ``PolicyCache/value(forKey:)`` marks a live entry most recently used; ``PolicyCache/keys``
/// lists the live keys least recently used first.
public typealias TLRUCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, TLRUPolicyState<Key, Value>>

extension PolicyCache where State == TLRUPolicyState<Key, Value> {
    /// The time-to-use function: `(key, value, now) -> expiry`, in the clock's seconds.
    public var ttu: @Sendable (Key, Value, Double) -> Double { settings }

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttu: `(key, value, now) -> expiry time` in the clock's seconds; runs outside the lock.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests).
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public convenience init(
        maxSize: Int,
        ttu: @escaping @Sendable (Key, Value, Double) -> Double,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        let expected = Self.expectedEntries(maxSize: maxSize, weigher: weigher)
        self.init(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: onRemoval, settings: ttu,
                  state: TLRUPolicyState(maxSize: maxSize, expected: expected))
    }
}
