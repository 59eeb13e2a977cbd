import CacheCore
import Logging

/// A store made by the engine the chain chose, with the decision that chose it.
public struct SelectedStore<Value: Codable & Sendable>: Sendable {
    public let store: AnyCacheStore<CacheKey, Value>
    public let choice: EngineChoice
    /// The typed settings the chosen engine was given, if any.
    public let settings: CacheEngineSettings?
    /// The final decision path (with every engine that refused its configuration).
    public let explanation: SelectionExplanation
}

/// An asynchronous store made by the engine the chain chose, with the decision that chose it.
public struct SelectedAsyncStore<Value: Codable & Sendable>: Sendable {
    public let store: AnyAsyncCacheStore<CacheKey, Value>
    public let choice: EngineChoice
    /// The typed settings the chosen engine was given, if any.
    public let settings: CacheEngineSettings?
    /// The final decision path (with every engine that refused its configuration).
    public let explanation: SelectionExplanation
}

/// Static selection: picks an engine from what is known before the first call
/// (the result type, hints, an optional sample) and makes its store.
public enum AutoSelect {
    /// Decides for `description` and makes a synchronous store of the chosen engine.
    ///
    /// - An engine that refuses its configuration (a directory that is a file, a read-only
    ///   mount) is recorded with its real reason and the decision is taken again without it.
    /// - When the hints require persistence or sharing (``CacheHints/requiredCapabilities``),
    ///   only engines with those capabilities are chosen; when every one refuses or none is
    ///   registered, this throws ``CacheSelectionError`` naming each engine and its reason —
    ///   unless `allowMemoryFallback` is `true`, which chooses without the requirement and
    ///   logs one warning.
    /// - A persistent engine given no directory (neither here nor in its settings) uses
    ///   ``CacheDirectories/defaultRoot()``.
    /// - `settings` hold at most one entry per engine; the chosen engine gets its own, and
    ///   settings for an engine not chosen throw ``CacheConfigurationError`` unless
    ///   `unusedSettings` is `.ignore`. An engine refusing settings or a configuration the
    ///   caller gave throws that error: what the caller asked for is never dropped.
    ///
    /// - Throws: ``CacheSelectionError``, ``CacheConfigurationError``, or
    ///   ``CacheEngineUnavailableError`` when no registered engine can make the store.
    public static func makeStore<Value: Codable & Sendable>(
        for description: DataDescription, of valueType: Value.Type = Value.self,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
        namespace: String? = nil, directory: String? = nil,
        settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
        allowMemoryFallback: Bool = false, logger: Logger = AutoSelect.logger
    ) throws -> SelectedStore<Value> {
        try makeStore(for: description, of: valueType, registry: registry, chain: chain, namespace: namespace,
                      directory: directory, configuration: nil, settings: try indexed(settings),
                      unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback, logger: logger)
    }

    /// Decides for `description` — the results of an `async` function (its `execution` is
    /// taken as `.async`) — among the engines that make asynchronous stores, and makes one:
    /// CacheAsync's memory store, CacheDisk's `AsyncDiskStore`, CacheRedis's `RedisStore`,
    /// or any registered engine's. Persistence and sharing hints, `allowMemoryFallback`,
    /// directories and typed `settings` work exactly as in
    /// ``makeStore(for:of:registry:chain:namespace:directory:settings:unusedSettings:allowMemoryFallback:logger:)``.
    /// A store that can make a load exclusive across processes keeps doing so through
    /// ``AnyAsyncCacheStore``, so an ``AsyncCache`` over it loads a missing key once.
    ///
    /// - Throws: ``CacheSelectionError``, ``CacheConfigurationError``, or
    ///   ``CacheEngineUnavailableError`` when no registered engine can make the store.
    public static func makeAsyncStore<Value: Codable & Sendable>(
        for description: DataDescription, of valueType: Value.Type = Value.self,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
        namespace: String? = nil, directory: String? = nil,
        settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
        allowMemoryFallback: Bool = false, logger: Logger = AutoSelect.logger
    ) throws -> SelectedAsyncStore<Value> {
        try makeAsyncStore(for: description, of: valueType, registry: registry, chain: chain, namespace: namespace,
                           directory: directory, configuration: nil, settings: try indexed(settings),
                           unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback, logger: logger)
    }

    /// The logger selection warnings go to by default.
    public static let logger = Logger(label: "swift-cache.autoselect")

