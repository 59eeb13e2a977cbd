import CacheCore

/// The locked state of TTLCache: cachetools 8 `TTLCache`.
///
/// Two intrusive lists over the slot table: `order` (LRU: `prev`/`next`) picks size
/// victims, `timeOrder` (insertion order, i.e. expiry order under a monotonic clock:
/// `prev2`/`next2`) lets ``expire(_:_:)`` stop at the first live entry. An entry is live
/// while `now < expiry`.
@usableFromInline
struct TTLPolicyState<Key: Hashable, Value>: ~Copyable {
    @usableFromInline var table: SlotTable<Key, Value>
    @usableFromInline var order = LinkedOrder()
    @usableFromInline var timeOrder = LinkedOrder()
    @usableFromInline let ttl: Double
    @usableFromInline let maxSize: Int
    @usableFromInline var counters = Counters()

    @usableFromInline
    init(maxSize: Int, ttl: Double, expected: Int) {
        self.maxSize = maxSize
        self.ttl = ttl
        table = SlotTable(expected: expected, features: [.expiry, .secondLinks])
    }

    @inlinable
    var expiry: UnsafeMutablePointer<Double> { table.expiry.unsafelyUnwrapped }

    /// Unlinks and frees an indexed slot, recording `cause`.
    @inlinable
    mutating func removeSlot(_ s: Int32, _ cause: RemovalCause, _ removed: inout Removals<Key, Value>) {
        order.remove(s, table.prev, table.next)
        timeOrder.remove(s, table.prev2.unsafelyUnwrapped, table.next2.unsafelyUnwrapped)
        let (k, v) = table.free(s)
        if cause == .size { counters.sizeEvictions &+= 1 } else if cause == .expired { counters.expiredEvictions &+= 1 }
        removed.append(k, v, cause)
    }

    /// Removes every entry expired at `now`, oldest first.
    @inlinable
    mutating func expire(_ now: Double, _ removed: inout Removals<Key, Value>) {
        while timeOrder.head >= 0 && !(now < expiry[Int(timeOrder.head)]) {
            removeSlot(timeOrder.head, .expired, &removed)
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
    mutating func link(_ s: Int32, expires: Double) {
        expiry[Int(s)] = expires
        order.append(s, table.prev, table.next)
        timeOrder.append(s, table.prev2.unsafelyUnwrapped, table.next2.unsafelyUnwrapped)
    }

    @inlinable
    mutating func set(_ key: Key, _ value: Value, weight: Int, now: Double, _ removed: inout Removals<Key, Value>) {
        expire(now, &removed)
        let expires = now + ttl
        let (s, isNew) = table.findOrReserve(key)
        if isNew {
            while table.totalWeight &+ weight > maxSize { evictOne(&removed) }
            table.fill(s, key: key, value: value, weight: weight)
            link(s, expires: expires)
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
                link(n, expires: expires)
                return
            }
        }
        let old = table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
        order.remove(s, table.prev, table.next)
        timeOrder.remove(s, table.prev2.unsafelyUnwrapped, table.next2.unsafelyUnwrapped)
        link(s, expires: expires)
    }

    /// Removes `key`: its value with cause `.explicit` when live; when already expired it
    /// leaves with cause `.expired` and the result is nil.
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
        timeOrder = LinkedOrder()
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
    }

    @usableFromInline
    func keysInEvictionOrder() -> [Key] { order.slots(table.next).map { table.keys[Int($0)] } }

    @usableFromInline
    func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }
}
