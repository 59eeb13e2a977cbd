#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// MARK: - Byte writing

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func binaryAppendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value &>>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func binaryAppendVarint128(_ value: UInt128) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value &>>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func binaryAppendSigned(_ value: Int64) {
        append(BinaryFormat.tagInt)
        binaryAppendVarint(UInt64(bitPattern: (value &<< 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func binaryAppendUnsigned(_ value: UInt64) {
        append(BinaryFormat.tagUInt)
        binaryAppendVarint(value)
    }

    mutating func binaryAppendInt128(_ value: Int128) {
        if let small = Int64(exactly: value) { return binaryAppendSigned(small) }
        append(BinaryFormat.tagInt128)
        binaryAppendVarint128(UInt128(bitPattern: (value &<< 1) ^ (value >> 127)))
    }

    mutating func binaryAppendUInt128(_ value: UInt128) {
        if let small = UInt64(exactly: value) { return binaryAppendUnsigned(small) }
        append(BinaryFormat.tagUInt128)
        binaryAppendVarint128(value)
    }

    @inline(__always)
    mutating func binaryAppendBool(_ value: Bool) {
        append(value ? BinaryFormat.tagTrue : BinaryFormat.tagFalse)
    }

    @inline(__always)
    mutating func binaryAppendDouble(_ value: Double) {
        append(BinaryFormat.tagFloat64)
        binaryAppendRaw(value.bitPattern.littleEndian)
    }

    @inline(__always)
    mutating func binaryAppendFloat(_ value: Float) {
        append(BinaryFormat.tagFloat32)
        binaryAppendRaw(value.bitPattern.littleEndian)
    }

    @inline(__always)
    mutating func binaryAppendRaw<I: FixedWidthInteger>(_ littleEndian: I) {
        Swift.withUnsafeBytes(of: littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func binaryAppendString(_ value: String) {
        var value = value
        append(BinaryFormat.tagString)
        value.withUTF8 { utf8 in
            binaryAppendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }

    mutating func binaryAppendBlob(_ bytes: UnsafeRawBufferPointer) {
        append(BinaryFormat.tagBlob)
        binaryAppendVarint(UInt64(bytes.count))
        append(contentsOf: bytes)
    }

    /// A raw numeric array; elements are copied in one go on little-endian hosts.
    mutating func binaryAppendNumericArray<N: BinaryRawNumeric>(_ values: [N]) {
        append(BinaryFormat.tagNumericArray)
        append(N.binaryElementType.rawValue)
        binaryAppendVarint(UInt64(values.count))
        values.withUnsafeBufferPointer { elements in
            #if _endian(little)
            if MemoryLayout<N>.size == N.binaryElementType.width {
                append(contentsOf: UnsafeRawBufferPointer(elements))
                return
            }
            #endif
            reserveCapacity(count + elements.count * N.binaryElementType.width)
            for element in elements { element.binaryAppendLittleEndian(to: &self) }
        }
    }

    /// A raw integer array, narrowed to the smallest element width that holds every element
    /// (`[Int]` of small counts takes 1 byte per element, not 8).
    mutating func binaryAppendIntegerArray<N: BinaryRawNumeric & FixedWidthInteger>(_ values: [N]) {
        guard var low = values.first, N.binaryElementType.width > 1 else { return binaryAppendNumericArray(values) }
        var high = low
        for value in values {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        let target: BinaryElementType
        if low >= 0 {
            target = high <= UInt8.max ? .uint8 : high <= UInt16.max ? .uint16 : high <= UInt32.max ? .uint32 : .uint64
        } else if low >= Int8.min && high <= Int8.max {
            target = .int8
        } else if low >= Int16.min && high <= Int16.max {
            target = .int16
        } else if low >= Int32.min && high <= Int32.max {
            target = .int32
        } else {
            target = .int64
        }
        guard target.width < N.binaryElementType.width else { return binaryAppendNumericArray(values) }
        append(BinaryFormat.tagNumericArray)
        append(target.rawValue)
        binaryAppendVarint(UInt64(values.count))
        let start = count
        let width = target.width
        append(contentsOf: repeatElement(0, count: values.count * width))
        withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                let offset = start + index * width
                switch width {
                case 1: raw.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: offset, as: UInt8.self)
                case 2: raw.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: offset, as: UInt16.self)
                default: raw.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: offset, as: UInt32.self)
                }
            }
        }
    }
}

// MARK: - Public encoder

/// Encodes `Encodable` values into the compact binary-codable format.
///
/// Integers are varints, floating point is fixed-width little-endian, strings are
/// length-prefixed UTF-8, coding keys are interned in a table at the front, and
/// `[UInt8]`, `Data` and arrays of fixed-width numbers are written in one copy.
/// Failures throw ``CacheSerializationError``.
public struct BinaryCodableEncoder: Sendable {
    /// Contextual information exposed to `encode(to:)` as `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// The deepest container nesting accepted; deeper values throw instead of overflowing the stack.
    public var maxDepth: Int

    /// Creates an encoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:], maxDepth: Int = 512) {
        self.userInfo = userInfo
        self.maxDepth = maxDepth
    }

    /// The bytes of `value`; throws ``CacheSerializationError``.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let context = BinaryEncodingContext(userInfo: userInfo, maxDepth: maxDepth)
        defer { context.pool.removeAll() }
        do {
            let root = context.makeNode(parentPath: [], key: nil, depth: 0)
            root.kind = .single
            root.singleWritten = true
            try root.encodeValue(value, key: nil)
            if let error = context.deferredError { throw error }
            root.forceFinalize()

            var out: [UInt8] = []
            out.reserveCapacity(root.buffer.count + 3 + context.keyTableSize)
            out.append(BinaryFormat.magic)
            out.append(BinaryFormat.version)
            out.binaryAppendVarint(UInt64(context.keys.count))
            for (name, intValue) in context.keys {
                var name = name
                name.withUTF8 { utf8 in
                    out.binaryAppendVarint(UInt64(utf8.count) << 1 | (intValue == nil ? 0 : 1))
                    out.append(contentsOf: utf8)
                }
                if let intValue {
                    let wide = Int64(intValue)
                    out.binaryAppendVarint(UInt64(bitPattern: (wide &<< 1) ^ (wide >> 63)))
                }
            }
            out.append(contentsOf: root.buffer)
            return out
        } catch {
            throw CacheSerializationError.binaryWrap(error, .encoding, type: String(reflecting: T.self))
        }
    }
}

