/// A factory for stores of one backend, registered in a ``CacheRegistry`` by the
/// backend's own module (e.g. `CacheToolsEngine.register(in:)`).
///
/// Stores made through an engine key by ``CacheKey`` and hold `Codable` values so
/// that any engine can stand in for another.
public protocol CacheEngine: Sendable {
    var id: CacheEngineID { get }
    /// One line for `explain` and `cachectl`.
    var summary: String { get }
    var traits: CacheEngineTraits { get }

    /// Makes a synchronous store. Throws ``CacheConfigurationError`` for settings the engine
    /// cannot honour, ``CacheEngineUnavailableError`` when it makes no synchronous stores.
    func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value>

    /// Makes an asynchronous store.
    func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value>

    /// Makes a synchronous store from `configuration` overlaid with the engine's typed
    /// `settings` (a field the settings give wins). The default accepts no settings: it
    /// throws ``CacheConfigurationError`` when given some, so they are never ignored.
    func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any CacheStore<CacheKey, Value>

    /// Makes an asynchronous store from `configuration` overlaid with typed `settings`.
    func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any AsyncCacheStore<CacheKey, Value>

    /// Whether the storage `configuration` and `settings` name already holds this engine's
    /// data (a store of an earlier run to reopen), found without creating anything.
    /// The default answers `false` (memory engines, servers).
    func hasStoredData(configuration: CacheConfiguration, settings: CacheEngineSettings?) -> Bool
}

extension CacheEngine {
    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        throw CacheEngineUnavailableError(engine: id, registered: [id], reason: "it makes no synchronous stores")
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        throw CacheEngineUnavailableError(engine: id, registered: [id], reason: "it makes no asynchronous stores")
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any CacheStore<CacheKey, Value> {
        try refuseSettings(settings)
        return try makeStore(of: valueType, configuration: configuration)
    }

    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try refuseSettings(settings)
        return try makeAsyncStore(of: valueType, configuration: configuration)
    }

    public func hasStoredData(configuration: CacheConfiguration, settings: CacheEngineSettings?) -> Bool { false }

    /// Throws unless `settings` is `nil`: for engines that take no typed settings.
    public func refuseSettings(_ settings: CacheEngineSettings?) throws(CacheConfigurationError) {
        if let settings {
            throw CacheConfigurationError(setting: "settings", value: settings.description, reason: "\(id) takes no typed settings")
        }
    }
}
