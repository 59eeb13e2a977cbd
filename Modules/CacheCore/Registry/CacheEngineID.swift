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

/// What an engine offers, so selection can reason about it without knowing it: the
/// capabilities of the stores it makes, including which kinds of store it makes
/// (``CacheCapability/syncStores``, ``CacheCapability/asyncStores``).
public struct CacheEngineTraits: Sendable, Hashable, Codable {
    /// Everything its stores can do, the kinds of store it makes included.
    public var capabilities: CacheStoreCapabilities

    /// It makes ``AsyncCacheStore``s.
    public var providesAsyncStores: Bool { capabilities.contains(.asyncStores) }
    /// It makes synchronous ``CacheStore``s.
    public var providesSyncStores: Bool { capabilities.contains(.syncStores) }

    /// Traits from the stores' `capabilities` and the kinds of store made (added to the capabilities
    /// as ``CacheCapability/syncStores`` and ``CacheCapability/asyncStores``).
    public init(capabilities: CacheStoreCapabilities, providesSyncStores: Bool = true, providesAsyncStores: Bool = false) {
        var all = capabilities
        if providesSyncStores { all.insert(.syncStores) } else { all.remove(.syncStores) }
        if providesAsyncStores { all.insert(.asyncStores) } else { all.remove(.asyncStores) }
        self.capabilities = all
    }
}