// MARK: - Encoding machinery

struct BinaryIntKeyEntry: Hashable {
    var name: String
    var intValue: Int
}

/// State shared by every node of one `encode` call: the key table and a node pool.
final class BinaryEncodingContext {
    let userInfo: [CodingUserInfoKey: Any]
    let maxDepth: Int
    var keyIDs: [String: Int] = [:]
    var intKeyIDs: [BinaryIntKeyEntry: Int] = [:]
    var keys: [(String, Int?)] = []
    var keyTableSize = 0
    var pool: [BinaryEncodingNode] = []
    /// Misuse that cannot throw where it happens (e.g. two kinds of container on one encoder).
    var deferredError: EncodingError?

    init(userInfo: [CodingUserInfoKey: any Sendable], maxDepth: Int) {
        var info: [CodingUserInfoKey: Any] = [:]
        for (key, value) in userInfo { info[key] = value }
        self.userInfo = info
        self.maxDepth = maxDepth
    }

    @inline(__always)
    func keyID<K: CodingKey>(_ key: K) -> Int {
        let name = key.stringValue
        if let intValue = key.intValue {
            let entry = BinaryIntKeyEntry(name: name, intValue: intValue)
            if let id = intKeyIDs[entry] { return id }
            let id = keys.count
            intKeyIDs[entry] = id
            keys.append((name, intValue))
            keyTableSize += name.utf8.count + 12
            return id
        }
        if let id = keyIDs[name] { return id }
        let id = keys.count
        keyIDs[name] = id
        keys.append((name, nil))
        keyTableSize += name.utf8.count + 2
        return id
    }

    func makeNode(parentPath: [any CodingKey], key: (any CodingKey)?, depth: Int) -> BinaryEncodingNode {
        let node = pool.popLast() ?? BinaryEncodingNode(context: self)
        node.path.append(contentsOf: parentPath)
        if let key { node.path.append(key) }
        node.depth = depth
        return node
    }

    func recycle(_ node: BinaryEncodingNode) {
        node.kind = .empty
        node.count = 0
        node.singleWritten = false
        node.buffer.removeAll(keepingCapacity: true)
        node.splices.removeAll(keepingCapacity: true)
        node.path.removeAll(keepingCapacity: true)
        if pool.count < 64 { pool.append(node) }
    }

    func misuse(_ path: [any CodingKey], _ reason: String) {
        if deferredError == nil {
            deferredError = .invalidValue((), .init(codingPath: path, debugDescription: reason))
        }
    }
}

