import CacheCore

/// The "no slot" index used by every intrusive list in CacheTools.
@usableFromInline
package let noSlot: Int32 = -1

/// Optional per-slot buffers of a ``SlotTable``.
@usableFromInline
package struct SlotFeatures: OptionSet, Sendable {
    @usableFromInline package let rawValue: UInt8
    @inlinable package init(rawValue: UInt8) { self.rawValue = rawValue }
    @usableFromInline package static let aux = SlotFeatures(rawValue: 1)
    @usableFromInline package static let expiry = SlotFeatures(rawValue: 2)
    @usableFromInline package static let secondLinks = SlotFeatures(rawValue: 4)
    @usableFromInline package static let stamps = SlotFeatures(rawValue: 8)
}

/// Struct-of-arrays node storage shared by every policy cache.
///
/// Each entry lives in a *slot*: parallel, manually managed buffers hold its key, value,
/// weight and the `Int32` links of the intrusive lists the policies build on top
/// (`prev`/`next`, plus an optional second pair, an `Int32` auxiliary word and a `Double`
/// expiry). Freed slots are recycled through a free list threaded through `next`, so a
/// cache at steady state allocates nothing per operation.
///
/// Keys are found through an open-addressing index (linear probing, load ≤ 1/2) whose
/// buckets pack the low 32 bits of the key's `hashValue` with the slot, and each slot keeps
/// its hash: a lookup hashes the key once, and removing an entry (an eviction) never hashes
/// again — unlike `Dictionary`, whose deletion rehashes the following entries.
///
/// Invariant: `keys[s]` and `values[s]` are initialized exactly when a bucket refers to `s`
/// (a *live* slot). The buffers are owned by this non-copyable value and freed in `deinit`;
/// it is only ever used inside a `Mutex`, never shared. Public only because
/// ``CachePolicyState`` requires one; it has no public members.
public struct SlotTable<Key: Hashable, Value>: ~Copyable {
    /// 0 = empty; otherwise `hash32 << 32 | (slot + 1)`.
    @usableFromInline package var buckets: UnsafeMutablePointer<UInt64>
    @usableFromInline package var bucketMask: Int
    @usableFromInline package var hashes: UnsafeMutablePointer<UInt32>
    @usableFromInline package var keys: UnsafeMutablePointer<Key>
    @usableFromInline package var values: UnsafeMutablePointer<Value>
    /// Per-slot weights, allocated at the first weight other than 1 (an unweighted table
    /// spends nothing on them); read through ``weight(_:)``.
    @usableFromInline package var weights: UnsafeMutablePointer<Int>?
    @usableFromInline package var prev: UnsafeMutablePointer<Int32>
    @usableFromInline package var next: UnsafeMutablePointer<Int32>
    /// Optional per-slot word: LFU bucket, TLRU generation. Zero-initialized.
    @usableFromInline package var aux: UnsafeMutablePointer<Int32>?
    /// Optional per-slot expiry time (TTL, TLRU).
    @usableFromInline package var expiry: UnsafeMutablePointer<Double>?
    /// Optional per-slot time stamp (CacheBox's write time, for refresh-after-write).
    @usableFromInline package var stamps: UnsafeMutablePointer<Double>?
    /// Optional second list links (TTL's expiry order).
    @usableFromInline package var prev2: UnsafeMutablePointer<Int32>?
    @usableFromInline package var next2: UnsafeMutablePointer<Int32>?
    @usableFromInline package var capacity: Int
    /// Slots `0 ..< highWater` have been handed out at least once.
    @usableFromInline package var highWater: Int
    @usableFromInline package var freeHead: Int32
    /// Live entries.
    @usableFromInline package var count: Int
    /// Sum of the weights of the live slots.
    @usableFromInline package var totalWeight: Int

    /// Creates an empty table sized for about `expected` entries (it grows by doubling).
    @usableFromInline
    package init(expected: Int, features: SlotFeatures = []) {
        let cap = Swift.max(4, Swift.min(expected, 1 << 16))
        let nb = Self.bucketCount(for: cap)
        buckets = .allocate(capacity: nb)
        buckets.initialize(repeating: 0, count: nb)
        bucketMask = nb - 1
        hashes = .allocate(capacity: cap)
        keys = .allocate(capacity: cap)
        values = .allocate(capacity: cap)
        weights = nil
        prev = .allocate(capacity: cap)
        next = .allocate(capacity: cap)
        if features.contains(.aux) {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
            p.initialize(repeating: 0, count: cap)
            aux = p
        } else { aux = nil }
        expiry = features.contains(.expiry) ? .allocate(capacity: cap) : nil
        stamps = features.contains(.stamps) ? .allocate(capacity: cap) : nil
        if features.contains(.secondLinks) {
            prev2 = .allocate(capacity: cap)
            next2 = .allocate(capacity: cap)
        } else {
            prev2 = nil
            next2 = nil
        }
        capacity = cap
        highWater = 0
        freeHead = noSlot
        count = 0
        totalWeight = 0
    }