    /// - Parameter configuration: the caller's configuration (a preset's), given to whichever
    ///   engine is chosen in place of the analyzer's; its refusal is thrown, not skipped.
    static func makeStore<Value: Codable & Sendable>(
        for description: DataDescription, of valueType: Value.Type, registry: CacheRegistry, chain: StrategyChain,
        namespace: String?, directory: String?, configuration: CacheConfiguration?,
        settings: [CacheEngineID: CacheEngineSettings], unusedSettings: UnusedEngineSettings,
        allowMemoryFallback: Bool, logger: Logger
    ) throws -> SelectedStore<Value> {
        let made = try choose(
            for: description, storeKind: .sync, registry: registry, chain: chain, namespace: namespace, directory: directory,
            configuration: configuration, settings: settings, unusedSettings: unusedSettings,
            allowMemoryFallback: allowMemoryFallback, logger: logger
        ) { choice, engineSettings in
            try registry.makeStore(engine: choice.engine, of: valueType, configuration: choice.configuration, settings: engineSettings)
        }
        return SelectedStore(store: AnyCacheStore(made.store), choice: made.choice, settings: made.settings, explanation: made.explanation)
    }

    /// ``makeStore(for:of:registry:chain:namespace:directory:configuration:settings:unusedSettings:allowMemoryFallback:logger:)``
    /// for an asynchronous store.
    static func makeAsyncStore<Value: Codable & Sendable>(
        for description: DataDescription, of valueType: Value.Type, registry: CacheRegistry, chain: StrategyChain,
        namespace: String?, directory: String?, configuration: CacheConfiguration?,
        settings: [CacheEngineID: CacheEngineSettings], unusedSettings: UnusedEngineSettings,
        allowMemoryFallback: Bool, logger: Logger
    ) throws -> SelectedAsyncStore<Value> {
        var description = description
        description.execution = .async
        let made = try choose(
            for: description, storeKind: .async, registry: registry, chain: chain, namespace: namespace, directory: directory,
            configuration: configuration, settings: settings, unusedSettings: unusedSettings,
            allowMemoryFallback: allowMemoryFallback, logger: logger
        ) { choice, engineSettings in
            try registry.makeAsyncStore(engine: choice.engine, of: valueType, configuration: choice.configuration, settings: engineSettings)
        }
        return SelectedAsyncStore(store: AnyAsyncCacheStore(made.store), choice: made.choice, settings: made.settings,
                                  explanation: made.explanation)
    }

    /// The selection both kinds of store go through: decides for `description` among the
    /// engines that make `storeKind` stores, and has `make` build the chosen engine's store.
    /// An engine whose `make` fails is rejected and the decision taken again; the hints'
    /// required capabilities hold unless `allowMemoryFallback` (see ``makeStore(for:of:registry:chain:namespace:directory:settings:unusedSettings:allowMemoryFallback:logger:)``).
    static func choose<Made>(
        for description: DataDescription, storeKind: CacheStoreKind, registry: CacheRegistry, chain: StrategyChain,
        namespace: String?, directory: String?, configuration: CacheConfiguration?,
        settings: [CacheEngineID: CacheEngineSettings], unusedSettings: UnusedEngineSettings,
        allowMemoryFallback: Bool, logger: Logger,
        make: (_ choice: EngineChoice, _ settings: CacheEngineSettings?) throws -> Made
    ) throws -> (store: Made, choice: EngineChoice, settings: CacheEngineSettings?, explanation: SelectionExplanation) {
        try configuration?.validate()
        var rejected: [CacheEngineID: String] = [:]
        var refusals: [CacheSelectionError.Refusal] = []
        var waiving = false
        while true {
            let explanation = chain.explain(description, availability: registry, storeKind: storeKind, rejected: rejected,
                                            waivingRequirements: waiving)
            guard var choice = explanation.chosen else {
                let required = description.hints.requiredCapabilities
                guard !required.isEmpty, !waiving else { throw StrategyChain.nothingUsable(explanation) }
                if allowMemoryFallback {
                    waiving = true
                    continue
                }
                throw CacheSelectionError(
                    required: required, requiredBy: description.hints.requiringSummary, refusals: refusals,
                    notRegistered: explanation.missingEngines, explanation: explanation)
            }
            if let configuration { choice.configuration = configuration }
            let engineSettings = settings[choice.engine]
            if unusedSettings == .reject, let unused = settings.keys.sorted().first(where: { $0 != choice.engine }) {
                throw CacheConfigurationError(
                    setting: "settings", value: settings[unused]!.description,
                    reason: "the selection chose \(choice.engine), not \(unused); pass unusedSettings: .ignore to allow settings for engines that are not chosen")
            }
            do {
                choice = try resolved(choice, namespace: namespace, directory: directory, registry: registry)
                let store = try make(choice, engineSettings)
                var final = explanation
                final.chosen = choice
                if waiving {
                    logger.warning(
                        "cache selection: no engine can keep what the hints ask; results stay in memory",
                        metadata: ["engine": "\(choice.engine)", "why": "\(final.fallback ?? "")"])
                }
                return (store, choice, engineSettings, final)
            } catch let error as CacheConfigurationError where engineSettings != nil || configuration != nil {
                throw error
            } catch {
                // Every pass rejects one more engine, so the loop ends.
                let reason = String(describing: error)
                rejected[choice.engine] = reason
                refusals.append(.init(engine: choice.engine, reason: reason))
            }
        }
    }