/// One value under construction. It is its own `Encoder`; containers write into `buffer`.
/// Values that may still change (nested containers, escaped encoders) are kept as splices
/// and inserted when they are finished.
final class BinaryEncodingNode: Encoder {
    enum Kind { case empty, single, keyed, unkeyed }

    struct Splice {
        var offset: Int
        var node: BinaryEncodingNode
    }

    let context: BinaryEncodingContext
    var path: [any CodingKey] = []
    var depth = 0
    var kind = Kind.empty
    var count = 0
    var singleWritten = false
    var buffer: [UInt8] = []
    var splices: [Splice] = []

    init(context: BinaryEncodingContext) {
        self.context = context
    }

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    private func claim(_ wanted: Kind) -> Bool {
        if kind == wanted || kind == .empty || (kind == .single && !singleWritten) {
            kind = wanted
            return true
        }
        context.misuse(path, "requested a \(wanted) container from an encoder that already holds a \(kind) value")
        return false
    }

    private func detached() -> BinaryEncodingNode {
        BinaryEncodingNode(context: context)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let target = claim(.keyed) ? self : detached()
        target.kind = .keyed
        return KeyedEncodingContainer(BinaryKeyedEncodingContainer<Key>(node: target))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let target = claim(.unkeyed) ? self : detached()
        target.kind = .unkeyed
        return BinaryUnkeyedEncodingContainer(node: target)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if kind == .empty { kind = .single }
        return BinarySingleValueEncodingContainer(node: self)
    }

    // MARK: Writing values

    @inline(__always)
    func writeKey<K: CodingKey>(_ key: K) {
        buffer.binaryAppendVarint(UInt64(context.keyID(key)))
    }

