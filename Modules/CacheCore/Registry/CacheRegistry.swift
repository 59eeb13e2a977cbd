import Synchronization

/// Maps engine identifiers to engines. CacheCore knows no backend: each backend
/// module registers itself (`CacheToolsEngine.register(in: .shared)`), so the
/// registry holds exactly what the program links and asked for.
///
/// Use ``shared`` in applications; tests make their own instance.
public final class CacheRegistry: Sendable {
    /// The process-wide registry.
    public static let shared = CacheRegistry()

    private let engines = Mutex<[CacheEngineID: any CacheEngine]>([:])

    public init() {}

    /// Adds `engine`, replacing one registered under the same identifier.
    public func register(_ engine: any CacheEngine) {
        engines.withLock { $0[engine.id] = engine }
    }

    /// Removes the engine registered under `id`; returns whether there was one.
    @discardableResult
    public func unregister(_ id: CacheEngineID) -> Bool {
        engines.withLock { $0.removeValue(forKey: id) != nil }
    }

    /// The engine registered under `id`.
    public func engine(_ id: CacheEngineID) -> (any CacheEngine)? {
        engines.withLock { $0[id] }
    }

    public func isRegistered(_ id: CacheEngineID) -> Bool {
        engines.withLock { $0[id] != nil }
    }

    /// Registered identifiers, sorted.
    public var registeredIDs: [CacheEngineID] {
        engines.withLock { Array($0.keys) }.sorted()
    }

    /// The engine for `id`, or a typed error listing what is registered.
    public func requireEngine(_ id: CacheEngineID) throws(CacheEngineUnavailableError) -> any CacheEngine {
        let (engine, ids): ((any CacheEngine)?, [CacheEngineID]) = engines.withLock { ($0[id], Array($0.keys)) }
        guard let engine else { throw CacheEngineUnavailableError(engine: id, registered: ids.sorted()) }
        return engine
    }

    /// Makes a synchronous store from the engine registered under `id`, with its typed
    /// `settings` if any (settings for another engine are a ``CacheConfigurationError``).
    public func makeStore<Value: Codable & Sendable>(
        engine id: CacheEngineID, of valueType: Value.Type = Value.self, configuration: CacheConfiguration,
        settings: CacheEngineSettings? = nil
    ) throws -> any CacheStore<CacheKey, Value> {
        try Self.checkSettings(settings, for: id)
        return try requireEngine(id).makeStore(of: valueType, configuration: configuration, settings: settings)
    }

    /// Makes an asynchronous store from the engine registered under `id`, with its typed `settings` if any.
    public func makeAsyncStore<Value: Codable & Sendable>(
        engine id: CacheEngineID, of valueType: Value.Type = Value.self, configuration: CacheConfiguration,
        settings: CacheEngineSettings? = nil
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try Self.checkSettings(settings, for: id)
        return try requireEngine(id).makeAsyncStore(of: valueType, configuration: configuration, settings: settings)
    }

    static func checkSettings(_ settings: CacheEngineSettings?, for id: CacheEngineID) throws(CacheConfigurationError) {
        if let settings, settings.engine != id {
            throw CacheConfigurationError(setting: "settings", value: settings.description, reason: "they are for \(settings.engine), not \(id)")
        }
    }
}
