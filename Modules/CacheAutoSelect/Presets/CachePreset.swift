import CacheCore
import Logging

/// A ready-made description of a kind of data, with the engine it prefers: use it
/// with ``memoize(preset:name:version:registry:chain:options:_:)`` or ``AutoSelect/makeStore(preset:of:registry:chain:namespace:)``.
///
/// A preferred engine that is not registered falls back through the chain (the
/// explanation records it); a *required* one throws ``CacheEngineUnavailableError``.
public struct CachePreset: Sendable, Hashable {
    /// Whether the preset's engine is a preference or a demand.
    public enum Requirement: String, Sendable, Hashable {
        /// Fall back through the chain when the engine is not registered.
        case preferred
        /// Throw when the engine is not registered.
        case required
    }

    public var name: String
    /// Overrides the category derived from the value type.
    public var category: CacheDataCategory?
    /// The described type, for ``forType(_:hints:)``; otherwise the memoized function's result type.
    public var type: TypeDescriptor?
    public var hints: CacheHints
    /// The engine asked for first, with its alternatives.
    public var engine: CacheEngineID?
    public var alternatives: [CacheEngineID]
    public var requirement: Requirement
    /// The configuration the chosen engine gets — whichever engine the chain chooses, not only
    /// ``engine`` — in place of the analyzer's; an engine refusing it throws.
    public var configuration: CacheConfiguration?
    /// Typed settings for the engines the preset may choose (one per engine).
    public var settings: [CacheEngineSettings]

    public init(
        name: String, category: CacheDataCategory? = nil, type: TypeDescriptor? = nil, hints: CacheHints = .none,
        engine: CacheEngineID? = nil, alternatives: [CacheEngineID] = [], requirement: Requirement = .preferred,
        configuration: CacheConfiguration? = nil, settings: [CacheEngineSettings] = []
    ) {
        self.name = name
        self.category = category
        self.type = type
        self.hints = hints
        self.engine = engine
        self.alternatives = alternatives
        self.requirement = requirement
        self.configuration = configuration
        self.settings = settings
    }

    /// Contiguous numeric arrays (vectors, matrices, tensors): CacheJoblib, else CacheDisk.
    public static func numericArrays(
        persistence: CachePersistence = .longTerm, engine: CacheEngineID = KnownEngines.cacheJoblib,
        requirement: Requirement = .preferred
    ) -> CachePreset {
        CachePreset(name: "numeric-arrays", category: .numericArray, hints: .init(persistence: persistence),
                    engine: engine, alternatives: [KnownEngines.cacheDisk], requirement: requirement)
    }

    /// JSON or Codable documents: CacheDisk, else CacheKlepto.
    public static func jsonDocuments(
        persistence: CachePersistence = .longTerm, requirement: Requirement = .preferred
    ) -> CachePreset {
        CachePreset(name: "json-documents", category: .document, hints: .init(persistence: persistence),
                    engine: KnownEngines.cacheDisk, alternatives: [KnownEngines.cacheKlepto], requirement: requirement)
    }

    /// Images and other binary blobs: CacheDisk, else CacheKlepto.
    public static func images(
        persistence: CachePersistence = .longTerm, requirement: Requirement = .preferred
    ) -> CachePreset {
        CachePreset(name: "images", category: .binaryBlob, hints: .init(persistence: persistence, sizeClass: .large),
                    engine: KnownEngines.cacheDisk, alternatives: [KnownEngines.cacheKlepto], requirement: requirement)
    }

    /// Tabular or columnar data: CacheJoblib, else CacheDisk.
    public static func tabular(
        persistence: CachePersistence = .longTerm, requirement: Requirement = .preferred
    ) -> CachePreset {
        CachePreset(name: "tabular", category: .tabular, hints: .init(persistence: persistence),
                    engine: KnownEngines.cacheJoblib, alternatives: [KnownEngines.cacheDisk], requirement: requirement)
    }

