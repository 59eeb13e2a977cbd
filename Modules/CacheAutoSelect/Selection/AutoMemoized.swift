import CacheCore
import Logging
import Synchronization

/// A memoized function that chooses its engine from the results it actually returns:
/// it starts from the result type and hints, measures every computed result, and when
/// a result is of a larger size class than any before, asks the chain again (first
/// results small → memory; later results large → disk).
///
/// - The user's function runs **once per miss**: a result is measured after it was
///   computed, stored in the engine chosen in the light of it, and returned. Nothing
///   is ever recomputed to re-decide.
/// - **Earlier runs are consulted.** When the type-only decision names a persistent
///   engine, its store is opened at construction, so the first call in a new process is
///   served from what an earlier process stored (and counted as a hit). Persistent
///   engines the function could have chosen for larger results are reopened too when
///   their storage already exists (``CacheEngine/hasStoredData(configuration:settings:)``).
/// - Results stored before a re-decision stay where they are and are still served
///   (lookups try the current store, then earlier ones); new results go only to the
///   current store, so a key never lives in two stores with different values.
/// - Size classes only grow: results shrinking again do not move the function back.
/// - Concurrent callers of one missing key share one computation (single-flight).
/// - Hints that ask for persistence or sharing hold for every tier: construction throws
///   ``CacheSelectionError`` when no engine can keep them (unless `allowMemoryFallback`),
///   and a later tier that cannot be made leaves the computed value unstored — returned,
///   counted in `info.storeFailures`, handed to `onStoreFailure`, logged once — rather
///   than silently kept in memory.
public final class AutoMemoized<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>: Sendable {
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
        /// A tier failure was logged already (one warning, however many calls fail).
        var warnedTierFailure = false
    }

    public let name: String
    public let version: String?
    let function: @Sendable (repeat each Arg) throws -> Value
    let baseDescription: DataDescription
    let registry: CacheRegistry
    let chain: StrategyChain
    let options: MemoizeOptions<Value>
    let directory: String?
    let settings: [CacheEngineID: CacheEngineSettings]
    let allowMemoryFallback: Bool
    let state: Mutex<State>
    let flights = SingleFlight<CacheKey, Value>()
    let counters = Mutex(CacheStats())

    /// - Parameters:
    ///   - directory: where persistent engines keep files (default ``CacheDirectories/defaultRoot()``).
    ///   - settings: typed settings for the engines the function may choose (one per engine);
    ///     settings for an engine no size class of these results would choose throw unless
    ///     `unusedSettings` is `.ignore`.
    ///   - allowMemoryFallback: accept memory when no engine can keep what the hints ask
    ///     (one warning is logged) instead of throwing ``CacheSelectionError``.
    /// - Throws: ``CacheConfigurationError`` for an invalid name, options or settings;
    ///   ``CacheSelectionError`` when the hints' persistence or sharing cannot be kept;
    ///   ``CacheEngineUnavailableError`` when no engine can be chosen for the result type.
    public init(
        name: String, version: String? = nil, returning: Value.Type = Value.self, hints: CacheHints = .none,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
        settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
        allowMemoryFallback: Bool = false,
        options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws {
        try CacheKey.validateName(name)
        try AutoTierDecision.validate(ttl: options.ttl, directory: directory)
        try CacheConfiguration.checkSize(options.errorCacheLimit, setting: "errorCacheLimit")
        self.name = name
        self.version = version
        self.function = function
        self.baseDescription = DataDescription(Value.self, hints: hints)
        self.registry = registry
        self.chain = chain
        self.options = options
        self.directory = directory
        self.settings = try AutoSelect.indexed(settings)
        self.allowMemoryFallback = allowMemoryFallback
        let candidates = Self.candidateDecisions(baseDescription, registry: registry, chain: chain,
                                                 waiving: allowMemoryFallback)
        if unusedSettings == .reject {
            try AutoTierDecision.checkReachable(self.settings, by: candidates, type: baseDescription.type)
        }
        // Decide now, from the type alone, so that a program with no usable engine fails here.
        let initial = chain.explain(baseDescription, availability: registry, storeKind: .sync,
                                    waivingRequirements: allowMemoryFallback)
        var tiers: [Tier] = []
        let needsStore = AutoTierDecision.opensStoreAtStart(hints, initial: initial, registry: registry)
        if needsStore {
            // A persistent decision opens its store now: what earlier runs stored is served
            // from the first call, and a refused persistent store fails here, not later.
            let selected = try AutoSelect.makeStore(
                for: baseDescription, of: Value.self, registry: registry, chain: chain,
                namespace: CacheKey.namespace(name: name, version: version), directory: directory,
                configuration: nil, settings: self.settings, unusedSettings: .ignore,
                allowMemoryFallback: allowMemoryFallback, logger: options.logger)
            tiers.append(Tier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: nil))
            self.initialExplanation = selected.explanation
        } else {
            guard initial.chosen != nil else { throw StrategyChain.nothingUsable(initial) }
            self.initialExplanation = initial
        }
        tiers.insert(contentsOf: Self.reopenedTiers(
            candidates, except: Set(tiers.map { $0.choice.engine }), registry: registry,
            namespace: CacheKey.namespace(name: name, version: version), directory: directory,
            settings: self.settings, logger: options.logger, function: name), at: 0)
        self.state = Mutex(State(tiers: tiers))
    }

    /// The decision from the result type and hints alone, before any result.
    public let initialExplanation: SelectionExplanation

    /// The decisions for a result of each size class (what later tiers could be).
    static func candidateDecisions(
        _ base: DataDescription, registry: CacheRegistry, chain: StrategyChain, waiving: Bool
    ) -> [(sizeClass: CacheSizeClass?, explanation: SelectionExplanation)] {
        AutoTierDecision.candidates(base, registry: registry, chain: chain, storeKind: .sync, waiving: waiving)
    }

    /// Stores of persistent engines a larger result could have chosen in an earlier run,
    /// opened only where their storage exists already. One that fails to open is logged
    /// and left out (its results are recomputed, never wrong).
    static func reopenedTiers(
        _ candidates: [(sizeClass: CacheSizeClass?, explanation: SelectionExplanation)], except: Set<CacheEngineID>,
        registry: CacheRegistry, namespace: String, directory: String?, settings: [CacheEngineID: CacheEngineSettings],
        logger: Logger, function: String
    ) -> [Tier] {
        AutoTierDecision.reopened(
            candidates, except: except, registry: registry, namespace: namespace, directory: directory,
            settings: settings, logger: logger, function: function
        ) { choice, engineSettings in
            AnyCacheStore(try registry.makeStore(engine: choice.engine, of: Value.self, configuration: choice.configuration,
                                                 settings: engineSettings))
        }.map { Tier(store: $0.store, choice: $0.choice, explanation: $0.explanation, sizeClass: $0.sizeClass) }
    }

    /// Calls the function through the cache.
    public func callAsFunction(_ args: repeat each Arg) throws -> Value {
        let key = try CacheKey(name: name, version: version, arguments: repeat each args)
        let tiers = state.withLock { $0.tiers }
        if let current = tiers.last, let v = try? current.store.value(forKey: key) { return v }
        if let v = peekEarlier(tiers, key) {
            counters.withLock { $0.hits += 1 }
            return v
        }
        let (value, _) = try flights.run(
            key, function: name,
            recheck: { peekAll(key) },
            compute: { try load(key, repeat each args) })
        return value
    }

    func peekEarlier(_ tiers: [Tier], _ key: CacheKey) -> Value? {
        for tier in tiers.dropLast().reversed() {
            if let v = (try? tier.store.peekValue(forKey: key)) ?? nil { return v }
        }
        return nil
    }

    func peekAll(_ key: CacheKey) -> Value? {
        for tier in state.withLock({ $0.tiers }).reversed() {
            if let v = (try? tier.store.peekValue(forKey: key)) ?? nil { return v }
        }
        return nil
    }

    func load(_ key: CacheKey, _ args: repeat each Arg) throws -> Value {
        let value = try cacheTimedLoad({ try function(repeat each args) }) { failure, elapsed in
            counters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
        }.value
        guard options.shouldCache?(value) ?? true else { return value }
        do {
            let target = try tierAfterObserving(value)
            try target.store.setValue(value, forKey: key, ttl: nil)
        } catch {
            let described = cacheDescribeKey(key)
            let firstFailure = state.withLock { s in
                defer { s.warnedTierFailure = true }
                return !s.warnedTierFailure
            }
            counters.withLock { $0.storeFailures += 1 }
            if firstFailure {
                options.logger.warning(
                    "auto memoize could not store a result; returning it uncached (further failures are counted, not logged)",
                    metadata: ["function": "\(name)", "key": "\(described)", "error": "\(error)"])
            }
            options.onStoreFailure?(error, described)
        }
        return value
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
            let grew = s.largestObserved.map { sizeClass > $0 } ?? true
            return grew ? nil : s.tiers.last
        }
        if let current { return current }
        let description = AutoTierDecision.observed(baseDescription, bytes: bytes)
        // Decide and make the store outside the lock (engine code), then install it
        // unless another thread installed a decision for a size class at least as large.
        // An engine that has a tier already is not opened twice.
        let explanation = chain.explain(description, availability: registry, storeKind: .sync,
                                        waivingRequirements: allowMemoryFallback)
        if let engine = explanation.chosen?.engine, let existing = state.withLock({ s in s.tiers.first { $0.choice.engine == engine } }) {
            return install(existing, explanation: explanation, sizeClass: sizeClass)
        }
        let selected = try AutoSelect.makeStore(
            for: description, of: Value.self, registry: registry, chain: chain,
            namespace: CacheKey.namespace(name: name, version: version), directory: directory,
            configuration: nil, settings: settings, unusedSettings: .ignore,
            allowMemoryFallback: allowMemoryFallback, logger: options.logger)
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

    /// The engine new results go to now (the type-only decision before the first result).
    public var currentEngine: CacheEngineID {
        state.withLock { $0.tiers.last?.choice.engine } ?? initialExplanation.chosen!.engine
    }

    /// Every decision taken, oldest first.
    public var tiers: [Tier] { state.withLock { $0.tiers } }

    /// The decisions, as data.
    // A closure, not a key path: key paths into types nested in this parameter-pack
    // generic class crash the Swift 6.3 runtime (_swift_getKeyPath demangling).
    public var history: [SelectionExplanation] { [initialExplanation] + tiers.map { $0.explanation } }

    /// Hits and misses of every store, plus this function's loads and failures.
    public var info: CacheStats {
        var s = CacheStats()
        for tier in tiers { s.merge(tier.store.stats) }
        let own = counters.withLock { $0 }
        s.hits += own.hits
        return s.addingLoadCounters(of: own)
    }
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

/// Memoizes `function`, choosing its engine from the result type and then from the
/// results it returns (see ``AutoMemoized``).
public func autoMemoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    name: String, version: String? = nil, hints: CacheHints = .none,
    registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
    settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
    allowMemoryFallback: Bool = false,
    options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> AutoMemoized<repeat each Arg, Value> {
    try AutoMemoized(name: name, version: version, hints: hints, registry: registry, chain: chain, directory: directory,
                     settings: settings, unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback,
                     options: options, function)
}
