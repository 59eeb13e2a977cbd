import CacheCore
import Logging
import Synchronization

/// One asynchronous store chosen by one decision of an ``AsyncAutoMemoized`` function.
public struct AsyncAutoTier<Value: Codable & Sendable>: Sendable {
    public let store: AnyAsyncCacheStore<CacheKey, AsyncCacheEntry<Value>>
    public let choice: EngineChoice
    public let explanation: SelectionExplanation
    /// The largest size class observed when it was chosen (`nil`: before any result,
    /// from the type alone, or reopened from an earlier run).
    public let sizeClass: CacheSizeClass?
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

    let decider: AutoTierDecider
    let state: Mutex<AutoTierList<Tier>>
    /// Hits and misses of lookups through every tier.
    let lookups = Mutex(CacheStats())

    init(decider: AutoTierDecider, tiers: [Tier]) {
        self.decider = decider
        self.state = Mutex(AutoTierList(tiers: tiers))
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
            if !state.withLock({ $0.firstFailure() }) { throw RepeatedTierFailure(underlying: error) }
            throw error
        }
    }

    @discardableResult
    func removeValue(forKey key: CacheKey) async throws -> AsyncCacheEntry<Value>? {
        var found: AsyncCacheEntry<Value>?
        for tier in tiers.reversed() {
            if let entry = try await tier.store.removeValue(forKey: key), found == nil { found = entry }
        }
        return found
    }

    func contains(_ key: CacheKey) async throws -> Bool {
        for tier in tiers where try await tier.store.contains(key) { return true }
        return false
    }

    func peekValue(forKey key: CacheKey) async throws -> AsyncCacheEntry<Value>? {
        for tier in tiers.reversed() {
            if let entry = try await tier.store.peekValue(forKey: key) { return entry }
        }
        return nil
    }

    var count: Int {
        get async {
            var total = 0
            for tier in tiers { total += await tier.store.count }
            return total
        }
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

    /// The tier for `value` (see ``AutoTierDecider/tier(forResultOf:in:select:)``).
    func tierAfterObserving(_ value: Value) throws -> Tier {
        try decider.tier(forResultOf: CacheSizeEstimator.standard.estimate(value).bytes, in: state) { description -> Tier in
            try decider.selectAsyncTier(description)
        }
    }
}

extension AutoTierDecider {
    /// An asynchronous store for the chain's choice for `description`.
    func selectAsyncTier<Value: Codable & Sendable>(_ description: DataDescription) throws -> AsyncAutoTier<Value> {
        let selected = try AutoSelect.makeAsyncStore(
            for: description, of: AsyncCacheEntry<Value>.self, registry: registry, chain: chain, namespace: namespace,
            directory: directory, configuration: nil, settings: settings, unusedSettings: .ignore,
            allowMemoryFallback: allowMemoryFallback, logger: logger)
        return AsyncAutoTier(store: selected.store, choice: selected.choice, explanation: selected.explanation, sizeClass: nil)
    }
}

/// A tier failure after the first: the same error, which the cache logs at debug level
/// (it is still counted in `info.storeFailures` and handed to `onStoreFailure`).
struct RepeatedTierFailure: Error, CacheReportedFailure, CustomStringConvertible {
    let underlying: any Error
    var isAlreadyReported: Bool { true }
    var description: String { String(describing: underlying) }
}

extension AsyncAutoTier: AutoTierRecord {}