    /// `choice` with the call's namespace, and a directory for an engine that keeps files
    /// (the call's, else ``CacheDirectories/defaultRoot()``), where its configuration has none.
    static func resolved(
        _ choice: EngineChoice, namespace: String?, directory: String?, registry: CacheRegistry
    ) throws(CacheConfigurationError) -> EngineChoice {
        var choice = choice
        if let namespace, choice.configuration.namespace == nil {
            choice.configuration = choice.configuration.replacing(namespace: namespace)
        }
        if choice.configuration.directory == nil, needsDirectory(choice.engine, in: registry) {
            let root: String
            if let directory { root = directory } else { root = try CacheDirectories.defaultRoot() }
            choice.configuration = try choice.configuration.replacing(directory: root)
        }
        return choice
    }

    /// Whether `engine` keeps files on this machine (persistent, not a server).
    static func needsDirectory(_ engine: CacheEngineID, in registry: CacheRegistry) -> Bool {
        guard let capabilities = registry.traits(of: engine)?.capabilities else { return false }
        return capabilities.contains(.persistent) && !capabilities.contains(.distributed)
    }

    /// `settings` by engine, refusing two for one engine.
    static func indexed(_ settings: [CacheEngineSettings]) throws(CacheConfigurationError) -> [CacheEngineID: CacheEngineSettings] {
        var out: [CacheEngineID: CacheEngineSettings] = [:]
        for entry in settings {
            if let earlier = out[entry.engine] {
                throw CacheConfigurationError(setting: "settings", value: entry.description,
                                              reason: "\(entry.engine) already has settings (\(earlier)); give one per engine")
            }
            out[entry.engine] = entry
        }
        return out
    }

    /// Explains the choice for results of type `T` without making anything.
    public static func explain<T>(
        _ type: T.Type, size: Int? = nil, execution: CacheExecution = .sync, hints: CacheHints = .none,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared
    ) -> SelectionExplanation {
        chain.explain(DataDescription(type, size: size, execution: execution, hints: hints), availability: registry)
    }
}

/// A memoized function over a store the chain chose from its result type.
public final class SelectedMemoized<each Arg, Value: Codable & Sendable>: Sendable {
    public let memoized: Memoized<AnyCacheStore<CacheKey, Value>, repeat each Arg>
    /// The decision in force: the one that chose the store (every memoizer that selects
    /// its store answers `explanation` and ``history`` the same way).
    public let explanation: SelectionExplanation
    /// Every decision taken, oldest first: here only ``explanation`` (decided once).
    public var history: [SelectionExplanation] { [explanation] }
    /// The chosen engine and its configuration.
    public let choice: EngineChoice
    public var engine: CacheEngineID { choice.engine }

    init(memoized: Memoized<AnyCacheStore<CacheKey, Value>, repeat each Arg>, selected: SelectedStore<Value>) {
        self.memoized = memoized
        self.explanation = selected.explanation
        self.choice = selected.choice
    }

    public func callAsFunction(_ args: repeat each Arg) throws -> Value { try memoized(repeat each args) }

    /// The store's counters plus the function's loads and failures.
    public var info: CacheStats { memoized.info }

    /// Removes every stored result and resets the function's counters.
    public func clear() throws { try memoized.clear() }
}

/// Memoizes `function` over the engine the chain picks for its result type `Value`
/// and `hints` (static selection, decided once, now).
///
/// - `name` (and `version`) form the key namespace: persistent engines need a stable name.
/// - Hints that ask for persistence or sharing are kept or the call throws
///   ``CacheSelectionError`` (see ``AutoSelect/makeStore(for:of:registry:chain:namespace:directory:settings:unusedSettings:allowMemoryFallback:logger:)``);
///   `allowMemoryFallback: true` accepts memory instead, with one warning.
/// - `directory` is where persistent engines keep files (default ``CacheDirectories/defaultRoot()``);
///   `settings` are typed engine settings (`.disk(…)`, `.arrays(…)`, `.redis(url:)`).
public func memoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    name: String, version: String? = nil, returning: Value.Type = Value.self, size: Int? = nil,
    hints: CacheHints = .none, registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
    directory: String? = nil, settings: [CacheEngineSettings] = [], unusedSettings: UnusedEngineSettings = .reject,
    allowMemoryFallback: Bool = false,
    options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> SelectedMemoized<repeat each Arg, Value> {
    try CacheKey.validateName(name)
    let description = DataDescription(Value.self, size: size, hints: hints)
    let selected = try AutoSelect.makeStore(
        for: description, of: Value.self, registry: registry, chain: chain,
        namespace: CacheKey.namespace(name: name, version: version), directory: directory, settings: settings,
        unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback, logger: options.logger)
    let memoized = try Memoized(store: selected.store, name: name, version: version, options: options, function)
    return SelectedMemoized(memoized: memoized, selected: selected)
}
