import CacheCore

/// The locked state of a ``PolicyCache``: a ``SlotTable`` plus one eviction policy's
/// structures. CacheTools' own states (``OrderedPolicyState``, ``LFUPolicyState``,
/// ``RRPolicyState``, ``TTLPolicyState``, ``TLRUPolicyState``) are its only conformances.
///
/// It is public only so that `LRUCache`, `TTLCache`, … can be type aliases of one generic
/// class; its underscored requirements are implementation details, and a state is only
/// ever created and touched by its cache, under the cache's lock. A policy supplies the
/// hooks (`_nextVictim`, `_unlink`, `_linkNew`, `_relink`, `_touch`, …); the operations
/// every policy shares — cachetools' `Cache.__setitem__`, `popitem()`, lookups — are
/// written once, in the extensions below.
public protocol CachePolicyState<Key, Value>: ~Copyable {
    associatedtype Key: Hashable
    associatedtype Value
    /// What the cache keeps outside the lock for this policy (TTL: the time to live;
    /// TLRU: the time-to-use function).
    associatedtype _Settings: Sendable = Void

    /// The cache's type name, for error messages.
    static var _cacheName: String { get }
    /// Whether operations read the clock (the expiring policies).
    static var _readsClock: Bool { get }
    /// An entry's expiry time, computed before the lock is taken (TLRU's time to use).
    static func _expiry(forKey key: Key, value: Value, now: Double, settings: _Settings) -> Double

    var _table: SlotTable<Key, Value> { get set }
    var _counters: PolicyCounters { get set }
    var _maxSize: Int { get }

    /// The slot `popitem()` removes next. Requires a non-empty cache.
    mutating func _nextVictim() -> Int32
    /// Takes a live slot out of the policy's structures (the table is left alone).
    mutating func _unlink(_ slot: Int32)
    /// Files a freshly filled slot.
    mutating func _linkNew(_ slot: Int32, expires: Double)
    /// Re-files a slot whose value was just replaced.
    mutating func _relink(_ slot: Int32, expires: Double)
    /// Records a hit on a slot.
    mutating func _touch(_ slot: Int32)
    /// Every live slot in the order `removeAll` reports them, leaving the policy's
    /// structures empty.
    mutating func _takeAllSlots() -> [Int32]
    /// Every live slot, next victim first.
    func _slotsInEvictionOrder() -> [Int32]