    /// Writes `value`, using the fast paths for common types.
    func encodeValue<T: Encodable>(_ value: T, key: (any CodingKey)?) throws {
        if T.self == String.self { return buffer.binaryAppendString(binaryCast(value, to: String.self)) }
        if T.self == Int.self { return buffer.binaryAppendSigned(Int64(binaryCast(value, to: Int.self))) }
        if T.self == Double.self { return buffer.binaryAppendDouble(binaryCast(value, to: Double.self)) }
        if T.self == Bool.self { return buffer.binaryAppendBool(binaryCast(value, to: Bool.self)) }
        if T.self == Float.self { return buffer.binaryAppendFloat(binaryCast(value, to: Float.self)) }
        if T.self == Int64.self { return buffer.binaryAppendSigned(binaryCast(value, to: Int64.self)) }
        if T.self == UInt64.self { return buffer.binaryAppendUnsigned(binaryCast(value, to: UInt64.self)) }
        if T.self == Int32.self { return buffer.binaryAppendSigned(Int64(binaryCast(value, to: Int32.self))) }
        if T.self == UInt32.self { return buffer.binaryAppendUnsigned(UInt64(binaryCast(value, to: UInt32.self))) }
        if T.self == UInt.self { return buffer.binaryAppendUnsigned(UInt64(binaryCast(value, to: UInt.self))) }
        if T.self == UInt8.self { return buffer.binaryAppendUnsigned(UInt64(binaryCast(value, to: UInt8.self))) }
        if T.self == Int8.self { return buffer.binaryAppendSigned(Int64(binaryCast(value, to: Int8.self))) }
        if T.self == Int16.self { return buffer.binaryAppendSigned(Int64(binaryCast(value, to: Int16.self))) }
        if T.self == UInt16.self { return buffer.binaryAppendUnsigned(UInt64(binaryCast(value, to: UInt16.self))) }
        if T.self == [UInt8].self {
            return binaryCast(value, to: [UInt8].self).withUnsafeBytes { buffer.binaryAppendBlob($0) }
        }
        if T.self == Data.self {
            return binaryCast(value, to: Data.self).withUnsafeBytes { buffer.binaryAppendBlob($0) }
        }
        if T.self == [Double].self { return buffer.binaryAppendNumericArray(binaryCast(value, to: [Double].self)) }
        if T.self == [Int].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [Int].self)) }
        if T.self == [Float].self { return buffer.binaryAppendNumericArray(binaryCast(value, to: [Float].self)) }
        if T.self == [Int64].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [Int64].self)) }
        if T.self == [UInt64].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [UInt64].self)) }
        if T.self == [Int32].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [Int32].self)) }
        if T.self == [UInt32].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [UInt32].self)) }
        if T.self == [Int16].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [Int16].self)) }
        if T.self == [UInt16].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [UInt16].self)) }
        if T.self == [Int8].self { return buffer.binaryAppendNumericArray(binaryCast(value, to: [Int8].self)) }
        if T.self == [UInt].self { return buffer.binaryAppendIntegerArray(binaryCast(value, to: [UInt].self)) }

        guard depth < context.maxDepth else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: path + (key.map { [$0] } ?? []),
                debugDescription: "nesting is deeper than the limit of \(context.maxDepth)"))
        }
        var child = context.makeNode(parentPath: path, key: key, depth: depth + 1)
        do {
            try value.encode(to: child)
        } catch let error as EncodingError {
            throw error
        } catch {
            // Give errors thrown by user code the coding path where they happened.
            throw EncodingError.invalidValue(value, .init(
                codingPath: child.path, debugDescription: "\(T.self).encode(to:) threw", underlyingError: error))
        }
        absorb(&child)
    }

    /// Appends a finished child now, or records it as a splice when something still holds it.
    func absorb(_ child: inout BinaryEncodingNode) {
        if isKnownUniquelyReferenced(&child), child.finalizeIfPossible() {
            child.appendEncoded(to: &buffer)
            context.recycle(child)
        } else {
            splices.append(Splice(offset: buffer.count, node: child))
        }
    }

    /// Creates a child encoder whose bytes are inserted at the current position later.
    func spliceChild(key: any CodingKey) -> BinaryEncodingNode {
        if depth >= context.maxDepth {
            context.misuse(path + [key], "nesting is deeper than the limit of \(context.maxDepth)")
            return detached()
        }
        let child = context.makeNode(parentPath: path, key: key, depth: depth + 1)
        splices.append(Splice(offset: buffer.count, node: child))
        return child
    }

    /// Inlines every splice if none is still referenced from outside.
    func finalizeIfPossible() -> Bool {
        if splices.isEmpty { return true }
        for index in splices.indices {
            guard isKnownUniquelyReferenced(&splices[index].node), splices[index].node.finalizeIfPossible() else {
                return false
            }
        }
        materialize()
        return true
    }

    /// Inlines every splice regardless of outside references (end of encoding).
    func forceFinalize() {
        if splices.isEmpty { return }
        for splice in splices { splice.node.forceFinalize() }
        materialize()
    }

    private func materialize() {
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count + splices.count * 16)
        var previous = 0
        for splice in splices {
            out.append(contentsOf: buffer[previous..<splice.offset])
            splice.node.appendEncoded(to: &out)
            previous = splice.offset
        }
        out.append(contentsOf: buffer[previous...])
        buffer = out
        splices.removeAll()
    }

    /// Appends this node's value (container header included) to `out`. Requires no splices.
    func appendEncoded(to out: inout [UInt8]) {
        switch kind {
        case .keyed:
            out.append(BinaryFormat.tagKeyed)
            out.binaryAppendVarint(UInt64(buffer.count))
            out.append(contentsOf: buffer)
        case .unkeyed:
            var countSize = 1
            var rest = UInt64(count) >> 7
            while rest != 0 { countSize += 1; rest >>= 7 }
            out.append(BinaryFormat.tagUnkeyed)
            out.binaryAppendVarint(UInt64(buffer.count + countSize))
            out.binaryAppendVarint(UInt64(count))
            out.append(contentsOf: buffer)
        case .single where singleWritten:
            out.append(contentsOf: buffer)
        case .single, .empty:
            // Nothing was encoded: an empty keyed container, as JSONEncoder writes `{}`.
            out.append(BinaryFormat.tagKeyed)
            out.append(0)
        }
    }

    /// Undoes a partially written entry after a throw, so a caught error leaves no garbage.
    @inline(__always)
    func rollback(to mark: Int, splices spliceMark: Int) {
        if buffer.count > mark { buffer.removeSubrange(mark...) }
        if splices.count > spliceMark { splices.removeSubrange(spliceMark...) }
    }
}

// MARK: - Containers

