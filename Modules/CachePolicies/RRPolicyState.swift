import CacheCore

/// The locked state of RRCache: cachetools 8 `RRCache` with a seeded SplitMix64 choice.
///
/// `positions` is cachetools' key list (slots in insertion order, compacted by moving the
/// last one into a removed one's place); a slot's position is kept in its `prev` word. The
/// victim is `positions[rng.next(below: count)]`.
public struct RRPolicyState<Key: Hashable, Value>: CachePolicyState, ~Copyable {
    public var _table: SlotTable<Key, Value>
    @usableFromInline package var positions: [Int32] = []
    @usableFromInline package var rng: SplitMix64
    public let _maxSize: Int
    public var _counters = PolicyCounters()

    @usableFromInline
    package init(maxSize: Int, expected: Int, seed: UInt64) {
        _maxSize = maxSize
        rng = SplitMix64(seed: seed)
        _table = SlotTable(expected: expected)
    }

    public static var _cacheName: String { "RRCache" }

    @inlinable
    public mutating func _nextVictim() -> Int32 { positions[rng.next(below: positions.count)] }

    @inlinable
    public mutating func _unlink(_ slot: Int32) {
        let p = Int(_table.prev[Int(slot)])
        let last = positions.removeLast()
        if last != slot {
            positions[p] = last
            _table.prev[Int(last)] = Int32(truncatingIfNeeded: p)
        }
    }

    @inlinable
    public mutating func _linkNew(_ slot: Int32, expires: Double) {
        _table.prev[Int(slot)] = Int32(truncatingIfNeeded: positions.count)
        positions.append(slot)
    }

    /// An update keeps the key's place in the key list.
    @inlinable
    public mutating func _relink(_ slot: Int32, expires: Double) {}

    /// A hit changes nothing.
    @inlinable
    public mutating func _touch(_ slot: Int32) {}

    public mutating func _takeAllSlots() -> [Int32] {
        let slots = positions
        positions.removeAll(keepingCapacity: true)
        return slots
    }

    /// Slots in cachetools' key-list order (RR has no eviction order).
    public func _slotsInEvictionOrder() -> [Int32] { positions }
}
