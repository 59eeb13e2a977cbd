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

    let decider: AutoTierDecider
    let state: Mutex<AutoTierList<Tier>>
    /// Hits served by earlier tiers (their stores were only peeked).
    let earlierHits = Atomic<Int>(0)
    /// The decision from the result type and hints alone, before any result.
    public let initialExplanation: SelectionExplanation

    init(decider: AutoTierDecider, tiers: [Tier], initialExplanation: SelectionExplanation) {
        self.decider = decider
        self.state = Mutex(AutoTierList(tiers: tiers))
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
            if state.withLock({ $0.firstFailure() }) {
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
        let decider = AutoTierDecider(
            name: name, namespace: namespace, baseDescription: description, registry: registry, chain: chain,
            directory: directory, settings: try AutoSelect.indexed(settings), allowMemoryFallback: allowMemoryFallback,
            logger: logger, storeKind: .sync)
        let (tiers, initialExplanation): ([Tier], SelectionExplanation) = try decider.initialTiers(
            unusedSettings: unusedSettings, select: { description -> Tier in try decider.selectTier(description) },
            open: { choice, engineSettings in
                AnyCacheStore(try registry.makeStore(engine: choice.engine, of: Value.self, configuration: choice.configuration,
                                                     settings: engineSettings))
            })
        return AutoTierStore(decider: decider, tiers: tiers, initialExplanation: initialExplanation)
    }

    /// The tier for `value` (see ``AutoTierDecider/tier(forResultOf:in:select:)``).
    func tierAfterObserving(_ value: Value) throws -> Tier {
        try decider.tier(forResultOf: CacheSizeEstimator.standard.estimate(value).bytes, in: state) { description -> Tier in
            try decider.selectTier(description)
        }
    }
}

extension AutoTierDecider {
    /// A synchronous store for the chain's choice for `description`.
    func selectTier<Value: Codable & Sendable>(_ description: DataDescription) throws -> AutoTierStore<Value>.Tier {
        let selected = try AutoSelect.makeStore(
            for: description, of: Value.self, registry: registry, chain: chain, namespace: namespace, directory: directory,
            configuration: nil, settings: settings, unusedSettings: .ignore, allowMemoryFallback: allowMemoryFallback,
            logger: logger)
        return .init(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: nil)
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

