/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator, used for
/// RRCache's victim choice. Not cryptographic.
@usableFromInline
struct SplitMix64: Sendable {
    @usableFromInline var state: UInt64

    @inlinable
    init(seed: UInt64) { state = seed }

    @inlinable
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0 ..< bound` (`bound > 0`) by multiply-high (Lemire); the bias is at most
    /// `bound / 2^64`.
    @inlinable
    mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
