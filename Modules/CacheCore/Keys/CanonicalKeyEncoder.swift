/// Builds the canonical byte encoding of keys for everything that outlives the
/// process: equal arguments give equal bytes in every process and on every machine of
/// the same byte order.
///
/// The encoding is **type-tagged** (`"1"`, `1`, `1.0`, `true` are four keys),
/// integers are fixed-width little-endian, `-0.0` encodes as `0.0` and every NaN
/// as one NaN, and dictionaries and sets are written in the order of their
/// elements' encoded bytes, so the result is the same in every process — unlike
/// `hashValue`, which Swift seeds per process.
///
/// Strings are encoded as their UTF-8 bytes without Unicode normalization: two
/// strings that are `==` only by canonical equivalence (NFC vs NFD) are two keys.
/// That can cost a miss, never a wrong hit.
///
/// A top-level argument whose encoding exceeds ``digestThreshold`` bytes is replaced
/// by its XXH3-128 digest plus its type tag, element count and encoded length
/// (collision odds 2⁻¹²⁸ per pair of distinct arguments).
public struct CanonicalKeyEncoder: Sendable {
    /// The encoding so far.
    public var bytes: [UInt8]
    /// Top-level arguments whose encoding is longer than this many bytes are digested.
    public let digestThreshold: Int
    /// Nesting depth of the value being written (guards runaway recursion).
    @usableFromInline var depth = 0

    /// The default threshold above which an argument is replaced by its digest.
    public static let defaultDigestThreshold = 1024

    public init(digestThreshold: Int = CanonicalKeyEncoder.defaultDigestThreshold) {
        self.bytes = []
        self.digestThreshold = max(digestThreshold, 32)
        bytes.reserveCapacity(32)
    }

    // MARK: Primitive writers

    @inlinable
    public mutating func writeTag(_ tag: CanonicalTag) { bytes.append(tag.rawValue) }

    @inlinable
    public mutating func writeRaw(_ byte: UInt8) { bytes.append(byte) }

    /// Appends `value` as fixed-width little-endian.
    @inlinable
    public mutating func writeFixed<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { bytes.append(contentsOf: $0) }
    }

    /// Appends an unsigned LEB128 length.
    @inlinable
    public mutating func writeLength(_ value: Int) {
        var v = UInt64(value)
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a length-prefixed byte string (no tag).
    @inlinable
    public mutating func writeBytes(_ raw: UnsafeRawBufferPointer) {
        writeLength(raw.count)
        bytes.append(contentsOf: raw)
    }

    /// Appends a length-prefixed UTF-8 string (no tag).
    @inlinable
    public mutating func writeString(_ string: String) {
        var s = string
        s.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Appends another encoder's bytes verbatim.
    @inlinable
    public mutating func writeEncoded(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    // MARK: Values

    /// Appends any `Encodable` value: ``CanonicalKeyEncodable`` types use their own
    /// encoding; anything else goes through ``CanonicalCodableEncoder``.
    public mutating func encode<T: Encodable>(_ value: T) throws {
        depth += 1
        defer { depth -= 1 }
        if depth > 256 {
            throw CacheSerializationError(
                .encoding, serializer: "canonical-key", type: String(reflecting: T.self),
                reason: "nesting deeper than 256 levels")
        }
        if let canonical = value as? any CanonicalKeyEncodable {
            try canonical.encodeCanonicalKey(into: &self)
        } else {
            try CanonicalCodableEncoder.encode(value, into: &self)
        }
    }

    /// Appends a top-level argument, digesting it when its encoding is longer than
    /// ``digestThreshold``.
    public mutating func encodeArgument<T: Encodable>(_ value: T) throws {
        let start = bytes.count
        try encode(value)
        let length = bytes.count - start
        guard length > digestThreshold else { return }
        let digest = bytes.withUnsafeBytes { CacheHash.digest(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        let originalTag = bytes[start]
        let elementCount = (value as? any Collection)?.count ?? 1
        bytes.removeSubrange(start...)
        writeTag(.digest)
        writeRaw(originalTag)
        writeString(String(reflecting: T.self))
        writeLength(elementCount)
        writeLength(length)
        bytes.append(contentsOf: digest.bytes)
    }

    /// The canonical encoding of an argument list: a tuple tag, the count, then each
    /// argument (digested above the threshold).
    public static func encodeArguments<each A: Encodable>(
        _ arguments: repeat each A, digestThreshold: Int = CanonicalKeyEncoder.defaultDigestThreshold
    ) throws -> [UInt8] {
        var count = 0
        for _ in repeat (each A).self { count += 1 }
        return try encodeArgumentList(count: count, digestThreshold: digestThreshold) { encoder in
            for argument in repeat each arguments {
                try encoder.encodeArgument(argument)
            }
        }
    }

    /// The canonical encoding of an argument list whose arguments `body` appends with
    /// ``encodeArgument(_:)`` — for callers that know the arguments only at run time.
    /// `count` must equal the number of arguments appended.
    public static func encodeArgumentList(
        count: Int, digestThreshold: Int = CanonicalKeyEncoder.defaultDigestThreshold,
        _ body: (inout CanonicalKeyEncoder) throws -> Void
    ) rethrows -> [UInt8] {
        var encoder = CanonicalKeyEncoder(digestThreshold: digestThreshold)
        encoder.writeTag(.arguments)
        encoder.writeLength(count)
        try body(&encoder)
        return encoder.bytes
    }
}

/// The type tags of the canonical key encoding. Values are part of the persisted
/// format: never renumber.
public enum CanonicalTag: UInt8, Sendable {
    case none = 0x00
    case some = 0x01
    case bool = 0x02
    case int = 0x10, int8 = 0x11, int16 = 0x12, int32 = 0x13, int64 = 0x14
    case uint = 0x15, uint8 = 0x16, uint16 = 0x17, uint32 = 0x18, uint64 = 0x19
    case float16 = 0x1F, float = 0x20, double = 0x21
    case string = 0x30
    case bytes = 0x31
    case array = 0x40
    case set = 0x41
    case dictionary = 0x42
    case arguments = 0x43
    /// A `Codable` value with a keyed container: type name, then fields sorted by key.
    case keyed = 0x50
    /// A `Codable` value written through an unkeyed container: type name, then elements.
    case unkeyed = 0x51
    /// A `Codable` value written through a single-value container: type name, then the value.
    case single = 0x52
    /// An argument replaced by its digest.
    case digest = 0xD0
}
