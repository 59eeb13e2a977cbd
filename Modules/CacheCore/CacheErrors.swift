/// Errors are typed by concern. Each one says what was wrong and with which
/// input, so a message read in a log is enough to find the cause.

/// A configuration value that cannot work: thrown at construction, never later.
public struct CacheConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting that was wrong, e.g. `"maxSize"`.
    public var setting: String
    /// The offending value, rendered for humans.
    public var value: String
    /// Why it is not acceptable.
    public var reason: String

    public init(setting: String, value: String, reason: String) {
        self.setting = setting
        self.value = value
        self.reason = reason
    }

    public var description: String { "invalid configuration: \(setting) = \(value): \(reason)" }
}

/// A failure reading or writing the storage behind a cache: a file, a database, a socket.
public struct CacheIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. `"open database"`.
    public var operation: String
    /// The path, URL or address involved.
    public var location: String
    /// The underlying reason (errno text, SQLite message, server reply).
    public var reason: String
    /// The numeric code from the underlying layer, when there is one (errno, SQLite result code).
    public var code: Int32?

    public init(operation: String, location: String, reason: String, code: Int32? = nil) {
        self.operation = operation
        self.location = location
        self.reason = reason
        self.code = code
    }

    public var description: String {
        "\(operation) failed at \(location): \(reason)" + (code.map { " (code \($0))" } ?? "")
    }
}

/// A value or key that could not be encoded or decoded.
public struct CacheSerializationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Direction: String, Sendable { case encoding, decoding }
    public var direction: Direction
    /// The serializer or encoder involved, e.g. `"binary-codable"`.
    public var serializer: String
    /// The type being (de)serialized, as `String(reflecting:)` prints it.
    public var type: String
    /// Where in the value, e.g. a coding path `"items[3].name"` or a byte offset.
    public var position: String
    public var reason: String

    public init(_ direction: Direction, serializer: String, type: String, position: String = "", reason: String) {
        self.direction = direction
        self.serializer = serializer
        self.type = type
        self.position = position
        self.reason = reason
    }

    public var description: String {
        let at = position.isEmpty ? "" : " at \(position)"
        return "\(direction.rawValue) \(type) with \(serializer) failed\(at): \(reason)"
    }
}

/// An engine that is not linked or not registered in the registry asked.
public struct CacheEngineUnavailableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var engine: CacheEngineID
    /// The engines that were registered when the request was made.
    public var registered: [CacheEngineID]
    public var reason: String

    public init(engine: CacheEngineID, registered: [CacheEngineID], reason: String = "not registered") {
        self.engine = engine
        self.registered = registered
        self.reason = reason
    }

    public var description: String {
        let list = registered.map(\.rawValue).sorted().joined(separator: ", ")
        return "cache engine '\(engine)' is unavailable (\(reason)); registered: [\(list)]"
    }
}

/// A store refused a single operation for a reason that is not I/O:
/// an item heavier than the whole cache, a full cache with eviction disabled.
public struct CacheStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The item alone weighs more than the cache's `maxSize`; it was not stored.
        case itemTooLarge
        /// The cache is full and its policy forbids eviction.
        case full
        /// The store does not support the requested feature (e.g. per-entry TTL).
        case unsupported
    }
    public var kind: Kind
    /// The key involved, rendered for humans (may be truncated).
    public var key: String
    public var detail: String

    public init(_ kind: Kind, key: String, detail: String) {
        self.kind = kind
        self.key = key
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue) for key \(key): \(detail)" }
}

/// Renders a key for an error message, bounded so a huge key cannot flood a log.
@inlinable
package func cacheDescribeKey<Key>(_ key: Key, limit: Int = 120) -> String {
    let text = String(describing: key)
    return text.count <= limit ? text : String(text.prefix(limit)) + "…"
}
