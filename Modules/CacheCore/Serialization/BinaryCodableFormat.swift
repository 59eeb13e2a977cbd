// MARK: - Wire format
//
// A binary-codable encoding is:
//
//     magic (0xB7) · format version (1) · key table · root value
//
// The key table lists every distinct coding key once: a varint count, then per key
// `varint(utf8Length << 1 | hasIntValue)`, the UTF-8 bytes, and, if flagged, the key's
// `intValue` as a zigzag varint. Keyed containers refer to keys by their table index.
//
// Every value starts with a one-byte tag:
//
//     0x00 nil          0x01 false        0x02 true
//     0x03 signed integer, zigzag LEB128 varint
//     0x04 unsigned integer, LEB128 varint
//     0x05 Float, 4 bytes little-endian   0x06 Double, 8 bytes little-endian
//     0x07 string: varint byte length, UTF-8
//     0x08 blob ([UInt8], Data): varint byte length, bytes
//     0x09 keyed container: varint byte length, then (varint key index, value)*
//     0x0A unkeyed container: varint byte length, varint element count, values
//     0x0B numeric array: element type byte, varint count, raw little-endian elements
//     0x0C Int128 beyond Int64, zigzag varint   0x0D UInt128 beyond UInt64, varint
//
// Containers carry their byte length, so a decoder skips any value in O(1) and can
// look keyed fields up in any order.

/// Constants of the binary-codable wire format, shared by encoder and decoder.
enum BinaryFormat {
    static let serializerID = "binary-codable"
    static let magic: UInt8 = 0xB7
    static let version: UInt8 = 1
    static let defaultMaxDepth = 512

    static let tagNil: UInt8 = 0x00
    static let tagFalse: UInt8 = 0x01
    static let tagTrue: UInt8 = 0x02
    static let tagInt: UInt8 = 0x03
    static let tagUInt: UInt8 = 0x04
    static let tagFloat32: UInt8 = 0x05
    static let tagFloat64: UInt8 = 0x06
    static let tagString: UInt8 = 0x07
    static let tagBlob: UInt8 = 0x08
    static let tagKeyed: UInt8 = 0x09
    static let tagUnkeyed: UInt8 = 0x0A
    static let tagNumericArray: UInt8 = 0x0B
    static let tagInt128: UInt8 = 0x0C
    static let tagUInt128: UInt8 = 0x0D

    static func tagName(_ tag: UInt8) -> String {
        switch tag {
        case tagNil: "nil"
        case tagFalse, tagTrue: "Bool"
        case tagInt, tagUInt, tagInt128, tagUInt128: "integer"
        case tagFloat32, tagFloat64: "floating-point number"
        case tagString: "String"
        case tagBlob: "byte blob"
        case tagKeyed: "keyed container"
        case tagUnkeyed: "unkeyed container"
        case tagNumericArray: "numeric array"
        default: "unknown tag 0x\(String(tag, radix: 16))"
        }
    }
}

/// Element types of a raw numeric array (tag 0x0B).
enum BinaryElementType: UInt8 {
    case int8 = 1, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64

    var width: Int {
        switch self {
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }
}

/// The coding key of an unkeyed container element.
struct BinaryIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// The `"super"` key used by `superEncoder()` / `superDecoder()`.
struct BinarySuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(intValue: Int) { nil }
    init?(stringValue: String) { if stringValue != "super" { return nil } }
}

/// Carried as `underlyingError` of internal `DecodingError`s: the byte offset of the failure.
struct BinaryBytePosition: Error {
    var offset: Int
}

