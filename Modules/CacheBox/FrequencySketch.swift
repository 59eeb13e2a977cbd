/// A count-min sketch of 4-bit counters: the popularity estimate W-TinyLFU admits by.
///
/// Each key (given as the 32-bit hash its slot table stores) maps to four counters in a
/// table of `UInt64` words, 16 counters per word, chosen by double hashing. An increment
/// is *conservative* (only the counters at the current minimum grow), which keeps the
/// estimate close for rare keys. After `sampleSize` increments every counter is halved
/// (the periodic aging that lets old popularity fade). Counters saturate at 15.
///
/// Not thread-safe: it lives inside one ``BoxPolicyCore``.
package struct BoxFrequencySketch: ~Copyable {
    @usableFromInline var words: UnsafeMutablePointer<UInt64>
    @usableFromInline var mask: Int
    /// The number of entries the table was sized for.
    @usableFromInline package private(set) var designCapacity: Int
    /// Increments between two agings (10 × the design capacity).
    @usableFromInline package private(set) var sampleSize: Int
    /// Increments since the last aging.
    @usableFromInline package private(set) var additions: Int = 0
    /// How many times the counters have been halved.
    package private(set) var agings: Int = 0

    /// A sketch for about `capacity` distinct popular keys.
    package init(capacity: Int) {
        let cap = Swift.max(16, Swift.min(capacity, 1 << 26))
        var n = 8
        while n < cap { n <<= 1 }
        words = .allocate(capacity: n)
        words.initialize(repeating: 0, count: n)
        mask = n - 1
        designCapacity = cap
        sampleSize = 10 * cap
    }

    deinit { words.deallocate() }

    /// Re-sizes for `capacity` keys when it is larger than the design (the counts restart).
    /// - Complexity: O(capacity) when it grows, else O(1).
    package mutating func ensureCapacity(_ capacity: Int) {
        if capacity <= designCapacity || designCapacity >= 1 << 26 { return }
        let cap = Swift.min(capacity, 1 << 26)
        var n = 8
        while n < cap { n <<= 1 }
        words.deallocate()
        words = .allocate(capacity: n)
        words.initialize(repeating: 0, count: n)
        mask = n - 1
        designCapacity = cap
        sampleSize = 10 * cap
        additions = 0
    }

    /// The two hashes of the double-hashing scheme.
    @inlinable
    static func spread(_ hash: UInt32) -> (UInt64, UInt64) {
        var a = UInt64(hash) &* 0x9E37_79B9_7F4A_7C15
        a ^= a >> 29
        a = a &* 0xBF58_476D_1CE4_E5B9
        a ^= a >> 32
        var b = a &* 0x94D0_49BB_1331_11EB
        b ^= b >> 31
        return (a, b | 1)
    }

    /// The estimated frequency of the key with `hash` (0…15). - Complexity: O(1).
    @inlinable
    package func frequency(_ hash: UInt32) -> Int {
        let (a, b) = Self.spread(hash)
        var m: UInt64 = 15
        for i in 0..<4 {
            let index = Int(truncatingIfNeeded: a &+ UInt64(i) &* b) & mask
            let shift = ((b >> (40 &+ UInt64(i) &* 4)) & 15) << 2
            m = Swift.min(m, (words[index] >> shift) & 15)
        }
        return Int(m)
    }

    /// Counts one occurrence of the key with `hash`; ages the table every `sampleSize`
    /// counted increments. - Complexity: O(1), amortized O(1) for the aging.
    @inlinable
    package mutating func increment(_ hash: UInt32) {
        let (a, b) = Self.spread(hash)
        var index = (0, 0, 0, 0)
        var shift: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        index.0 = Int(truncatingIfNeeded: a) & mask
        index.1 = Int(truncatingIfNeeded: a &+ b) & mask
        index.2 = Int(truncatingIfNeeded: a &+ 2 &* b) & mask
        index.3 = Int(truncatingIfNeeded: a &+ 3 &* b) & mask
        shift.0 = ((b >> 40) & 15) << 2
        shift.1 = ((b >> 44) & 15) << 2
        shift.2 = ((b >> 48) & 15) << 2
        shift.3 = ((b >> 52) & 15) << 2
        let c0 = (words[index.0] >> shift.0) & 15
        let c1 = (words[index.1] >> shift.1) & 15
        let c2 = (words[index.2] >> shift.2) & 15
        let c3 = (words[index.3] >> shift.3) & 15
        let m = Swift.min(Swift.min(c0, c1), Swift.min(c2, c3))
        if m == 15 { return }
        if c0 == m { words[index.0] &+= 1 << shift.0 }
        if c1 == m && (index.1 != index.0 || shift.1 != shift.0) { words[index.1] &+= 1 << shift.1 }
        if c2 == m && !((index.2 == index.0 && shift.2 == shift.0) || (index.2 == index.1 && shift.2 == shift.1)) {
            words[index.2] &+= 1 << shift.2
        }
        if c3 == m && !((index.3 == index.0 && shift.3 == shift.0) || (index.3 == index.1 && shift.3 == shift.1)
            || (index.3 == index.2 && shift.3 == shift.2)) {
            words[index.3] &+= 1 << shift.3
        }
        additions &+= 1
        if additions >= sampleSize { age() }
    }

    /// Halves every counter. - Complexity: O(table size), once per `sampleSize` increments.
    @usableFromInline
    package mutating func age() {
        for i in 0...mask { words[i] = (words[i] >> 1) & 0x7777_7777_7777_7777 }
        additions /= 2
        agings &+= 1
    }

    /// Forgets every count. - Complexity: O(table size).
    package mutating func clear() {
        words.update(repeating: 0, count: mask + 1)
        additions = 0
    }
}
