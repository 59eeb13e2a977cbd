import CacheCore

/// A store made by the engine the chain chose, with the decision that chose it.
public struct SelectedStore<Value: Codable & Sendable>: Sendable {
    public let store: AnyCacheStore<CacheKey, Value>
    public let choice: EngineChoice
    /// The final decision path (with every engine that refused its configuration).
    public let explanation: SelectionExplanation
}

/// Static selection: picks an engine from what is known before the first call
/// (the result type, hints, an optional sample) and makes its store.
public enum AutoSelect {
    /// Decides for `description` and makes a synchronous store of the chosen engine.
    /// An engine that refuses its configuration is recorded as rejected and the
    /// decision is taken again without it, until one makes a store.
    ///
    /// - Throws: ``CacheEngineUnavailableError`` when no registered engine can make the store.
    public static func makeStore<Value: Codable & Sendable>(
        for description: DataDescription, of valueType: Value.Type = Value.self,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
        namespace: String? = nil, directory: String? = nil
    ) throws -> SelectedStore<Value> {
        var rejected: [CacheEngineID: String] = [:]
        while true {
            let explanation = chain.explain(description, availability: registry, storeKind: .sync, rejected: rejected)
            guard var choice = explanation.chosen else { throw StrategyChain.nothingUsable(explanation) }
            if let namespace, choice.configuration.namespace == nil { choice.configuration.namespace = namespace }
            if let directory, choice.configuration.directory == nil { choice.configuration.directory = directory }
            do {
                let store = try registry.makeStore(engine: choice.engine, of: valueType, configuration: choice.configuration)
                return SelectedStore(store: AnyCacheStore(store), choice: choice, explanation: explanation)
            } catch {
                // Every pass rejects one more engine, so the loop ends.
                rejected[choice.engine] = String(describing: error)
            }
        }
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
    /// The decision that chose the store.
    public let explanation: SelectionExplanation
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
}

/// Memoizes `function` over the engine the chain picks for its result type `Value`
/// and `hints` (static selection, decided once, now).
///
/// `name` (and `version`) form the key namespace: persistent engines need a stable name.
public func memoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    name: String, version: String? = nil, returning: Value.Type = Value.self, size: Int? = nil,
    hints: CacheHints = .none, registry: CacheRegistry = .shared, chain: StrategyChain = .shared,
    directory: String? = nil, options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> SelectedMemoized<repeat each Arg, Value> {
    let description = DataDescription(Value.self, size: size, hints: hints)
    let selected = try AutoSelect.makeStore(for: description, of: Value.self, registry: registry, chain: chain,
                                            namespace: CacheKey.namespace(name: name, version: version), directory: directory)
    let memoized = try Memoized(store: selected.store, name: name, version: version, options: options, function)
    return SelectedMemoized(memoized: memoized, selected: selected)
}
