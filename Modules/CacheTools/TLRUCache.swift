import CacheCore
import Synchronization

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
public final class TLRUCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    @usableFromInline let state: Mutex<TLRUPolicyState<Key, Value>>
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let listener: RemovalListener<Key, Value>?
    /// The bound on the total weight (entries, when there is no weigher).
    public let maxSize: Int
    /// The time-to-use function: `(key, value, now) -> expiry`, in the clock's seconds.
    public let ttu: @Sendable (Key, Value, Double) -> Double
    /// The time source.
    public let clock: any CacheClock

    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - ttu: `(key, value, now) -> expiry time` in the clock's seconds; runs outside the lock.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - clock: the time source (`ManualCacheClock` in tests).
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public init(
        maxSize: Int,
        ttu: @escaping @Sendable (Key, Value, Double) -> Double,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        self.maxSize = maxSize
        self.ttu = ttu
        self.weigher = weigher
        self.clock = clock
        self.listener = onRemoval
        state = Mutex(TLRUPolicyState(maxSize: maxSize, expected: weigher == nil ? maxSize : 64))
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

    /// Removes expired entries, then stores `value` for `key` (live until `ttu(key, value,
    /// now)`), evicting least-recently-used entries as needed.
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
        let expires = ttu(key, value, now)
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s.set(key, value, weight: weight, now: now, expires: expires, &r)
            return r
        }
        removed.deliver(to: listener)
    }

    /// `CacheStore` entry point; a non-nil `ttl` throws `.unsupported` (use the time-to-use function).
    /// - Complexity: as ``setValue(_:forKey:)``.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws(CacheStoreError) {
        if ttl != nil { throw perEntryTTLError(key, cache: "TLRUCache") }
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
    func afterExpiring<T: Sendable>(_ body: (borrowing TLRUPolicyState<Key, Value>) -> T) -> T {
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
