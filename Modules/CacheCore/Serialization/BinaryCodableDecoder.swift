#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// MARK: - Public decoder

/// Decodes `Decodable` values from the binary-codable format written by ``BinaryCodableEncoder``.
///
/// Arbitrary input is safe: every length is checked against the remaining bytes before
/// anything is allocated, nesting is limited by ``maxDepth``, and every failure throws
/// ``CacheSerializationError`` naming the type, the coding path and the byte offset.
public struct BinaryCodableDecoder: Sendable {
    /// Contextual information exposed to `init(from:)` as `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// The deepest container nesting accepted; deeper input throws instead of overflowing the stack.
    public var maxDepth: Int

    /// Creates a decoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:], maxDepth: Int = 512) {
        self.userInfo = userInfo
        self.maxDepth = maxDepth
    }

    /// The value of type `type` stored in `bytes`; throws ``CacheSerializationError``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let typeName = String(reflecting: T.self)
        func fail(_ offset: Int, _ reason: String) -> CacheSerializationError {
            CacheSerializationError(
                .decoding, serializer: BinaryFormat.serializerID, type: typeName,
                position: "byte \(offset)", reason: reason)
        }
        guard bytes.count >= 3, let base = bytes.baseAddress else {
            throw fail(0, "input of \(bytes.count) bytes is too short for a binary-codable encoding")
        }
        guard bytes[0] == BinaryFormat.magic else {
            throw fail(0, "not a binary-codable encoding (magic byte 0x\(String(bytes[0], radix: 16)), expected 0x\(String(BinaryFormat.magic, radix: 16)))")
        }
        guard bytes[1] == BinaryFormat.version else {
            throw fail(1, "unsupported format version \(bytes[1]) (this decoder reads version \(BinaryFormat.version))")
        }
        let context = BinaryDecodingContext(base: base, count: bytes.count, userInfo: userInfo, maxDepth: maxDepth)
        defer { context.pool.removeAll() }
        do {
            var position = 2
            try context.readKeyTable(&position)
            let root = context.makeNode(pos: position, limit: bytes.count, parentPath: [], key: nil, depth: 0)
            let end = try root.skipValue(at: position, limit: bytes.count)
            guard end == bytes.count else {
                throw root.corrupt("\(bytes.count - end) trailing bytes after the value", at: end)
            }
            if let value = try root.fastDecode(T.self, at: position, limit: bytes.count, key: nil) {
                return value
            }
            return try T(from: root)
        } catch {
            throw CacheSerializationError.binaryWrap(error, .decoding, type: typeName)
        }
    }

    /// The value of type `type` stored in `bytes`; throws ``CacheSerializationError``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }
}

// MARK: - Decoding machinery

/// A number as stored, before conversion to the requested type.
enum BinaryNumber {
    case signed(Int64)
    case unsigned(UInt64)
    case signed128(Int128)
    case unsigned128(UInt128)
    case float(Float)
    case double(Double)

    func integer<I: FixedWidthInteger>(_: I.Type) -> I? {
        switch self {
        case .signed(let v): I(exactly: v)
        case .unsigned(let v): I(exactly: v)
        case .signed128(let v): I(exactly: v)
        case .unsigned128(let v): I(exactly: v)
        case .float, .double: nil
        }
    }

    var isFloatingPoint: Bool {
        switch self {
        case .float, .double: true
        default: false
        }
    }

    var double: Double? {
        switch self {
        case .double(let v): v
        case .float(let v): Double(v)
        case .signed(let v): Double(exactly: v)
        case .unsigned(let v): Double(exactly: v)
        case .signed128(let v): Double(exactly: v)
        case .unsigned128(let v): Double(exactly: v)
        }
    }

    var float: Float? {
        switch self {
        case .float(let v): v
        case .double(let v): v.isNaN ? Float(nan: 0, signaling: false) * (v.sign == .minus ? -1 : 1) : Float(exactly: v)
        case .signed(let v): Float(exactly: v)
        case .unsigned(let v): Float(exactly: v)
        case .signed128(let v): Float(exactly: v)
        case .unsigned128(let v): Float(exactly: v)
        }
    }
}

/// State shared by one `decode` call: the input, the key table and a node pool.
final class BinaryDecodingContext {
    let base: UnsafeRawPointer
    let count: Int
    let userInfo: [CodingUserInfoKey: Any]
    let maxDepth: Int
    var keyNames: [String] = []
    var keyInts: [Int?] = []
    var pool: [BinaryDecodingNode] = []

