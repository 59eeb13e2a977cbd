/// Encodes any `Encodable` value into the canonical key encoding through its
/// `Codable` conformance.
///
/// Keyed containers are written with the type's name and their fields sorted by
/// key name, so the result does not depend on the order fields were encoded in
/// (a `[String: T]` encodes its keys in per-process hash order). Nested values that
/// are ``CanonicalKeyEncodable`` use their own encoding.
public enum CanonicalCodableEncoder {
    /// Appends the canonical encoding of `value`.
    public static func encode<T: Encodable>(_ value: T, into encoder: inout CanonicalKeyEncoder) throws {
        let root = CanonicalNode()
        let impl = CanonicalEncoderImpl(node: root, codingPath: [], digestThreshold: encoder.digestThreshold)
        try value.encode(to: impl)
        try root.write(typeName: String(reflecting: T.self), into: &encoder)
    }
}

/// The tree a `Codable` value builds before it is written in canonical order.
final class CanonicalNode {
    enum Content {
        case empty
        case encoded([UInt8])
        case keyed([String: CanonicalNode])
        case unkeyed([CanonicalNode])
    }
    var content: Content = .empty

    func write(typeName: String?, into e: inout CanonicalKeyEncoder) throws {
        switch content {
        case .empty:
            // `encode(to:)` that wrote nothing: an empty keyed value.
            e.writeTag(.keyed)
            e.writeString(typeName ?? "")
            e.writeLength(0)
        case .encoded(let bytes):
            if let typeName {
                e.writeTag(.single)
                e.writeString(typeName)
            }
            e.writeEncoded(bytes)
        case .keyed(let fields):
            e.writeTag(.keyed)
            e.writeString(typeName ?? "")
            e.writeLength(fields.count)
            for name in fields.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                e.writeString(name)
                try fields[name]!.write(typeName: nil, into: &e)
            }
        case .unkeyed(let elements):
            e.writeTag(.unkeyed)
            e.writeString(typeName ?? "")
            e.writeLength(elements.count)
            for element in elements { try element.write(typeName: nil, into: &e) }
        }
    }

    func keyedChild(_ key: String) -> CanonicalNode {
        var fields: [String: CanonicalNode]
        if case .keyed(let existing) = content { fields = existing } else { fields = [:] }
        let child = fields[key] ?? CanonicalNode()
        fields[key] = child
        content = .keyed(fields)
        return child
    }

    func appendChild() -> CanonicalNode {
        var elements: [CanonicalNode]
        if case .unkeyed(let existing) = content { elements = existing } else { elements = [] }
        let child = CanonicalNode()
        elements.append(child)
        content = .unkeyed(elements)
        return child
    }

    func unkeyedCount() -> Int {
        if case .unkeyed(let elements) = content { return elements.count }
        return 0
    }
}

struct CanonicalEncoderImpl: Encoder {
    let node: CanonicalNode
    var codingPath: [any CodingKey]
    let digestThreshold: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
        if case .keyed = node.content {} else { node.content = .keyed([:]) }
        return KeyedEncodingContainer(CanonicalKeyedContainer<K>(node: node, codingPath: codingPath, digestThreshold: digestThreshold))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .unkeyed = node.content {} else { node.content = .unkeyed([]) }
        return CanonicalUnkeyedContainer(node: node, codingPath: codingPath, digestThreshold: digestThreshold)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleContainer(node: node, codingPath: codingPath, digestThreshold: digestThreshold)
    }
}

/// Writes one value into a node: canonical types directly, others as a nested tree.
func canonicalEncodeValue<T: Encodable>(
    _ value: T, into node: CanonicalNode, codingPath: [any CodingKey], digestThreshold: Int
) throws {
    if let canonical = value as? any CanonicalKeyEncodable {
        var e = CanonicalKeyEncoder(digestThreshold: digestThreshold)
        try canonical.encodeCanonicalKey(into: &e)
        node.content = .encoded(e.bytes)
        return
    }
    if codingPath.count > 256 {
        throw CacheSerializationError(
            .encoding, serializer: "canonical-key", type: String(reflecting: T.self),
            position: codingPath.map(\.stringValue).joined(separator: "."), reason: "nesting deeper than 256 levels")
    }
    let child = CanonicalNode()
    try value.encode(to: CanonicalEncoderImpl(node: child, codingPath: codingPath, digestThreshold: digestThreshold))
    var e = CanonicalKeyEncoder(digestThreshold: digestThreshold)
    try child.write(typeName: String(reflecting: T.self), into: &e)
    node.content = .encoded(e.bytes)
}

struct CanonicalKeyedContainer<K: CodingKey>: KeyedEncodingContainerProtocol {
    let node: CanonicalNode
    var codingPath: [any CodingKey]
    let digestThreshold: Int

    mutating func encodeNil(forKey key: K) throws {
        node.keyedChild(key.stringValue).content = .encoded([CanonicalTag.none.rawValue])
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws {
        try canonicalEncodeValue(value, into: node.keyedChild(key.stringValue), codingPath: codingPath + [key], digestThreshold: digestThreshold)
    }

    mutating func nestedContainer<NK: CodingKey>(keyedBy keyType: NK.Type, forKey key: K) -> KeyedEncodingContainer<NK> {
        let child = node.keyedChild(key.stringValue)
        child.content = .keyed([:])
        return KeyedEncodingContainer(CanonicalKeyedContainer<NK>(node: child, codingPath: codingPath + [key], digestThreshold: digestThreshold))
    }

    mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer {
        let child = node.keyedChild(key.stringValue)
        child.content = .unkeyed([])
        return CanonicalUnkeyedContainer(node: child, codingPath: codingPath + [key], digestThreshold: digestThreshold)
    }

    mutating func superEncoder() -> any Encoder {
        CanonicalEncoderImpl(node: node.keyedChild("super"), codingPath: codingPath, digestThreshold: digestThreshold)
    }

    mutating func superEncoder(forKey key: K) -> any Encoder {
        CanonicalEncoderImpl(node: node.keyedChild(key.stringValue), codingPath: codingPath + [key], digestThreshold: digestThreshold)
    }
}

struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let node: CanonicalNode
    var codingPath: [any CodingKey]
    let digestThreshold: Int
    var count: Int { node.unkeyedCount() }

    mutating func encodeNil() throws { node.appendChild().content = .encoded([CanonicalTag.none.rawValue]) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try canonicalEncodeValue(value, into: node.appendChild(), codingPath: codingPath, digestThreshold: digestThreshold)
    }

    mutating func nestedContainer<NK: CodingKey>(keyedBy keyType: NK.Type) -> KeyedEncodingContainer<NK> {
        let child = node.appendChild()
        child.content = .keyed([:])
        return KeyedEncodingContainer(CanonicalKeyedContainer<NK>(node: child, codingPath: codingPath, digestThreshold: digestThreshold))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendChild()
        child.content = .unkeyed([])
        return CanonicalUnkeyedContainer(node: child, codingPath: codingPath, digestThreshold: digestThreshold)
    }

    mutating func superEncoder() -> any Encoder {
        CanonicalEncoderImpl(node: node.appendChild(), codingPath: codingPath, digestThreshold: digestThreshold)
    }
}

struct CanonicalSingleContainer: SingleValueEncodingContainer {
    let node: CanonicalNode
    var codingPath: [any CodingKey]
    let digestThreshold: Int

    mutating func encodeNil() throws { node.content = .encoded([CanonicalTag.none.rawValue]) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try canonicalEncodeValue(value, into: node, codingPath: codingPath, digestThreshold: digestThreshold)
    }
}
