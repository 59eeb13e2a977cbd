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
        for (k, v) in configuration.options.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        return "\(engine) (\(parts.joined(separator: ", ")))"
    }
}

/// What an analyzer answers: an engine with its configuration, why, and the engines to
/// try in order when that one is not registered.
public struct Recommendation: Sendable, Hashable {
    public var choice: EngineChoice
    public var reason: String
    public var alternatives: [EngineChoice]

    public init(_ choice: EngineChoice, reason: String, alternatives: [EngineChoice] = []) {
        self.choice = choice
        self.reason = reason
        self.alternatives = alternatives
    }

    /// A recommendation whose alternatives share the main choice's configuration.
    public init(
        engine: CacheEngineID, configuration: CacheConfiguration, reason: String, alternatives: [CacheEngineID] = []
    ) {
        self.init(EngineChoice(engine, configuration: configuration), reason: reason,
                  alternatives: alternatives.map { EngineChoice($0, configuration: configuration) })
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
