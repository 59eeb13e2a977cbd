import CacheCore
import Logging
import Synchronization

/// A store one decision of an auto-memoized function chose, as the tier logic sees it
/// (``AutoTierStore/Tier`` and ``AsyncAutoTier``).
protocol AutoTierRecord: Sendable {
    associatedtype Store: Sendable
    init(store: Store, choice: EngineChoice, explanation: SelectionExplanation, sizeClass: CacheSizeClass?)
    var store: Store { get }
    var choice: EngineChoice { get }
    var explanation: SelectionExplanation { get }
    /// The largest size class observed when it was chosen (`nil`: from the type alone, or reopened).
    var sizeClass: CacheSizeClass? { get }
}

extension AutoTierRecord {
    /// This tier's store under a newer decision.
    func redecided(_ explanation: SelectionExplanation, sizeClass: CacheSizeClass) -> Self {
        Self(store: store, choice: choice, explanation: explanation, sizeClass: sizeClass)
    }
}

/// The tiers of one auto-memoized function, under its store's lock.
struct AutoTierList<Tier: AutoTierRecord>: Sendable {
    /// Oldest first; the last one receives new results.
    var tiers: [Tier]
    var largestObserved: CacheSizeClass?
    /// A tier failure was reported already (one warning, however many calls fail).
    var reportedFailure = false

    init(tiers: [Tier]) { self.tiers = tiers }

    /// Whether this is the first failure reported (later ones are counted, not logged).
    mutating func firstFailure() -> Bool {
        defer { reportedFailure = true }
        return !reportedFailure
    }
}

/// How the tiers of one auto-memoized function are decided and made: the function's
/// name, namespace, type description and the selection inputs, for the synchronous
/// (``AutoTierStore``) and the asynchronous (``AsyncAutoMemoized``) function alike.
struct AutoTierDecider: Sendable {
    let name: String
    let namespace: String
    let baseDescription: DataDescription
    let registry: CacheRegistry
    let chain: StrategyChain
    let directory: String?
    let settings: [CacheEngineID: CacheEngineSettings]
    let allowMemoryFallback: Bool
    let logger: Logger
    let storeKind: CacheStoreKind

    /// The chain's decision for `description`, among engines making this kind of store.
    func explain(_ description: DataDescription) -> SelectionExplanation {
        chain.explain(description, availability: registry, storeKind: storeKind, waivingRequirements: allowMemoryFallback)
    }

    /// The tiers a function starts with and its type-only decision: the store that decision
    /// names when it is opened at start (``AutoTierDecision/opensStoreAtStart(_:initial:registry:)``,
    /// made with `select`), after the persistent stores earlier runs left (opened with `open`).
    /// Throws as the memoizers' initializers document.
    func initialTiers<Tier: AutoTierRecord>(
        unusedSettings: UnusedEngineSettings,
        select: (DataDescription) throws -> Tier,
        open: (EngineChoice, CacheEngineSettings?) throws -> Tier.Store
    ) throws -> (tiers: [Tier], initialExplanation: SelectionExplanation) {
        let candidates = AutoTierDecision.candidates(baseDescription, registry: registry, chain: chain, storeKind: storeKind,
                                                     waiving: allowMemoryFallback)
        if unusedSettings == .reject {
            try AutoTierDecision.checkReachable(settings, by: candidates, type: baseDescription.type)
        }
        // Decide now, from the type alone, so that a program with no usable engine fails here.
        let initial = explain(baseDescription)
        var tiers: [Tier] = []
        let initialExplanation: SelectionExplanation
        if AutoTierDecision.opensStoreAtStart(baseDescription.hints, initial: initial, registry: registry) {
            // A persistent decision opens its store now: what earlier runs stored is served
            // from the first call, and a refused persistent store fails here, not later.
            let tier = try select(baseDescription)
            tiers.append(tier)
            initialExplanation = tier.explanation
        } else {
            guard initial.chosen != nil else { throw StrategyChain.nothingUsable(initial) }
            initialExplanation = initial
        }
        let reopened = AutoTierDecision.reopened(
            candidates, except: Set(tiers.map { $0.choice.engine }), registry: registry, namespace: namespace,
            directory: directory, settings: settings, logger: logger, function: name, open: open)
        tiers.insert(contentsOf: reopened.map { Tier(store: $0.store, choice: $0.choice, explanation: $0.explanation, sizeClass: $0.sizeClass) },
                     at: 0)
        return (tiers, initialExplanation)
    }