    /// Whatever the chain picks for `type` and `hints`: no engine of its own.
    public static func forType<T>(_ type: T.Type, hints: CacheHints = .none) -> CachePreset {
        CachePreset(name: "for-type \(TypeDescriptor(type))", type: TypeDescriptor(type), hints: hints)
    }

    /// The description of results of type `Value` under this preset.
    public func description<Value>(for valueType: Value.Type) -> DataDescription {
        DataDescription(type: type ?? TypeDescriptor(valueType), category: category, hints: hints)
    }

    /// The chain to decide with: `base`'s analyzers, led by this preset's engine preference.
    public func chain(over base: StrategyChain) -> StrategyChain {
        guard let engine else { return base }
        let preset = self
        let analyzer = ClosureAnalyzer(name: "preset \(name)", priority: Int.max) { d in
            let config = try preset.configuration ?? CacheConfiguration(policy: d.preferredPolicy)
            return Recommendation(engine: engine, configuration: config, reason: "the \(preset.name) preset asks for \(engine)",
                                  alternatives: preset.alternatives)
        }
        return StrategyChain(analyzers: [analyzer] + base.analyzers, defaultEngines: base.defaultEngines)
    }

    /// Decides for `Value`: throws ``CacheEngineUnavailableError`` when the preset
    /// *requires* an engine that is not registered; otherwise any fallback is in the explanation.
    public func explain<Value>(
        for valueType: Value.Type, availability: any EngineAvailability = CacheRegistry.shared,
        chain base: StrategyChain = .shared, storeKind: CacheStoreKind? = nil
    ) throws(CacheEngineUnavailableError) -> SelectionExplanation {
        try checkRequirement(availability)
        return chain(over: base).explain(description(for: valueType), availability: availability, storeKind: storeKind)
    }

    func checkRequirement(_ availability: any EngineAvailability) throws(CacheEngineUnavailableError) {
        if requirement == .required, let engine, availability.traits(of: engine) == nil {
            throw CacheEngineUnavailableError(
                engine: engine, registered: availability.availableIDs,
                reason: "the \(name) preset requires it and it is not registered (link its product and call its register(in:))")
        }
    }
}

extension AutoSelect {
    /// Makes a store for `Value` as `preset` describes: its configuration and settings reach
    /// the chosen engine, and its hints' requirements hold as in
    /// ``makeStore(for:of:registry:chain:namespace:directory:settings:unusedSettings:allowMemoryFallback:logger:)``.
    public static func makeStore<Value: Codable & Sendable>(
        preset: CachePreset, of valueType: Value.Type = Value.self,
        registry: CacheRegistry = .shared, chain: StrategyChain = .shared, namespace: String? = nil,
        directory: String? = nil, unusedSettings: UnusedEngineSettings = .reject, allowMemoryFallback: Bool = false,
        logger: Logger = AutoSelect.logger
    ) throws -> SelectedStore<Value> {
        try preset.checkRequirement(registry)
        return try makeStore(for: preset.description(for: valueType), of: valueType, registry: registry,
                             chain: preset.chain(over: chain), namespace: namespace, directory: directory,
                             configuration: preset.configuration, settings: try indexed(preset.settings),
                             unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback, logger: logger)
    }
}

/// Memoizes `function` over the store `preset` selects for its result type.
public func memoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    preset: CachePreset, name: String, version: String? = nil,
    registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
    unusedSettings: UnusedEngineSettings = .reject, allowMemoryFallback: Bool = false,
    options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> SelectedMemoized<repeat each Arg, Value> {
    try CacheKey.validateName(name)
    let selected = try AutoSelect.makeStore(preset: preset, of: Value.self, registry: registry, chain: chain,
                                            namespace: CacheKey.namespace(name: name, version: version), directory: directory,
                                            unusedSettings: unusedSettings, allowMemoryFallback: allowMemoryFallback,
                                            logger: options.logger)
    let memoized = try Memoized(store: selected.store, name: name, version: version, options: options, function)
    return SelectedMemoized(memoized: memoized, selected: selected)
}