    /// Allocates the buffers of `features` the table does not have yet (cold path): an
    /// added expiry reads `.infinity` (no deadline) for every slot, added auxiliary words
    /// and stamps read 0; added second links are unset until a policy links a slot.
    @usableFromInline
    package mutating func addFeatures(_ features: SlotFeatures) {
        if features.contains(.aux) && aux == nil {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            p.initialize(repeating: 0, count: capacity)
            aux = p
        }
        if features.contains(.expiry) && expiry == nil {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
            p.initialize(repeating: .infinity, count: capacity)
            expiry = p
        }
        if features.contains(.stamps) && stamps == nil {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
            p.initialize(repeating: 0, count: capacity)
            stamps = p
        }
        if features.contains(.secondLinks) && prev2 == nil {
            prev2 = .allocate(capacity: capacity)
            next2 = .allocate(capacity: capacity)
        }
    }

    @usableFromInline
    package static func bucketCount(for slots: Int) -> Int {
        var n = 8
        while n < slots * 2 { n <<= 1 }
        return n
    }

    @inlinable
    deinit {
        for b in 0...bucketMask where buckets[b] != 0 {
            let i = Int(UInt32(truncatingIfNeeded: buckets[b]) - 1)
            (keys + i).deinitialize(count: 1)
            (values + i).deinitialize(count: 1)
        }
        buckets.deallocate()
        hashes.deallocate()
        keys.deallocate()
        values.deallocate()
        weights?.deallocate()
        prev.deallocate()
        next.deallocate()
        aux?.deallocate()
        expiry?.deallocate()
        stamps?.deallocate()
        prev2?.deallocate()
        next2?.deallocate()
    }

