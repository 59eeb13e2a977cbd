/// A 128-bit digest.
///
/// Its canonical byte form is big-endian `high` then `low` — the order `xxhsum -H2`
/// and the Python `xxhash` package print — so ``hex`` matches those tools.
public struct Hash128: Hashable, Sendable, Codable, CustomStringConvertible {
    public var low: UInt64
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// 16 bytes, big-endian `high` then `low`.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    /// Reads the 16-byte canonical form.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        self.init(low: l, high: h)
    }

    /// 32 lowercase hex digits of ``bytes``.
    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { buf in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { d in
                for (i, byte) in bytes.enumerated() {
                    buf[2 * i] = d[Int(byte >> 4)]
                    buf[2 * i + 1] = d[Int(byte & 0xF)]
                }
            }
            return 32
        }
    }

    /// Parses 32 hex digits.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 32 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        for i in stride(from: 0, to: 32, by: 2) {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes: bytes)
    }

    public var description: String { hex }
}

/// The one hash of swift-cache (XXH3-128): key digests, file names,
/// sharding and array arguments all use it. Its ``algorithmID`` is stored with
/// persisted entries so that the algorithm can change without false hits.
public enum CacheHash {
    /// The identifier recorded beside persisted digests.
    public static let algorithmID = "xxh3-128"

    /// The digest of `bytes`.
    /// - Complexity: O(n); runs at memory bandwidth for large inputs.
    @inlinable
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> Hash128 {
        XXH3.hash128(bytes)
    }

    /// The digest of a byte array.
    @inlinable
    public static func digest(_ bytes: [UInt8]) -> Hash128 {
        bytes.withUnsafeBytes { XXH3.hash128($0) }
    }
}
