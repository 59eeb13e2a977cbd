import CacheCore

/// What the chain may choose from: engines by id with their traits. ``CacheRegistry``
/// is one (the engines linked and registered); ``HypotheticalEngines`` answers "what
/// if these were linked" for `cachectl explain --linked`.
public protocol EngineAvailability: Sendable {
    /// The traits of the engine registered under `id`, or `nil` when none is.
    func traits(of id: CacheEngineID) -> CacheEngineTraits?
    /// Every registered id, sorted.
    var availableIDs: [CacheEngineID] { get }
}

extension CacheRegistry: EngineAvailability {
    public func traits(of id: CacheEngineID) -> CacheEngineTraits? { engine(id)?.traits }
    public var availableIDs: [CacheEngineID] { registeredIDs }
}

/// A set of engine ids taken as registered (each assumed to make sync and async stores).
public struct HypotheticalEngines: EngineAvailability {
    public let ids: Set<CacheEngineID>

    public init(_ ids: some Sequence<CacheEngineID>) { self.ids = Set(ids) }

    /// Every engine of the package family that exists today.
    public static var allBuilt: HypotheticalEngines { HypotheticalEngines(KnownEngines.built) }

    public func traits(of id: CacheEngineID) -> CacheEngineTraits? {
        guard ids.contains(id) else { return nil }
        // Assumed to make both kinds of stores: only the chain's order is being asked. A
        // family engine has the capabilities its module declares; another id is assumed
        // to have every family capability (only its place in the order is asked).
        return CacheEngineTraits(capabilities: KnownEngines.capabilities[id] ?? CacheStoreCapabilities(Set(CacheCapability.builtIn)),
                                 providesSyncStores: true, providesAsyncStores: true)
    }

    public var availableIDs: [CacheEngineID] { ids.sorted() }
}

/// The engine ids of the swift-cache family: each is the name of the module that registers it.
public enum KnownEngines {
    public static let cacheTools: CacheEngineID = "CacheTools"
    public static let cacheFunctools: CacheEngineID = "CacheFunctools"
    public static let cacheDisk: CacheEngineID = "CacheDisk"
    public static let cacheJoblib: CacheEngineID = "CacheJoblib"
    public static let cacheAsync: CacheEngineID = "CacheAsync"
    public static let cacheRedis: CacheEngineID = "CacheRedis"
    public static let cacheKlepto: CacheEngineID = "CacheKlepto"
    public static let cacheBox: CacheEngineID = "CacheBox"

    /// Engines whose modules exist.
    public static let built: [CacheEngineID] = [cacheTools, cacheFunctools, cacheDisk, cacheJoblib, cacheAsync, cacheRedis, cacheKlepto, cacheBox]
    /// Engines that are planned but have no module yet.
    public static let planned: [CacheEngineID] = []
    public static let all: [CacheEngineID] = built + planned

    /// The capabilities each family engine declares in its traits (for ``HypotheticalEngines``,
    /// which answers without the modules linked). Kept equal to the engines' own traits by a test.
    /// The kinds of store (``CacheCapability/syncStores``, ``CacheCapability/asyncStores``) are left out:
    /// ``HypotheticalEngines`` assumes both.
    public static let capabilities: [CacheEngineID: CacheStoreCapabilities] = [
        cacheTools: [.inMemory, .boundedPolicies, .weighted],
        cacheFunctools: [.inMemory],
        cacheDisk: [.perEntryTTL, .persistent, .multiProcess, .weighted],
        cacheJoblib: [.persistent, .multiProcess, .memoryMappedArrays, .weighted],
        cacheAsync: [.inMemory, .perEntryTTL, .weighted],
        cacheRedis: [.perEntryTTL, .persistent, .multiProcess, .distributed],
        // Planned: what their modules are designed to declare.
        cacheKlepto: [.persistent, .multiProcess],
        cacheBox: [.inMemory, .boundedPolicies, .perEntryTTL, .weighted],
    ]

}
