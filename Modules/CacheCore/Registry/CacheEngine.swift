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
}
