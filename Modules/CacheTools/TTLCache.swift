import CacheCore
import Synchronization

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
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    @usableFromInline let state: Mutex<TTLPolicyState<Key, Value>>
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let listener: RemovalListener<Key, Value>?
    /// The bound on the total weight (entries, when there is no weigher).
    public let maxSize: Int
    /// Every entry's time to live.
    public let ttl: Duration
    /// The time source.
    public let clock: any CacheClock

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttl: every entry's time to live, > 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests).
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` (negative) or `ttl` (not positive).
    /// - Complexity: O(1).
    public init(
        maxSize: Int,
        ttl: Duration,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        try CacheConfiguration.checkTTL(ttl, setting: "ttl")
        self.maxSize = maxSize
        self.ttl = ttl
        self.weigher = weigher
        self.clock = clock
        self.listener = onRemoval
        state = Mutex(TTLPolicyState(maxSize: maxSize, ttl: ttl.cacheSeconds, expected: weigher == nil ? maxSize : 64))
    }

    /// The live value for `key`, marking it most recently used; counts a hit or a miss.
    /// An expired entry is removed (cause `.expired`) and counts as a miss.
    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        let now = clock.now()
        let (v, removed) = state.withLock { s -> (Value?, Removals<Key, Value>) in
            var r = Removals<Key, Value>()
            let v = s.get(key, now: now, &r)
            return (v, r)
        }
        removed.deliver(to: listener)
        return v
    }

    /// Removes expired entries, then stores `value` for `key` (live for ``ttl`` from now),
    /// evicting least-recently-used entries as needed.
    /// - Throws: `CacheStoreError(.itemTooLarge)` when the item alone weighs more than
    ///   ``maxSize`` (nothing changes), `.unsupported` for a negative weight.
    /// - Complexity: O(1) amortized, plus O(k) for k removals.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key) throws(CacheStoreError) {
        let weight: Int
        do { weight = try weighItem(key, value, weigher: weigher, maxSize: maxSize) } catch {
            state.withLock { $0.counters.storeFailures &+= 1 }
            throw error
        }
        let now = clock.now()
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s.set(key, value, weight: weight, now: now, &r)
            return r
        }
        removed.deliver(to: listener)
    }

    /// `CacheStore` entry point; a non-nil `ttl` throws `.unsupported` (one TTL for all).
    /// - Complexity: as ``setValue(_:forKey:)``.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws(CacheStoreError) {
        if ttl != nil { throw perEntryTTLError(key, cache: "TTLCache") }
        try setValue(value, forKey: key)
    }

    /// Get is ``value(forKey:)``; set stores, and **silently drops** an item heavier than
    /// ``maxSize``; setting `nil` removes the key.
    /// - Complexity: O(1).
    @inlinable
    public subscript(key: Key) -> Value? {
        get { value(forKey: key) }
        set {
            if let newValue { try? setValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Removes and returns the live value for `key` (cause `.explicit`); an expired entry
    /// is removed with cause `.expired` and nil is returned.
    /// - Complexity: O(1).
    @inlinable @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        let now = clock.now()
        let (v, removed) = state.withLock { s -> (Value?, Removals<Key, Value>) in
            var r = Removals<Key, Value>()
            let v = s.remove(key, now: now, &r)
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

    /// Removes every expired entry (cause `.expired`) and returns them, earliest first.
    /// - Complexity: O(k) for k expired entries.
    @discardableResult
    public func expire() -> [(key: Key, value: Value)] {
        let now = clock.now()
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s.expire(now, &r)
            return r
        }
        removed.deliver(to: listener)
        return removed.pairs(.expired)
    }

    /// Runs `body` on the state after expiring, then delivers the removals.
    @usableFromInline
    func afterExpiring<T: Sendable>(_ body: (borrowing TTLPolicyState<Key, Value>) -> T) -> T {
        let now = clock.now()
        let (result, removed) = state.withLock { s -> (T, Removals<Key, Value>) in
            var r = Removals<Key, Value>()
            s.expire(now, &r)
            return (body(s), r)
        }
        removed.deliver(to: listener)
        return result
    }

    /// Whether a live entry exists for `key`, without touching recency or the counters
    /// (an expired entry is not removed here).
    /// - Complexity: O(1).
    @inlinable
    public func contains(_ key: Key) -> Bool {
        let now = clock.now()
        return state.withLock { $0.contains(key, now: now) }
    }

    /// The live value for `key` without counting a hit or miss, touching recency or
    /// removing an expired entry.
    /// - Complexity: O(1).
    @inlinable
    public func peekValue(forKey key: Key) -> Value? {
        let now = clock.now()
        return state.withLock { $0.peek(key, now: now) }
    }

    /// The live keys in eviction order, least recently used first (expires first).
    /// - Complexity: O(n).
    public var keys: [Key] { afterExpiring { $0.keysInEvictionOrder() } }

    /// Live entries held now (expires first). - Complexity: O(1) plus expiry.
    public var count: Int { afterExpiring { $0.table.count } }

    /// Total weight of the live entries (expires first). - Complexity: O(1) plus expiry.
    public var currentSize: Int { afterExpiring { $0.table.totalWeight } }

    /// A snapshot of the counters (expires first); `bytes` is the total weight.
    /// - Complexity: O(1) plus expiry.
    public var stats: CacheStats { afterExpiring { $0.stats() } }

    /// `.weighted` when a weigher was given.
    public var capabilities: CacheStoreCapabilities { weigher == nil ? [] : .weighted }
}
