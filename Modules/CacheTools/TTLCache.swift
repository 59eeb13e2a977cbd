import CacheCore

/// A bounded LRU cache whose entries all live for one time to live, with the semantics of
/// cachetools 8 `TTLCache`.
///
/// An entry stored at time `t` is live while `clock.now() < t + ttl`; storing a value again
/// restarts its time. Expired entries are misses and leave with cause `.expired`: lazily
/// when read, before every store, and on ``expire()`` (also run by ``count``, ``keys``,
/// ``currentSize`` and ``stats``, as cachetools' `len()` does). When a store needs room the
/// least recently used live entry goes (cause `.size`), so the same operations at the same
/// times evict the same keys as cachetools.
///
/// `maxSize` counts weight as in ``LRUCache``; an item heavier than `maxSize` is refused
/// (`setValue` throws `.itemTooLarge`, the subscript setter drops it silently).
/// Inject a `ManualCacheClock` in tests. The clock is read and the weigher runs before the
/// lock is taken; the removal listener runs after it is released.
///
/// ``PolicyCache/value(forKey:)`` marks a live entry most recently used; ``PolicyCache/keys``
/// lists the live keys least recently used first.
public typealias TTLCache<Key: Hashable & Sendable, Value: Sendable> = PolicyCache<Key, Value, TTLPolicyState<Key, Value>>

extension PolicyCache where State == TTLPolicyState<Key, Value> {
    /// Every entry's time to live.
    public var ttl: Duration { settings }

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttl: every entry's time to live, > 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests).
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` (negative) or `ttl` (not positive).
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
