#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A type with a canonical, process-independent key encoding.
///
/// Standard scalars, strings, bytes, optionals and collections conform; any other
/// `Encodable` type is encoded through its `Codable` conformance by
/// ``CanonicalCodableEncoder``. Conform your own type to control its key bytes.
public protocol CanonicalKeyEncodable: Encodable {
    func encodeCanonicalKey(into encoder: inout CanonicalKeyEncoder) throws
}

extension Bool: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.bool); e.writeRaw(self ? 1 : 0)
    }
}

extension Int: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.int); e.writeFixed(Int64(self)) }
}
extension Int8: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.int8); e.writeFixed(self) }
}
extension Int16: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.int16); e.writeFixed(self) }
}
extension Int32: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.int32); e.writeFixed(self) }
}
extension Int64: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.int64); e.writeFixed(self) }
}
extension UInt: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.uint); e.writeFixed(UInt64(self)) }
}
extension UInt8: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.uint8); e.writeFixed(self) }
}
extension UInt16: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.uint16); e.writeFixed(self) }
}
extension UInt32: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.uint32); e.writeFixed(self) }
}
extension UInt64: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) { e.writeTag(.uint64); e.writeFixed(self) }
}

extension Double: CanonicalKeyEncodable {
    /// `-0.0` is written as `0.0` and every NaN as the one canonical quiet NaN.
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.double)
        let canonical: Double = isNaN ? .nan : (self == 0 ? 0 : self)
        e.writeFixed(canonical.bitPattern)
    }
}
extension Float: CanonicalKeyEncodable {
    /// `-0.0` is written as `0.0` and every NaN as the one canonical quiet NaN.
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.float)
        let canonical: Float = isNaN ? .nan : (self == 0 ? 0 : self)
        e.writeFixed(canonical.bitPattern)
    }
}
#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
@available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *)
extension Float16: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.float16)
        let canonical: Float16 = isNaN ? .nan : (self == 0 ? 0 : self)
        e.writeFixed(canonical.bitPattern)
    }
}
#endif

extension String: CanonicalKeyEncodable {
    @inlinable public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.string); e.writeString(self)
    }
}
extension Data: CanonicalKeyEncodable {
    /// `Data` and `[UInt8]` are both byte strings and encode alike.
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) {
        e.writeTag(.bytes)
        withUnsafeBytes { e.writeBytes($0) }
    }
}

extension Optional: CanonicalKeyEncodable where Wrapped: Encodable {
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) throws {
        switch self {
        case .none: e.writeTag(.none)
        case .some(let wrapped):
            e.writeTag(.some)
            try e.encode(wrapped)
        }
    }
}

extension Array: CanonicalKeyEncodable where Element: Encodable {
    /// Elements in order; `[UInt8]` is a byte string (like `Data`).
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) throws {
        if let bytes = self as? [UInt8] {
            e.writeTag(.bytes)
            bytes.withUnsafeBytes { e.writeBytes($0) }
            return
        }
        e.writeTag(.array)
        e.writeLength(count)
        for element in self { try e.encode(element) }
    }
}

extension ContiguousArray: CanonicalKeyEncodable where Element: Encodable {
    /// Encodes like the equal `Array`.
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) throws {
        try Array(self).encodeCanonicalKey(into: &e)
    }
}

extension Set: CanonicalKeyEncodable where Element: Encodable {
    /// Elements sorted by their encoded bytes: independent of the per-process hash seed.
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) throws {
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(count)
        for element in self {
            var sub = CanonicalKeyEncoder(digestThreshold: e.digestThreshold)
            sub.depth = e.depth
            try sub.encode(element)
            encoded.append(sub.bytes)
        }
        encoded.sort { $0.lexicographicallyPrecedes($1) }
        e.writeTag(.set)
        e.writeLength(count)
        for bytes in encoded { e.writeEncoded(bytes) }
    }
}

extension Dictionary: CanonicalKeyEncodable where Key: Encodable, Value: Encodable {
    /// Pairs sorted by their keys' encoded bytes: independent of the per-process hash seed.
    public func encodeCanonicalKey(into e: inout CanonicalKeyEncoder) throws {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(count)
        for (key, value) in self {
            var k = CanonicalKeyEncoder(digestThreshold: e.digestThreshold)
            k.depth = e.depth
            try k.encode(key)
            var v = CanonicalKeyEncoder(digestThreshold: e.digestThreshold)
            v.depth = e.depth
            try v.encode(value)
            pairs.append((k.bytes, v.bytes))
        }
        // Distinct keys can share an encoding only as NaNs; the value bytes break that tie.
        pairs.sort {
            $0.key == $1.key ? $0.value.lexicographicallyPrecedes($1.value) : $0.key.lexicographicallyPrecedes($1.key)
        }
        e.writeTag(.dictionary)
        e.writeLength(count)
        for pair in pairs {
            e.writeEncoded(pair.key)
            e.writeEncoded(pair.value)
        }
    }
}
