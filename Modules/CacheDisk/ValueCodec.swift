import CacheCore
import CacheSQLite

/// A serializer plus what a read must check: the stored serializer id and format version.
struct ValueCodec<Value>: Sendable {
    let serializer: AnyCacheSerializer<Value>
    let id: String
    let idBytes: [UInt8]
    let formatVersion: UInt16
    /// Int and Int64 also read entries written by `incr` (the `int64-le` format).
    let readsIntegers: Bool
    /// Raw byte reads (``DiskCache/data(_:)``) take any serializer's bytes as they are.
    let acceptsAnySerializer: Bool

    /// `[UInt8]` through the raw-bytes serializer: decoded by one copy (or none for file reads).
    let isRawBytes: Bool

    var needsSerializerID: Bool { readsIntegers }

    init(_ serializer: AnyCacheSerializer<Value>, acceptAny: Bool = false) {
        self.serializer = serializer
        acceptsAnySerializer = acceptAny
        id = serializer.id
        idBytes = Array(serializer.id.utf8)
        formatVersion = serializer.formatVersion
        readsIntegers = Value.self == Int.self || Value.self == Int64.self
        isRawBytes = Value.self == [UInt8].self && serializer.id == RawBytesSerializer().id
    }

    /// Whether the stored serializer (text column `column`) and version are ones this codec reads.
    func accepts(serializer statement: SQLiteStatement, column: Int32, formatVersion stored: UInt16) -> Bool {
        if acceptsAnySerializer { return true }
        let matches = statement.withBlob(column) { stored in stored.elementsEqual(idBytes) }
        if matches { return stored == formatVersion }
        if readsIntegers {
            return statement.withBlob(column) { $0.elementsEqual(IntegerCodec.idBytes) } && stored == IntegerCodec.formatVersion
        }
        return false
    }

    func decode(_ bytes: UnsafeRawBufferPointer, serializerID: String) throws -> Value {
        if isRawBytes && (serializerID == id || acceptsAnySerializer) {
            let copy = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                if let base = bytes.baseAddress { buffer.baseAddress!.initialize(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
                count = bytes.count
            }
            return copy as! Value  // isRawBytes: Value is [UInt8]
        }
        if readsIntegers && serializerID == IntegerCodec.id {
            let integer = try IntegerCodec.decode(bytes)
            if let value = (Value.self == Int.self ? Int(integer) as? Value : integer as? Value) { return value }
        }
        return try serializer.decode(bytes)
    }

    /// Decodes bytes the caller owns: raw byte values are returned without a copy.
    func decode(owned bytes: [UInt8], serializerID: String) throws -> Value {
        if isRawBytes && (serializerID == id || acceptsAnySerializer) { return bytes as! Value }  // Value is [UInt8]
        return try bytes.withUnsafeBytes { try decode($0, serializerID: serializerID) }
    }

    func encode(_ value: Value) throws -> [UInt8] { try serializer.encode(value) }
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
