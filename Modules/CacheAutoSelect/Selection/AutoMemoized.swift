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
/// - Results stored before a re-decision stay where they are and are still served
///   (lookups try the current store, then earlier ones); new results go only to the
///   current store, so a key never lives in two stores with different values.
/// - Size classes only grow: results shrinking again do not move the function back.
/// - Concurrent callers of one missing key share one computation (single-flight).
public final class AutoMemoized<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>: Sendable {
    /// One store chosen by one decision.
    public struct Tier: Sendable {
        public let store: AnyCacheStore<CacheKey, Value>
        public let choice: EngineChoice
        public let explanation: SelectionExplanation
        /// The largest size class observed when it was chosen (`nil`: before any result).
        public let sizeClass: CacheSizeClass?
    }

    struct State: Sendable {
        /// Oldest first; the last one receives new results.
        var tiers: [Tier]
        var largestObserved: CacheSizeClass?
        var largestBytes = 0
    }

    public let name: String
    public let version: String?
    let function: @Sendable (repeat each Arg) throws -> Value
    let baseDescription: DataDescription
    let registry: CacheRegistry
    let chain: StrategyChain
    let options: MemoizeOptions<Value>
    let directory: String?
    let state: Mutex<State>
    let flights = SingleFlight<CacheKey, Value>()
    let counters = Mutex(CacheStats())

    /// - Throws: ``CacheEngineUnavailableError`` when no engine can be chosen for the
    ///   result type; ``CacheConfigurationError`` for an empty name or invalid options.
    public init(
        name: String, version: String? = nil, returning: Value.Type = Value.self, hints: CacheHints = .none,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
        options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws {
        if name.isEmpty {
            throw CacheConfigurationError(setting: "name", value: "''", reason: "an auto-selecting memoized function needs a stable, non-empty name")
        }
        if options.ttl != nil {
            throw CacheConfigurationError(setting: "ttl", value: "\(options.ttl!)", reason: "auto memoize re-decides engines; set a TTL on a store you choose")
        }
        try CacheConfiguration.checkSize(options.errorCacheLimit, setting: "errorCacheLimit")
        self.name = name
        self.version = version
        self.function = function
        self.baseDescription = DataDescription(Value.self, hints: hints)
        self.registry = registry
        self.chain = chain
        self.options = options
        self.directory = directory
        // Decide now, from the type alone, so that a program with no usable engine fails
        // here; the first store is made when the first result shows its size.
        let (_, explanation) = try chain.select(baseDescription, availability: registry, storeKind: .sync)
        self.initialExplanation = explanation
        self.state = Mutex(State(tiers: []))
    }

    /// The decision from the result type and hints alone, before any result.
    public let initialExplanation: SelectionExplanation

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
            counters.withLock { $0.storeFailures += 1 }
            let described = cacheDescribeKey(key)
            options.logger.warning(
                "auto memoize could not store a result; returning it uncached",
                metadata: ["function": "\(name)", "key": "\(described)", "error": "\(error)"])
            options.onStoreFailure?(error, described)
        }
        return value
    }

    /// Measures `value`; when its size class is larger than any seen, re-decides and,
    /// if the chain now picks another engine, adds a store for it (the same engine keeps its store).
    func tierAfterObserving(_ value: Value) throws -> Tier {
        let bytes = CacheSizeEstimator.standard.estimate(value).bytes
        let sizeClass = CacheSizeClass(bytes: bytes)
        let current: Tier? = state.withLock { s in
            let grew = s.largestObserved.map { sizeClass > $0 } ?? true
            if grew {
                s.largestObserved = sizeClass
                s.largestBytes = bytes
                return nil
            }
            return s.tiers.last
        }
        if let current { return current }
        var description = baseDescription
        description.sampleSize = bytes
        description.sizeSource = .codable
        // Decide and make the store outside the lock (engine code), then install it
        // unless another thread installed a decision for a size class at least as large.
        let selected = try AutoSelect.makeStore(for: description, of: Value.self, registry: registry, chain: chain,
                                                namespace: CacheKey.namespace(name: name, version: version), directory: directory)
        return state.withLock { s in
            let fresh = Tier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: sizeClass)
            guard let newest = s.tiers.last else {
                s.tiers.append(fresh)
                return fresh
            }
            if let decided = newest.sizeClass, decided >= sizeClass { return newest }
            if selected.choice.engine == newest.choice.engine {
                // Same engine: keep the store (its entries stay reachable), remember the basis.
                s.tiers[s.tiers.count - 1] = Tier(store: newest.store, choice: newest.choice,
                                                  explanation: selected.explanation, sizeClass: sizeClass)
                return s.tiers.last!
            }
            s.tiers.append(fresh)
            return fresh
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

/// Memoizes `function`, choosing its engine from the result type and then from the
/// results it returns (see ``AutoMemoized``).
public func autoMemoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    name: String, version: String? = nil, hints: CacheHints = .none,
    registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
    options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> AutoMemoized<repeat each Arg, Value> {
    try AutoMemoized(name: name, version: version, hints: hints, registry: registry, chain: chain, directory: directory,
                     options: options, function)
}
