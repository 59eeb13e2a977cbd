/// The name of a storage engine in a ``CacheRegistry``, by convention the module
/// that provides it (`"CacheTools"`, `"CacheDisk"`). CacheCore defines no engine;
/// each backend module declares its own identifier.
public struct CacheEngineID: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What an engine offers, so selection can reason about it without knowing it.
public struct CacheEngineTraits: Sendable, Hashable, Codable {
    /// Capabilities of the stores it makes.
    public var capabilities: CacheStoreCapabilities
    /// It makes ``AsyncCacheStore``s.
    public var providesAsyncStores: Bool
    /// It makes synchronous ``CacheStore``s.
    public var providesSyncStores: Bool

    public init(capabilities: CacheStoreCapabilities, providesSyncStores: Bool = true, providesAsyncStores: Bool = false) {
        self.capabilities = capabilities
        self.providesSyncStores = providesSyncStores
        self.providesAsyncStores = providesAsyncStores
    }
}