    init(base: UnsafeRawPointer, count: Int, userInfo: [CodingUserInfoKey: any Sendable], maxDepth: Int) {
        self.base = base
        self.count = count
        var info: [CodingUserInfoKey: Any] = [:]
        for (key, value) in userInfo { info[key] = value }
        self.userInfo = info
        self.maxDepth = maxDepth
    }

    func makeNode(pos: Int, limit: Int, parentPath: [any CodingKey], key: (any CodingKey)?, depth: Int) -> BinaryDecodingNode {
        let node = pool.popLast() ?? BinaryDecodingNode(context: self)
        node.pos = pos
        node.limit = limit
        node.depth = depth
        node.path.append(contentsOf: parentPath)
        if let key { node.path.append(key) }
        return node
    }

    func recycle(_ node: BinaryDecodingNode) {
        node.path.removeAll(keepingCapacity: true)
        node.cursor = -1
        node.misses = 0
        node.index = nil
        node.validatedEnd = -1
        if pool.count < 64 { pool.append(node) }
    }

    func readKeyTable(_ position: inout Int) throws {
        let reader = makeNode(pos: position, limit: count, parentPath: [], key: nil, depth: 0)
        let keyCount = try reader.readVarint(&position, limit: count)
        // Every entry takes at least one byte: a larger count is corrupt, not an allocation request.
        guard keyCount <= UInt64(count - position) else {
            throw reader.corrupt("key table claims \(keyCount) keys in \(count - position) bytes", at: position)
        }
        keyNames.reserveCapacity(Int(keyCount))
        keyInts.reserveCapacity(Int(keyCount))
        for _ in 0..<Int(keyCount) {
            let start = position
            let header = try reader.readVarint(&position, limit: count)
            let length = header >> 1
            guard length <= UInt64(count - position) else {
                throw reader.corrupt("key name of \(length) bytes exceeds the remaining \(count - position)", at: start)
            }
            let name = try reader.readUTF8(at: position, length: Int(length))
            position += Int(length)
            var intValue: Int?
            if header & 1 == 1 {
                let raw = try reader.readVarint(&position, limit: count)
                let wide = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
                guard let narrow = Int(exactly: wide) else {
                    throw reader.corrupt("integer key \(wide) does not fit Int", at: start)
                }
                intValue = narrow
            }
            keyNames.append(name)
            keyInts.append(intValue)
        }
    }
}

/// The decoder for one value at `pos`, bounded by `limit`; also holds keyed-lookup state.
final class BinaryDecodingNode: Decoder {
    let context: BinaryDecodingContext
    var pos = 0
    var limit = 0
    var depth = 0
    var path: [any CodingKey] = []
    /// Keyed lookup: offset of the entry most recently matched (entries are usually read in order).
    var cursor = -1
    var misses = 0
    var index: [String: Int]?
    /// End of the keyed region already validated, to skip revalidation when asked twice.
    var validatedEnd = -1

    init(context: BinaryDecodingContext) {
        self.context = context
    }

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    // MARK: Errors

