import CacheCore
import Logging
import Synchronization

/// One asynchronous store chosen by one decision of an ``AsyncAutoMemoized`` function.
public struct AsyncAutoTier<Value: Codable & Sendable>: Sendable, AutoTierRecord {
    public let store: AnyAsyncCacheStore<CacheKey, AsyncCacheEntry<Value>>
    public let choice: EngineChoice
    public let explanation: SelectionExplanation
    /// The largest size class observed when it was chosen (`nil`: before any result,
    /// from the type alone, or reopened from an earlier run).
    public let sizeClass: CacheSizeClass?

    func redecided(_ explanation: SelectionExplanation, sizeClass: CacheSizeClass) -> Self {
        Self(store: store, choice: choice, explanation: explanation, sizeClass: sizeClass)
    }
}

/// The re-deciding tiers of an ``AsyncAutoMemoized`` function as one asynchronous store,
/// under an ``AsyncCache`` (which gives it single-flight, stats and options):
///
/// - a lookup tries the current tier, then earlier ones (newest first), and counts one
///   hit or one miss however many tiers it asked;
/// - a write measures the value and, when it is of a larger size class than any before,
///   asks the chain again (engines that make async stores) and writes to the tier it
///   chose; a key is written to one tier only;
/// - a load is exclusive across processes when the current tier offers it.
final class AsyncAutoTierStore<Value: Codable & Sendable>: ExclusiveLoadingStore {
    typealias Key = CacheKey
    typealias Tier = AsyncAutoTier<Value>

    struct State: Sendable {
        /// Oldest first; the last one receives new results.
        var tiers: [Tier]
        var largestObserved: CacheSizeClass?
        /// A tier failure was reported already (later ones are logged at debug level only).
        var reportedTierFailure = false
    }

    let baseDescription: DataDescription
    let registry: CacheRegistry
    let chain: StrategyChain
    let namespace: String
    let directory: String?
    let settings: [CacheEngineID: CacheEngineSettings]
    let allowMemoryFallback: Bool
    let logger: Logger
    let state: Mutex<State>
    /// Hits and misses of lookups through every tier.
    let lookups = Mutex(CacheStats())

    init(tiers: [Tier], baseDescription: DataDescription, registry: CacheRegistry, chain: StrategyChain, namespace: String,
         directory: String?, settings: [CacheEngineID: CacheEngineSettings], allowMemoryFallback: Bool, logger: Logger) {
        self.state = Mutex(State(tiers: tiers))
        self.baseDescription = baseDescription
        self.registry = registry
        self.chain = chain
        self.namespace = namespace
        self.directory = directory
        self.settings = settings
        self.allowMemoryFallback = allowMemoryFallback
        self.logger = logger
    }

    var tiers: [Tier] { state.withLock { $0.tiers } }

    func value(forKey key: CacheKey) async throws -> AsyncCacheEntry<Value>? {
        for tier in tiers.reversed() {
            // A tier that fails to read is a miss of that tier (results are recomputed, never wrong).
            if let entry = (try? await tier.store.value(forKey: key)) ?? nil {
                lookups.withLock { $0.hits += 1 }
                return entry
            }
        }
        lookups.withLock { $0.misses += 1 }
        return nil
    }

    func setValue(_ entry: AsyncCacheEntry<Value>, forKey key: CacheKey, ttl: Duration?) async throws {
        do {
            try await tierAfterObserving(entry.value).store.setValue(entry, forKey: key, ttl: ttl)
        } catch {
            // The cache logs a store failure; after the first one, at debug level only.
            let repeated = state.withLock { s in
                defer { s.reportedTierFailure = true }
                return s.reportedTierFailure
            }
            if repeated { throw RepeatedTierFailure(underlying: error) }
            throw error
        }
    }

    @discardableResult
    func removeValue(forKey key: CacheKey) async throws -> Bool {
        var removed = false
        for tier in tiers where try await tier.store.removeValue(forKey: key) { removed = true }
        return removed
    }

    func removeAll() async throws {
        for tier in tiers { try await tier.store.removeAll() }
    }

    /// Every tier's counts, evictions and failures, with this store's hits and misses.
    var stats: CacheStats {
        get async {
            var total = CacheStats()
            for tier in tiers { total.merge(await tier.store.stats) }
            let own = lookups.withLock { $0 }
            total.hits = own.hits
            total.misses = own.misses
            return total
        }
    }

    var capabilities: CacheStoreCapabilities { tiers.last?.store.capabilities ?? [] }

    /// The current tier's exclusive load (CacheDisk's lease rows, CacheRedis's lease lock),
    /// or `.unavailable` when it has none.
    func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, _ loadAndStore: @Sendable () async throws -> Loaded
    ) async throws -> ExclusiveLoadOutcome<AsyncCacheEntry<Value>, Loaded> {
        guard let exclusive = tiers.last?.store.exclusiveLoader else { return .unavailable }
        return try await exclusive.withExclusiveLoad(forKey: key, loadAndStore)
    }

    /// The tier for `value`: the current one unless `value` is of a larger size class than
    /// any seen; then the chain decides again and, if it picks another engine, a store for
    /// it is made (an engine that has a tier already keeps its store, which becomes current).
    func tierAfterObserving(_ value: Value) throws -> Tier {
        let bytes = CacheSizeEstimator.standard.estimate(value).bytes
        let sizeClass = CacheSizeClass(bytes: bytes)
        // The size class is recorded only once a tier for it is installed, so a tier that
        // could not be made is decided again at the next such result.
        if let current = state.withLock({ s in AutoTierDecision.grew(sizeClass, beyond: s.largestObserved) ? nil : s.tiers.last }) {
            return current
        }
        let description = AutoTierDecision.observed(baseDescription, bytes: bytes)
        let explanation = chain.explain(description, availability: registry, storeKind: .async,
                                        waivingRequirements: allowMemoryFallback)
        if let engine = explanation.chosen?.engine, let existing = state.withLock({ s in s.tiers.first { $0.choice.engine == engine } }) {
            return install(existing, explanation: explanation, sizeClass: sizeClass)
        }
        let selected = try AutoSelect.makeAsyncStore(
            for: description, of: AsyncCacheEntry<Value>.self, registry: registry, chain: chain, namespace: namespace,
            directory: directory, configuration: nil, settings: settings, unusedSettings: .ignore,
            allowMemoryFallback: allowMemoryFallback, logger: logger)
        let fresh = Tier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: sizeClass)
        return install(fresh, explanation: selected.explanation, sizeClass: sizeClass)
    }

    func install(_ tier: Tier, explanation: SelectionExplanation, sizeClass: CacheSizeClass) -> Tier {
        state.withLock { s in
            AutoTierDecision.install(tier, explanation: explanation, sizeClass: sizeClass,
                                     in: &s.tiers, largestObserved: &s.largestObserved)
        }
    }
}

/// A tier failure after the first: the same error, which the cache logs at debug level
/// (it is still counted in `info.storeFailures` and handed to `onStoreFailure`).
struct RepeatedTierFailure: Error, CacheReportedFailure, CustomStringConvertible {
    let underlying: any Error
    var isAlreadyReported: Bool { true }
    var description: String { String(describing: underlying) }
}
