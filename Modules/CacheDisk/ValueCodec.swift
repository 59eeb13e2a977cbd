import CacheCore
import CacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a read checks about a stored entry's serializer, independent of the value type.
struct CodecSignature: Sendable {
    let id: String
    let idBytes: [UInt8]
    let formatVersion: UInt16
    /// Int and Int64 also read entries written by `incr` (the `int64-le` format).
    let readsIntegers: Bool
    /// Raw byte reads (``DiskCache/data(_:)``) take any serializer's bytes as they are.
    let acceptsAnySerializer: Bool

    var needsSerializerID: Bool { readsIntegers }

    /// Whether the stored serializer (text column `column`) and version are ones this codec reads.
    func accepts(serializer statement: SQLiteStatement, column: Int32, formatVersion stored: UInt16) -> Bool {
        if acceptsAnySerializer { return true }
        if statement.withBlob(column, { bytesEqual($0, idBytes) }) { return stored == formatVersion }
        if readsIntegers {
            return statement.withBlob(column) { bytesEqual($0, IntegerCodec.idBytes) } && stored == IntegerCodec.formatVersion
        }
        return false
    }
}

/// A serializer plus what a read must check: the stored serializer id and format version.
/// A class, so that generic code passing one around needs no metadata of its own.
final class ValueCodec<Value>: Sendable {
    let serializer: AnyCacheSerializer<Value>
    let signature: CodecSignature
    /// `[UInt8]` through the raw-bytes serializer: decoded by one copy (or none for file reads).
    let isRawBytes: Bool

    var id: String { signature.id }
    var formatVersion: UInt16 { signature.formatVersion }
    var readsIntegers: Bool { signature.readsIntegers }
    var acceptsAnySerializer: Bool { signature.acceptsAnySerializer }
    var needsSerializerID: Bool { signature.needsSerializerID }

    init(_ serializer: AnyCacheSerializer<Value>, acceptAny: Bool = false) {
        self.serializer = serializer
        signature = CodecSignature(
            id: serializer.id, idBytes: Array(serializer.id.utf8), formatVersion: serializer.formatVersion,
            readsIntegers: Value.self == Int.self || Value.self == Int64.self, acceptsAnySerializer: acceptAny)
        isRawBytes = Value.self == [UInt8].self && serializer.id == RawBytesSerializer().id
    }

    /// Whether the stored serializer (text column `column`) and version are ones this codec reads.
    func accepts(serializer statement: SQLiteStatement, column: Int32, formatVersion stored: UInt16) -> Bool {
        signature.accepts(serializer: statement, column: column, formatVersion: stored)
    }

    func decode(_ bytes: UnsafeRawBufferPointer, serializerID: String) throws -> Value {
        if isRawBytes && (serializerID == id || acceptsAnySerializer) {
            // (Array(_:) of a raw buffer allocates through a specialized path; the
            // unsafeUninitializedCapacity initializer looked its storage type up at run time.)
            return unsafeBitCast([UInt8](bytes), to: Value.self)  // isRawBytes: Value is [UInt8]
        }
        if readsIntegers && serializerID == IntegerCodec.id { return try decodeInteger(bytes) }
        return try serializer.decode(bytes)
    }

    /// An `incr` counter read as Int or Int64 (`readsIntegers`: `Value` is one of them).
    @inline(never)
    func decodeInteger(_ bytes: UnsafeRawBufferPointer) throws -> Value {
        let integer = try IntegerCodec.decode(bytes)
        if Value.self == Int.self { return unsafeBitCast(Int(integer), to: Value.self) }
        return unsafeBitCast(integer, to: Value.self)
    }

    /// Decodes bytes the caller owns: raw byte values are returned without a copy.
    func decode(owned bytes: [UInt8], serializerID: String) throws -> Value {
        if isRawBytes && (serializerID == id || acceptsAnySerializer) { return unsafeBitCast(bytes, to: Value.self) }  // Value is [UInt8]
        return try bytes.withUnsafeBytes { try decode($0, serializerID: serializerID) }
    }

    func encode(_ value: Value) throws -> [UInt8] { try serializer.encode(value) }
}

@inline(__always)
func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard let base = a.baseAddress else { return true }
    return b.withUnsafeBytes { memcmp(base, $0.baseAddress!, a.count) == 0 }
}

/// The format `incr`/`decr` write: 8 bytes, little-endian Int64.
enum IntegerCodec {
    static let id = "int64-le"
    static let idBytes = Array(id.utf8)
    static let formatVersion: UInt16 = 1

    static func encode(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        guard bytes.count == 8 else {
            throw CacheSerializationError(.decoding, serializer: id, type: "Int64", position: "byte \(bytes.count)",
                                          reason: "expected 8 bytes, found \(bytes.count)")
        }
        return Int64(littleEndian: bytes.loadUnaligned(as: Int64.self))
    }
}
