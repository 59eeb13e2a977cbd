import CacheCore

/// A ``CachePolicyState`` whose entries expire (``TTLPolicyState``, ``TLRUPolicyState``):
/// every slot has an expiry time in the table's `expiry` buffer, and an entry is live
/// while `now < expiry`. Expired entries are misses and leave with cause `.expired`.
public protocol ExpiringCachePolicyState<Key, Value>: CachePolicyState, ~Copyable {}

extension ExpiringCachePolicyState where Self: ~Copyable {
    @inlinable public static var _readsClock: Bool { true }

    @inlinable
    var expiry: UnsafeMutablePointer<Double> { _table.expiry.unsafelyUnwrapped }

    @inlinable
    public mutating func _get(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.find(key)
        if s < 0 {
            _counters.misses &+= 1
            return nil
        }
        if !(now < expiry[Int(s)]) {
            removeSlot(s, .expired, &removed)
            _counters.misses &+= 1
            return nil
        }
        _counters.hits &+= 1
        _touch(s)
        return _table.values[Int(s)]
    }

    @inlinable
    public func _peek(_ key: Key, now: Double) -> Value? {
        let s = _table.find(key)
        return s >= 0 && now < expiry[Int(s)] ? _table.values[Int(s)] : nil
    }

    @inlinable
    public func _contains(_ key: Key, now: Double) -> Bool {
        let s = _table.find(key)
        return s >= 0 && now < expiry[Int(s)]
    }

    /// Removes `key`: its value with cause `.explicit` when live; when already expired it
    /// leaves with cause `.expired` and the result is nil.
    @inlinable
    public mutating func _remove(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.find(key)
        if s < 0 { return nil }
        if !(now < expiry[Int(s)]) {
            removeSlot(s, .expired, &removed)
            return nil
        }
        return removeSlot(s, .explicit, &removed)
    }
}
