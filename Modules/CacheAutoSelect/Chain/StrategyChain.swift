import CacheCore
import Synchronization

/// The priority-ordered list of ``TypeAnalyzer``s that turns a ``DataDescription``
/// into an engine, and says why (`explain`).
///
/// Analyzers are asked in descending priority (equal priorities in registration
/// order). The first recommendation whose engine is registered wins; otherwise its
/// alternatives in order; otherwise any registered engine that declares every capability
/// the recommendation needs (``Recommendation/capabilities``: family engines first, then
/// the others by id), so a third-party backend stands in for a family engine that is not
/// linked; otherwise the next analyzer; otherwise the first registered default memory
/// engine. An engine met twice in one decision is skipped the second time, so repeated or
/// cyclic alternatives end. An analyzer that throws is skipped.
///
/// Registering and removing analyzers is safe while other threads decide: each
/// decision works on a snapshot, and no lock is held while an analyzer runs.
public final class StrategyChain: Sendable {
    struct Entry: Sendable {
        let analyzer: any TypeAnalyzer
        let sequence: Int
    }

    private let state: Mutex<(entries: [Entry], nextSequence: Int)>
    /// The memory engines tried, in order, when no analyzer's engine is usable.
    public let defaultEngines: [EngineChoice]

    /// The built-in default: CacheTools (LRU), else CacheFunctools.
    public static var standardDefaults: [EngineChoice] {
        let config = (try? CacheConfiguration(maxSize: 1024, policy: .lru)) ?? CacheConfiguration.unchecked
        return [EngineChoice(KnownEngines.cacheTools, configuration: config),
                EngineChoice(KnownEngines.cacheFunctools, configuration: config)]
    }

    /// A chain with `analyzers` (the built-ins by default).
    public init(analyzers: [any TypeAnalyzer] = BuiltinAnalyzers.all, defaultEngines: [EngineChoice] = StrategyChain.standardDefaults) {
        let entries = analyzers.enumerated().map { Entry(analyzer: $1, sequence: $0) }
        self.state = Mutex((entries, entries.count))
        self.defaultEngines = defaultEngines
    }

    /// The process-wide chain, with the built-in analyzers.
    public static let shared = StrategyChain()

    /// Adds `analyzer`; among equal priorities it is asked after those registered before it.
    public func register(_ analyzer: any TypeAnalyzer) {
        state.withLock { s in
            s.entries.append(Entry(analyzer: analyzer, sequence: s.nextSequence))
            s.nextSequence += 1
        }
    }

    /// Removes every analyzer called `name` (built-in or not); returns whether there was one.
    @discardableResult
    public func remove(named name: String) -> Bool {
        state.withLock { s in
            let before = s.entries.count
            s.entries.removeAll { $0.analyzer.name == name }
            return s.entries.count != before
        }
    }

    /// The analyzers in the order they are asked.
    public var analyzers: [any TypeAnalyzer] {
        let entries = state.withLock { $0.entries }
        return entries.sorted { a, b in
            a.analyzer.priority != b.analyzer.priority ? a.analyzer.priority > b.analyzer.priority : a.sequence < b.sequence
        }.map(\.analyzer)
    }