    /// Removes every entry expired at `now`.
    mutating func _expire(_ now: Double, _ removed: inout PolicyRemovals<Key, Value>)
    /// The value for `key`, counting a hit or a miss.
    mutating func _get(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value?
    func _contains(_ key: Key, now: Double) -> Bool
    func _peek(_ key: Key, now: Double) -> Value?
    /// Runs under the lock before every store, whether or not the item's weight is
    /// acceptable (cachetools' `__setitem__` expires before `Cache.__setitem__` weighs):
    /// an expiring policy removes its expired entries and settles `expires`. Returns false
    /// when the store is already complete (TLRU: the value expired on arrival, so the key's
    /// entry was removed instead).
    mutating func _prepareStore(
        _ key: Key, now: Double, expires: inout Double, _ removed: inout PolicyRemovals<Key, Value>) -> Bool
    mutating func _remove(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value?
}

// Defaults. A policy that reads the clock (``ExpiringCachePolicyState``) keeps an expiry
// time per slot: its expired entries are misses and leave with cause `.expired`.
extension CachePolicyState where Self: ~Copyable {
    @inlinable public static var _readsClock: Bool { false }

    @inlinable
    public static func _expiry(forKey key: Key, value: Value, now: Double, settings: _Settings) -> Double { 0 }

    @inlinable
    public mutating func _expire(_ now: Double, _ removed: inout PolicyRemovals<Key, Value>) {}

    @inlinable
    public mutating func _get(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.find(key)
        if s < 0 {
            _counters.misses &+= 1
            return nil
        }
        if Self._readsClock && !isLive(s, now) {
            // cachetools: an expired entry is a miss but stays for `expire()` to return.
            _counters.misses &+= 1
            return nil
        }
        _counters.hits &+= 1
        _touch(s)
        return _table.values[Int(s)]
    }

    /// A hit on a key whose 32-bit hash the caller kept (``SlotTable/hash32(_:)``) for a
    /// policy that does not read the clock: the lookup skips hashing the key. `nil` (and
    /// nothing counted) when the key is absent.
    @inlinable
    package mutating func _hit(_ key: Key, hash32: UInt32) -> Value? {
        let s = _table.find(key, hash32: hash32)
        if s < 0 { return nil }
        _counters.hits &+= 1
        _touch(s)
        return _table.values[Int(s)]
    }

    @inlinable
    public func _contains(_ key: Key, now: Double) -> Bool {
        let s = _table.find(key)
        return s >= 0 && (!Self._readsClock || isLive(s, now))
    }

    @inlinable
    public func _peek(_ key: Key, now: Double) -> Value? {
        let s = _table.find(key)
        return s >= 0 && (!Self._readsClock || isLive(s, now)) ? _table.values[Int(s)] : nil
    }

    @inlinable
    public mutating func _prepareStore(
        _ key: Key, now: Double, expires: inout Double, _ removed: inout PolicyRemovals<Key, Value>
    ) -> Bool { true }

    @inlinable
    public mutating func _remove(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.removeKey(key)
        if s < 0 { return nil }
        _unlink(s)
        let (k, v) = _table.release(s)
        removed.append(k, v, .explicit)
        return v
    }
}

// The operations every policy shares.
extension CachePolicyState where Self: ~Copyable {
    /// Whether slot `s` of an expiring policy is live at `now`.
    @inlinable
    package func isLive(_ s: Int32, _ now: Double) -> Bool { now < _table.expiry.unsafelyUnwrapped[Int(s)] }

    /// Unlinks and frees an indexed slot, counting and recording `cause`; returns its value.
    @inlinable @discardableResult
    package mutating func removeSlot(_ s: Int32, _ cause: RemovalCause, _ removed: inout Removals<Key, Value>) -> Value {
        _unlink(s)
        let (k, v) = _table.free(s)
        if cause == .size { _counters.sizeEvictions &+= 1 } else if cause == .expired { _counters.expiredEvictions &+= 1 }
        removed.append(k, v, cause)
        return v
    }

    /// cachetools `popitem()`: removes the policy's victim. Requires a non-empty cache.
    @inlinable @discardableResult
    package mutating func evictOne(_ removed: inout Removals<Key, Value>) -> Int32 {
        let victim = _nextVictim()
        removeSlot(victim, .size, &removed)
        return victim
    }

    /// cachetools `Cache.__setitem__` followed by the policy's order update.
    /// `weight` has been checked to be in `0 ... maxSize`.
    @inlinable
    package mutating func store(_ key: Key, _ value: Value, weight: Int, expires: Double, _ removed: inout Removals<Key, Value>) {
        let (s, isNew) = _table.findOrReserve(key)
        if isNew {
            while _table.totalWeight &+ weight > _maxSize { evictOne(&removed) }
            _table.fill(s, key: key, value: value, weight: weight)
            _linkNew(s, expires: expires)
            return
        }
        let diff = weight &- _table.weight(Int(s))
        if diff > 0 && _table.totalWeight &+ diff > _maxSize {
            // Evict until the larger value fits; the key itself may be the victim.
            var present = true
            while _table.totalWeight &+ (present ? diff : weight) > _maxSize {
                if evictOne(&removed) == s { present = false }
            }
            if !present {
                let (n, _) = _table.findOrReserve(key)
                _table.fill(n, key: key, value: value, weight: weight)
                _linkNew(n, expires: expires)
                return
            }
        }
        let old = _table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
        _relink(s, expires: expires)
    }

    /// Removes every entry (cause `.cleared`), keeping the table's capacity.
    @usableFromInline
    package mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        for (k, v) in _table.drain(_takeAllSlots()) { removed.append(k, v, .cleared) }
    }

    /// Keys in eviction order (next victim first).
    @usableFromInline
    package func keysInEvictionOrder() -> [Key] { _slotsInEvictionOrder().map { _table.keys[Int($0)] } }

    @usableFromInline
    package func stats() -> CacheStats { _counters.snapshot(count: _table.count, bytes: _table.totalWeight) }
}
