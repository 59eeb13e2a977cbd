/// Conversions between `Duration` and the clocks' `Double` seconds.
///
/// `Duration` stores (seconds, attoseconds); the conversions below work on that exact
/// value with `Int128` arithmetic, so a TTL such as `.milliseconds(300)` becomes the
/// `Double` nearest 0.3 (not 0.30000000000000004, as `Double(s) + Double(atto) * 1e-18`
/// gives) and an entry stored at 0 for it has expired at exactly `now == 0.3`.
extension Duration {
    /// The attoseconds in this duration, exactly.
    @inlinable
    package var cacheAttoseconds: Int128 {
        let (s, atto) = components
        return Int128(s) * 1_000_000_000_000_000_000 + Int128(atto)
    }

    /// A duration of `attoseconds`, clamped to what `Duration` can hold.
    @inlinable
    package static func cacheClamped(attoseconds: Int128) -> Duration {
        let perSecond: Int128 = 1_000_000_000_000_000_000
        let maxAtto = Int128(Int64.max) * perSecond + (perSecond - 1)
        let minAtto = Int128(Int64.min) * perSecond
        let a = Swift.min(Swift.max(attoseconds, minAtto), maxAtto)
        // Floor division so the attosecond part is in 0 ..< 10^18, as `Duration` keeps it.
        var (q, r) = a.quotientAndRemainder(dividingBy: perSecond)
        if r < 0 {
            q -= 1
            r += perSecond
        }
        return Duration(secondsComponent: Int64(q), attosecondsComponent: Int64(r))
    }

    /// `self + other`, clamped to the `Duration` range instead of trapping.
    @inlinable
    package func cacheSaturatingAdd(_ other: Duration) -> Duration {
        .cacheClamped(attoseconds: cacheAttoseconds + other.cacheAttoseconds)
    }

    /// The duration in seconds: the `Double` nearest its exact value (ties to even).
    @usableFromInline package var cacheSeconds: Double {
        let (s, atto) = components
        // Whole seconds: the Int64 -> Double conversion is correctly rounded.
        if atto == 0 { return Double(s) }
        let total = Int128(s) * 1_000_000_000_000_000_000 + Int128(atto)
        let magnitude = total.magnitude
        // When the attoseconds are exactly a Double (at most 53 significant bits, as whole
        // milliseconds up to 262 s are), one IEEE division by the exact 1e18 rounds correctly.
        if 128 - magnitude.leadingZeroBitCount - magnitude.trailingZeroBitCount <= 53 {
            return Double(total) / 1e18
        }
        // Shift the magnitude to the top of 128 bits, divide by 10^18 (keeping a sticky bit
        // for the remainder), cut to 64 bits (sticky again) and let the exact UInt64 -> Double
        // conversion do the one rounding; scaling by a power of two is exact.
        let k = magnitude.leadingZeroBitCount
        let (q, r) = (magnitude << k).quotientAndRemainder(dividingBy: 1_000_000_000_000_000_000)
        let cut = Swift.max(0, (128 - q.leadingZeroBitCount) - 64)
        var bits = UInt64(truncatingIfNeeded: q >> cut)
        if r != 0 || (cut > 0 && q & ((UInt128(1) << cut) - 1) != 0) { bits |= 1 }
        let value = Double(sign: .plus, exponent: cut - k, significand: Double(bits))
        return total < 0 ? -value : value
    }

    /// The duration in whole milliseconds, rounded up (towards +∞) and clamped to `Int64`:
    /// what a store that counts in milliseconds (Redis `PX`) must use so it never expires early.
    @inlinable
    package var cacheMillisecondsRoundedUp: Int64 {
        let perMilli: Int128 = 1_000_000_000_000_000
        let (q, r) = cacheAttoseconds.quotientAndRemainder(dividingBy: perMilli)
        let ms = r > 0 ? q + 1 : q
        return Int64(Swift.min(Swift.max(ms, Int128(Int64.min)), Int128(Int64.max)))
    }

    /// A duration from seconds: the nearest attosecond to the `Double`'s exact binary value
    /// (`0.3` gives 0.299999999999999989 s, which ``cacheSeconds`` turns back into exactly
    /// `0.3`; every finite `x` with `|x| >= 1/128` round-trips).
    ///
    /// Never traps: NaN gives `.zero`, and infinities or values beyond the `Duration` range
    /// (about ±9.2e18 s) clamp to its ends. Use ``init(cacheCheckedSeconds:setting:)`` when
    /// such a value is bad input that deserves an error.
    package static func cacheSeconds(_ value: Double) -> Duration {
        if value.isNaN { return .zero }
        if value >= 0x1p63 { return .cacheClamped(attoseconds: .max) }
        if value <= -0x1p63 { return .cacheClamped(attoseconds: .min) }
        return .cacheClamped(attoseconds: cacheExactAttoseconds(value))
    }

    /// A duration from seconds, to the nearest attosecond, refusing NaN, infinities and
    /// values outside ±9.2e18 s (the `Duration` range).
    /// - Throws: `CacheConfigurationError` naming `setting`.
    package init(cacheCheckedSeconds value: Double, setting: String) throws(CacheConfigurationError) {
        guard value.isFinite, value.magnitude < 0x1p63 else {
            throw CacheConfigurationError(
                setting: setting, value: "\(value)",
                reason: "must be a finite number of seconds within ±9.2e18")
        }
        self = .cacheSeconds(value)
    }
}

/// The attoseconds nearest the finite `value` seconds, `|value| < 2^63` (ties away from 0).
@usableFromInline
func cacheExactAttoseconds(_ value: Double) -> Int128 {
    if value == 0 { return 0 }
    // value = significand * 2^e exactly, with an integer significand of up to 53 bits.
    let e = Int(value.exponent) - 52
    let significand = Int128(value.significandBitPattern | (value.isNormal ? 1 << 52 : 0))
    let normalizedE = value.isNormal ? e : Int(Double.leastNormalMagnitude.exponent) - 52
    let perSecond: Int128 = 1_000_000_000_000_000_000
    var result: Int128
    if normalizedE >= 0 {
        result = (significand << normalizedE) * perSecond   // |value| < 2^63: fits in 123 bits
    } else if normalizedE <= -127 {
        result = 0   // below 2^-74 s: far under an attosecond
    } else {
        // significand * 10^18 < 2^113; divide by 2^-normalizedE, rounding half away from 0.
        let n = significand * perSecond
        let shift = -normalizedE
        if shift >= 120 {
            result = 0
        } else {
            let half = Int128(1) << (shift - 1)
            result = (n + half) >> shift
        }
    }
    return value < 0 ? -result : result
}