    /// Decides, returning the whole decision path.
    /// - Parameters:
    ///   - availability: what may be chosen (the shared registry by default).
    ///   - storeKind: the kind of store the caller will make; engines that cannot make it are skipped.
    ///   - rejected: engines already tried that refused their configuration, with why.
    ///   - waivingRequirements: choose engines without the capabilities the hints require
    ///     (``CacheHints/requiredCapabilities``): the caller accepted losing persistence or sharing.
    /// - Complexity: O(analyzers + engines considered), plus the analyzers' own work.
    public func explain(
        _ description: DataDescription, availability: any EngineAvailability = CacheRegistry.shared,
        storeKind: CacheStoreKind? = nil, rejected: [CacheEngineID: String] = [:], waivingRequirements: Bool = false
    ) -> SelectionExplanation {
        let required = description.hints.requiredCapabilities
        var decision = Decision(availability: availability, storeKind: storeKind, rejected: rejected,
                                required: waivingRequirements ? [] : required,
                                requiredBy: description.hints.requiringSummary.joined(separator: ", "))
        var explanation = SelectionExplanation(
            data: description, registered: availability.availableIDs, storeKind: storeKind,
            steps: [], defaults: [], chosen: nil, chosenBy: nil, reason: nil, fallback: nil)
        explanation.requiredCapabilities = required
        explanation.requirementsWaived = waivingRequirements && !required.isEmpty
        var firstRecommendation: CacheEngineID?
        for analyzer in analyzers {
            var step = AnalyzerStep(analyzer: analyzer.name, priority: analyzer.priority, outcome: .passed, engines: [])
            let answer: Recommendation?
            do {
                answer = try analyzer.analyze(description)
            } catch {
                step.outcome = .failed
                step.error = String(describing: error)
                explanation.steps.append(step)
                continue
            }
            guard let answer else {
                explanation.steps.append(step)
                continue
            }
            step.outcome = .recommended
            step.reason = answer.reason
            if firstRecommendation == nil { firstRecommendation = answer.choice.engine }
            let candidates = [(answer.choice, EngineConsideration.Role.recommended)]
                + answer.alternatives.map { ($0, EngineConsideration.Role.alternative) }
            for (choice, role) in candidates {
                let considered = decision.consider(choice, role: role)
                step.engines.append(considered)
                if considered.verdict == .chosen {
                    explanation.chosen = choice
                    explanation.chosenBy = analyzer.name
                    explanation.reason = answer.reason
                    break
                }
            }
            if explanation.chosen == nil, !answer.capabilities.isEmpty {
                // Stand-ins: registered engines declaring what the rule needs, family engines first.
                let registered = availability.availableIDs
                let ordered = KnownEngines.built.filter(registered.contains) + registered.filter { !KnownEngines.built.contains($0) }
                for id in ordered where decision.seen[id] == nil {
                    guard let traits = availability.traits(of: id), traits.capabilities.isSuperset(of: answer.capabilities) else { continue }
                    let choice = EngineChoice(id, configuration: answer.choice.configuration)
                    let considered = decision.consider(choice, role: .substitute, matching: answer.capabilities)
                    step.engines.append(considered)
                    if considered.verdict == .chosen {
                        explanation.chosen = choice
                        explanation.chosenBy = analyzer.name
                        explanation.reason = answer.reason
                        explanation.matchedCapabilities = answer.capabilities
                        break
                    }
                }
            }
            explanation.steps.append(step)
            if explanation.chosen != nil { break }
        }
        if explanation.chosen == nil {
            // The default memory engines, then — last resort — any registered engine,
            // family engines first: a program linking only CacheDisk still gets a cache.
            let known = Set(defaultEngines.map(\.engine))
            let registered = availability.availableIDs
            let lastResort = (KnownEngines.built.filter(registered.contains) + registered.filter { !KnownEngines.built.contains($0) })
                .filter { !known.contains($0) }
                .map { EngineChoice($0, configuration: defaultEngines.first?.configuration ?? .unchecked) }
            for choice in defaultEngines + lastResort {
                let considered = decision.consider(choice, role: .default)
                explanation.defaults.append(considered)
                if considered.verdict == .chosen {
                    explanation.chosen = choice
                    explanation.chosenBy = "default"
                    explanation.reason = known.contains(choice.engine)
                        ? "no analyzer's engine was usable; the default memory engine"
                        : "no analyzer's engine nor a default memory engine is registered; the only kind linked"
                    break
                }
            }
        }
        if let chosen = explanation.chosen, let first = firstRecommendation, chosen.engine != first {
            let reasons = explanation.unusedReasons
            explanation.fallback = "\(first) was recommended first; "
                + (reasons.isEmpty ? "it was not usable" : reasons.joined(separator: "; "))
                + "; fell back to \(chosen.engine)"
        } else if explanation.chosen?.engine != nil, firstRecommendation == nil {
            explanation.fallback = "no analyzer recommended an engine; fell back to the default \(explanation.chosen!.engine)"
        }
        if explanation.requirementsWaived, let chosen = explanation.chosen,
           let traits = availability.traits(of: chosen.engine), !traits.capabilities.isSuperset(of: required) {
            let waived = "\(description.hints.requiringSummary.joined(separator: ", ")) waived (allowMemoryFallback): "
                + "\(chosen.engine) lacks \(required.subtracting(traits.capabilities))"
            explanation.fallback = explanation.fallback.map { $0 + "; " + waived } ?? waived
        }
        return explanation
    }

