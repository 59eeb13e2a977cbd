import CacheCore

/// One engine and the configuration to make its store with.
public struct EngineChoice: Sendable, Hashable, Codable, CustomStringConvertible {
    public var engine: CacheEngineID
    public var configuration: CacheConfiguration

    public init(_ engine: CacheEngineID, configuration: CacheConfiguration) {
        self.engine = engine
        self.configuration = configuration
    }

    public var description: String {
        var parts: [String] = []
        if let maxSize = configuration.maxSize { parts.append("maxSize=\(maxSize)") }
        parts.append("policy=\(configuration.policy)")
        if let ttl = configuration.ttl { parts.append("ttl=\(ttl)") }
        // Option values may be URLs with credentials (CacheRedis's `url`): never show a password.
        for (k, v) in configuration.options.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(CredentialRedaction.redact(v))") }
        return "\(engine) (\(parts.joined(separator: ", ")))"
    }
}

/// What an analyzer answers: an engine with its configuration, why, the engines to try
/// in order when that one is not usable, and the capabilities any other registered engine
/// must have to stand in for them.
public struct Recommendation: Sendable, Hashable {
    public var choice: EngineChoice
    public var reason: String
    public var alternatives: [EngineChoice]
    /// What the rule needs of an engine. When neither ``choice`` nor an alternative is usable,
    /// the chain tries every registered engine that declares all of these (family engines
    /// first, then the others by id) before asking the next analyzer. Empty: no substitutes.
    public var capabilities: CacheStoreCapabilities

    public init(_ choice: EngineChoice, reason: String, alternatives: [EngineChoice] = [],
                capabilities: CacheStoreCapabilities = []) {
        self.choice = choice
        self.reason = reason
        self.alternatives = alternatives
        self.capabilities = capabilities
    }

    /// A recommendation whose alternatives (and substitutes) share the main choice's configuration.
    public init(
        engine: CacheEngineID, configuration: CacheConfiguration, reason: String, alternatives: [CacheEngineID] = [],
        capabilities: CacheStoreCapabilities = []
    ) {
        self.init(EngineChoice(engine, configuration: configuration), reason: reason,
                  alternatives: alternatives.map { EngineChoice($0, configuration: configuration) },
                  capabilities: capabilities)
    }
}

/// A rule of the strategy chain: it looks at a ``DataDescription`` and recommends an
/// engine, or passes (returns `nil`) so that lower-priority analyzers decide.
///
/// Analyzers run outside any lock and may be called from several threads at once.
/// One that throws is skipped (the explanation records the error).
public protocol TypeAnalyzer: Sendable {
    /// A unique, stable name (``StrategyChain/remove(named:)`` uses it).
    var name: String { get }
    /// Higher priorities are asked first.
    var priority: Int { get }
    func analyze(_ description: DataDescription) throws -> Recommendation?
}

/// An analyzer built from a closure, for quick user rules.
public struct ClosureAnalyzer: TypeAnalyzer {
    public let name: String
    public let priority: Int
    let body: @Sendable (DataDescription) throws -> Recommendation?

    public init(name: String, priority: Int, _ body: @escaping @Sendable (DataDescription) throws -> Recommendation?) {
        self.name = name
        self.priority = priority
        self.body = body
    }

    public func analyze(_ description: DataDescription) throws -> Recommendation? { try body(description) }
}
