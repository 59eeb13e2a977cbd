import CacheCore

/// The locked state of LFUCache: cachetools 8 `LFUCache` in O(1).
///
/// Entries sit in frequency buckets kept in a list of increasing use count. Within a bucket,
/// entries are in the order they reached that count (an intrusive list through the slot
/// table's `prev`/`next`); the victim is the head of the lowest bucket — among the least
/// frequently used keys, the one that reached that count first. A slot's bucket is its
/// `aux` word. Bucket records are recycled through a free list.
@usableFromInline
struct LFUPolicyState<Key: Hashable, Value>: ~Copyable {
    @usableFromInline var table: SlotTable<Key, Value>
    /// Per bucket: use count, member list, neighbours in the bucket list.
    @usableFromInline var bucketCount: [Int] = []
    @usableFromInline var bucketMembers: [LinkedOrder] = []
    @usableFromInline var bucketPrev: [Int32] = []
    @usableFromInline var bucketNext: [Int32] = []
    @usableFromInline var freeBucket: Int32 = noSlot
    /// The bucket with the lowest count, or `noSlot`.
    @usableFromInline var lowest: Int32 = noSlot
    @usableFromInline let maxSize: Int
    @usableFromInline var counters = Counters()

    @usableFromInline
    init(maxSize: Int, expected: Int) {
        self.maxSize = maxSize
        table = SlotTable(expected: expected, features: .aux)
    }

    /// A new bucket with `count`, linked after `after` (or first when `after` is `noSlot`).
    @inlinable
    mutating func newBucket(count: Int, after: Int32) -> Int32 {
        let b: Int32
        if freeBucket >= 0 {
            b = freeBucket
            freeBucket = bucketNext[Int(b)]
            bucketCount[Int(b)] = count
            bucketMembers[Int(b)] = LinkedOrder()
        } else {
            b = Int32(truncatingIfNeeded: bucketCount.count)
            bucketCount.append(count)
            bucketMembers.append(LinkedOrder())
            bucketPrev.append(noSlot)
            bucketNext.append(noSlot)
        }
        let n = after >= 0 ? bucketNext[Int(after)] : lowest
        bucketPrev[Int(b)] = after
        bucketNext[Int(b)] = n
        if after >= 0 { bucketNext[Int(after)] = b } else { lowest = b }
        if n >= 0 { bucketPrev[Int(n)] = b }
        return b
    }

    @inlinable
    mutating func dropBucket(_ b: Int32) {
        let p = bucketPrev[Int(b)]
        let n = bucketNext[Int(b)]
        if p >= 0 { bucketNext[Int(p)] = n } else { lowest = n }
        if n >= 0 { bucketPrev[Int(n)] = p }
        bucketNext[Int(b)] = freeBucket
        freeBucket = b
    }

    /// Removes slot `s` from its bucket, dropping the bucket when it empties.
    @inlinable
    mutating func unlink(_ s: Int32) {
        let b = table.aux.unsafelyUnwrapped[Int(s)]
        bucketMembers[Int(b)].remove(s, table.prev, table.next)
        if bucketMembers[Int(b)].isEmpty { dropBucket(b) }
    }

    /// Files a new slot under count 1.
    @inlinable
    mutating func linkNew(_ s: Int32) {
        var b = lowest
        if b < 0 || bucketCount[Int(b)] != 1 { b = newBucket(count: 1, after: noSlot) }
        bucketMembers[Int(b)].append(s, table.prev, table.next)
        table.aux.unsafelyUnwrapped[Int(s)] = b
    }

    /// cachetools `LFUCache.__touch`: one more use.
    @inlinable
    mutating func touch(_ s: Int32) {
        let aux = table.aux.unsafelyUnwrapped
        let b = aux[Int(s)]
        let c = bucketCount[Int(b)]
        var nb = bucketNext[Int(b)]
        if nb < 0 || bucketCount[Int(nb)] != c + 1 {
            let members = bucketMembers[Int(b)]
            if members.head == s && members.tail == s {
                bucketCount[Int(b)] = c + 1
                return
            }
            nb = newBucket(count: c + 1, after: b)
        }
        bucketMembers[Int(b)].remove(s, table.prev, table.next)
        if bucketMembers[Int(b)].isEmpty { dropBucket(b) }
        bucketMembers[Int(nb)].append(s, table.prev, table.next)
        aux[Int(s)] = nb
    }

    @inlinable
    mutating func get(_ key: Key) -> Value? {
        let s = table.find(key)
        if s < 0 {
            counters.misses &+= 1
            return nil
        }
        counters.hits &+= 1
        touch(s)
        return table.values[Int(s)]
    }

    @inlinable
    func contains(_ key: Key) -> Bool { table.find(key) >= 0 }

    @inlinable
    func peek(_ key: Key) -> Value? {
        let s = table.find(key)
        return s < 0 ? nil : table.values[Int(s)]
    }

    @inlinable @discardableResult
    mutating func evictOne(_ removed: inout Removals<Key, Value>) -> Int32 {
        let victim = bucketMembers[Int(lowest)].head
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
            linkNew(s)
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
                linkNew(n)
                return
            }
        }
        let old = table.replace(s, value: value, weight: weight)
        removed.append(key, old, .replaced)
        touch(s)  // cachetools counts an update as a use
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

    /// Slots in eviction order: lowest count first, then by arrival in the bucket.
    @usableFromInline
    func slotsInEvictionOrder() -> [Int32] {
        var out: [Int32] = []
        var b = lowest
        while b >= 0 {
            out += bucketMembers[Int(b)].slots(table.next)
            b = bucketNext[Int(b)]
        }
        return out
    }

    @usableFromInline
    mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        let slots = slotsInEvictionOrder()
        bucketCount.removeAll(keepingCapacity: true)
        bucketMembers.removeAll(keepingCapacity: true)
        bucketPrev.removeAll(keepingCapacity: true)
        bucketNext.removeAll(keepingCapacity: true)
        freeBucket = noSlot
        lowest = noSlot
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
    }

    @usableFromInline
    func keysInEvictionOrder() -> [Key] { slotsInEvictionOrder().map { table.keys[Int($0)] } }

    /// The use count of `key`, or nil when absent (for tests and diagnostics).
    @usableFromInline
    func useCount(_ key: Key) -> Int? {
        let s = table.find(key)
        return s < 0 ? nil : bucketCount[Int(table.aux.unsafelyUnwrapped[Int(s)])]
    }

    @usableFromInline
    func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }
}