    /// The chosen engine, or ``CacheEngineUnavailableError`` naming what was tried when
    /// no engine at all is usable.
    public func select(
        _ description: DataDescription, availability: any EngineAvailability = CacheRegistry.shared,
        storeKind: CacheStoreKind? = nil
    ) throws(CacheEngineUnavailableError) -> (choice: EngineChoice, explanation: SelectionExplanation) {
        let explanation = explain(description, availability: availability, storeKind: storeKind)
        guard let chosen = explanation.chosen else { throw StrategyChain.nothingUsable(explanation) }
        return (chosen, explanation)
    }

    static func nothingUsable(_ explanation: SelectionExplanation) -> CacheEngineUnavailableError {
        let first = explanation.steps.flatMap(\.engines).first?.engine ?? explanation.defaults.first?.engine ?? "none"
        let requirement = explanation.requiredCapabilities.isEmpty || explanation.requirementsWaived
            ? "" : " with the capabilities \(explanation.requiredCapabilities) that \(explanation.data.hints.requiringSummary.joined(separator: ", ")) require"
        return CacheEngineUnavailableError(
            engine: first, registered: explanation.registered,
            reason: "no recommended, alternative or default engine is usable for \(explanation.data.type)\(requirement): "
                + explanation.skipped.joined(separator: "; "))
    }
}

/// The state of one decision: which engines were met already.
struct Decision {
    let availability: any EngineAvailability
    let storeKind: CacheStoreKind?
    let rejected: [CacheEngineID: String]
    /// Capabilities every chosen engine must have (the hints' requirement, unless waived).
    let required: CacheStoreCapabilities
    /// The hints that require them, for messages.
    let requiredBy: String
    var seen: [CacheEngineID: String] = [:]

    init(availability: any EngineAvailability, storeKind: CacheStoreKind?, rejected: [CacheEngineID: String],
         required: CacheStoreCapabilities = [], requiredBy: String = "") {
        self.availability = availability
        self.storeKind = storeKind
        self.rejected = rejected
        self.required = required
        self.requiredBy = requiredBy
    }

    mutating func consider(_ choice: EngineChoice, role: EngineConsideration.Role,
                           matching needed: CacheStoreCapabilities = []) -> EngineConsideration {
        func result(_ verdict: EngineConsideration.Verdict, _ detail: String) -> EngineConsideration {
            EngineConsideration(engine: choice.engine, role: role, verdict: verdict, detail: detail, configuration: choice.configuration)
        }
        if let earlier = seen[choice.engine] {
            return result(.alreadyConsidered, "already considered earlier in this decision (\(earlier)); skipped, so repeats and cycles end")
        }
        let verdict: EngineConsideration
        if let why = rejected[choice.engine] {
            verdict = result(.rejected, "refused its configuration: \(why)")
        } else if let traits = availability.traits(of: choice.engine) {
            if storeKind == .sync, !traits.providesSyncStores {
                verdict = result(.unsuitable, "registered, but it makes no synchronous stores")
            } else if storeKind == .async, !traits.providesAsyncStores {
                verdict = result(.unsuitable, "registered, but it makes no asynchronous stores")
            } else if !traits.capabilities.isSuperset(of: required) {
                verdict = result(.lacksCapabilities,
                                 "registered, but it lacks \(required.subtracting(traits.capabilities)), which \(requiredBy) requires")
            } else if role == .substitute {
                verdict = result(.chosen, "registered and declares \(needed), what the rule needs (the engines it names are not usable)")
            } else {
                verdict = result(.chosen, "registered")
            }
        } else if KnownEngines.planned.contains(choice.engine) {
            verdict = result(.notRegistered, "not registered: \(choice.engine) is planned but does not exist yet")
        } else if KnownEngines.built.contains(choice.engine) {
            verdict = result(.notRegistered, "not registered: link the \(choice.engine) product and call its register(in:)")
        } else {
            verdict = result(.unknownEngine, "unknown engine id: no module of swift-cache is called '\(choice.engine)' and nothing registered it")
        }
        seen[choice.engine] = verdict.verdict.rawValue
        return verdict
    }
}

extension CacheConfiguration {
    /// The default configuration (no bound, LRU), built without validation (it is valid).
    static var unchecked: CacheConfiguration {
        // Every field at its default passes validate(), so this cannot throw.
        (try? CacheConfiguration()) ?? { preconditionFailure("the default configuration is valid") }()
    }
}