extension CacheSerializationError {
    /// Renders a coding path as `items[3].name`.
    static func binaryRender(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key is BinaryIndexKey || key.stringValue == String(index) {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    /// Wraps whatever `encode(to:)` / `init(from:)` threw into a `CacheSerializationError`.
    static func binaryWrap(_ error: any Error, _ direction: Direction, type: String) -> CacheSerializationError {
        if let error = error as? CacheSerializationError { return error }
        var path: [any CodingKey] = []
        var reason: String
        var offset: Int?
        func take(_ context: DecodingError.Context, _ prefix: String) {
            path = context.codingPath
            reason = prefix + context.debugDescription
            if let position = context.underlyingError as? BinaryBytePosition {
                offset = position.offset
            } else if let underlying = context.underlyingError {
                reason += " (\(underlying))"
            }
        }
        reason = String(describing: error)
        if let error = error as? DecodingError {
            switch error {
            case .typeMismatch(let type, let context):
                take(context, "type mismatch for \(type): ")
            case .valueNotFound(let type, let context):
                take(context, "value of type \(type) not found: ")
            case .keyNotFound(let key, let context):
                take(context, "key '\(key.stringValue)' not found: ")
                path.append(key)
            case .dataCorrupted(let context):
                take(context, "")
            @unknown default:
                break
            }
        } else if let error = error as? EncodingError {
            switch error {
            case .invalidValue(let value, let context):
                path = context.codingPath
                reason = "invalid value \(Swift.type(of: value)): \(context.debugDescription)"
                if let underlying = context.underlyingError { reason += " (\(underlying))" }
            @unknown default:
                break
            }
        }
        var position = binaryRender(path)
        if let offset {
            position += position.isEmpty ? "byte \(offset)" : ", byte \(offset)"
        }
        return CacheSerializationError(
            direction, serializer: BinaryFormat.serializerID, type: type, position: position, reason: reason)
    }
}

// MARK: - Raw numeric arrays

/// Numeric types written as raw little-endian arrays by the `[N]` fast path.
protocol BinaryRawNumeric {
    static var binaryElementType: BinaryElementType { get }
    func binaryAppendLittleEndian(to bytes: inout [UInt8])
    /// Builds an element from its little-endian bit pattern (`width` bytes, zero-extended).
    init(binaryBits: UInt64)
    /// The stored number as this type, if exactly representable.
    static func binaryConvert(_ number: BinaryNumber) -> Self?
}

extension BinaryRawNumeric where Self: FixedWidthInteger {
    static func binaryConvert(_ number: BinaryNumber) -> Self? { number.integer(Self.self) }
}

extension BinaryRawNumeric where Self: FixedWidthInteger {
    func binaryAppendLittleEndian(to bytes: inout [UInt8]) { bytes.binaryAppendRaw(littleEndian) }
    init(binaryBits: UInt64) { self.init(truncatingIfNeeded: binaryBits) }
}

extension Int8: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .int8 } }
extension UInt8: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .uint8 } }
extension Int16: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .int16 } }
extension UInt16: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .uint16 } }
extension Int32: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .int32 } }
extension UInt32: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .uint32 } }
extension Int64: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .int64 } }
extension UInt64: BinaryRawNumeric { static var binaryElementType: BinaryElementType { .uint64 } }
// Int and UInt are always written as 64-bit elements so 32-bit hosts read the same bytes.
extension Int: BinaryRawNumeric {
    static var binaryElementType: BinaryElementType { .int64 }
    func binaryAppendLittleEndian(to bytes: inout [UInt8]) { bytes.binaryAppendRaw(Int64(self).littleEndian) }
    init(binaryBits: UInt64) { self.init(truncatingIfNeeded: Int64(bitPattern: binaryBits)) }
}
extension UInt: BinaryRawNumeric {
    static var binaryElementType: BinaryElementType { .uint64 }
    func binaryAppendLittleEndian(to bytes: inout [UInt8]) { bytes.binaryAppendRaw(UInt64(self).littleEndian) }
    init(binaryBits: UInt64) { self.init(truncatingIfNeeded: binaryBits) }
}
extension Float: BinaryRawNumeric {
    static var binaryElementType: BinaryElementType { .float32 }
    func binaryAppendLittleEndian(to bytes: inout [UInt8]) { bytes.binaryAppendRaw(bitPattern.littleEndian) }
    init(binaryBits: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: binaryBits)) }
    static func binaryConvert(_ number: BinaryNumber) -> Float? { number.float }
}
extension Double: BinaryRawNumeric {
    static var binaryElementType: BinaryElementType { .float64 }
    func binaryAppendLittleEndian(to bytes: inout [UInt8]) { bytes.binaryAppendRaw(bitPattern.littleEndian) }
    init(binaryBits: UInt64) { self.init(bitPattern: binaryBits) }
    static func binaryConvert(_ number: BinaryNumber) -> Double? { number.double }
}

@inline(__always)
func binaryCast<T, U>(_ value: T, to _: U.Type) -> U {
    unsafeBitCast(value, to: U.self)
}
