#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bytes pass through unchanged: `[UInt8]` values.
public struct RawBytesSerializer: CacheSerializer {
    public init() {}
    public var id: String { "raw-bytes" }
    public var formatVersion: UInt16 { 1 }
    @inlinable public func encode(_ value: [UInt8]) throws -> [UInt8] { value }
    @inlinable public func decode(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] { Array(bytes) }
}

/// `Data` values pass through unchanged.
public struct DataSerializer: CacheSerializer {
    public init() {}
    public var id: String { "raw-data" }
    public var formatVersion: UInt16 { 1 }
    public func encode(_ value: Data) throws -> [UInt8] { [UInt8](value) }
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Data { Data(bytes) }
}

/// A fixed-width number that can be written raw, little-endian.
public protocol RawNumeric: BitwiseCopyable, Sendable {
    /// The NumPy-style type code, e.g. `"f8"` for `Double`.
    static var rawTypeCode: String { get }
}
extension Double: RawNumeric { public static var rawTypeCode: String { "f8" } }
extension Float: RawNumeric { public static var rawTypeCode: String { "f4" } }
extension Int: RawNumeric { public static var rawTypeCode: String { "i8" } }
extension Int8: RawNumeric { public static var rawTypeCode: String { "i1" } }
extension Int16: RawNumeric { public static var rawTypeCode: String { "i2" } }
extension Int32: RawNumeric { public static var rawTypeCode: String { "i4" } }
extension Int64: RawNumeric { public static var rawTypeCode: String { "i8" } }
extension UInt: RawNumeric { public static var rawTypeCode: String { "u8" } }
extension UInt8: RawNumeric { public static var rawTypeCode: String { "u1" } }
extension UInt16: RawNumeric { public static var rawTypeCode: String { "u2" } }
extension UInt32: RawNumeric { public static var rawTypeCode: String { "u4" } }
extension UInt64: RawNumeric { public static var rawTypeCode: String { "u8" } }

/// Contiguous numeric arrays written raw: a one-byte-per-char type code header and
/// the elements' little-endian bytes, copied in one move.
///
/// Only little-endian hosts are supported (every platform Swift ships on).
public struct NumericArraySerializer<Element: RawNumeric>: CacheSerializer {
    public init() {}
    public var id: String { "numeric-array-" + Element.rawTypeCode }
    public var formatVersion: UInt16 { 1 }

    public func encode(_ value: [Element]) throws -> [UInt8] {
        value.withUnsafeBytes { Array($0) }
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> [Element] {
        let stride = MemoryLayout<Element>.stride
        guard bytes.count % stride == 0 else {
            throw CacheSerializationError(
                .decoding, serializer: id, type: "[\(Element.self)]", position: "byte \(bytes.count)",
                reason: "length \(bytes.count) is not a multiple of the element size \(stride)")
        }
        // Not for 0 elements: that would write the count into the shared empty-array object.
        if bytes.isEmpty { return [] }
        return [Element](unsafeUninitializedCapacity: bytes.count / stride) { buffer, initialized in
            if let base = buffer.baseAddress, bytes.count > 0 {
                UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            initialized = bytes.count / stride
        }
    }
}

/// JSON through Foundation's encoder, sorted keys: human-readable, interoperable, slower.
public struct JSONCacheSerializer<Value: Codable>: CacheSerializer {
    public init() {}
    public var id: String { "json" }
    public var formatVersion: UInt16 { 1 }

    public func encode(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return [UInt8](try encoder.encode(value))
        } catch {
            throw CacheSerializationError(.encoding, serializer: id, type: String(reflecting: Value.self), reason: "\(error)")
        }
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw CacheSerializationError(.decoding, serializer: id, type: String(reflecting: Value.self), reason: "\(error)")
        }
    }
}

/// A serializer behind a uniform type, chosen per value type by ``CacheSerializers/default(for:)``.
public struct AnyCacheSerializer<Value>: CacheSerializer {
    public let id: String
    public let formatVersion: UInt16
    private let encodeBody: @Sendable (Value) throws -> [UInt8]
    private let decodeBody: @Sendable (UnsafeRawBufferPointer) throws -> Value

    public init<S: CacheSerializer>(_ serializer: S) where S.Value == Value {
        id = serializer.id
        formatVersion = serializer.formatVersion
        encodeBody = { try serializer.encode($0) }
        decodeBody = { try serializer.decode($0) }
    }

    public func encode(_ value: Value) throws -> [UInt8] { try encodeBody(value) }
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value { try decodeBody(bytes) }
}

/// The built-in serializers.
public enum CacheSerializers {
    /// The serializer persistent stores use unless told otherwise: bytes pass through,
    /// numeric arrays are written raw, anything else `Codable` uses the compact binary format.
    public static func `default`<Value: Codable>(for type: Value.Type = Value.self) -> AnyCacheSerializer<Value> {
        func wrap<S: CacheSerializer>(_ s: S) -> AnyCacheSerializer<Value> {
            // `type` matched S.Value exactly, so the cast cannot fail.
            AnyCacheSerializer<S.Value>(s) as! AnyCacheSerializer<Value>
        }
        switch type {
        case is [UInt8].Type: return wrap(RawBytesSerializer())
        case is Data.Type: return wrap(DataSerializer())
        case is [Double].Type: return wrap(NumericArraySerializer<Double>())
        case is [Float].Type: return wrap(NumericArraySerializer<Float>())
        case is [Int].Type: return wrap(NumericArraySerializer<Int>())
        case is [Int32].Type: return wrap(NumericArraySerializer<Int32>())
        case is [Int64].Type: return wrap(NumericArraySerializer<Int64>())
        case is [UInt32].Type: return wrap(NumericArraySerializer<UInt32>())
        case is [UInt64].Type: return wrap(NumericArraySerializer<UInt64>())
        default: return AnyCacheSerializer(BinaryCodableSerializer<Value>())
        }
    }
}