    /// The tier for a result of `bytes` bytes: the current one unless the result is of a
    /// larger size class than any seen; then the chain decides again and, if it picks
    /// another engine, `select` makes a store for it (decided and made outside the lock,
    /// since it runs engine code; an engine that has a tier already keeps its store, which
    /// becomes the current one). The size class is recorded only once a tier for it is
    /// installed, so a tier that could not be made is decided again at the next such
    /// result, never replaced by the current (perhaps non-persistent) tier.
    func tier<Tier: AutoTierRecord>(
        forResultOf bytes: Int, in list: borrowing Mutex<AutoTierList<Tier>>, select: (DataDescription) throws -> Tier
    ) throws -> Tier {
        let sizeClass = CacheSizeClass(bytes: bytes)
        if let current = list.withLock({ l in AutoTierDecision.grew(sizeClass, beyond: l.largestObserved) ? nil : l.tiers.last }) {
            return current
        }
        let description = AutoTierDecision.observed(baseDescription, bytes: bytes)
        let explanation = explain(description)
        let tier: Tier
        let decided: SelectionExplanation
        if let engine = explanation.chosen?.engine, let existing = list.withLock({ l in l.tiers.first { $0.choice.engine == engine } }) {
            (tier, decided) = (existing, explanation)
        } else {
            tier = try select(description)
            decided = tier.explanation  // the final path, with every engine that refused its configuration
        }
        return list.withLock { l in
            AutoTierDecision.install(tier, explanation: decided, sizeClass: sizeClass,
                                     in: &l.tiers, largestObserved: &l.largestObserved)
        }
    }
}

/// The decisions of ``AutoMemoized`` and ``AsyncAutoMemoized``: which engines a function's
/// results could go to, which stores to open at construction, and which tier receives a
/// result. Pure functions of the chain and the registry, so the synchronous and the
/// asynchronous function decide alike.
enum AutoTierDecision {
    typealias Candidate = (sizeClass: CacheSizeClass?, explanation: SelectionExplanation)

    /// Throws for options auto memoize cannot honour: a TTL (it re-decides engines) or an empty directory.
    static func validate(ttl: Duration?, directory: String?) throws(CacheConfigurationError) {
        if let ttl {
            throw CacheConfigurationError(setting: "ttl", value: "\(ttl)", reason: "auto memoize re-decides engines; set a TTL on a store you choose")
        }
        if let directory, directory.isEmpty {
            throw CacheConfigurationError(setting: "directory", value: "''", reason: "must not be empty")
        }
    }

    /// The decisions for results of the type alone and of each size class (what tiers could be).
    static func candidates(
        _ base: DataDescription, registry: CacheRegistry, chain: StrategyChain, storeKind: CacheStoreKind, waiving: Bool
    ) -> [Candidate] {
        let typeOnly = chain.explain(base, availability: registry, storeKind: storeKind, waivingRequirements: waiving)
        let bySize = CacheSizeClass.allCases.map { sizeClass -> Candidate in
            (sizeClass, chain.explain(observed(base, bytes: sizeClass.representativeBytes), availability: registry,
                                      storeKind: storeKind, waivingRequirements: waiving))
        }
        return [(nil, typeOnly)] + bySize
    }

    /// Throws when `settings` name an engine no candidate decision chooses.
    static func checkReachable(
        _ settings: [CacheEngineID: CacheEngineSettings], by candidates: [Candidate], type: TypeDescriptor
    ) throws(CacheConfigurationError) {
        let reachable = Set(candidates.compactMap { $0.explanation.chosen?.engine })
        if let unused = settings.keys.sorted().first(where: { !reachable.contains($0) }) {
            throw CacheConfigurationError(
                setting: "settings", value: settings[unused]!.description,
                reason: "no size class of \(type) chooses \(unused) (reachable: \(reachable.map(\.rawValue).sorted().joined(separator: ", "))); pass unusedSettings: .ignore to allow it")
        }
    }

