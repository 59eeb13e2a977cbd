import CacheCore

/// A ``CachePolicyState`` whose entries expire (``TTLPolicyState``, ``TLRUPolicyState``):
/// every slot has an expiry time in the table's `expiry` buffer, and an entry is live
/// while `now < expiry`. Expired entries are misses and leave with cause `.expired`
/// (``CachePolicyState``'s lookups check expiry for these states).
public protocol ExpiringCachePolicyState<Key, Value>: CachePolicyState, ~Copyable {}

extension ExpiringCachePolicyState where Self: ~Copyable {
    @inlinable public static var _readsClock: Bool { true }

    @inlinable
    var expiry: UnsafeMutablePointer<Double> { _table.expiry.unsafelyUnwrapped }

    /// Removes `key`: its value with cause `.explicit` when live; when already expired it
    /// leaves with cause `.expired` and the result is nil.
    @inlinable
    public mutating func _remove(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.find(key)
        if s < 0 { return nil }
        if !isLive(s, now) {
            removeSlot(s, .expired, &removed)
            return nil
        }
        return removeSlot(s, .explicit, &removed)
    }
}
