import CacheCore

/// A ``CachePolicyState`` whose entries expire (``TTLPolicyState``, ``TLRUPolicyState``):
/// every slot has an expiry time in the table's `expiry` buffer, and an entry is live
/// while `now < expiry`. Expired entries are misses; they leave (cause `.expired`) only
/// when the policy expires — before a store, in `expire()`, `count`, `keys`,
/// `currentSize` and `stats` — as in cachetools (``CachePolicyState``'s lookups check
/// expiry for these states).
public protocol ExpiringCachePolicyState<Key, Value>: CachePolicyState, ~Copyable {}

extension ExpiringCachePolicyState where Self: ~Copyable {
    @inlinable public static var _readsClock: Bool { true }

    @inlinable
    package var expiry: UnsafeMutablePointer<Double> { _table.expiry.unsafelyUnwrapped }

    /// Removes `key` and returns its value (cause `.explicit`) when live. As cachetools'
    /// `pop`, an expired entry is left alone (``PolicyCache/expire()`` returns it) and the
    /// result is nil.
    @inlinable
    public mutating func _remove(_ key: Key, now: Double, _ removed: inout PolicyRemovals<Key, Value>) -> Value? {
        let s = _table.find(key)
        if s < 0 || !isLive(s, now) { return nil }
        return removeSlot(s, .explicit, &removed)
    }
}
