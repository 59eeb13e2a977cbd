/// SplitMix64 (Steele, Lea & Flood 2014) with wrapping arithmetic, exactly as the shared
/// traces README specifies: a tiny, fast, seedable generator for reproducible traces,
/// tests and benchmarks, and RRCache's victim choice. Not cryptographic.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0 ..< bound` (`bound > 0`) by multiply-high (Lemire); the bias is at most
    /// `bound / 2^64`.
    @inlinable
    public mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform `Double` in [0, 1): the top 53 bits.
    @inlinable
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}
