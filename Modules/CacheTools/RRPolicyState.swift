import CacheCore

/// The locked state of RRCache: cachetools 8 `RRCache` with a seeded SplitMix64 choice.
///
/// `positions` is cachetools' key list (slots in insertion order, compacted by moving the
/// last one into a removed one's place); a slot's position is kept in its `prev` word. The
/// victim is `positions[rng.next(below: count)]`.
@usableFromInline
struct RRPolicyState<Key: Hashable, Value>: ~Copyable {
    @usableFromInline var table: SlotTable<Key, Value>
    @usableFromInline var positions: [Int32] = []
    @usableFromInline var rng: SplitMix64
    @usableFromInline let maxSize: Int
    @usableFromInline var counters = Counters()

    @usableFromInline
    init(maxSize: Int, expected: Int, seed: UInt64) {
        self.maxSize = maxSize
        rng = SplitMix64(seed: seed)
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
        return table.values[Int(s)]
    }

    @inlinable
    func contains(_ key: Key) -> Bool { table.find(key) >= 0 }

    @inlinable
    func peek(_ key: Key) -> Value? {
        let s = table.find(key)
        return s < 0 ? nil : table.values[Int(s)]
    }

    @inlinable
    mutating func unlink(_ s: Int32) {
        let p = Int(table.prev[Int(s)])
        let last = positions.removeLast()
        if last != s {
            positions[p] = last
            table.prev[Int(last)] = Int32(truncatingIfNeeded: p)
        }
    }

    @inlinable
    mutating func link(_ s: Int32) {
        table.prev[Int(s)] = Int32(truncatingIfNeeded: positions.count)
        positions.append(s)
    }

    @inlinable @discardableResult
    mutating func evictOne(_ removed: inout Removals<Key, Value>) -> Int32 {
        let victim = positions[rng.next(below: positions.count)]
        unlink(victim)
        let (k, v) = table.free(victim)
        counters.sizeEvictions &+= 1
        removed.append(k, v, .size)
        return victim
    }

    @inlinable
    mutating func set(_ key: Key, _ value: Value, weight: Int, _ removed: inout Removals<Key, Value>) {
        let (s, isNew) = table.findOrReserve(key)
        if isNew {
            while table.totalWeight &+ weight > maxSize { evictOne(&removed) }
            table.fill(s, key: key, value: value, weight: weight)
            link(s)
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
                link(n)
                return
            }
        }
        let old = table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
    }

    @inlinable
    mutating func remove(_ key: Key, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.removeKey(key)
        if s < 0 { return nil }
        unlink(s)
        let (k, v) = table.release(s)
        removed.append(k, v, .explicit)
        return v
    }

    @usableFromInline
    mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        let slots = positions
        positions.removeAll(keepingCapacity: true)
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
    }

    /// Keys in cachetools' key-list order (RR has no eviction order).
    @usableFromInline
    func keysInEvictionOrder() -> [Key] { positions.map { table.keys[Int($0)] } }

    @usableFromInline
    func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }
}