    func pathWith(_ key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return path }
        return path + [key]
    }

    func corrupt(_ reason: String, at offset: Int, key: (any CodingKey)? = nil) -> DecodingError {
        .dataCorrupted(.init(codingPath: pathWith(key), debugDescription: reason, underlyingError: BinaryBytePosition(offset: offset)))
    }

    func mismatch(_ type: Any.Type, found tag: UInt8, at offset: Int, key: (any CodingKey)?) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: pathWith(key),
            debugDescription: "expected \(type), found \(BinaryFormat.tagName(tag))",
            underlyingError: BinaryBytePosition(offset: offset))
        if tag == BinaryFormat.tagNil { return .valueNotFound(type, context) }
        return .typeMismatch(type, context)
    }

    // MARK: Primitive reads (all bounds-checked against `limit`)

    @inline(__always)
    func byte(at offset: Int, limit: Int) throws -> UInt8 {
        guard offset < limit else { throw corrupt("unexpected end of data", at: offset) }
        return context.base.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func readVarint(_ offset: inout Int, limit: Int) throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < limit else { throw corrupt("truncated varint", at: start) }
            let byte = context.base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            if shift == 63 && byte > 1 { throw corrupt("varint overflows 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    func readVarint128(_ offset: inout Int, limit: Int) throws -> UInt128 {
        let start = offset
        var result: UInt128 = 0
        var shift: UInt128 = 0
        while true {
            guard offset < limit else { throw corrupt("truncated varint", at: start) }
            let byte = context.base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            if shift == 126 && byte > 3 { throw corrupt("varint overflows 128 bits", at: start) }
            result |= UInt128(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A length prefix, checked against the bytes left before `limit`.
    @inline(__always)
    func readLength(_ offset: inout Int, limit: Int) throws -> Int {
        let start = offset
        let length = try readVarint(&offset, limit: limit)
        guard length <= UInt64(limit - offset) else {
            throw corrupt("length \(length) exceeds the \(limit - offset) bytes available", at: start)
        }
        return Int(length)
    }

    @inline(__always)
    func loadLE<I: FixedWidthInteger>(_: I.Type, at offset: Int) -> I {
        I(littleEndian: context.base.loadUnaligned(fromByteOffset: offset, as: I.self))
    }

    func readUTF8(at offset: Int, length: Int) throws -> String {
        let bytes = UnsafeBufferPointer(start: (context.base + offset).assumingMemoryBound(to: UInt8.self), count: length)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw corrupt("string is not valid UTF-8", at: offset)
        }
        return string
    }

    /// The offset just past the value starting at `offset` (headers only; contents are checked when read).
    func skipValue(at offset: Int, limit: Int) throws -> Int {
        let tag = try byte(at: offset, limit: limit)
        var next = offset + 1
        switch tag {
        case BinaryFormat.tagNil, BinaryFormat.tagFalse, BinaryFormat.tagTrue:
            return next
        case BinaryFormat.tagInt, BinaryFormat.tagUInt:
            _ = try readVarint(&next, limit: limit)
            return next
        case BinaryFormat.tagInt128, BinaryFormat.tagUInt128:
            _ = try readVarint128(&next, limit: limit)
            return next
        case BinaryFormat.tagFloat32, BinaryFormat.tagFloat64:
            let width = tag == BinaryFormat.tagFloat32 ? 4 : 8
            guard limit - next >= width else { throw corrupt("truncated floating-point number", at: offset) }
            return next + width
        case BinaryFormat.tagString, BinaryFormat.tagBlob, BinaryFormat.tagKeyed, BinaryFormat.tagUnkeyed:
            let length = try readLength(&next, limit: limit)
            return next + length
        case BinaryFormat.tagNumericArray:
            let (_, count, dataStart) = try numericArrayHeader(at: offset, limit: limit)
            return dataStart + count.bytes
        default:
            throw corrupt("unknown value tag 0x\(String(tag, radix: 16))", at: offset)
        }
    }

    /// Element type, (element count, byte count) and data offset of a numeric array at `offset`.
    func numericArrayHeader(at offset: Int, limit: Int) throws -> (BinaryElementType, (elements: Int, bytes: Int), Int) {
        var next = offset + 1
        let rawType = try byte(at: next, limit: limit)
        guard let type = BinaryElementType(rawValue: rawType) else {
            throw corrupt("unknown numeric array element type \(rawType)", at: next)
        }
        next += 1
        let countStart = next
        let count = try readVarint(&next, limit: limit)
        guard count <= UInt64((limit - next) / type.width) else {
            throw corrupt("numeric array of \(count) elements exceeds the \(limit - next) bytes available", at: countStart)
        }
        return (type, (Int(count), Int(count) * type.width), next)
    }

    /// A number (tagged) at `offset`.
    func readNumber(_ type: Any.Type, at offset: Int, limit: Int, key: (any CodingKey)?) throws -> BinaryNumber {
        let tag = try byte(at: offset, limit: limit)
        var next = offset + 1
        switch tag {
        case BinaryFormat.tagInt:
            let raw = try readVarint(&next, limit: limit)
            return .signed(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
        case BinaryFormat.tagUInt:
            return .unsigned(try readVarint(&next, limit: limit))
        case BinaryFormat.tagInt128:
            let raw = try readVarint128(&next, limit: limit)
            return .signed128(Int128(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
        case BinaryFormat.tagUInt128:
            return .unsigned128(try readVarint128(&next, limit: limit))
        case BinaryFormat.tagFloat32:
            guard limit - next >= 4 else { throw corrupt("truncated Float", at: offset, key: key) }
            return .float(Float(bitPattern: loadLE(UInt32.self, at: next)))
        case BinaryFormat.tagFloat64:
            guard limit - next >= 8 else { throw corrupt("truncated Double", at: offset, key: key) }
            return .double(Double(bitPattern: loadLE(UInt64.self, at: next)))
        default:
            throw mismatch(type, found: tag, at: offset, key: key)
        }
    }

    @inline(__always)
    func decodeInteger<I: FixedWidthInteger>(_: I.Type, at offset: Int, limit: Int, key: (any CodingKey)?) throws -> I {
        // Fast path: small signed varint.
        if offset + 1 < limit, context.base.load(fromByteOffset: offset, as: UInt8.self) == BinaryFormat.tagInt {
            let byte = context.base.load(fromByteOffset: offset + 1, as: UInt8.self)
            if byte & 0x80 == 0 {
                let raw = UInt64(byte)
                if let value = I(exactly: Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))) { return value }
            }
        }
        let number = try readNumber(I.self, at: offset, limit: limit, key: key)
        guard let value = number.integer(I.self) else {
            if number.isFloatingPoint {
                throw mismatch(I.self, found: BinaryFormat.tagFloat64, at: offset, key: key)
            }
            throw corrupt("integer \(number) does not fit \(I.self)", at: offset, key: key)
        }
        return value
    }

    func decodeDouble(at offset: Int, limit: Int, key: (any CodingKey)?) throws -> Double {
        let number = try readNumber(Double.self, at: offset, limit: limit, key: key)
        guard let value = number.double else { throw corrupt("\(number) is not exactly representable as Double", at: offset, key: key) }
        return value
    }

    func decodeFloat(at offset: Int, limit: Int, key: (any CodingKey)?) throws -> Float {
        let number = try readNumber(Float.self, at: offset, limit: limit, key: key)
        guard let value = number.float else { throw corrupt("\(number) is not exactly representable as Float", at: offset, key: key) }
        return value
    }

    func decodeBool(at offset: Int, limit: Int, key: (any CodingKey)?) throws -> Bool {
        let tag = try byte(at: offset, limit: limit)
        switch tag {
        case BinaryFormat.tagTrue: return true
        case BinaryFormat.tagFalse: return false
        default: throw mismatch(Bool.self, found: tag, at: offset, key: key)
        }
    }

    func decodeString(at offset: Int, limit: Int, key: (any CodingKey)?) throws -> String {
        let tag = try byte(at: offset, limit: limit)
        guard tag == BinaryFormat.tagString else { throw mismatch(String.self, found: tag, at: offset, key: key) }
        var next = offset + 1
        let length = try readLength(&next, limit: limit)
        return try readUTF8(at: next, length: length)
    }

    func isNil(at offset: Int, limit: Int) throws -> Bool {
        try byte(at: offset, limit: limit) == BinaryFormat.tagNil
    }

    /// A raw numeric array of exactly `N`'s element type, or nil when stored otherwise.
    func decodeNumericArray<N: BinaryRawNumeric>(_: N.Type, at offset: Int, limit: Int, key: (any CodingKey)?) throws -> [N]? {
        guard try byte(at: offset, limit: limit) == BinaryFormat.tagNumericArray else { return nil }
        let (type, count, dataStart) = try numericArrayHeader(at: offset, limit: limit)
        guard type == N.binaryElementType else {
            // Stored narrower (or as another numeric type): convert element-wise, exactly.
            var result: [N] = []
            result.reserveCapacity(count.elements)
            for index in 0..<count.elements {
                let number = numericElement(type, at: dataStart + index * type.width)
                guard let value = N.binaryConvert(number) else {
                    throw DecodingError.typeMismatch(N.self, .init(
                        codingPath: pathWith(key) + [BinaryIndexKey(index)], debugDescription: "\(number) does not fit \(N.self)",
                        underlyingError: BinaryBytePosition(offset: dataStart + index * type.width)))
                }
                result.append(value)
            }
            return result
        }
        let source = context.base + dataStart
        #if _endian(little)
        // Never with 0 elements: `Array(unsafeUninitializedCapacity: 0)` stores the count into
        // the one empty-array object every empty array shares — a write racing every other
        // thread's read of an empty array (ThreadSanitizer reports it; the value is the same).
        if MemoryLayout<N>.size == type.width && count.elements > 0 {
            return [N](unsafeUninitializedCapacity: count.elements) { buffer, initialized in
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: count.bytes)
                initialized = count.elements
            }
        }
        #endif
        var result: [N] = []
        result.reserveCapacity(count.elements)
        for index in 0..<count.elements {
            result.append(N(binaryBits: numericElementBits(type, at: dataStart + index * type.width)))
        }
        return result
    }

    /// The bits of one raw array element, zero-extended.
    func numericElementBits(_ type: BinaryElementType, at offset: Int) -> UInt64 {
        switch type.width {
        case 1: UInt64(context.base.load(fromByteOffset: offset, as: UInt8.self))
        case 2: UInt64(loadLE(UInt16.self, at: offset))
        case 4: UInt64(loadLE(UInt32.self, at: offset))
        default: loadLE(UInt64.self, at: offset)
        }
    }

    func numericElement(_ type: BinaryElementType, at offset: Int) -> BinaryNumber {
        let bits = numericElementBits(type, at: offset)
        switch type {
        case .int8: return .signed(Int64(Int8(truncatingIfNeeded: bits)))
        case .int16: return .signed(Int64(Int16(truncatingIfNeeded: bits)))
        case .int32: return .signed(Int64(Int32(truncatingIfNeeded: bits)))
        case .int64: return .signed(Int64(bitPattern: bits))
        case .uint8, .uint16, .uint32, .uint64: return .unsigned(bits)
        case .float32: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: return .double(Double(bitPattern: bits))
        }
    }

    func decodeBlob(at offset: Int, limit: Int) throws -> UnsafeRawBufferPointer? {
        guard try byte(at: offset, limit: limit) == BinaryFormat.tagBlob else { return nil }
        var next = offset + 1
        let length = try readLength(&next, limit: limit)
        return UnsafeRawBufferPointer(start: context.base + next, count: length)
    }

    // MARK: Values

    /// Decodes common types without building a decoder; nil when `T` has no fast path
    /// or the bytes are stored in a form the generic path handles.
    @inline(__always)
    func fastDecode<T: Decodable>(_: T.Type, at offset: Int, limit: Int, key: (any CodingKey)?) throws -> T? {
        if T.self == String.self { return binaryCast(try decodeString(at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Int.self { return binaryCast(try decodeInteger(Int.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Double.self { return binaryCast(try decodeDouble(at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Bool.self { return binaryCast(try decodeBool(at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Float.self { return binaryCast(try decodeFloat(at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Int64.self { return binaryCast(try decodeInteger(Int64.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == UInt64.self { return binaryCast(try decodeInteger(UInt64.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Int32.self { return binaryCast(try decodeInteger(Int32.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == UInt32.self { return binaryCast(try decodeInteger(UInt32.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == UInt.self { return binaryCast(try decodeInteger(UInt.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == UInt8.self { return binaryCast(try decodeInteger(UInt8.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Int8.self { return binaryCast(try decodeInteger(Int8.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == Int16.self { return binaryCast(try decodeInteger(Int16.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == UInt16.self { return binaryCast(try decodeInteger(UInt16.self, at: offset, limit: limit, key: key), to: T.self) }
        if T.self == [UInt8].self {
            guard let blob = try decodeBlob(at: offset, limit: limit) else { return nil }
            return binaryCast([UInt8](blob), to: T.self)
        }
        if T.self == Data.self {
            guard let blob = try decodeBlob(at: offset, limit: limit) else { return nil }
            return binaryCast(Data(blob), to: T.self)
        }
        if T.self == [Double].self { return try decodeNumericArray(Double.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Int].self { return try decodeNumericArray(Int.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Float].self { return try decodeNumericArray(Float.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Int64].self { return try decodeNumericArray(Int64.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [UInt64].self { return try decodeNumericArray(UInt64.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Int32].self { return try decodeNumericArray(Int32.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [UInt32].self { return try decodeNumericArray(UInt32.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Int16].self { return try decodeNumericArray(Int16.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [UInt16].self { return try decodeNumericArray(UInt16.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [Int8].self { return try decodeNumericArray(Int8.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        if T.self == [UInt].self { return try decodeNumericArray(UInt.self, at: offset, limit: limit, key: key).map { binaryCast($0, to: T.self) } }
        return nil
    }

    /// Decodes a value at `offset` (ending by `limit`) as a child of this node.
    func decodeValue<T: Decodable>(_ type: T.Type, at offset: Int, limit: Int, key: (any CodingKey)?) throws -> T {
        if let value = try fastDecode(T.self, at: offset, limit: limit, key: key) { return value }
        var child = try makeChild(at: offset, limit: limit, key: key)
        let value: T
        do {
            value = try T(from: child)
        } catch let error as DecodingError {
            throw error
        } catch {
            // Give errors thrown by user code the coding path where they happened.
            throw DecodingError.dataCorrupted(.init(
                codingPath: child.path, debugDescription: "\(T.self).init(from:) threw", underlyingError: error))
        }
        if isKnownUniquelyReferenced(&child) { context.recycle(child) }
        return value
    }

    func makeChild(at offset: Int, limit: Int, key: (any CodingKey)?) throws -> BinaryDecodingNode {
        guard depth < context.maxDepth else {
            throw corrupt("nesting is deeper than the limit of \(context.maxDepth)", at: offset, key: key)
        }
        return context.makeNode(pos: offset, limit: limit, parentPath: path, key: key, depth: depth + 1)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let tag = try byte(at: pos, limit: limit)
        guard tag == BinaryFormat.tagKeyed else {
            throw mismatch(KeyedDecodingContainer<Key>.self, found: tag, at: pos, key: nil)
        }
        var next = pos + 1
        let length = try readLength(&next, limit: limit)
        let end = next + length
        if validatedEnd != end {
            // Validate every entry header once so lookups cannot meet malformed data.
            var offset = next
            let keyCount = UInt64(context.keyNames.count)
            while offset < end {
                let entryStart = offset
                let id = try readVarint(&offset, limit: end)
                guard id < keyCount else {
                    throw corrupt("key index \(id) is outside the key table of \(keyCount) keys", at: entryStart)
                }
                offset = try skipValue(at: offset, limit: end)
            }
            validatedEnd = end
        }
        return KeyedDecodingContainer(BinaryKeyedDecodingContainer<Key>(node: self, start: next, end: end))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecodingContainer(node: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecodingContainer(node: self)
    }

    // MARK: Keyed lookup

    struct Entry {
        var id: Int
        var value: Int
        var end: Int
    }

    /// The entry at `offset` of a validated keyed region.
    @inline(__always)
    func entry(at offset: Int, end: Int) -> Entry? {
        var next = offset
        guard let id = try? readVarint(&next, limit: end), let valueEnd = try? skipValue(at: next, limit: end) else {
            return nil
        }
        return Entry(id: Int(id), value: next, end: valueEnd)
    }

    /// Finds `name` in the keyed region `start..<end`; tries the entries at and after the
    /// last match first, since synthesized code reads keys in the order they were written.
    func find(_ name: String, start: Int, end: Int) -> Entry? {
        if cursor < start || cursor >= end { cursor = start }
        if let current = entry(at: cursor, end: end) {
            if context.keyNames[current.id] == name { return current }
            if current.end < end, let next = entry(at: current.end, end: end), context.keyNames[next.id] == name {
                cursor = current.end
                return next
            }
        }
        misses += 1
        if misses > 4 {
            if index == nil {
                var built: [String: Int] = [:]
                var offset = start
                while offset < end, let found = entry(at: offset, end: end) {
                    let entryName = context.keyNames[found.id]
                    if built[entryName] == nil { built[entryName] = offset }
                    offset = found.end
                }
                index = built
            }
            guard let offset = index?[name], let found = entry(at: offset, end: end) else { return nil }
            cursor = offset
            return found
        }
        var offset = start
        while offset < end, let found = entry(at: offset, end: end) {
            if context.keyNames[found.id] == name {
                cursor = offset
                return found
            }
            offset = found.end
        }
        return nil
    }
}

// MARK: - Containers

struct BinaryKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: BinaryDecodingNode
    let start: Int
    let end: Int

    var codingPath: [any CodingKey] { node.path }

    var allKeys: [Key] {
        var keys: [Key] = []
        var offset = start
        while offset < end, let found = node.entry(at: offset, end: end) {
            let name = node.context.keyNames[found.id]
            if let key = Key(stringValue: name) {
                keys.append(key)
            } else if let intValue = node.context.keyInts[found.id], let key = Key(intValue: intValue) {
                keys.append(key)
            }
            offset = found.end
        }
        return keys
    }

    func contains(_ key: Key) -> Bool {
        node.find(key.stringValue, start: start, end: end) != nil
    }

    @inline(__always)
    private func lookup(_ key: Key) throws -> BinaryDecodingNode.Entry {
        guard let found = node.find(key.stringValue, start: start, end: end) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: node.path, debugDescription: "no value for key '\(key.stringValue)'",
                underlyingError: BinaryBytePosition(offset: start)))
        }
        return found
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let found = try lookup(key)
        return try node.isNil(at: found.value, limit: found.end)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let found = try lookup(key)
        return try node.decodeBool(at: found.value, limit: found.end, key: key)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let found = try lookup(key)
        return try node.decodeString(at: found.value, limit: found.end, key: key)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let found = try lookup(key)
        return try node.decodeDouble(at: found.value, limit: found.end, key: key)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let found = try lookup(key)
        return try node.decodeFloat(at: found.value, limit: found.end, key: key)
    }

    @inline(__always)
    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        let found = try lookup(key)
        return try node.decodeInteger(I.self, at: found.value, limit: found.end, key: key)
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try integer(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let found = try lookup(key)
        return try node.decodeValue(T.self, at: found.value, limit: found.end, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let found = try lookup(key)
        return try node.makeChild(at: found.value, limit: found.end, key: key).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let found = try lookup(key)
        return try node.makeChild(at: found.value, limit: found.end, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = BinarySuperKey()
        guard let found = node.find(key.stringValue, start: start, end: end) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: node.path, debugDescription: "no value for key 'super'",
                underlyingError: BinaryBytePosition(offset: start)))
        }
        return try node.makeChild(at: found.value, limit: found.end, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let found = try lookup(key)
        return try node.makeChild(at: found.value, limit: found.end, key: key)
    }
}

struct BinaryUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let node: BinaryDecodingNode
    /// nil for tagged elements; the element type of a raw numeric array or blob.
    let elementType: BinaryElementType?
    let count: Int?
    var currentIndex = 0
    /// Offset of the next tagged element, or the data start of a raw array.
    var offset: Int
    let end: Int

    init(node: BinaryDecodingNode) throws {
        self.node = node
        let tag = try node.byte(at: node.pos, limit: node.limit)
        var next = node.pos + 1
        switch tag {
        case BinaryFormat.tagUnkeyed:
            let length = try node.readLength(&next, limit: node.limit)
            end = next + length
            let countStart = next
            let elements = try node.readVarint(&next, limit: end)
            // Every element takes at least one byte.
            guard elements <= UInt64(end - next) else {
                throw node.corrupt("unkeyed container claims \(elements) elements in \(end - next) bytes", at: countStart)
            }
            count = Int(elements)
            elementType = nil
        case BinaryFormat.tagNumericArray:
            let (type, size, dataStart) = try node.numericArrayHeader(at: node.pos, limit: node.limit)
            next = dataStart
            end = dataStart + size.bytes
            count = size.elements
            elementType = type
        case BinaryFormat.tagBlob:
            let length = try node.readLength(&next, limit: node.limit)
            end = next + length
            count = length
            elementType = .uint8
        default:
            throw node.mismatch([Any].self, found: tag, at: node.pos, key: nil)
        }
        offset = next
    }

    var codingPath: [any CodingKey] { node.path }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var indexKey: BinaryIndexKey { BinaryIndexKey(currentIndex) }

    private func atEnd(_ type: Any.Type) -> DecodingError {
        .valueNotFound(type, .init(
            codingPath: node.path + [indexKey], debugDescription: "unkeyed container is at end",
            underlyingError: BinaryBytePosition(offset: offset)))
    }

    /// The next tagged element's extent; throws at the end or for raw arrays.
    private func nextElement(_ type: Any.Type) throws -> (value: Int, end: Int) {
        guard !isAtEnd else { throw atEnd(type) }
        if elementType != nil {
            throw DecodingError.typeMismatch(type, .init(
                codingPath: node.path + [indexKey],
                debugDescription: "expected \(type), found an element of a raw numeric array",
                underlyingError: BinaryBytePosition(offset: offset)))
        }
        return (offset, try node.skipValue(at: offset, limit: end))
    }

    /// Reads the next element as a number, from a tagged element or a raw array.
    private mutating func nextNumber(_ type: Any.Type) throws -> (BinaryNumber, Int) {
        if let elementType {
            guard !isAtEnd else { throw atEnd(type) }
            let at = offset
            let number = node.numericElement(elementType, at: offset)
            offset += elementType.width
            currentIndex += 1
            return (number, at)
        }
        let element = try nextElement(type)
        let number = try node.readNumber(type, at: element.value, limit: element.end, key: indexKey)
        offset = element.end
        currentIndex += 1
        return (number, element.value)
    }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        if elementType == nil, !isAtEnd {
            let element = try nextElement(type)
            let value = try node.decodeInteger(I.self, at: element.value, limit: element.end, key: indexKey)
            offset = element.end
            currentIndex += 1
            return value
        }
        let key = indexKey
        let (number, at) = try nextNumber(type)
        guard let value = number.integer(I.self) else {
            throw DecodingError.typeMismatch(type, .init(
                codingPath: node.path + [key], debugDescription: "\(number) does not fit \(I.self)",
                underlyingError: BinaryBytePosition(offset: at)))
        }
        return value
    }

    mutating func decodeNil() throws -> Bool {
        if elementType != nil {
            // Raw numeric elements are never nil.
            guard !isAtEnd else { throw atEnd(Never.self) }
            return false
        }
        let element = try nextElement(Never.self)
        guard try node.isNil(at: element.value, limit: element.end) else { return false }
        offset = element.end
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let element = try nextElement(type)
        let value = try node.decodeBool(at: element.value, limit: element.end, key: indexKey)
        offset = element.end
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let element = try nextElement(type)
        let value = try node.decodeString(at: element.value, limit: element.end, key: indexKey)
        offset = element.end
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let key = indexKey
        let (number, at) = try nextNumber(type)
        guard let value = number.double else {
            throw node.corrupt("\(number) is not exactly representable as Double", at: at, key: key)
        }
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let key = indexKey
        let (number, at) = try nextNumber(type)
        guard let value = number.float else {
            throw node.corrupt("\(number) is not exactly representable as Float", at: at, key: key)
        }
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if elementType != nil {
            if T.self == Int.self { return binaryCast(try integer(Int.self), to: T.self) }
            if T.self == UInt8.self { return binaryCast(try integer(UInt8.self), to: T.self) }
            if T.self == Double.self { return binaryCast(try decode(Double.self), to: T.self) }
            if T.self == Float.self { return binaryCast(try decode(Float.self), to: T.self) }
            if T.self == Int64.self { return binaryCast(try integer(Int64.self), to: T.self) }
            if T.self == UInt64.self { return binaryCast(try integer(UInt64.self), to: T.self) }
            if T.self == Int32.self { return binaryCast(try integer(Int32.self), to: T.self) }
            if T.self == UInt32.self { return binaryCast(try integer(UInt32.self), to: T.self) }
            if T.self == Int16.self { return binaryCast(try integer(Int16.self), to: T.self) }
            if T.self == UInt16.self { return binaryCast(try integer(UInt16.self), to: T.self) }
            if T.self == Int8.self { return binaryCast(try integer(Int8.self), to: T.self) }
            if T.self == UInt.self { return binaryCast(try integer(UInt.self), to: T.self) }
        }
        let element = try nextElement(type)
        let value = try node.decodeValue(T.self, at: element.value, limit: element.end, key: indexKey)
        offset = element.end
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let element = try nextElement(KeyedDecodingContainer<NestedKey>.self)
        let container = try node.makeChild(at: element.value, limit: element.end, key: indexKey).container(keyedBy: NestedKey.self)
        offset = element.end
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let element = try nextElement((any UnkeyedDecodingContainer).self)
        let container = try node.makeChild(at: element.value, limit: element.end, key: indexKey).unkeyedContainer()
        offset = element.end
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let element = try nextElement((any Decoder).self)
        let decoder = try node.makeChild(at: element.value, limit: element.end, key: indexKey)
        offset = element.end
        currentIndex += 1
        return decoder
    }
}

struct BinarySingleValueDecodingContainer: SingleValueDecodingContainer {
    let node: BinaryDecodingNode

    var codingPath: [any CodingKey] { node.path }

    func decodeNil() -> Bool { (try? node.isNil(at: node.pos, limit: node.limit)) ?? false }
    func decode(_ type: Bool.Type) throws -> Bool { try node.decodeBool(at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: String.Type) throws -> String { try node.decodeString(at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Double.Type) throws -> Double { try node.decodeDouble(at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Float.Type) throws -> Float { try node.decodeFloat(at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int.Type) throws -> Int { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: Int128.Type) throws -> Int128 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try node.decodeInteger(type, at: node.pos, limit: node.limit, key: nil) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try node.decodeValue(T.self, at: node.pos, limit: node.limit, key: nil)
    }
}