struct BinaryKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: BinaryEncodingNode

    var codingPath: [any CodingKey] { node.path }

    @inline(__always)
    private func entry(_ key: Key) {
        node.count += 1
        node.writeKey(key)
    }

    mutating func encodeNil(forKey key: Key) throws { entry(key); node.buffer.append(BinaryFormat.tagNil) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { entry(key); node.buffer.binaryAppendBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { entry(key); node.buffer.binaryAppendString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { entry(key); node.buffer.binaryAppendDouble(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { entry(key); node.buffer.binaryAppendFloat(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { entry(key); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { entry(key); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { entry(key); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { entry(key); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { entry(key); node.buffer.binaryAppendSigned(value) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { entry(key); node.buffer.binaryAppendInt128(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUnsigned(value) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { entry(key); node.buffer.binaryAppendUInt128(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let mark = node.buffer.count
        let spliceMark = node.splices.count
        entry(key)
        do {
            try node.encodeValue(value, key: key)
        } catch {
            node.rollback(to: mark, splices: spliceMark)
            node.count -= 1
            throw error
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        entry(key)
        return node.spliceChild(key: key).container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        entry(key)
        return node.spliceChild(key: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        node.count += 1
        node.writeKey(BinarySuperKey())
        return node.spliceChild(key: BinarySuperKey())
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        entry(key)
        return node.spliceChild(key: key)
    }
}

struct BinaryUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let node: BinaryEncodingNode

    var codingPath: [any CodingKey] { node.path }
    var count: Int { node.count }

    mutating func encodeNil() throws { node.count += 1; node.buffer.append(BinaryFormat.tagNil) }
    mutating func encode(_ value: Bool) throws { node.count += 1; node.buffer.binaryAppendBool(value) }
    mutating func encode(_ value: String) throws { node.count += 1; node.buffer.binaryAppendString(value) }
    mutating func encode(_ value: Double) throws { node.count += 1; node.buffer.binaryAppendDouble(value) }
    mutating func encode(_ value: Float) throws { node.count += 1; node.buffer.binaryAppendFloat(value) }
    mutating func encode(_ value: Int) throws { node.count += 1; node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int8) throws { node.count += 1; node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int16) throws { node.count += 1; node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int32) throws { node.count += 1; node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int64) throws { node.count += 1; node.buffer.binaryAppendSigned(value) }
    mutating func encode(_ value: Int128) throws { node.count += 1; node.buffer.binaryAppendInt128(value) }
    mutating func encode(_ value: UInt) throws { node.count += 1; node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { node.count += 1; node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { node.count += 1; node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { node.count += 1; node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { node.count += 1; node.buffer.binaryAppendUnsigned(value) }
    mutating func encode(_ value: UInt128) throws { node.count += 1; node.buffer.binaryAppendUInt128(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let mark = node.buffer.count
        let spliceMark = node.splices.count
        let index = node.count
        node.count += 1
        do {
            try node.encodeValue(value, key: BinaryIndexKey(index))
        } catch {
            node.rollback(to: mark, splices: spliceMark)
            node.count -= 1
            throw error
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = node.count
        node.count += 1
        return node.spliceChild(key: BinaryIndexKey(index)).container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = node.count
        node.count += 1
        return node.spliceChild(key: BinaryIndexKey(index)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let index = node.count
        node.count += 1
        return node.spliceChild(key: BinaryIndexKey(index))
    }
}

struct BinarySingleValueEncodingContainer: SingleValueEncodingContainer {
    let node: BinaryEncodingNode

    var codingPath: [any CodingKey] { node.path }

    @inline(__always)
    private func claim(_ value: Any) throws {
        guard node.kind == .single, !node.singleWritten else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: node.path,
                debugDescription: node.kind == .single
                    ? "a single value container was asked to encode a second value"
                    : "a single value container was used on an encoder that already has a container"))
        }
        node.singleWritten = true
    }

    mutating func encodeNil() throws { try claim(()); node.buffer.append(BinaryFormat.tagNil) }
    mutating func encode(_ value: Bool) throws { try claim(value); node.buffer.binaryAppendBool(value) }
    mutating func encode(_ value: String) throws { try claim(value); node.buffer.binaryAppendString(value) }
    mutating func encode(_ value: Double) throws { try claim(value); node.buffer.binaryAppendDouble(value) }
    mutating func encode(_ value: Float) throws { try claim(value); node.buffer.binaryAppendFloat(value) }
    mutating func encode(_ value: Int) throws { try claim(value); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try claim(value); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try claim(value); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try claim(value); node.buffer.binaryAppendSigned(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try claim(value); node.buffer.binaryAppendSigned(value) }
    mutating func encode(_ value: Int128) throws { try claim(value); node.buffer.binaryAppendInt128(value) }
    mutating func encode(_ value: UInt) throws { try claim(value); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try claim(value); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try claim(value); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try claim(value); node.buffer.binaryAppendUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try claim(value); node.buffer.binaryAppendUnsigned(value) }
    mutating func encode(_ value: UInt128) throws { try claim(value); node.buffer.binaryAppendUInt128(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try claim(value)
        do {
            try node.encodeValue(value, key: nil)
        } catch {
            node.rollback(to: 0, splices: 0)
            node.singleWritten = false
            throw error
        }
    }
}
