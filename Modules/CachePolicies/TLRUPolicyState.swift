import CacheCore

/// A TLRU expiry-heap entry; current while its generation matches its slot's.
@usableFromInline
package struct TLRUHeapEntry: Sendable {
    @usableFromInline package var expires: Double
    @usableFromInline package var seq: UInt64
    @usableFromInline package var slot: Int32
    @usableFromInline package var generation: Int32

    @inlinable
    package init(expires: Double, seq: UInt64, slot: Int32, generation: Int32) {
        self.expires = expires
        self.seq = seq
        self.slot = slot
        self.generation = generation
    }

    /// Earlier expiry first; equal expiries in insertion order.
    @inlinable
    package func precedes(_ other: TLRUHeapEntry) -> Bool {
        expires < other.expires || (expires == other.expires && seq < other.seq)
    }
}

/// The locked state of TLRUCache: cachetools 8 `TLRUCache`.
///
/// `order` (LRU through `prev`/`next`) picks size victims; a binary min-heap of expiry
/// times finds expired entries. As in cachetools, an updated or removed entry's heap
/// record is not removed but made stale (the slot's `aux` generation moves on), and the
/// heap is compacted when it holds more than twice as many records as entries.
public struct TLRUPolicyState<Key: Hashable, Value>: ExpiringCachePolicyState, ~Copyable {
    /// The cache keeps the time-to-use function, and runs it before taking the lock.
    public typealias _Settings = @Sendable (Key, Value, Double) -> Double

    public var _table: SlotTable<Key, Value>
    @usableFromInline package var order = LinkedOrder()
    @usableFromInline package var heap: [TLRUHeapEntry] = []
    @usableFromInline package var seq: UInt64 = 0
    public let _maxSize: Int
    public var _counters = PolicyCounters()

    @usableFromInline
    package init(maxSize: Int, expected: Int) {
        _maxSize = maxSize
        _table = SlotTable(expected: expected, features: [.expiry, .aux])
    }

    @inlinable
    package func isCurrent(_ e: TLRUHeapEntry) -> Bool { _table.aux.unsafelyUnwrapped[Int(e.slot)] == e.generation }

    @usableFromInline
    package mutating func heapPush(_ e: TLRUHeapEntry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !heap[i].precedes(heap[p]) { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    @usableFromInline
    package mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var m = l
            if l + 1 < n && heap[l + 1].precedes(heap[l]) { m = l + 1 }
            if !heap[m].precedes(heap[i]) { return }
            heap.swapAt(i, m)
            i = m
        }
    }

    @usableFromInline
    package mutating func heapPopFirst() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    public static var _cacheName: String { "TLRUCache" }

    @inlinable
    public static func _expiry(forKey key: Key, value: Value, now: Double, settings ttu: _Settings) -> Double {
        ttu(key, value, now)
    }

    /// Freeing the slot afterwards bumps its generation: its heap record goes stale.
    @inlinable
    public mutating func _unlink(_ slot: Int32) { order.remove(slot, _table.prev, _table.next) }

    /// Removes every entry expired at `now`, earliest expiry first.
    public mutating func _expire(_ now: Double, _ removed: inout PolicyRemovals<Key, Value>) {
        if heap.count > 2 * _table.count {
            let aux = _table.aux.unsafelyUnwrapped
            heap.removeAll { aux[Int($0.slot)] != $0.generation }
            var i = heap.count / 2 - 1
            while i >= 0 {
                siftDown(i)
                i -= 1
            }
        }
        while let top = heap.first {
            let current = isCurrent(top)
            if current && now < top.expires { break }
            heapPopFirst()
            if current { removeSlot(top.slot, .expired, &removed) }
        }
    }

    @inlinable
    public mutating func _nextVictim() -> Int32 { order.head }

    @inlinable
    public mutating func _linkNew(_ slot: Int32, expires: Double) { link(slot, expires: expires, append: true) }

    @inlinable
    public mutating func _relink(_ slot: Int32, expires: Double) { link(slot, expires: expires, append: false) }

    @inlinable
    public mutating func _touch(_ slot: Int32) { order.moveToTail(slot, _table.prev, _table.next) }

    @inlinable
    package mutating func link(_ s: Int32, expires: Double, append: Bool) {
        expiry[Int(s)] = expires
        let aux = _table.aux.unsafelyUnwrapped
        aux[Int(s)] &+= 1
        seq &+= 1
        heapPush(TLRUHeapEntry(expires: expires, seq: seq, slot: s, generation: aux[Int(s)]))
        if append { order.append(s, _table.prev, _table.next) } else { order.moveToTail(s, _table.prev, _table.next) }
    }

    /// cachetools `TLRUCache.__setitem__`: `expires` was computed by the time-to-use function
    /// at `now`. Expires first; a value already expired on arrival is not stored and removes
    /// the key's current entry (cause `.replaced`) — before the item's weight is looked at,
    /// so this happens (and nothing is refused) even when the item is too large.
    @inlinable
    public mutating func _prepareStore(
        _ key: Key, now: Double, expires: inout Double, _ removed: inout PolicyRemovals<Key, Value>
    ) -> Bool {
        _expire(now, &removed)
        if now < expires { return true }
        let s = _table.find(key)
        if s >= 0 { removeSlot(s, .replaced, &removed) }
        return false
    }

    public mutating func _takeAllSlots() -> [Int32] {
        let slots = order.slots(_table.next)
        order = LinkedOrder()
        heap.removeAll()
        return slots
    }

    public func _slotsInEvictionOrder() -> [Int32] { order.slots(_table.next) }
}
