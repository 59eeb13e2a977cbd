import CacheCore

/// A bounded time-aware LRU cache following cachetools 8 `TLRUCache` operation for
/// operation, except where listed at the end: each entry's expiry comes from a
/// time-to-use function.
///
/// Storing `value` for `key` at time `now` makes it live while `clock.now() < ttu(key,
/// value, now)`. Every store first removes the expired entries (cause `.expired`); then a
/// value already expired on arrival is not stored and removes the key's current entry
/// (cause `.replaced`) — also when the value is too large, since cachetools looks at the
/// expiry before the weight: `get` then misses. Otherwise an item heavier than `maxSize`
/// is refused: ``PolicyCache/setValue(_:forKey:)`` throws `.itemTooLarge` and the key's
/// previous (live) value stays, which the error's detail says.
///
/// Expired entries are misses. They leave with cause `.expired` before every store and on
/// ``expire()`` (also run by ``count``, ``keys``, ``currentSize`` and ``stats``, as
/// cachetools' `len()` does); reading one (``PolicyCache/value(forKey:)``, `peekValue`,
/// `contains`) or removing one (``PolicyCache/removeValue(forKey:)``, cachetools' `pop`)
/// leaves it for ``expire()`` to return. When a store needs room the least recently used
/// live entry goes (cause `.size`), so the same operations at the same times evict the
/// same keys as cachetools.
///
/// `maxSize` counts weight as in ``LRUCache``. The clock is read, and the weigher and
/// `ttu` run, before the lock is taken (cachetools calls `ttu` after expiring, which only
/// a `ttu` with side effects could notice); the removal listener runs after it is released.
///
/// ``PolicyCache/value(forKey:)`` marks a live entry most recently used; ``PolicyCache/keys``
/// lists the live keys least recently used first.
///
/// Where it differs from cachetools 8, deliberately:
/// - The subscript setter cannot throw: for an item it refuses it stores nothing and
///   removes the key's previous value (cause `.replaced`), so no read returns the value
///   the assignment meant to replace; cachetools raises `ValueError` and keeps it (as
///   `setValue` does).
/// - Reading an expired entry leaves its LRU position alone, as cachetools' `get` does
///   (its `[]` moves it); this is only observable with a clock that goes back.
/// - There is no counterpart of `del` on an expired key (cachetools removes it and raises
///   `KeyError`): ``PolicyCache/removeValue(forKey:)`` is `pop`.
/// - Expiry order (earliest `ttu` first) is meaningful only for a clock that never goes
///   back; with one that does, the cache stays within `maxSize` and never traps.
public typealias TLRUCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, TLRUPolicyState<Key, Value>>

extension PolicyCache where State == TLRUPolicyState<Key, Value> {
    /// The time-to-use function: `(key, value, now) -> expiry`, in the clock's seconds.
    public var ttu: @Sendable (Key, Value, Double) -> Double { settings }

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttu: `(key, value, now) -> expiry time` in the clock's seconds; runs outside the lock.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests). It should never go back;
    ///     if it does, entries are judged by the readings the cache gets and expiry order
    ///     is unspecified, but the size bound holds.
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
