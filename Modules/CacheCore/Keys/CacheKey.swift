/// The key of an entry that outlives the process: a namespace (the function's
/// stable name plus an optional version) and the canonical encoding of the arguments.
///
/// Equal arguments give equal keys in every process and on every machine of the
/// same byte order; see ``CanonicalKeyEncoder`` for the rules. The namespace is chosen
/// by the user: never derive it from `#line` or `#fileID`, which move when code moves.
public struct CacheKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `name` or `name@version`.
    public let namespace: String
    /// The canonical encoding of the arguments.
    public let encodedArguments: [UInt8]

    /// A key from an already-encoded argument list.
    public init(namespace: String, encodedArguments: [UInt8]) {
        self.namespace = namespace
        self.encodedArguments = encodedArguments
    }

    /// The key of calling the function `name` (at `version`) with `arguments`.
    ///
    /// Arguments whose encoding is longer than `digestThreshold` bytes are replaced by
    /// their XXH3-128 digest plus type and size.
    /// - Complexity: O(total size of the arguments).
    public init<each A: Encodable>(
        name: String, version: String? = nil,
        digestThreshold: Int = CanonicalKeyEncoder.defaultDigestThreshold,
        arguments: repeat each A
    ) throws {
        self.namespace = CacheKey.namespace(name: name, version: version)
        self.encodedArguments = try CanonicalKeyEncoder.encodeArguments(repeat each arguments, digestThreshold: digestThreshold)
    }

    /// Hashes the namespace and the argument bytes as one block each (the synthesized
    /// conformance would feed the hasher one byte at a time).
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(encodedArguments.count)
        encodedArguments.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// `name`, or `name@version` when a version is given.
    public static func namespace(name: String, version: String?) -> String {
        guard let version, !version.isEmpty else { return name }
        return name + "@" + version
    }

    /// The full persisted form: the namespace's UTF-8 length (LEB128), the namespace,
    /// then the encoded arguments. Stores that keep whole keys store these bytes.
    public var storageBytes: [UInt8] {
        var encoder = CanonicalKeyEncoder()
        encoder.writeString(namespace)
        encoder.writeEncoded(encodedArguments)
        return encoder.bytes
    }

    /// Parses ``storageBytes`` back into a key, or `nil` for malformed bytes.
    public init?(storageBytes bytes: [UInt8]) {
        var length = 0, shift = 0, index = 0
        while true {
            guard index < bytes.count, shift < 63 else { return nil }
            let byte = bytes[index]
            index += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length >= 0, length <= bytes.count - index else { return nil }
        guard let namespace = String(validating: bytes[index..<(index + length)], as: UTF8.self) else { return nil }
        self.namespace = namespace
        self.encodedArguments = Array(bytes[(index + length)...])
    }

    /// XXH3-128 of ``storageBytes``: for file names, sharding and compact indexes.
    public var digest: Hash128 { CacheHash.digest(storageBytes) }

    /// The namespace and the arguments in hex, e.g. `fib@1:43010110…`.
    public var description: String {
        let hex = encodedArguments.prefix(48).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        return "\(namespace):\(hex)\(encodedArguments.count > 48 ? "…" : "")"
    }

    public static func < (a: CacheKey, b: CacheKey) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.encodedArguments.lexicographicallyPrecedes(b.encodedArguments)
    }
}

/// An in-memory key made of several `Hashable` arguments: the key type of memoized
/// functions of more than one argument.
public struct ArgumentsKey<each A: Hashable & Sendable>: Hashable, Sendable {
    public let values: (repeat each A)

    @inlinable
    public init(_ values: repeat each A) { self.values = (repeat each values) }

    @inlinable
    public static func == (lhs: Self, rhs: Self) -> Bool {
        var equal = true
        repeat (equal = equal && (each lhs.values) == (each rhs.values))
        return equal
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        repeat hasher.combine(each values)
    }
}
