import CachePolicies

// Lookups with a hash the caller already computed: a ``BoxCache`` hashes a key once to
// pick its shard and passes the hash on, and a miss followed by a store hashes once.
// The probing itself is CachePolicies' (`find(_:hash32:)`, `findOrReserve(_:hash32:)`).
extension SlotTable {
    /// The 32 bits of `hashValue` the table indexes by (as ``SlotTable/hash32(_:)`` takes them).
    @inlinable
    static func tableHash(_ hashValue: Int) -> UInt32 { UInt32(truncatingIfNeeded: hashValue) }

    /// The slot holding `key`, whose `hashValue` is `hashValue`, or `noSlot`.
    /// - Complexity: O(1) expected, no hashing.
    @inlinable
    func find(_ key: Key, hashValue: Int) -> Int32 { find(key, hash32: Self.tableHash(hashValue)) }

    /// ``SlotTable/findOrReserve(_:)`` for a key whose `hashValue` is `hashValue`.
    /// - Complexity: O(1) amortized, no hashing.
    @inlinable
    mutating func findOrReserve(_ key: Key, hashValue: Int) -> (slot: Int32, isNew: Bool) {
        findOrReserve(key, hash32: Self.tableHash(hashValue))
    }
}
