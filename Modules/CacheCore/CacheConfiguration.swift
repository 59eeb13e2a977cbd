/// Which entry a bounded cache gives up when it is full.
public enum EvictionPolicy: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Least recently used.
    case lru
    /// Least frequently used; ties go to the key that reached its count first (cachetools).
    case lfu
    /// First in, first out (insertion order; a hit does not refresh).
    case fifo
    /// Random replacement (seedable).
    case rr
    /// Most recently used.
    case mru
    /// LRU with one time to live for every entry.
    case ttl
    /// Time-aware LRU: a per-item time to use.
    case tlru

    /// Parses a policy name (case-insensitive), throwing a typed error naming the bad value.
    public init(parsing text: String) throws(CacheConfigurationError) {
        guard let policy = EvictionPolicy(rawValue: text.lowercased()) else {
            throw CacheConfigurationError(
                setting: "policy", value: "'\(text)'",
                reason: "unknown policy; expected one of \(EvictionPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = policy
    }

    public var description: String { rawValue }
}

/// Engine-agnostic settings a registry factory turns into a store.
/// Invalid values fail at construction (``validated()``), never later.
public struct CacheConfiguration: Sendable, Hashable, Codable {
    /// The bound: entries, or bytes for weighted stores. `nil` = unbounded.
    public var maxSize: Int?
    public var policy: EvictionPolicy
    /// Default time to live for entries.
    public var ttl: Duration?
    /// Where a persistent engine keeps its files.
    public var directory: String?
    /// A stable name separating this cache's keys from others in a shared store. Engines
    /// apply it to keys once, with ``CacheKey/scoped(in:)`` (a key that already carries it
    /// is kept as it is), and their stores' `count` and `removeAll()` cover only it.
    public var namespace: String?
    /// Engine-specific settings (e.g. `"url"` for Redis, `"shards"` for a fanout disk cache).
    public var options: [String: String]

    /// Creates and validates a configuration.
    public init(
        maxSize: Int? = nil, policy: EvictionPolicy = .lru, ttl: Duration? = nil,
        directory: String? = nil, namespace: String? = nil, options: [String: String] = [:]
    ) throws(CacheConfigurationError) {
        self.maxSize = maxSize
        self.policy = policy
        self.ttl = ttl
        self.directory = directory
        self.namespace = namespace
        self.options = options
        try validate()
    }

    /// This configuration with another namespace.
    public func replacing(namespace: String?) -> CacheConfiguration {
        var copy = self
        copy.namespace = namespace
        return copy
    }

    /// This configuration with another directory, validated.
    public func replacing(directory: String?) throws(CacheConfigurationError) -> CacheConfiguration {
        var copy = self
        copy.directory = directory
        try copy.validate()
        return copy
    }

    /// Checks every field, throwing the first problem found.
    public func validate() throws(CacheConfigurationError) {
        if let maxSize { try CacheConfiguration.checkSize(maxSize, setting: "maxSize") }
        if let ttl { try CacheConfiguration.checkTTL(ttl, setting: "ttl") }
        if let directory, directory.isEmpty {
            throw CacheConfigurationError(setting: "directory", value: "''", reason: "must not be empty")
        }
    }

    /// Throws for the first option (in name order) not in `known`: an engine never ignores
    /// a setting it does not understand.
    public func rejectUnknownOptions(known: Set<String>, engine: CacheEngineID) throws(CacheConfigurationError) {
        if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
            let list = known.isEmpty ? "it takes no options" : "known: " + known.sorted().joined(separator: ", ")
            throw CacheConfigurationError(setting: "options.\(unknown)", value: options[unknown] ?? "",
                                          reason: "unknown \(engine) option; \(list)")
        }
    }

    /// Throws unless `value` is ≥ 0.
    public static func checkSize(_ value: Int, setting: String) throws(CacheConfigurationError) {
        if value < 0 { throw CacheConfigurationError(setting: setting, value: "\(value)", reason: "must be ≥ 0") }
    }

    /// Throws unless `ttl` is > 0.
    public static func checkTTL(_ ttl: Duration, setting: String) throws(CacheConfigurationError) {
        if ttl <= .zero { throw CacheConfigurationError(setting: setting, value: "\(ttl)", reason: "must be > 0") }
    }
}
