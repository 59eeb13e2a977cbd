import CacheCore

/// The kind of store a caller will make from the chosen engine.
public enum CacheStoreKind: String, Sendable, Hashable, Codable {
    /// A synchronous ``CacheStore`` (memoize, the hybrid cache).
    case sync
    /// An ``AsyncCacheStore``.
    case async
}

/// What the chain did with one engine it considered.
public struct EngineConsideration: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        /// The analyzer's first choice.
        case recommended
        /// One of the analyzer's alternatives.
        case alternative
        /// A registered engine tried because it declares every capability the recommendation
        /// needs, when neither the recommended engine nor an alternative was usable.
        case substitute
        /// The chain's default memory engine, tried when no analyzer's engine was usable.
        case `default`
    }

    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Registered and suitable: the decision.
        case chosen
        /// A known engine of the family that is not linked or not registered.
        case notRegistered = "not-registered"
        /// An id no module of the family has.
        case unknownEngine = "unknown-engine"
        /// Already considered earlier in this decision (a repeated or cyclic alternative).
        case alreadyConsidered = "already-considered"
        /// Registered, but it cannot make the kind of store asked for.
        case unsuitable
        /// Registered, but it refused the configuration when a store was made.
        case rejected
        /// Registered, but it lacks a capability the hints require (persistence, sharing).
        case lacksCapabilities = "lacks-capabilities"
    }

    public var engine: CacheEngineID
    public var role: Role
    public var verdict: Verdict
    /// Why, in words.
    public var detail: String
    public var configuration: CacheConfiguration
}

/// One analyzer's turn.
public struct AnalyzerStep: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// It had no opinion.
        case passed
        /// It recommended an engine (see ``engines`` for what became of it).
        case recommended
        /// It threw; the chain went on without it.
        case failed
    }

    public var analyzer: String
    public var priority: Int
    public var outcome: Outcome
    /// The analyzer's reason, when it recommended.
    public var reason: String?
    /// The error, when it threw.
    public var error: String?
    /// The engines considered for its recommendation, in order.
    public var engines: [EngineConsideration]
}

/// A decision of the strategy chain as data: every analyzer asked, in order, what each
/// said, which engines were missing or skipped and why, the fallback taken and the choice.
public struct SelectionExplanation: Sendable, Hashable, Codable {
    /// What was known about the data.
    public var data: DataDescription
    /// The engines registered when the decision was made.
    public var registered: [CacheEngineID]
    /// The kind of store the caller needs, if it said.
    public var storeKind: CacheStoreKind?
    public var steps: [AnalyzerStep]
    /// The default engines considered after every analyzer (empty when an analyzer's engine was chosen).
    public var defaults: [EngineConsideration]
    /// The decision, or `nil` when no engine at all was usable.
    public var chosen: EngineChoice?
    /// The analyzer whose recommendation (or alternative) was chosen, or `"default"`.
    public var chosenBy: String?
    /// The chosen analyzer's reason.
    public var reason: String?
    /// How the choice departs from the first recommendation, when it does: every engine
    /// passed over with its real reason (refused its configuration and why, lacks a
    /// required capability, not registered).
    public var fallback: String?
    /// What the hints require of the chosen engine (``CacheHints/requiredCapabilities``).
    public var requiredCapabilities: CacheStoreCapabilities = []
    /// The caller waived ``requiredCapabilities`` (`allowMemoryFallback`).
    public var requirementsWaived = false
    /// When the chosen engine stands in for the ones a rule named: the capabilities the rule
    /// needed, which it declares (``EngineConsideration/Role/substitute``).
    public var matchedCapabilities: CacheStoreCapabilities?

    /// Why each engine considered before the choice was not used, in the order met, once each.
    public var unusedReasons: [String] {
        var seen = Set<CacheEngineID>()
        var out: [String] = []
        for e in steps.flatMap(\.engines) + defaults where e.verdict != .chosen && e.verdict != .alreadyConsidered {
            guard seen.insert(e.engine).inserted else { continue }
            switch e.verdict {
            case .rejected: out.append("\(e.engine) \(e.detail)")
            case .notRegistered, .unknownEngine: out.append("\(e.engine) not available (\(e.detail))")
            default: out.append("\(e.engine): \(e.detail)")
            }
        }
        return out
    }

    /// Engines that were recommended but not registered, in the order met.
    public var missingEngines: [CacheEngineID] {
        var seen = Set<CacheEngineID>()
        return (steps.flatMap(\.engines) + defaults)
            .filter { ($0.verdict == .notRegistered || $0.verdict == .unknownEngine) && seen.insert($0.engine).inserted }
            .map(\.engine)
    }

    /// Everything skipped, with why: analyzers that threw and engines not used.
    public var skipped: [String] {
        var out: [String] = []
        for step in steps {
            if step.outcome == .failed { out.append("analyzer \(step.analyzer) threw: \(step.error ?? "")") }
            for e in step.engines where e.verdict != .chosen {
                out.append("\(e.engine) (\(e.role.rawValue) of \(step.analyzer)): \(e.detail)")
            }
        }
        for e in defaults where e.verdict != .chosen { out.append("\(e.engine) (default): \(e.detail)") }
        return out
    }
}
