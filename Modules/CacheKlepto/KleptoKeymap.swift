import CacheCore

/// How a ``KleptoCache`` turns a key into the key its archive stores (klepto's keymaps).
///
/// The input is a ``CacheKey`` — a namespace and the canonical, type-tagged encoding of
/// the arguments (``CanonicalKeyEncoder``) — and so is the output; the namespace is kept.
/// - ``Encoding-swift.enum/hashing`` (the default): the XXH3-128 digest of the arguments —
///   fixed-size keys, collision odds 2⁻¹²⁸ per pair.
/// - ``Encoding-swift.enum/canonical``: the full canonical encoding.
/// - ``Encoding-swift.enum/string``: the canonical text form, type-tagged
///   (`(int:1, string:"a", double:0.5)`) — for archives a person reads.
///
/// Before encoding, arguments at ``ignoredPositions`` are dropped (so `f(x, verbose)` with
/// position 1 ignored shares one entry for every `verbose`) and, with a ``tolerance``,
/// every `Double` and `Float` anywhere in the arguments — nested in arrays, optionals,
/// dictionaries, `Codable` structs — is rounded half to even to a multiple of it: with
/// `tolerance: 0.001`, `1.0001` and `1.0002` share an entry, `1.0004` and `1.0006` do not;
/// `-0.0` and `0.0` share one, every NaN shares one.
///
/// Use one keymap per archive: keys made by different keymaps never match.
/// An argument longer than the key encoder's digest threshold is already a digest in the
/// ``CacheKey`` and is not rounded; keys a ``KleptoCache`` makes from `Encodable` keys are
/// encoded whole, so this happens only for ``CacheKey``s made elsewhere.
public struct KleptoKeymap: Sendable, Hashable, CustomStringConvertible {
    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        case hashing, canonical, string
    }

    public let encoding: Encoding
    /// The rounding granularity for floating-point arguments, or `nil` for none.
    public let tolerance: Double?
    /// Zero-based positions of top-level arguments left out of the key.
    public let ignoredPositions: Set<Int>

    /// - Throws: ``CacheConfigurationError`` for a tolerance that is not finite and
    ///   positive, or a negative position.
    public init(_ encoding: Encoding = .hashing, tolerance: Double? = nil, ignoring positions: Set<Int> = []) throws(CacheConfigurationError) {
        if let tolerance, !(tolerance.isFinite && tolerance > 0) {
            throw CacheConfigurationError(setting: "tolerance", value: "\(tolerance)", reason: "must be finite and greater than 0")
        }
        if let bad = positions.first(where: { $0 < 0 }) {
            throw CacheConfigurationError(setting: "ignoring", value: "\(bad)", reason: "argument positions start at 0")
        }
        self.encoding = encoding
        self.tolerance = tolerance
        self.ignoredPositions = positions
    }

    private init(uncheckedEncoding encoding: Encoding) {
        self.encoding = encoding
        tolerance = nil
        ignoredPositions = []
    }

    /// The digest keymap, the default.
    public static let hashing = KleptoKeymap(uncheckedEncoding: .hashing)
    /// The full canonical encoding.
    public static let canonical = KleptoKeymap(uncheckedEncoding: .canonical)
    /// The type-tagged canonical text.
    public static let string = KleptoKeymap(uncheckedEncoding: .string)

    /// The first byte of a hashing keymap's arguments (then 16 digest bytes).
    static let hashMarker: UInt8 = 0xD1

    public var description: String {
        var s = encoding.rawValue
        if let tolerance { s += " tol=\(tolerance)" }
        if !ignoredPositions.isEmpty { s += " ignoring=\(ignoredPositions.sorted())" }
        return s
    }

    var transforms: Bool { tolerance != nil || !ignoredPositions.isEmpty }

    /// The archive's key for `key`.
    /// - Throws: ``CacheSerializationError`` when the key's arguments are not a canonical
    ///   encoding and the keymap needs to read them (tolerance, ignored positions, string).
    /// - Complexity: O(key size).
    public func archiveKey(for key: CacheKey) throws -> CacheKey {
        var arguments = key.encodedArguments
        if transforms || encoding == .string {
            guard var tree = KleptoKeyTree(parsing: arguments) else {
                throw CacheSerializationError(.encoding, serializer: "klepto-keymap", type: "CacheKey",
                                              reason: "the key's arguments are not a canonical encoding: \(key)")
            }
            if !ignoredPositions.isEmpty, case .arguments(let items) = tree {
                tree = .arguments(items.enumerated().filter { !ignoredPositions.contains($0.offset) }.map(\.element))
            }
            if let tolerance { tree = tree.rounded(to: tolerance) }
            if encoding == .string { return CacheKey(namespace: key.namespace, encodedArguments: Array(tree.text().utf8)) }
            arguments = tree.encoded()
        }
        switch encoding {
        case .canonical, .string: return CacheKey(namespace: key.namespace, encodedArguments: arguments)
        case .hashing:
            return CacheKey(namespace: key.namespace, encodedArguments: [Self.hashMarker] + CacheHash.digest(arguments).bytes)
        }
    }

    /// A readable rendering of an archive key: the text of a string or canonical key, the
    /// digest's hex of a hashing key.
    public static func describe(_ key: CacheKey) -> String {
        let args = key.encodedArguments
        if args.count == 17, args.first == hashMarker { return key.namespace + ":#" + Array(args.dropFirst()).kleptoHex }
        if let tree = KleptoKeyTree(parsing: args) { return key.namespace + ":" + tree.text() }
        if args.first == UInt8(ascii: "("), let text = String(validating: args, as: UTF8.self) { return key.namespace + ":" + text }
        return key.description
    }
}