    /// The slot of the live entry in bucket `b` (which must be non-empty).
    @inlinable
    package func slot(inBucket b: Int) -> Int32 {
        Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: buckets[b]) &- 1)
    }

    /// Every live slot, in bucket order. - Complexity: O(capacity).
    @usableFromInline
    package func liveSlots() -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        for b in 0...bucketMask where buckets[b] != 0 { out.append(slot(inBucket: b)) }
        return out
    }

    /// Doubles the buffers and rebuilds the index from the stored hashes. Cold path.
    @usableFromInline
    package mutating func grow() {
        precondition(capacity < Int(Int32.max) - 1, "CacheTools caches hold fewer than Int32.max entries")
        let newCap = Swift.min(capacity * 2, Int(Int32.max) - 1)
        let newKeys = UnsafeMutablePointer<Key>.allocate(capacity: newCap)
        let newValues = UnsafeMutablePointer<Value>.allocate(capacity: newCap)
        let nb = Self.bucketCount(for: newCap)
        let newBuckets = UnsafeMutablePointer<UInt64>.allocate(capacity: nb)
        newBuckets.initialize(repeating: 0, count: nb)
        let newMask = nb - 1
        for b in 0...bucketMask where buckets[b] != 0 {
            let e = buckets[b]
            let i = Int(slot(inBucket: b))
            (newKeys + i).moveInitialize(from: keys + i, count: 1)
            (newValues + i).moveInitialize(from: values + i, count: 1)
            var j = Int(truncatingIfNeeded: e >> 32) & newMask
            while newBuckets[j] != 0 { j = (j &+ 1) & newMask }
            newBuckets[j] = e
        }
        keys.deallocate()
        values.deallocate()
        buckets.deallocate()
        keys = newKeys
        values = newValues
        buckets = newBuckets
        bucketMask = newMask
        func regrow<T: BitwiseCopyable>(_ p: inout UnsafeMutablePointer<T>, fill: T?) {
            let q = UnsafeMutablePointer<T>.allocate(capacity: newCap)
            q.update(from: p, count: capacity)
            if let fill { (q + capacity).initialize(repeating: fill, count: newCap - capacity) }
            p.deallocate()
            p = q
        }
        regrow(&hashes, fill: nil)
        if var p = weights { regrow(&p, fill: nil); weights = p }
        regrow(&prev, fill: nil)
        regrow(&next, fill: nil)
        if var p = aux { regrow(&p, fill: 0); aux = p }
        if var p = expiry { regrow(&p, fill: nil); expiry = p }
        if var p = stamps { regrow(&p, fill: nil); stamps = p }
        if var p = prev2 { regrow(&p, fill: nil); prev2 = p }
        if var p = next2 { regrow(&p, fill: nil); next2 = p }
        capacity = newCap
    }

    @inlinable
    package static func hash32(_ key: Key) -> UInt32 { UInt32(truncatingIfNeeded: key.hashValue) }

    /// The slot holding `key`, or `noSlot`. - Complexity: O(1) expected, one hash.
    @inlinable
    package func find(_ key: Key) -> Int32 { find(key, hash32: Self.hash32(key)) }

    /// ``find(_:)`` for a key whose ``hash32(_:)`` the caller already computed.
    /// - Complexity: O(1) expected, no hashing.
    @inlinable
    package func find(_ key: Key, hash32 h: UInt32) -> Int32 {
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

    /// Looks `key` up with a single hash. When absent, maps it to a freshly reserved slot
    /// (returned with `isNew == true`) that the caller must fill with ``fill(_:key:value:weight:)``
    /// before anything else touches the table but evictions.
    @inlinable
    package mutating func findOrReserve(_ key: Key) -> (slot: Int32, isNew: Bool) {
        findOrReserve(key, hash32: Self.hash32(key))
    }

    /// ``findOrReserve(_:)`` for a key whose ``hash32(_:)`` the caller already computed.
    /// - Complexity: O(1) amortized, no hashing.
    @inlinable
    package mutating func findOrReserve(_ key: Key, hash32 h: UInt32) -> (slot: Int32, isNew: Bool) {
        if freeHead < 0 && highWater == capacity { grow() }
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

    /// Empties bucket `b` and shifts the rest of its probe run back (no rehashing).
    @inlinable
    package mutating func deleteBucket(_ b: Int) {
        var hole = b
        var j = b
        while true {
            j = (j &+ 1) & bucketMask
            let e = buckets[j]
            if e == 0 { break }
            let home = Int(truncatingIfNeeded: e >> 32) & bucketMask
            // Move e into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !stays {
                buckets[hole] = e
                hole = j
            }
        }
        buckets[hole] = 0
        count &-= 1
    }

    /// Removes `key` from the index and returns its slot (still to be released), or `noSlot`.
    @inlinable
    package mutating func removeKey(_ key: Key) -> Int32 {
        let h = Self.hash32(key)
        var b = Int(h) & bucketMask
        while true {
            let e = buckets[b]
            if e == 0 { return noSlot }
            if UInt32(truncatingIfNeeded: e >> 32) == h {
                let s = slot(inBucket: b)
                if keys[Int(s)] == key {
                    deleteBucket(b)
                    return s
                }
            }
            b = (b &+ 1) & bucketMask
        }
    }

    /// Initializes a slot reserved by ``findOrReserve(_:)``.
    @inlinable
    package mutating func fill(_ s: Int32, key: Key, value: Value, weight: Int) {
        let i = Int(s)
        (keys + i).initialize(to: key)
        (values + i).initialize(to: value)
        setWeight(i, weight)
        totalWeight &+= weight
    }

    /// The weight of live slot `s`. - Complexity: O(1).
    @inlinable
    package func weight(_ s: Int) -> Int { weights?[s] ?? 1 }

    /// Records slot `i`'s weight, allocating the weights (every slot 1) at the first other.
    @inlinable
    mutating func setWeight(_ i: Int, _ weight: Int) {
        if let weights {
            weights[i] = weight
        } else if weight != 1 {
            let p = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
            p.initialize(repeating: 1, count: capacity)
            p[i] = weight
            weights = p
        }
    }

    /// Replaces a live slot's value, returning the old one.
    @inlinable
    package mutating func replace(_ s: Int32, value: Value, weight: Int) -> Value {
        let i = Int(s)
        let old = (values + i).move()
        (values + i).initialize(to: value)
        totalWeight &+= weight &- self.weight(i)
        setWeight(i, weight)
        return old
    }

    /// Frees a live slot that is still indexed; returns its key and value. No hashing.
    @inlinable
    package mutating func free(_ s: Int32) -> (Key, Value) {
        let tag = UInt32(bitPattern: s) &+ 1
        var b = Int(hashes[Int(s)]) & bucketMask
        while UInt32(truncatingIfNeeded: buckets[b]) != tag { b = (b &+ 1) & bucketMask }
        deleteBucket(b)
        return release(s)
    }

    /// Frees a slot already removed from the index; returns its key and value.
    @inlinable
    package mutating func release(_ s: Int32) -> (Key, Value) {
        let i = Int(s)
        let k = (keys + i).move()
        let v = (values + i).move()
        totalWeight &-= weight(i)
        if let aux { aux[i] &+= 1 }  // invalidates generation-tagged references (TLRU)
        next[i] = freeHead
        freeHead = s
        return (k, v)
    }

    /// Moves out every live entry, in the order of `slots` (which must list every live slot
    /// exactly once), and resets the table to empty, keeping its capacity.
    @usableFromInline
    package mutating func drain(_ slots: [Int32]) -> [(Key, Value)] {
        var out: [(Key, Value)] = []
        out.reserveCapacity(slots.count)
        for s in slots {
            let i = Int(s)
            out.append(((keys + i).move(), (values + i).move()))
            if let aux { aux[i] &+= 1 }
        }
        buckets.update(repeating: 0, count: bucketMask + 1)
        count = 0
        // Rebuild the free list over every slot handed out so far.
        freeHead = noSlot
        var i = highWater - 1
        while i >= 0 {
            next[i] = freeHead
            freeHead = Int32(truncatingIfNeeded: i)
            i -= 1
        }
        totalWeight = 0
        return out
    }
}
