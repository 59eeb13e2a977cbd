import CacheCore

/// The locked state of LFUCache: cachetools 8 `LFUCache` in O(1).
///
/// Entries sit in frequency buckets kept in a list of increasing use count. Within a bucket,
/// entries are in the order they reached that count (an intrusive list through the slot
/// table's `prev`/`next`); the victim is the head of the lowest bucket — among the least
/// frequently used keys, the one that reached that count first. A slot's bucket is its
/// `aux` word. Bucket records are recycled through a free list.
public struct LFUPolicyState<Key: Hashable, Value>: SizeBoundedPolicyState, ~Copyable {
    public var _table: SlotTable<Key, Value>
    /// Per bucket: use count, member list, neighbours in the bucket list.
    @usableFromInline package var bucketCount: [Int] = []
    @usableFromInline package var bucketMembers: [LinkedOrder] = []
    @usableFromInline package var bucketPrev: [Int32] = []
    @usableFromInline package var bucketNext: [Int32] = []
    @usableFromInline package var freeBucket: Int32 = noSlot
    /// The bucket with the lowest count, or `noSlot`.
    @usableFromInline package var lowest: Int32 = noSlot
    public let _maxSize: Int
    public var _counters = PolicyCounters()

    public init(_maxSize maxSize: Int, expected: Int) {
        _maxSize = maxSize
        _table = SlotTable(expected: expected, features: .aux)
    }

    /// A new bucket with `count`, linked after `after` (or first when `after` is `noSlot`).
    @inlinable
    package mutating func newBucket(count: Int, after: Int32) -> Int32 {
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
    package mutating func dropBucket(_ b: Int32) {
        let p = bucketPrev[Int(b)]
        let n = bucketNext[Int(b)]
        if p >= 0 { bucketNext[Int(p)] = n } else { lowest = n }
        if n >= 0 { bucketPrev[Int(n)] = p }
        bucketNext[Int(b)] = freeBucket
        freeBucket = b
    }

    /// Removes slot `s` from its bucket, dropping the bucket when it empties.
    @inlinable
    package mutating func unlink(_ s: Int32) {
        let b = _table.aux.unsafelyUnwrapped[Int(s)]
        bucketMembers[Int(b)].remove(s, _table.prev, _table.next)
        if bucketMembers[Int(b)].isEmpty { dropBucket(b) }
    }

    /// Files a new slot under count 1.
    @inlinable
    package mutating func linkNew(_ s: Int32) {
        var b = lowest
        if b < 0 || bucketCount[Int(b)] != 1 { b = newBucket(count: 1, after: noSlot) }
        bucketMembers[Int(b)].append(s, _table.prev, _table.next)
        _table.aux.unsafelyUnwrapped[Int(s)] = b
    }

    /// cachetools `LFUCache.__touch`: one more use.
    @inlinable
    package mutating func touch(_ s: Int32) {
        let aux = _table.aux.unsafelyUnwrapped
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
        bucketMembers[Int(b)].remove(s, _table.prev, _table.next)
        if bucketMembers[Int(b)].isEmpty { dropBucket(b) }
        bucketMembers[Int(nb)].append(s, _table.prev, _table.next)
        aux[Int(s)] = nb
    }

    public static var _cacheName: String { "LFUCache" }

    @inlinable
    public mutating func _nextVictim() -> Int32 { bucketMembers[Int(lowest)].head }

    @inlinable
    public mutating func _unlink(_ slot: Int32) { unlink(slot) }

    @inlinable
    public mutating func _linkNew(_ slot: Int32, expires: Double) { linkNew(slot) }

    /// cachetools counts an update as a use.
    @inlinable
    public mutating func _relink(_ slot: Int32, expires: Double) { touch(slot) }

    @inlinable
    public mutating func _touch(_ slot: Int32) { touch(slot) }

    /// Slots in eviction order: lowest count first, then by arrival in the bucket.
    public func _slotsInEvictionOrder() -> [Int32] {
        var out: [Int32] = []
        var b = lowest
        while b >= 0 {
            out += bucketMembers[Int(b)].slots(_table.next)
            b = bucketNext[Int(b)]
        }
        return out
    }

    public mutating func _takeAllSlots() -> [Int32] {
        let slots = _slotsInEvictionOrder()
        bucketCount.removeAll(keepingCapacity: true)
        bucketMembers.removeAll(keepingCapacity: true)
        bucketPrev.removeAll(keepingCapacity: true)
        bucketNext.removeAll(keepingCapacity: true)
        freeBucket = noSlot
        lowest = noSlot
        return slots
    }

    /// The use count of `key`, or nil when absent (for tests and diagnostics).
    @usableFromInline
    package func useCount(_ key: Key) -> Int? {
        let s = _table.find(key)
        return s < 0 ? nil : bucketCount[Int(_table.aux.unsafelyUnwrapped[Int(s)])]
    }
}
