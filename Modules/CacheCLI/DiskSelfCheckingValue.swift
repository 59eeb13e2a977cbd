import CacheCore

/// Values that prove their own integrity, for the multi-process and crash workloads:
/// 8 bytes generation + the key's digest-seeded SplitMix64 stream for that generation.
/// A reader recomputes the stream from the key and the stored generation, so a value is
/// accepted only if it is exactly one the writer wrote for that key.
enum DiskSelfCheckingValue {
    static func make(key: String, generation: UInt64, length: Int) -> [UInt8] {
        let length = max(length, 16)
        var bytes = [UInt8](repeating: 0, count: length)
        withUnsafeBytes(of: generation.littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
        fill(&bytes, key: key, generation: generation)
        return bytes
    }

    static func fill(_ bytes: inout [UInt8], key: String, generation: UInt64) {
        var rng = SplitMix64(seed: XXH3.hash64(key) ^ generation &* 0x9E37_79B9_7F4A_7C15)
        var i = 8
        while i < bytes.count {
            let word = rng.next()
            for b in 0..<8 where i + b < bytes.count { bytes[i + b] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(b))) }
            i += 8
        }
    }

    /// The generation of a valid value for `key`, or `nil` when the bytes are garbled.
    static func verify(key: String, _ bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 16 else { return nil }
        var generation: UInt64 = 0
        for i in 0..<8 { generation |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        var expected = bytes
        fill(&expected, key: key, generation: generation)
        return expected == bytes ? generation : nil
    }
}
