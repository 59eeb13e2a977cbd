import CacheCore
import Logging
import Synchronization

/// The store behind ``AutoMemoized``: a ``CacheStore`` over the tiers its decisions chose.
///
/// - Reads try the current tier (counting a hit or a miss there), then earlier tiers
///   without counting (a hit there is counted here): results stored before a re-decision
///   stay where they are and are still served.
/// - A write measures the value; when its size class is larger than any before, the chain
///   decides again and, if it picks another engine, a store for it becomes the current
///   tier. New values go only to the current tier, so a key never lives in two tiers with
///   different values. Size classes only grow.
/// - A tier that cannot be made fails the write (the memoizer returns the value unstored
///   and counts it); the first failure is logged here as a warning, later ones are
///   counted only (``AutoMemoizeStoreFailure`` is already reported).
public final class AutoTierStore<Value: Codable & Sendable>: CacheStore {
    public typealias Key = CacheKey

    /// One store chosen by one decision.
    public struct Tier: Sendable {
        public let store: AnyCacheStore<CacheKey, Value>
        public let choice: EngineChoice
        public let explanation: SelectionExplanation
        /// The largest size class observed when it was chosen (`nil`: before any result,
        /// from the type alone, or reopened from an earlier run).
        public let sizeClass: CacheSizeClass?
    }

    struct State: Sendable {
        /// Oldest first; the last one receives new results.
        var tiers: [Tier]
        var largestObserved: CacheSizeClass?
        /// A write failure was logged already (one warning, however many calls fail).
        var warnedFailure = false
    }

    /// How the tiers are decided and made.
    struct Decider: Sendable {
        let name: String
        let namespace: String
        let baseDescription: DataDescription
        let registry: CacheRegistry
        let chain: StrategyChain
        let directory: String?
        let settings: [CacheEngineID: CacheEngineSettings]
        let allowMemoryFallback: Bool
        let logger: Logger
    }

    let decider: Decider
    let state: Mutex<State>
    /// Hits served by earlier tiers (their stores were only peeked).
    let earlierHits = Atomic<Int>(0)
    /// The decision from the result type and hints alone, before any result.
    public let initialExplanation: SelectionExplanation

    init(decider: Decider, tiers: [Tier], initialExplanation: SelectionExplanation) {
        self.decider = decider
        self.state = Mutex(State(tiers: tiers))
        self.initialExplanation = initialExplanation
    }

    /// Every decision taken, oldest first.
    public var tiers: [Tier] { state.withLock { $0.tiers } }

    /// The engine new results go to now (the type-only decision before the first result).
    public var currentEngine: CacheEngineID {
        state.withLock { $0.tiers.last?.choice.engine } ?? initialExplanation.chosen!.engine
    }

    // MARK: CacheStore

    public func value(forKey key: CacheKey) throws -> Value? {
        let tiers = self.tiers
        if let current = tiers.last, let v = try? current.store.value(forKey: key) { return v }
        for tier in tiers.dropLast().reversed() {
            if let v = (try? tier.store.peekValue(forKey: key)) ?? nil {
                earlierHits.add(1, ordering: .relaxed)
                return v
            }
        }
        return nil
    }

