import CacheCore

/// The persisted form of a disk cache key: a type tag and the key's bytes, so that the
/// string `"1"`, the integer `1`, the bytes `[0x31]` and a ``CacheKey`` are distinct keys.
///
/// The full key is stored (never only a hash), so two keys never share an entry.
public struct DiskCacheKey: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// What kind of key it is.
    public enum Kind: UInt8, Sendable {
        case string = 0x73  // "s"
        case cacheKey = 0x6B  // "k"
        case bytes = 0x62  // "b"
        case integer = 0x69  // "i"
    }

    /// Tag byte followed by the payload: what the database stores in `entries.key`.
    public let storageBytes: [UInt8]

    /// A key from its stored bytes; `nil` when the tag is unknown.
    public init?(storageBytes: [UInt8]) {
        guard let first = storageBytes.first, Kind(rawValue: first) != nil else { return nil }
        if first == Kind.integer.rawValue, storageBytes.count != 9 { return nil }
        self.storageBytes = storageBytes
    }

    public init(_ string: String) {
        var string = string
        storageBytes = string.withUTF8 { utf8 in
            [UInt8](unsafeUninitializedCapacity: utf8.count + 1) { buffer, count in
                buffer[0] = Kind.string.rawValue
                if let base = utf8.baseAddress { (buffer.baseAddress! + 1).initialize(from: base, count: utf8.count) }
                count = utf8.count + 1
            }
        }
    }
    public init(stringLiteral value: String) { self.init(value) }
    public init(_ key: CacheKey) { storageBytes = [Kind.cacheKey.rawValue] + key.storageBytes }
    public init(bytes: [UInt8]) { storageBytes = [Kind.bytes.rawValue] + bytes }
    public init(_ integer: Int64) {
        var bytes: [UInt8] = [Kind.integer.rawValue]
        withUnsafeBytes(of: integer.littleEndian) { bytes.append(contentsOf: $0) }
        storageBytes = bytes
    }

    public var kind: Kind { Kind(rawValue: storageBytes[0])! }

    /// The string, for a string key.
    public var stringValue: String? {
        kind == .string ? String(decoding: storageBytes.dropFirst(), as: UTF8.self) : nil
    }

    /// The ``CacheKey``, for a key made from one.
    public var cacheKey: CacheKey? {
        kind == .cacheKey ? CacheKey(storageBytes: Array(storageBytes.dropFirst())) : nil
    }

    /// The integer, for an integer key.
    public var integerValue: Int64? {
        guard kind == .integer else { return nil }
        var value: Int64 = 0
        for (i, byte) in storageBytes.dropFirst().enumerated() { value |= Int64(byte) << (8 * i) }
        return value
    }

    /// The payload, for a bytes key.
    public var bytesValue: [UInt8]? { kind == .bytes ? Array(storageBytes.dropFirst()) : nil }

    public var description: String {
        switch kind {
        case .string: return "\"\(cacheDescribeKey(stringValue!))\""
        case .cacheKey: return cacheKey.map { cacheDescribeKey($0) } ?? "<malformed CacheKey>"
        case .integer: return "\(integerValue!)"
        case .bytes: return "bytes(\(storageBytes.count - 1))"
        }
    }

    public static func < (a: DiskCacheKey, b: DiskCacheKey) -> Bool {
        a.storageBytes.lexicographicallyPrecedes(b.storageBytes)
    }
}

/// Anything that names a disk cache entry: `String`, `Int`, ``CacheKey``, ``DiskCacheKey``.
public protocol DiskCacheKeyConvertible {
    var diskCacheKey: DiskCacheKey { get }
    /// Appends ``DiskCacheKey/storageBytes`` of ``diskCacheKey`` to `buffer`. Reads use it
    /// to look a key up without allocating; the default goes through ``diskCacheKey``.
    func appendDiskCacheKeyBytes(to buffer: inout [UInt8])
}

extension DiskCacheKeyConvertible {
    public func appendDiskCacheKeyBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: diskCacheKey.storageBytes) }
}

extension DiskCacheKey: DiskCacheKeyConvertible {
    public var diskCacheKey: DiskCacheKey { self }
    public func appendDiskCacheKeyBytes(to buffer: inout [UInt8]) { buffer.append(contentsOf: storageBytes) }
}
extension String: DiskCacheKeyConvertible {
    public var diskCacheKey: DiskCacheKey { DiskCacheKey(self) }
    public func appendDiskCacheKeyBytes(to buffer: inout [UInt8]) {
        buffer.append(DiskCacheKey.Kind.string.rawValue)
        var string = self
        string.withUTF8 { buffer.append(contentsOf: $0) }
    }
}
extension Substring: DiskCacheKeyConvertible { public var diskCacheKey: DiskCacheKey { DiskCacheKey(String(self)) } }
extension Int: DiskCacheKeyConvertible { public var diskCacheKey: DiskCacheKey { DiskCacheKey(Int64(self)) } }
extension Int64: DiskCacheKeyConvertible { public var diskCacheKey: DiskCacheKey { DiskCacheKey(self) } }
extension CacheKey: DiskCacheKeyConvertible { public var diskCacheKey: DiskCacheKey { DiskCacheKey(self) } }
