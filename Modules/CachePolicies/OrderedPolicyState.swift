import CacheCore

/// Which end of the recency list an ``OrderedPolicyState`` evicts, and whether a hit moves
/// an entry. Implemented by ``LRUEviction``, ``FIFOEviction`` and ``MRUEviction`` only.
public protocol OrderedEviction {
    /// Whether a hit moves the entry to the most recent end (updates always do).
    static var _movesOnHit: Bool { get }
    /// Whether the victim is the most recent end (else the oldest).
    static var _evictsNewest: Bool { get }
    static var _cacheName: String { get }
}

/// Hits and updates move to the tail; evict the head.
public enum LRUEviction: OrderedEviction {
    @inlinable public static var _movesOnHit: Bool { true }
    @inlinable public static var _evictsNewest: Bool { false }
    public static var _cacheName: String { "LRUCache" }
}

/// Only updates move to the tail (cachetools 8 `FIFOCache`); evict the head.
public enum FIFOEviction: OrderedEviction {
    @inlinable public static var _movesOnHit: Bool { false }
    @inlinable public static var _evictsNewest: Bool { false }
    public static var _cacheName: String { "FIFOCache" }
}

/// Hits and updates move to the tail; evict the tail.
public enum MRUEviction: OrderedEviction {
    @inlinable public static var _movesOnHit: Bool { true }
    @inlinable public static var _evictsNewest: Bool { true }
    public static var _cacheName: String { "MRUCache" }
}

/// The locked state of LRUCache, FIFOCache and MRUCache: a slot table plus one list,
/// head = least recently used (or first inserted), tail = most recent.
public struct OrderedPolicyState<Key: Hashable, Value, Order: OrderedEviction>: SizeBoundedPolicyState, ~Copyable {
    public var _table: SlotTable<Key, Value>
    @usableFromInline package var order = LinkedOrder()
    public let _maxSize: Int
    public var _counters = PolicyCounters()

    public init(_maxSize maxSize: Int, expected: Int) {
        _maxSize = maxSize
        _table = SlotTable(expected: expected)
    }

    public static var _cacheName: String { Order._cacheName }

    @inlinable
    public mutating func _nextVictim() -> Int32 { Order._evictsNewest ? order.tail : order.head }

    @inlinable
    public mutating func _unlink(_ slot: Int32) { order.remove(slot, _table.prev, _table.next) }

    @inlinable
    public mutating func _linkNew(_ slot: Int32, expires: Double) { order.append(slot, _table.prev, _table.next) }

    @inlinable
    public mutating func _relink(_ slot: Int32, expires: Double) { order.moveToTail(slot, _table.prev, _table.next) }

    @inlinable
    public mutating func _touch(_ slot: Int32) {
        if Order._movesOnHit { order.moveToTail(slot, _table.prev, _table.next) }
    }

    public mutating func _takeAllSlots() -> [Int32] {
        let slots = order.slots(_table.next)
        order = LinkedOrder()
        return slots
    }

    public func _slotsInEvictionOrder() -> [Int32] {
        var slots = order.slots(_table.next)
        if Order._evictsNewest { slots.reverse() }
        return slots
    }
}
