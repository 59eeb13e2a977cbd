import CachePolicies

// Lookups with a hash the caller already computed: a ``BoxCache`` hashes a key once to
// pick its shard and passes the hash on, and a miss followed by a store hashes once.
extension SlotTable {
    /// The 32 bits of `hashValue` the table indexes by.
    @inlinable
    static func tableHash(_ hashValue: Int) -> UInt32 { UInt32(truncatingIfNeeded: hashValue) }

    /// The slot holding `key`, whose `hashValue` is `hashValue`, or `noSlot`.
    /// - Complexity: O(1) expected, no hashing.
    @inlinable
    func find(_ key: Key, hashValue: Int) -> Int32 {
        let h = Self.tableHash(hashValue)
        var b = Int(h) & bucketMask
        while true {
            let e = buckets[b]
            if e == 0 { return noSlot }
            if UInt32(truncatingIfNeeded: e >> 32) == h {
                let s = slot(inBucket: b)
                if keys[Int(s)] == key { return s }
            }
            b = (b &+ 1) & bucketMask
        }
    }

    /// ``SlotTable/findOrReserve(_:)`` for a key whose `hashValue` is `hashValue`.
    /// - Complexity: O(1) amortized, no hashing.
    @inlinable
    mutating func findOrReserve(_ key: Key, hashValue: Int) -> (slot: Int32, isNew: Bool) {
        if freeHead < 0 && highWater == capacity { grow() }
        let h = Self.tableHash(hashValue)
        var b = Int(h) & bucketMask
        while true {
            let e = buckets[b]
            if e == 0 { break }
            if UInt32(truncatingIfNeeded: e >> 32) == h {
                let s = slot(inBucket: b)
                if keys[Int(s)] == key { return (s, false) }
            }
            b = (b &+ 1) & bucketMask
        }
        let s: Int32
        if freeHead >= 0 {
            s = freeHead
            freeHead = next[Int(s)]
        } else {
            s = Int32(truncatingIfNeeded: highWater)
            highWater += 1
        }
        buckets[b] = UInt64(h) << 32 | UInt64(UInt32(bitPattern: s) &+ 1)
        hashes[Int(s)] = h
        count &+= 1
        return (s, true)
    }
}
