import CacheCore

/// Which end of the recency list a list-ordered policy evicts, and whether a hit moves.
@usableFromInline
enum OrderMode: UInt8, Sendable {
    /// Hits and updates move to the tail; evict the head.
    case lru
    /// Only updates move to the tail (cachetools 8 `FIFOCache`); evict the head.
    case fifo
    /// Hits and updates move to the tail; evict the tail.
    case mru
}

/// The locked state of LRUCache, FIFOCache and MRUCache: a slot table plus one list,
/// head = least recently used (or first inserted), tail = most recent.
@usableFromInline
struct OrderedPolicyState<Key: Hashable, Value>: ~Copyable {
    @usableFromInline var table: SlotTable<Key, Value>
    @usableFromInline var order = LinkedOrder()
    @usableFromInline let mode: OrderMode
    @usableFromInline let maxSize: Int
    @usableFromInline var counters = Counters()

    @usableFromInline
    init(mode: OrderMode, maxSize: Int, expected: Int) {
        self.mode = mode
        self.maxSize = maxSize
        table = SlotTable(expected: expected)
    }

    @inlinable
    mutating func get(_ key: Key) -> Value? {
        let s = table.find(key)
        if s < 0 {
            counters.misses &+= 1
            return nil
        }
        counters.hits &+= 1
        if mode != .fifo { order.moveToTail(s, table.prev, table.next) }
        return table.values[Int(s)]
    }

    @inlinable
    func contains(_ key: Key) -> Bool { table.find(key) >= 0 }

    @inlinable
    func peek(_ key: Key) -> Value? {
        let s = table.find(key)
        return s < 0 ? nil : table.values[Int(s)]
    }

    /// cachetools `popitem()`: removes the policy's victim. Requires a non-empty cache.
    @inlinable @discardableResult
    mutating func evictOne(_ removed: inout Removals<Key, Value>) -> Int32 {
        let victim = mode == .mru ? order.tail : order.head
        order.remove(victim, table.prev, table.next)
        let (k, v) = table.free(victim)
        counters.sizeEvictions &+= 1
        removed.append(k, v, .size)
        return victim
    }

    /// cachetools `Cache.__setitem__` followed by the policy's order update.
    /// `weight` has been checked to be in `0 ... maxSize`.
    @inlinable
    mutating func set(_ key: Key, _ value: Value, weight: Int, _ removed: inout Removals<Key, Value>) {
        let (s, isNew) = table.findOrReserve(key)
        if isNew {
            while table.totalWeight &+ weight > maxSize { evictOne(&removed) }
            table.fill(s, key: key, value: value, weight: weight)
            order.append(s, table.prev, table.next)
            return
        }
        let diff = weight &- table.weights[Int(s)]
        if diff > 0 && table.totalWeight &+ diff > maxSize {
            // Evict until the larger value fits; the key itself may be the victim.
            var present = true
            while table.totalWeight &+ (present ? diff : weight) > maxSize {
                if evictOne(&removed) == s { present = false }
            }
            if !present {
                let (n, _) = table.findOrReserve(key)
                table.fill(n, key: key, value: value, weight: weight)
                order.append(n, table.prev, table.next)
                return
            }
        }
        let old = table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
        order.moveToTail(s, table.prev, table.next)
    }

    @inlinable
    mutating func remove(_ key: Key, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.removeKey(key)
        if s < 0 { return nil }
        order.remove(s, table.prev, table.next)
        let (k, v) = table.release(s)
        removed.append(k, v, .explicit)
        return v
    }

    @usableFromInline
    mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        let slots = order.slots(table.next)
        order = LinkedOrder()
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
    }

    /// Keys in eviction order (next victim first).
    @usableFromInline
    func keysInEvictionOrder() -> [Key] {
        var slots = order.slots(table.next)
        if mode == .mru { slots.reverse() }
        return slots.map { table.keys[Int($0)] }
    }

    @usableFromInline
    func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }
}
