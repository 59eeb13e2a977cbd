import CacheCore
import Logging
import Synchronization

/// A memoized function that chooses its engine from the results it actually returns:
/// it starts from the result type and hints, measures every computed result, and when
/// a result is of a larger size class than any before, asks the chain again (first
/// results small → memory; later results large → disk).
///
/// It is CacheCore's ``Memoized`` over an ``AutoTierStore`` (the re-deciding tiers), so it
/// takes every ``MemoizeOptions`` (but `ttl`: tiers are re-decided) and loads the way
/// every memoizer of the family does.
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
///   counted in `info.storeFailures`, handed to `onStoreFailure` (as an
///   ``AutoMemoizeStoreFailure``), logged once — rather than silently kept in memory.
public final class AutoMemoized<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>: Sendable {
    public typealias Tier = AutoTierStore<Value>.Tier

    public let name: String
    public let version: String?
    /// The re-deciding store the results live in.
    public let store: AutoTierStore<Value>
    let memoized: Memoized<AutoTierStore<Value>, repeat each Arg>

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
        try options.validate(storeCapabilities: [])
        self.name = name
        self.version = version
        store = try AutoTierStore.make(
            name: name, namespace: CacheKey.namespace(name: name, version: version),
            description: DataDescription(Value.self, hints: hints), registry: registry, chain: chain,
            directory: directory, settings: settings, unusedSettings: unusedSettings,
            allowMemoryFallback: allowMemoryFallback, logger: options.logger)
        memoized = try Memoized(store: store, name: name, version: version, options: options, function)
    }

    /// The decision from the result type and hints alone, before any result.
    public var initialExplanation: SelectionExplanation { store.initialExplanation }

    /// Calls the function through the cache.
    public func callAsFunction(_ args: repeat each Arg) throws -> Value { try memoized(repeat each args) }

    /// The engine new results go to now (the type-only decision before the first result).
    public var currentEngine: CacheEngineID { store.currentEngine }
    /// The engine new results go to now: the same as ``currentEngine`` (the spelling of ``SelectedMemoized``).
    public var engine: CacheEngineID { store.currentEngine }

    /// The decision in force: the one that chose the current tier (the type-only decision
    /// before any result). Every memoizer that selects its store answers `explanation`
    /// and ``history`` the same way.
    public var explanation: SelectionExplanation { tiers.last?.explanation ?? initialExplanation }

    /// Every decision taken, oldest first.
    public var tiers: [Tier] { store.tiers }

    /// Every decision taken, oldest first: the type-only one, then one per tier.
    // A closure, not a key path: key paths into types nested in parameter-pack generic
    // classes crash the Swift 6.3 runtime (_swift_getKeyPath demangling).
    public var history: [SelectionExplanation] { [initialExplanation] + tiers.map { $0.explanation } }

    /// Hits and misses of every store, plus this function's loads and failures.
    public var info: CacheStats { memoized.info }

    /// Removes every stored result, in every tier, and resets the counters.
    public func clear() throws { try memoized.clear() }
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
