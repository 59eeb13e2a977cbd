/// The element types an array cache stores, with their NumPy `descr` codes.
///
/// Files are always little-endian; one-byte types use NumPy's `|` (no byte order).
public enum NumPyElementType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case float16 = "<f2", float32 = "<f4", float64 = "<f8"
    case int8 = "|i1", int16 = "<i2", int32 = "<i4", int64 = "<i8"
    case uint8 = "|u1", uint16 = "<u2", uint32 = "<u4", uint64 = "<u8"
    case bool = "|b1"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// The NumPy dtype name (`float64`, `int8`, `bool`), as `numpy.dtype(...).name` prints it.
    public var numpyName: String {
        switch self {
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .bool: "bool"
        }
    }

    public var description: String { numpyName }

    /// Parses a NumPy `descr`. Returns the type, or why it is not one we read:
    /// big-endian data, an unknown kind, a structured dtype.
    static func parse(descr: String) -> ParsedDescr {
        let utf8 = Array(descr.utf8)
        guard utf8.count >= 2 else { return .unsupported(.unsupportedDType(descr)) }
        let order = utf8[0]
        let code = String(decoding: utf8[1...], as: UTF8.self)
        let kinds: [String: NumPyElementType] = [
            "f2": .float16, "f4": .float32, "f8": .float64,
            "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let type = kinds[code] else { return .unsupported(.unsupportedDType(descr)) }
        switch order {
        case UInt8(ascii: "<"): return .type(type)
        case UInt8(ascii: "|"), UInt8(ascii: "="):
            // `|` is "not applicable" (one byte); `=` (native) is little-endian on every host we run on.
            if type.byteSize == 1 || order == UInt8(ascii: "=") { return .type(type) }
            return .unsupported(.unsupportedDType(descr))
        case UInt8(ascii: ">"):
            return type.byteSize == 1 ? .type(type) : .unsupported(.bigEndian(descr))
        default:
            return .unsupported(.unsupportedDType(descr))
        }
    }
}

/// The outcome of parsing a `descr`.
enum ParsedDescr {
    case type(NumPyElementType)
    case unsupported(NumPyFormatError.Reason)
}

/// A fixed-width element an array cache can store raw: its bytes are its value.
///
/// `Bool` is stored as one byte, 0 or 1 (NumPy's `bool`); a loaded `Bool` array whose
/// bytes are other than 0 or 1 is rejected rather than reinterpreted.
public protocol NumPyElement: BitwiseCopyable, Sendable, Codable, Equatable {
    static var numpyType: NumPyElementType { get }
}

extension Double: NumPyElement { public static var numpyType: NumPyElementType { .float64 } }
extension Float: NumPyElement { public static var numpyType: NumPyElementType { .float32 } }
#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
@available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *)
extension Float16: NumPyElement { public static var numpyType: NumPyElementType { .float16 } }
#endif
extension Int8: NumPyElement { public static var numpyType: NumPyElementType { .int8 } }
extension Int16: NumPyElement { public static var numpyType: NumPyElementType { .int16 } }
extension Int32: NumPyElement { public static var numpyType: NumPyElementType { .int32 } }
extension Int64: NumPyElement { public static var numpyType: NumPyElementType { .int64 } }
extension Int: NumPyElement { public static var numpyType: NumPyElementType { .int64 } }
extension UInt8: NumPyElement { public static var numpyType: NumPyElementType { .uint8 } }
extension UInt16: NumPyElement { public static var numpyType: NumPyElementType { .uint16 } }
extension UInt32: NumPyElement { public static var numpyType: NumPyElementType { .uint32 } }
extension UInt64: NumPyElement { public static var numpyType: NumPyElementType { .uint64 } }
extension UInt: NumPyElement { public static var numpyType: NumPyElementType { .uint64 } }
extension Bool: NumPyElement { public static var numpyType: NumPyElementType { .bool } }
