import CacheCore

/// A TLRU expiry-heap entry; current while its generation matches its slot's.
@usableFromInline
struct TLRUHeapEntry: Sendable {
    @usableFromInline var expires: Double
    @usableFromInline var seq: UInt64
    @usableFromInline var slot: Int32
    @usableFromInline var generation: Int32

    @inlinable
    init(expires: Double, seq: UInt64, slot: Int32, generation: Int32) {
        self.expires = expires
        self.seq = seq
        self.slot = slot
        self.generation = generation
    }

    /// Earlier expiry first; equal expiries in insertion order.
    @inlinable
    func precedes(_ other: TLRUHeapEntry) -> Bool {
        expires < other.expires || (expires == other.expires && seq < other.seq)
    }
}

/// The locked state of TLRUCache: cachetools 8 `TLRUCache`.
///
/// `order` (LRU through `prev`/`next`) picks size victims; a binary min-heap of expiry
/// times finds expired entries. As in cachetools, an updated or removed entry's heap
/// record is not removed but made stale (the slot's `aux` generation moves on), and the
/// heap is compacted when it holds more than twice as many records as entries.
@usableFromInline
struct TLRUPolicyState<Key: Hashable, Value>: ~Copyable {
    @usableFromInline var table: SlotTable<Key, Value>
    @usableFromInline var order = LinkedOrder()
    @usableFromInline var heap: [TLRUHeapEntry] = []
    @usableFromInline var seq: UInt64 = 0
    @usableFromInline let maxSize: Int
    @usableFromInline var counters = Counters()

    @usableFromInline
    init(maxSize: Int, expected: Int) {
        self.maxSize = maxSize
        table = SlotTable(expected: expected, features: [.expiry, .aux])
    }

    @inlinable
    var expiry: UnsafeMutablePointer<Double> { table.expiry.unsafelyUnwrapped }

    @inlinable
    func isCurrent(_ e: TLRUHeapEntry) -> Bool { table.aux.unsafelyUnwrapped[Int(e.slot)] == e.generation }

    @usableFromInline
    mutating func heapPush(_ e: TLRUHeapEntry) {
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
    mutating func siftDown(_ start: Int) {
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
    mutating func heapPopFirst() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    @inlinable
    mutating func removeSlot(_ s: Int32, _ cause: RemovalCause, _ removed: inout Removals<Key, Value>) {
        order.remove(s, table.prev, table.next)
        let (k, v) = table.free(s)  // bumps the generation: the heap record goes stale
        if cause == .size { counters.sizeEvictions &+= 1 } else if cause == .expired { counters.expiredEvictions &+= 1 }
        removed.append(k, v, cause)
    }

    /// Removes every entry expired at `now`, earliest expiry first.
    @usableFromInline
    mutating func expire(_ now: Double, _ removed: inout Removals<Key, Value>) {
        if heap.count > 2 * table.count {
            let aux = table.aux.unsafelyUnwrapped
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
    mutating func get(_ key: Key, now: Double, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.find(key)
        if s < 0 {
            counters.misses &+= 1
            return nil
        }
        if !(now < expiry[Int(s)]) {
            removeSlot(s, .expired, &removed)
            counters.misses &+= 1
            return nil
        }
        counters.hits &+= 1
        order.moveToTail(s, table.prev, table.next)
        return table.values[Int(s)]
    }

    @inlinable
    func peek(_ key: Key, now: Double) -> Value? {
        let s = table.find(key)
        return s >= 0 && now < expiry[Int(s)] ? table.values[Int(s)] : nil
    }

    @inlinable
    func contains(_ key: Key, now: Double) -> Bool {
        let s = table.find(key)
        return s >= 0 && now < expiry[Int(s)]
    }

    @inlinable @discardableResult
    mutating func evictOne(_ removed: inout Removals<Key, Value>) -> Int32 {
        let victim = order.head
        removeSlot(victim, .size, &removed)
        return victim
    }

    @inlinable
    mutating func link(_ s: Int32, expires: Double, append: Bool) {
        expiry[Int(s)] = expires
        let aux = table.aux.unsafelyUnwrapped
        aux[Int(s)] &+= 1
        seq &+= 1
        heapPush(TLRUHeapEntry(expires: expires, seq: seq, slot: s, generation: aux[Int(s)]))
        if append { order.append(s, table.prev, table.next) } else { order.moveToTail(s, table.prev, table.next) }
    }

    /// cachetools `TLRUCache.__setitem__`: `expires` was computed by the time-to-use function
    /// at `now`. A value already expired on arrival is not stored and removes the key's
    /// current entry (cause `.replaced`).
    @inlinable
    mutating func set(
        _ key: Key, _ value: Value, weight: Int, now: Double, expires: Double, _ removed: inout Removals<Key, Value>
    ) {
        expire(now, &removed)
        if !(now < expires) {
            let s = table.find(key)
            if s >= 0 { removeSlot(s, .replaced, &removed) }
            return
        }
        let (s, isNew) = table.findOrReserve(key)
        if isNew {
            while table.totalWeight &+ weight > maxSize { evictOne(&removed) }
            table.fill(s, key: key, value: value, weight: weight)
            link(s, expires: expires, append: true)
            return
        }
        let diff = weight &- table.weights[Int(s)]
        if diff > 0 && table.totalWeight &+ diff > maxSize {
            var present = true
            while table.totalWeight &+ (present ? diff : weight) > maxSize {
                if evictOne(&removed) == s { present = false }
            }
            if !present {
                let (n, _) = table.findOrReserve(key)
                table.fill(n, key: key, value: value, weight: weight)
                link(n, expires: expires, append: true)
                return
            }
        }
        let old = table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
        link(s, expires: expires, append: false)
    }

    @inlinable
    mutating func remove(_ key: Key, now: Double, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.find(key)
        if s < 0 { return nil }
        if !(now < expiry[Int(s)]) {
            removeSlot(s, .expired, &removed)
            return nil
        }
        removeSlot(s, .explicit, &removed)
        return removed.rest.last?.value ?? removed.first?.value
    }

    @usableFromInline
    mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        let slots = order.slots(table.next)
        order = LinkedOrder()
        heap.removeAll()
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
    }

    @usableFromInline
    func keysInEvictionOrder() -> [Key] { order.slots(table.next).map { table.keys[Int($0)] } }

    @usableFromInline
    func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }
}
