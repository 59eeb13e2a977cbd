import CacheCore

/// An `async` memoized function over an asynchronous store the chain chose from its result
/// type: concurrent callers of one missing key share one load (across tasks, without
/// blocking a thread), and across processes too when the chosen store offers it (CacheDisk's
/// lease rows, CacheRedis's lease lock).
public final class SelectedAsyncMemoized<each Arg: Encodable & Sendable, Value: Codable & Sendable>: Sendable {
    /// The store the results are kept in (entries stamped for refresh-ahead and stale-if-error).
    public typealias Store = AnyAsyncCacheStore<CacheKey, AsyncCacheEntry<Value>>

    public let memoized: AsyncMemoized<Store, Value, repeat each Arg>
    /// The decision that chose the store (its `storeKind` is `.async`).
    public let explanation: SelectionExplanation
    /// The chosen engine and its configuration.
    public let choice: EngineChoice
    public var engine: CacheEngineID { choice.engine }
    /// Every decision taken, oldest first: here only ``explanation`` (decided once).
    public var history: [SelectionExplanation] { [explanation] }

    init(memoized: AsyncMemoized<Store, Value, repeat each Arg>, selected: SelectedAsyncStore<AsyncCacheEntry<Value>>) {
        self.memoized = memoized
        self.explanation = selected.explanation
        self.choice = selected.choice
    }

    /// Calls the function through the cache.
    public func callAsFunction(_ args: repeat each Arg) async throws -> Value { try await memoized(repeat each args) }

    /// The store's counters plus the function's loads and failures.
    public var info: CacheStats { get async { await memoized.info } }

    /// Removes every stored result.
    public func clear() async throws { try await memoized.clear() }
}

/// Memoizes the `async` function `function` over the engine the chain picks, among those
/// that make asynchronous stores, for its result type `Value` and `hints` (static
/// selection, decided once, now) — the `async` counterpart of
/// ``memoize(name:version:returning:size:hints:registry:chain:directory:settings:unusedSettings:allowMemoryFallback:options:_:)``
/// with the same parameters, and ``AsyncCacheOptions`` (TTL, refresh-ahead, stale-if-error).
///
/// - The `async-results` analyzer keeps results in CacheAsync's memory store unless the
///   hints ask for persistence or sharing; then CacheDisk (`AsyncDiskStore`) or CacheRedis
///   (`RedisStore`) is chosen, and a second process is served what the first stored.
/// - Hints that ask for persistence or sharing are kept or the call throws
///   ``CacheSelectionError``; `allowMemoryFallback: true` accepts memory, with one warning.
public func memoize<each Arg: Encodable & Sendable, Value: Codable & Sendable>(
    name: String, version: String? = nil, returning: Value.Type = Value.self, size: Int? = nil,
    hints: CacheHints = .none, registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
    directory: String? = nil, settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
    allowMemoryFallback: Bool = false,
    options: AsyncCacheOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) async throws -> Value
) throws -> SelectedAsyncMemoized<repeat each Arg, Value> {
    try CacheKey.validateName(name)
    let description = DataDescription(Value.self, size: size, execution: .async, hints: hints)
    let selected = try AutoSelect.makeAsyncStore(
        for: description, of: AsyncCacheEntry<Value>.self, registry: registry, chain: chain,
        namespace: CacheKey.namespace(name: name, version: version), directory: directory, settings: settings,
        unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback, logger: options.logger)
    let cache = try AsyncCache(store: selected.store, name: name, options: options)
    let memoized = try AsyncMemoized(cache: cache, name: name, version: version, function)
    return SelectedAsyncMemoized(memoized: memoized, selected: selected)
}
