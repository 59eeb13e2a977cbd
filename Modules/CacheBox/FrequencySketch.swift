/// A count-min sketch of 4-bit counters: the popularity estimate W-TinyLFU admits by.
///
/// Each key (given as the 32-bit hash its slot table stores) maps to four counters in one
/// 64-byte block of the table (one cache line), each in a different `UInt64` word of 16
/// counters. An increment
/// is *conservative* (only the counters at the current minimum grow), which keeps the
/// estimate close for rare keys. After `sampleSize` increments every counter is halved
/// (the periodic aging that lets old popularity fade). Counters saturate at 15.
///
/// Not thread-safe: it lives inside one ``BoxPolicyCore``.
@usableFromInline package struct BoxFrequencySketch: ~Copyable {
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
    @usableFromInline let agingPeriod: Double
    @usableFromInline let conservative: Bool

    /// A sketch for about `capacity` distinct popular keys, aged every `agingPeriod` ×
    /// its design capacity counted increments.
    package init(capacity: Int, agingPeriod: Double = 10, conservative: Bool = true) {
        self.agingPeriod = agingPeriod
        self.conservative = conservative
        let cap = Swift.max(16, Swift.min(capacity, 1 << 26))
        var n = 16
        while n < cap { n <<= 1 }
        words = .allocate(capacity: n)
        words.initialize(repeating: 0, count: n)
        mask = n - 1
        designCapacity = cap
        sampleSize = Swift.max(16, Int(agingPeriod * Double(cap)))
    }

    deinit { words.deallocate() }

    /// Re-sizes for `capacity` keys when it is larger than the design, keeping every
    /// estimate: a key's block index only gains high bits as the table doubles, so each old
    /// block is copied to every new block that its keys can now land in (estimates stay
    /// upper bounds, as count-min estimates are).
    /// - Complexity: O(capacity) when it grows, else O(1).
    @usableFromInline package mutating func ensureCapacity(_ capacity: Int) {
        if capacity <= designCapacity || designCapacity >= 1 << 26 { return }
        let cap = Swift.min(capacity, 1 << 26)
        var n = mask + 1
        while n < cap { n <<= 1 }
        if n > mask + 1 {
            let old = mask + 1
            let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
            for copy in stride(from: 0, to: n, by: old) { (grown + copy).initialize(from: words, count: old) }
            words.deallocate()
            words = grown
            mask = n - 1
        }
        designCapacity = cap
        sampleSize = Swift.max(16, Int(agingPeriod * Double(cap)))
    }

    /// The block (8 words, one 64-byte cache line) and the per-probe bits of a hash.
    @inlinable
    func locate(_ hash: UInt32) -> (block: Int, bits: UInt64) {
        // The slot table's hash is already well mixed (the standard library's seeded
        // hash); two multiplications spread it to 64 bits: one picks the block, the other
        // gives each of the four probes a word of the block and a counter in it.
        let a = (UInt64(hash) | UInt64(hash) << 32) &* 0x9E37_79B9_7F4A_7C15
        let b = (a ^ (a >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return ((Int(truncatingIfNeeded: a >> 32) & (mask >> 3)) << 3, b)
    }

    /// Probe `i`'s word (`block + 2i` or `+ 2i + 1`) and bit shift. The four probes use
    /// four different words, so they never share a counter.
    @inlinable
    static func probe(_ i: Int, _ block: Int, _ bits: UInt64) -> (word: Int, shift: UInt64) {
        let h = bits >> UInt64(i &* 8)
        return (block &+ (i << 1) &+ Int(h & 1), ((h >> 1) & 15) << 2)
    }

    /// The estimated frequency of the key with `hash` (0…15). - Complexity: O(1).
    @inlinable
    package func frequency(_ hash: UInt32) -> Int {
        let (block, bits) = locate(hash)
        var m: UInt64 = 15
        for i in 0..<4 {
            let (w, shift) = Self.probe(i, block, bits)
            m = Swift.min(m, (words[w] >> shift) & 15)
        }
        return Int(m)
    }

    /// Counts one occurrence of the key with `hash` (conservatively, by default: only the
    /// probes at the minimum grow); ages the table every `sampleSize` counted increments.
    /// - Complexity: O(1), amortized O(1) for the aging.
    @inlinable
    package mutating func increment(_ hash: UInt32) {
        let (block, bits) = locate(hash)
        let p0 = Self.probe(0, block, bits), p1 = Self.probe(1, block, bits)
        let p2 = Self.probe(2, block, bits), p3 = Self.probe(3, block, bits)
        let c0 = (words[p0.word] >> p0.shift) & 15
        let c1 = (words[p1.word] >> p1.shift) & 15
        let c2 = (words[p2.word] >> p2.shift) & 15
        let c3 = (words[p3.word] >> p3.shift) & 15
        let m = Swift.min(Swift.min(c0, c1), Swift.min(c2, c3))
        if m == 15 { return }
        let limit = conservative ? m : 14
        if c0 <= limit { words[p0.word] &+= 1 << p0.shift }
        if c1 <= limit { words[p1.word] &+= 1 << p1.shift }
        if c2 <= limit { words[p2.word] &+= 1 << p2.shift }
        if c3 <= limit { words[p3.word] &+= 1 << p3.shift }
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
