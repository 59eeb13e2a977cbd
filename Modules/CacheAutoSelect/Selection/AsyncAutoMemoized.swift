import CacheCore
import Logging

/// An `async` memoized function that chooses its engine — among those that make
/// asynchronous stores — from the results it actually returns: the `async` counterpart of
/// ``AutoMemoized``, with the same promises.
///
/// - The function runs **once per miss**, across tasks (single-flight, no thread
///   blocked) and across processes when the current store offers it (CacheDisk's lease
///   rows, CacheRedis's lease lock). A result is measured after it was computed, stored in
///   the engine chosen in the light of it, and returned; nothing is recomputed to re-decide.
/// - **Earlier runs are consulted.** When the type-only decision names a persistent engine,
///   its store is opened at construction, so the first call in a new process is served from
///   what an earlier process stored; persistent engines larger results could have chosen
///   are reopened too when their storage already exists.
/// - Results stored before a re-decision stay where they are and are still served; new
///   results go only to the current store. Size classes only grow.
/// - Hints that ask for persistence or sharing hold for every tier: construction throws
///   ``CacheSelectionError`` when no engine can keep them (unless `allowMemoryFallback`),
///   and a later tier that cannot be made leaves the computed value unstored — returned,
///   counted in `info.storeFailures`, handed to `onStoreFailure`, logged at warning level
///   once — rather than silently kept in memory.
/// - Refresh-ahead and stale-if-error follow ``AsyncCacheOptions``; a TTL is refused
///   (the engine may change), as in ``AutoMemoized``.
public final class AsyncAutoMemoized<each Arg: Encodable & Sendable, Value: Codable & Sendable>: Sendable {
    public let name: String
    public let version: String?
    let tierStore: AsyncAutoTierStore<Value>
    let memoized: AsyncMemoized<AsyncAutoTierStore<Value>, Value, repeat each Arg>

    /// The decision from the result type and hints alone, before any result.
    public let initialExplanation: SelectionExplanation

    /// - Parameters:
    ///   - directory: where persistent engines keep files (default ``CacheDirectories/defaultRoot()``).
    ///   - settings: typed settings for the engines the function may choose (one per engine);
    ///     settings for an engine no size class of these results would choose throw unless
    ///     `unusedSettings` is `.ignore`.
    ///   - allowMemoryFallback: accept memory when no engine can keep what the hints ask
    ///     (one warning is logged) instead of throwing ``CacheSelectionError``.
    /// - Throws: ``CacheConfigurationError`` for an invalid name, options or settings;
    ///   ``CacheSelectionError`` when the hints' persistence or sharing cannot be kept;
    ///   ``CacheEngineUnavailableError`` when no engine makes async stores for the result type.
    public init(
        name: String, version: String? = nil, returning: Value.Type = Value.self, hints: CacheHints = .none,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
        settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
        allowMemoryFallback: Bool = false,
        options: AsyncCacheOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) async throws -> Value
    ) throws {
        try CacheKey.validateName(name)
        try AutoTierDecision.validate(ttl: options.ttl, directory: directory)
        let base = DataDescription(Value.self, execution: .async, hints: hints)
        let decider = AutoTierDecider(
            name: name, namespace: CacheKey.namespace(name: name, version: version), baseDescription: base,
            registry: registry, chain: chain, directory: directory, settings: try AutoSelect.indexed(settings),
            allowMemoryFallback: allowMemoryFallback, logger: options.logger, storeKind: .async)
        let (tiers, initial): ([AsyncAutoTier<Value>], SelectionExplanation) = try decider.initialTiers(
            unusedSettings: unusedSettings, select: { description -> AsyncAutoTier<Value> in try decider.selectAsyncTier(description) },
            open: { choice, engineSettings in
                AnyAsyncCacheStore(try registry.makeAsyncStore(
                    engine: choice.engine, of: AsyncCacheEntry<Value>.self, configuration: choice.configuration,
                    settings: engineSettings))
            })
        initialExplanation = initial
        self.name = name
        self.version = version
        tierStore = AsyncAutoTierStore(decider: decider, tiers: tiers)
        let cache = try AsyncCache(store: tierStore, name: name, options: options)
        memoized = try AsyncMemoized(cache: cache, name: name, version: version, function)
    }

    /// Calls the function through the cache.
    public func callAsFunction(_ args: repeat each Arg) async throws -> Value { try await memoized(repeat each args) }

    /// The engine new results go to now (the type-only decision before the first result).
    public var currentEngine: CacheEngineID {
        tierStore.tiers.last?.choice.engine ?? initialExplanation.chosen!.engine
    }

    /// Every decision taken, oldest first.
    public var tiers: [AsyncAutoTier<Value>] { tierStore.tiers }

    /// The decisions, as data.
    public var history: [SelectionExplanation] { [initialExplanation] + tiers.map { $0.explanation } }

    /// The engine new results go to now: the same as ``currentEngine`` (the spelling of every selecting memoizer).
    public var engine: CacheEngineID { currentEngine }
    /// The decision in force: the one that chose the current tier (the type-only one before any result).
    public var explanation: SelectionExplanation { tiers.last?.explanation ?? initialExplanation }

    /// Hits and misses of lookups through every store, plus this function's loads and failures.
    public var info: CacheStats { get async { await memoized.info } }

    /// Removes every stored result from every tier.
    public func clear() async throws { try await memoized.clear() }
}

/// Memoizes the `async` function `function`, choosing its engine among those that make
/// asynchronous stores from the result type and then from the results it returns (see
/// ``AsyncAutoMemoized``).
public func autoMemoize<each Arg: Encodable & Sendable, Value: Codable & Sendable>(
    name: String, version: String? = nil, hints: CacheHints = .none,
    registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
    settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
    allowMemoryFallback: Bool = false,
    options: AsyncCacheOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) async throws -> Value
) throws -> AsyncAutoMemoized<repeat each Arg, Value> {
    try AsyncAutoMemoized(name: name, version: version, hints: hints, registry: registry, chain: chain, directory: directory,
                          settings: settings, unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback,
                          options: options, function)
}
