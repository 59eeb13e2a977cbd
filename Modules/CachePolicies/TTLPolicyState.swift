import CacheCore

/// The locked state of TTLCache: cachetools 8 `TTLCache`.
///
/// Two intrusive lists over the slot table: `order` (LRU: `prev`/`next`) picks size
/// victims, `timeOrder` (insertion order, i.e. expiry order under a monotonic clock:
/// `prev2`/`next2`) lets ``_expire(_:_:)`` stop at the first live entry. An entry is live
/// while `now < expiry`.
public struct TTLPolicyState<Key: Hashable, Value>: ExpiringCachePolicyState, ~Copyable {
    /// The cache keeps the time to live as given, for its `ttl` property.
    public typealias _Settings = Duration

    public var _table: SlotTable<Key, Value>
    @usableFromInline package var order = LinkedOrder()
    @usableFromInline package var timeOrder = LinkedOrder()
    @usableFromInline package let ttl: Double
    public let _maxSize: Int
    public var _counters = PolicyCounters()

    @usableFromInline
    package init(maxSize: Int, ttl: Double, expected: Int) {
        _maxSize = maxSize
        self.ttl = ttl
        _table = SlotTable(expected: expected, features: [.expiry, .secondLinks])
    }

    public static var _cacheName: String { "TTLCache" }

    /// Removes every entry expired at `now`, oldest first.
    @inlinable
    public mutating func _expire(_ now: Double, _ removed: inout PolicyRemovals<Key, Value>) {
        while timeOrder.head >= 0 && !(now < expiry[Int(timeOrder.head)]) {
            removeSlot(timeOrder.head, .expired, &removed)
        }
    }

    @inlinable
    public mutating func _nextVictim() -> Int32 { order.head }

    @inlinable
    public mutating func _unlink(_ slot: Int32) {
        order.remove(slot, _table.prev, _table.next)
        timeOrder.remove(slot, _table.prev2.unsafelyUnwrapped, _table.next2.unsafelyUnwrapped)
    }

    @inlinable
    public mutating func _linkNew(_ slot: Int32, expires: Double) {
        expiry[Int(slot)] = expires
        order.append(slot, _table.prev, _table.next)
        timeOrder.append(slot, _table.prev2.unsafelyUnwrapped, _table.next2.unsafelyUnwrapped)
    }

    /// Storing a value again restarts its time: it moves to the end of both lists.
    @inlinable
    public mutating func _relink(_ slot: Int32, expires: Double) {
        _unlink(slot)
        _linkNew(slot, expires: expires)
    }

    @inlinable
    public mutating func _touch(_ slot: Int32) { order.moveToTail(slot, _table.prev, _table.next) }

    /// cachetools `TTLCache.__setitem__`: expires first, then stores for `ttl` from `now`.
    @inlinable
    public mutating func _prepareStore(
        _ key: Key, now: Double, expires: inout Double, _ removed: inout PolicyRemovals<Key, Value>
    ) -> Bool {
        _expire(now, &removed)
        expires = now + ttl
        return true
    }

    public mutating func _takeAllSlots() -> [Int32] {
        let slots = order.slots(_table.next)
        order = LinkedOrder()
        timeOrder = LinkedOrder()
        return slots
    }

    public func _slotsInEvictionOrder() -> [Int32] { order.slots(_table.next) }
}