    public func peekValue(forKey key: CacheKey) throws -> Value? {
        for tier in tiers.reversed() {
            if let v = (try? tier.store.peekValue(forKey: key)) ?? nil { return v }
        }
        return nil
    }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) throws {
        do {
            try tierAfterObserving(value).store.setValue(value, forKey: key, ttl: ttl)
        } catch {
            let first = state.withLock { s in
                defer { s.warnedFailure = true }
                return !s.warnedFailure
            }
            if first {
                decider.logger.warning(
                    "auto memoize could not store a result; returning it uncached (further failures are counted, not logged)",
                    metadata: ["function": "\(decider.name)", "key": "\(cacheDescribeKey(key))", "error": "\(error)"])
            }
            throw AutoMemoizeStoreFailure(underlying: error)
        }
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) throws -> Value? {
        var found: Value?
        for tier in tiers.reversed() {
            if let v = try tier.store.removeValue(forKey: key), found == nil { found = v }
        }
        return found
    }

    public func removeAll() throws {
        for tier in tiers { try tier.store.removeAll() }
    }

    public func contains(_ key: CacheKey) throws -> Bool {
        try tiers.contains { try $0.store.contains(key) }
    }

    public var count: Int { tiers.reduce(0) { $0 + $1.store.count } }

    /// Hits and misses of every tier, plus hits served by earlier tiers.
    public var stats: CacheStats {
        var s = CacheStats()
        for tier in tiers { s.merge(tier.store.stats) }
        s.hits += earlierHits.load(ordering: .relaxed)
        return s
    }

    public var capabilities: CacheStoreCapabilities { tiers.last?.store.capabilities ?? [] }

    // MARK: Deciding

    /// Decides from the type and hints alone, opens the store that decision names when it
    /// persists (or the hints require persistence or sharing), and reopens the persistent
    /// tiers earlier runs left. Throws as ``AutoMemoized/init(name:version:returning:hints:registry:chain:directory:settings:unusedSettings:allowMemoryFallback:options:_:)`` documents.
    static func make(
        name: String, namespace: String, description: DataDescription, registry: CacheRegistry, chain: StrategyChain,
        directory: String?, settings: [CacheEngineSettings], unusedSettings: UnusedEngineSettings,
        allowMemoryFallback: Bool, logger: Logger
    ) throws -> AutoTierStore {
        let indexed = try AutoSelect.indexed(settings)
        let decider = Decider(name: name, namespace: namespace, baseDescription: description, registry: registry, chain: chain,
                              directory: directory, settings: indexed, allowMemoryFallback: allowMemoryFallback, logger: logger)
        let candidates = AutoTierDecision.candidates(description, registry: registry, chain: chain, storeKind: .sync,
                                                     waiving: allowMemoryFallback)
        if unusedSettings == .reject {
            try AutoTierDecision.checkReachable(indexed, by: candidates, type: description.type)
        }
        // Decide now, from the type alone, so that a program with no usable engine fails here.
        let initial = chain.explain(description, availability: registry, storeKind: .sync, waivingRequirements: allowMemoryFallback)
        var tiers: [Tier] = []
        let initialExplanation: SelectionExplanation
        if AutoTierDecision.opensStoreAtStart(description.hints, initial: initial, registry: registry) {
            // A persistent decision opens its store now: what earlier runs stored is served
            // from the first call, and a refused persistent store fails here, not later.
            let selected = try AutoSelect.makeStore(
                for: description, of: Value.self, registry: registry, chain: chain, namespace: namespace, directory: directory,
                configuration: nil, settings: indexed, unusedSettings: .ignore,
                allowMemoryFallback: allowMemoryFallback, logger: logger)
            tiers.append(Tier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: nil))
            initialExplanation = selected.explanation
        } else {
            guard initial.chosen != nil else { throw StrategyChain.nothingUsable(initial) }
            initialExplanation = initial
        }
        let reopened = AutoTierDecision.reopened(
            candidates, except: Set(tiers.map { $0.choice.engine }), registry: registry, namespace: namespace,
            directory: directory, settings: indexed, logger: logger, function: name
        ) { choice, engineSettings in
            AnyCacheStore(try registry.makeStore(engine: choice.engine, of: Value.self, configuration: choice.configuration,
                                                 settings: engineSettings))
        }
        tiers.insert(contentsOf: reopened.map { Tier(store: $0.store, choice: $0.choice, explanation: $0.explanation, sizeClass: $0.sizeClass) },
                     at: 0)
        return AutoTierStore(decider: decider, tiers: tiers, initialExplanation: initialExplanation)
    }

    /// Measures `value`; when its size class is larger than any seen, re-decides and,
    /// if the chain now picks another engine, adds a store for it (an engine that has a
    /// tier already keeps its store, which becomes the current one).
    func tierAfterObserving(_ value: Value) throws -> Tier {
        let bytes = CacheSizeEstimator.standard.estimate(value).bytes
        let sizeClass = CacheSizeClass(bytes: bytes)
        // The size class is recorded only once a tier for it is installed: a tier that
        // could not be made is re-decided at the next such result, never replaced by
        // the current (perhaps non-persistent) tier.
        let current: Tier? = state.withLock { s in
            AutoTierDecision.grew(sizeClass, beyond: s.largestObserved) ? nil : s.tiers.last
        }
        if let current { return current }
        let d = decider
        let description = AutoTierDecision.observed(d.baseDescription, bytes: bytes)
        // Decide and make the store outside the lock (engine code), then install it
        // unless another thread installed a decision for a size class at least as large.
        // An engine that has a tier already is not opened twice.
        let explanation = d.chain.explain(description, availability: d.registry, storeKind: .sync,
                                          waivingRequirements: d.allowMemoryFallback)
        if let engine = explanation.chosen?.engine, let existing = state.withLock({ s in s.tiers.first { $0.choice.engine == engine } }) {
            return install(existing, explanation: explanation, sizeClass: sizeClass)
        }
        let selected = try AutoSelect.makeStore(
            for: description, of: Value.self, registry: d.registry, chain: d.chain,
            namespace: d.namespace, directory: d.directory,
            configuration: nil, settings: d.settings, unusedSettings: .ignore,
            allowMemoryFallback: d.allowMemoryFallback, logger: d.logger)
        let fresh = Tier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: sizeClass)
        return install(fresh, explanation: selected.explanation, sizeClass: sizeClass)
    }

    /// Makes `tier` (new, or one that exists) the current one for `sizeClass`.
    func install(_ tier: Tier, explanation: SelectionExplanation, sizeClass: CacheSizeClass) -> Tier {
        state.withLock { s in
            AutoTierDecision.install(tier, explanation: explanation, sizeClass: sizeClass,
                                     in: &s.tiers, largestObserved: &s.largestObserved)
        }
    }
}

/// A result ``AutoMemoized`` could not store: the tier for it could not be made, or its
/// store refused the write. The first such failure is logged as a warning; the memoizer
/// counts each in `info.storeFailures` and hands it to `onStoreFailure`.
public struct AutoMemoizeStoreFailure: Error, CustomStringConvertible, CacheReportedFailure {
    /// What failed: e.g. ``CacheSelectionError``, ``CacheConfigurationError``, ``CacheStoreError``.
    public let underlying: any Error
    package var isAlreadyReported: Bool { true }
    public var description: String { "\(underlying)" }
}

extension CacheSizeClass {
    /// A size inside the class, for deciding ahead of a result of that class.
    var representativeBytes: Int {
        switch self {
        case .small: return 0
        case .medium: return Self.mediumLowerBound
        case .large: return Self.largeLowerBound
        case .huge: return Self.hugeLowerBound
        }
    }
}

