import CacheCore
import Synchronization

/// A bounded, weighted, thread-safe cache with the eviction policy of its `State`; the
/// names to use are ``LRUCache``, ``FIFOCache``, ``MRUCache``, ``LFUCache``, ``RRCache``,
/// ``TTLCache`` and ``TLRUCache`` (each documents its policy and initializer).
///
/// `maxSize` counts weight: 1 per entry unless a `weigher` is given. An item heavier than
/// `maxSize` is not stored: ``setValue(_:forKey:)`` throws `CacheStoreError(.itemTooLarge)`
/// and keeps the key's previous value; the subscript setter drops the item silently and
/// removes the key's previous value (cause `.replaced`). Both count `stats.storeFailures`.
/// `maxSize` 0 is allowed and stores nothing.
///
/// Thread-safe: all state is behind one `Mutex`. The clock is read and the weigher (and
/// TLRU's time-to-use function) run before the lock is taken, and the removal listener
/// after it is released, so all of them may call back into the cache.
public final class PolicyCache<Key: Hashable & Sendable, Value: Sendable, State: CachePolicyState & ~Copyable>: CacheStore
where State.Key == Key, State.Value == Value {
    @usableFromInline let state: Mutex<State>
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let listener: RemovalListener<Key, Value>?
    @usableFromInline let settings: State._Settings
    /// The bound on the total weight (entries, when there is no weigher).
    public let maxSize: Int
    /// The time source; only the expiring caches (``TTLCache``, ``TLRUCache``) consult it,
    /// the others accept it for a uniform initializer.
    public let clock: any CacheClock

    /// Wraps `state` (built for `maxSize`, which the caller has checked).
    @usableFromInline
    init(
        maxSize: Int, weigher: (@Sendable (Key, Value) -> Int)?, clock: any CacheClock,
        onRemoval: RemovalListener<Key, Value>?, settings: State._Settings, state: consuming sending State
    ) {
        self.maxSize = maxSize
        self.weigher = weigher
        self.clock = clock
        self.listener = onRemoval
        self.settings = settings
        self.state = Mutex(state)
    }

    /// How many entries to size a new table for.
    @usableFromInline
    static func expectedEntries(maxSize: Int, weigher: (@Sendable (Key, Value) -> Int)?) -> Int {
        weigher == nil ? maxSize : 64
    }

    /// The clock's time when the policy reads it, else 0 (and the clock is not called).
    @inlinable
    var now: Double { State._readsClock ? clock.now() : 0 }

    /// Runs `body` under the lock with a removal buffer, then delivers the removals to the
    /// listener with the lock released.
    @inlinable
    func withLockDelivering<T: Sendable>(_ body: (inout State, inout Removals<Key, Value>) -> T) -> T {
        let (result, removed) = state.withLock { s -> (T, Removals<Key, Value>) in
            var r = Removals<Key, Value>()
            let result = body(&s, &r)
            return (result, r)
        }
        removed.deliver(to: listener)
        return result
    }

    /// The value for `key`, updating the policy's order as a hit does (see the cache's own
    /// documentation); counts a hit or a miss. An expired entry is a miss and, as in
    /// cachetools, stays until the cache expires (``expire()`` returns it).
    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        if !State._readsClock {
            return state.withLock { s in
                var r = Removals<Key, Value>()
                return s._get(key, now: 0, &r)
            }
        }
        let now = clock.now()
        return withLockDelivering { $0._get(key, now: now, &$1) }
    }

    /// Stores `value` for `key` (an expiring cache removes expired entries first), evicting
    /// the policy's victims as needed.
    /// - Throws: `CacheStoreError(.itemTooLarge)` when the item alone weighs more than
    ///   ``maxSize``, `.unsupported` for a negative weight. A refused item changes nothing
    ///   but what expiry removes first: the key's previous value, if any, stays, and the
    ///   error's detail says so ("the previous value remains").
    /// - Complexity: O(1) amortized, plus O(k) for k removals.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key) throws(CacheStoreError) {
        if let refusal = store(value, forKey: key, removingOldOnRefusal: false) { throw refusal }
    }

    /// The one store path: weighs the item and runs the time-to-use function outside the
    /// lock, then, under it, lets the policy expire (cachetools expires before it weighs)
    /// and stores. A refused item goes to ``refuse(_:forKey:_:removingOld:)``.
    @inlinable
    func store(_ value: Value, forKey key: Key, removingOldOnRefusal: Bool) -> CacheStoreError? {
        let weight: Int
        do { weight = try weighItem(key, value, weigher: weigher, maxSize: maxSize) } catch {
            return refuse(value, forKey: key, error, removingOld: removingOldOnRefusal)
        }
        let now = self.now
        var expires = State._expiry(forKey: key, value: value, now: now, settings: settings)
        withLockDelivering { s, r in
            if s._prepareStore(key, now: now, expires: &expires, &r) {
                s.store(key, value, weight: weight, expires: expires, &r)
            }
        }
        return nil
    }

    /// A refused store: the policy still expires first (and TLRU's expired-on-arrival
    /// removal wins, with no refusal, as in cachetools); then the refusal is counted and
    /// the key's previous value kept — the error says so — or, when `removingOld` (the
    /// subscript setter, whose caller is never told), removed with cause `.replaced`.
    @usableFromInline
    func refuse(_ value: Value, forKey key: Key, _ refusal: CacheStoreError, removingOld: Bool) -> CacheStoreError? {
        let now = self.now
        var expires = State._expiry(forKey: key, value: value, now: now, settings: settings)
        return withLockDelivering { s, r -> CacheStoreError? in
            if !s._prepareStore(key, now: now, expires: &expires, &r) { return nil }
            s._counters.storeFailures &+= 1
            let old = s._table.find(key)
            if old < 0 { return refusal }
            if removingOld {
                s.removeSlot(old, .replaced, &r)
                return refusal
            }
            return CacheStoreError(refusal.kind, key: refusal.key, detail: refusal.detail + "; the previous value remains")
        }
    }

    /// `CacheStore` entry point; a non-nil `ttl` throws `.unsupported` (no per-entry TTL).
    /// - Complexity: as ``setValue(_:forKey:)``.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws(CacheStoreError) {
        if ttl != nil { throw perEntryTTLError(key, cache: State._cacheName) }
        try setValue(value, forKey: key)
    }

    /// Get is ``value(forKey:)``; set stores, and **silently drops** an item it refuses
    /// (heavier than ``maxSize``, or a negative weight; counted in `stats.storeFailures`)
    /// *and removes the key's previous value* (cause `.replaced`), so a read never returns
    /// the value the assignment meant to replace. (cachetools raises `ValueError` and keeps
    /// it; use ``setValue(_:forKey:)`` to be told and keep it.) Setting `nil` removes the key.
    /// - Complexity: O(1).
    @inlinable
    public subscript(key: Key) -> Value? {
        get { value(forKey: key) }
        set {
            if let newValue { _ = store(newValue, forKey: key, removingOldOnRefusal: true) } else { removeValue(forKey: key) }
        }
    }

    /// Removes and returns the (live) value for `key` (cause `.explicit`). For an expired
    /// entry nil is returned and, as cachetools' `pop`, the entry stays until the cache
    /// expires (``expire()`` returns it).
    /// - Complexity: O(1).
    @inlinable @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        let now = self.now
        return withLockDelivering { $0._remove(key, now: now, &$1) }
    }

    /// Removes every entry (cause `.cleared`); counters are kept.
    /// - Complexity: O(n).
    public func removeAll() {
        withLockDelivering { $0.removeAll(&$1) }
    }

    /// Whether a live entry exists for `key`, without touching the policy's order or the
    /// counters (an expired entry is not removed here).
    /// - Complexity: O(1).
    @inlinable
    public func contains(_ key: Key) -> Bool {
        let now = self.now
        return state.withLock { $0._contains(key, now: now) }
    }

    /// The live value for `key` without counting a hit or miss, touching the policy's order
    /// or removing an expired entry.
    /// - Complexity: O(1).
    @inlinable
    public func peekValue(forKey key: Key) -> Value? {
        let now = self.now
        return state.withLock { $0._peek(key, now: now) }
    }

    /// Runs `body` on the state — after removing expired entries, for an expiring cache —
    /// then delivers the removals.
    @usableFromInline
    func afterExpiring<T: Sendable>(_ body: (borrowing State) -> T) -> T {
        if !State._readsClock { return state.withLock { body($0) } }
        let now = clock.now()
        return withLockDelivering { s, r in
            s._expire(now, &r)
            return body(s)
        }
    }

    /// The (live) keys in eviction order, next victim first (see the cache's own
    /// documentation; an expiring cache expires first).
    /// - Complexity: O(n).
    public var keys: [Key] { afterExpiring { $0.keysInEvictionOrder() } }

    /// Entries held now (an expiring cache expires first). - Complexity: O(1), plus expiry.
    public var count: Int { afterExpiring { $0._table.count } }

    /// Total weight held now (entries, when there is no weigher; an expiring cache expires
    /// first). - Complexity: O(1), plus expiry.
    public var currentSize: Int { afterExpiring { $0._table.totalWeight } }

    /// A snapshot of the counters (an expiring cache expires first); `bytes` is the total
    /// weight. - Complexity: O(1), plus expiry.
    public var stats: CacheStats { afterExpiring { $0.stats() } }

    /// `.weighted` when a weigher was given.
    public var capabilities: CacheStoreCapabilities { weigher == nil ? [.inMemory] : [.inMemory, .weighted] }
}

extension PolicyCache where State: ExpiringCachePolicyState & ~Copyable {
    /// Removes every expired entry (cause `.expired`) and returns them, earliest first.
    /// - Complexity: O(k) for k expired entries.
    @discardableResult
    public func expire() -> [(key: Key, value: Value)] {
        let now = clock.now()
        let removed = state.withLock { s -> Removals<Key, Value> in
            var r = Removals<Key, Value>()
            s._expire(now, &r)
            return r
        }
        removed.deliver(to: listener)
        return removed.pairs(.expired)
    }
}