    /// Whether the type-only decision's store is opened at construction: when the hints
    /// require a capability, or the engine chosen is persistent (what earlier runs stored
    /// is then served from the first call, and a refused store fails at construction).
    static func opensStoreAtStart(_ hints: CacheHints, initial: SelectionExplanation, registry: CacheRegistry) -> Bool {
        !hints.requiredCapabilities.isEmpty
            || initial.chosen.map { registry.traits(of: $0.engine)?.capabilities.contains(.persistent) ?? false } == true
    }

    /// `base` with a measured result of `bytes` bytes.
    static func observed(_ base: DataDescription, bytes: Int) -> DataDescription {
        var description = base
        description.sampleSize = bytes
        description.sizeSource = .codable
        return description
    }

    /// Stores of persistent engines a larger result could have chosen in an earlier run,
    /// opened with `open` only where their storage exists already. One that fails to open
    /// is logged and left out (its results are recomputed, never wrong).
    static func reopened<Store>(
        _ candidates: [Candidate], except: Set<CacheEngineID>, registry: CacheRegistry, namespace: String,
        directory: String?, settings: [CacheEngineID: CacheEngineSettings], logger: Logger, function: String,
        open: (EngineChoice, CacheEngineSettings?) throws -> Store
    ) -> [(store: Store, choice: EngineChoice, explanation: SelectionExplanation, sizeClass: CacheSizeClass?)] {
        var opened = except
        var out: [(store: Store, choice: EngineChoice, explanation: SelectionExplanation, sizeClass: CacheSizeClass?)] = []
        for (sizeClass, explanation) in candidates {
            guard let chosen = explanation.chosen, !opened.contains(chosen.engine),
                  let engine = registry.engine(chosen.engine), engine.traits.capabilities.contains(.persistent) else { continue }
            opened.insert(chosen.engine)
            do {
                let choice = try AutoSelect.resolved(chosen, namespace: namespace, directory: directory, registry: registry)
                guard engine.hasStoredData(configuration: choice.configuration, settings: settings[choice.engine]) else { continue }
                out.append((try open(choice, settings[choice.engine]), choice, explanation, sizeClass))
            } catch {
                logger.warning("auto memoize could not reopen an earlier tier; its results will be recomputed",
                               metadata: ["function": "\(function)", "engine": "\(chosen.engine)", "error": "\(error)"])
            }
        }
        return out
    }

    /// Makes `tier` (new, or one that exists) the current one of `tiers` for `sizeClass`,
    /// unless a decision for a size class at least as large is current already.
    static func install<Tier: AutoTierRecord>(
        _ tier: Tier, explanation: SelectionExplanation, sizeClass: CacheSizeClass,
        in tiers: inout [Tier], largestObserved: inout CacheSizeClass?
    ) -> Tier {
        if grew(sizeClass, beyond: largestObserved) { largestObserved = sizeClass }
        if let newest = tiers.last, let decided = newest.sizeClass, decided >= sizeClass { return newest }
        // Same engine as a tier already there: keep that store (its entries stay reachable), move it last.
        if let index = tiers.firstIndex(where: { $0.choice.engine == tier.choice.engine }) {
            let moved = tiers.remove(at: index).redecided(explanation, sizeClass: sizeClass)
            tiers.append(moved)
            return moved
        }
        let updated = tier.redecided(explanation, sizeClass: sizeClass)
        tiers.append(updated)
        return updated
    }

    /// Whether a result of `sizeClass` is larger than any observed (the tier must be re-decided).
    static func grew(_ sizeClass: CacheSizeClass, beyond largestObserved: CacheSizeClass?) -> Bool {
        largestObserved.map { sizeClass > $0 } ?? true
    }
}

extension AutoTierStore.Tier: AutoTierRecord {}
