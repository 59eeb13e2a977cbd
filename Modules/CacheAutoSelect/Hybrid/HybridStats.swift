import CacheCore

/// Which tier of a ``HybridCache`` holds or served an entry.
public enum HybridTier: String, Sendable, Hashable, Codable {
    case memory
    case disk
}

/// What a ``HybridCache`` did, tier by tier.
public struct HybridStats: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Hits served by the memory tier.
    public var memoryHits = 0
    /// Hits served by the disk tier (after a memory miss).
    public var diskHits = 0
    /// Lookups neither tier could serve.
    public var misses = 0
    /// Values placed in the memory tier (below the threshold).
    public var storedInMemory = 0
    /// Values placed in the disk tier (at or above the threshold).
    public var storedOnDisk = 0
    /// The tiers' own counters.
    public var memory = CacheStats()
    public var disk = CacheStats()

    public init() {}

    public var description: String {
        "memoryHits=\(memoryHits) diskHits=\(diskHits) misses=\(misses) storedInMemory=\(storedInMemory) storedOnDisk=\(storedOnDisk)"
    }
}
