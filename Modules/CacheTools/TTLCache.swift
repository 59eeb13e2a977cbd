import CacheCore

/// A bounded LRU cache whose entries all live for one time to live, following cachetools
/// 8 `TTLCache` operation for operation except where listed at the end.
///
/// An entry stored at time `t` is live while `clock.now() < t + ttl`, with `ttl` the
/// `Double` nearest its exact seconds and `t + ttl` computed in `Double`, as cachetools
/// does (`.milliseconds(300)` stored at 0 has expired at exactly 0.3); storing a value
/// again restarts its time. Expired entries are misses. They leave with cause `.expired`
/// before every store and on ``expire()`` (also run by ``count``, ``keys``,
/// ``currentSize`` and ``stats``, as cachetools' `len()` does); reading one
/// (``PolicyCache/value(forKey:)``, `peekValue`, `contains`) or removing one
/// (``PolicyCache/removeValue(forKey:)``, cachetools' `pop`) leaves it for ``expire()``
/// to return. When a store needs room the least recently used live entry goes (cause
/// `.size`), so the same operations at the same times evict the same keys as cachetools.
///
/// `maxSize` counts weight as in ``LRUCache``. A store of an item heavier than `maxSize`
/// first removes the expired entries and is then refused, as in cachetools:
/// ``PolicyCache/setValue(_:forKey:)`` throws `.itemTooLarge` and the key's previous (live)
/// value stays, which the error's detail says.
/// The clock is read and the weigher runs before the lock is taken; the removal listener
/// runs after it is released.
///
/// ``PolicyCache/value(forKey:)`` marks a live entry most recently used; ``PolicyCache/keys``
/// lists the live keys least recently used first.
///
/// Where it differs from cachetools 8, deliberately:
/// - `ttl` must be > 0. cachetools accepts `ttl <= 0` (every entry is then expired on
///   arrival); here it throws `CacheConfigurationError`, since such a cache only ever
///   misses and is far likelier a mistaken setting than a wish.
/// - The subscript setter cannot throw: for an item it refuses it stores nothing and
///   removes the key's previous value (cause `.replaced`), so no read returns the value
///   the assignment meant to replace; cachetools raises `ValueError` and keeps it (as
///   `setValue` does).
/// - Reading an expired entry leaves its LRU position alone, as cachetools' `get` does
///   (its `[]` moves it); this is only observable with a clock that goes back.
/// - There is no counterpart of `del` on an expired key (cachetools removes it and raises
///   `KeyError`): ``PolicyCache/removeValue(forKey:)`` is `pop`.
/// - Expiry order is defined only for a clock that never goes back (as in cachetools,
///   entries expire in store order and ``expire()`` stops at the first live one). With
///   a clock that does, the cache stays within `maxSize` and never traps.
public typealias TTLCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, TTLPolicyState<Key, Value>>

extension PolicyCache where State == TTLPolicyState<Key, Value> {
    /// Every entry's time to live.
    public var ttl: Duration { settings }

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttl: every entry's time to live, > 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests). It should never go back;
    ///     if it does, entries are judged by the readings the cache gets (an entry may
    ///     become live again) and expiry order is unspecified, but the size bound holds.
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` (negative) or `ttl` (not
    ///   positive: a deliberate difference from cachetools, see above).
    /// - Complexity: O(1).
    public convenience init(
        maxSize: Int,
        ttl: Duration,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        try CacheConfiguration.checkTTL(ttl, setting: "ttl")
        let expected = Self.expectedEntries(maxSize: maxSize, weigher: weigher)
        self.init(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: onRemoval, settings: ttl,
                  state: TTLPolicyState(maxSize: maxSize, ttl: ttl.cacheSeconds, expected: expected))
    }
}
