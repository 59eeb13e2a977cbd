/// One thing an engine's stores can do, named from an open set.
///
/// The family's capabilities are the static members below; a backend may declare its
/// own by extension (`extension CacheCapability { static let vectorSearch: Self = "acme.vector-search" }`)
/// and an analyzer may require it. Selection compares capabilities by name only.
public struct CacheCapability: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// `setValue(_:forKey:ttl:)` honours a per-entry time to live.
    public static let perEntryTTL: CacheCapability = "per-entry-ttl"
    /// Entries survive the process (disk, Redis).
    public static let persistent: CacheCapability = "persistent"
    /// Several processes on one machine may share the store.
    public static let multiProcess: CacheCapability = "multi-process"
    /// Several machines may share the store.
    public static let distributed: CacheCapability = "distributed"
    /// The size bound counts weight (bytes), not entries.
    public static let weighted: CacheCapability = "weighted"
    /// Entries live in this process's memory: the fastest reads, gone when it exits.
    public static let inMemory: CacheCapability = "in-memory"
    /// The bound is kept by the eviction policy the configuration names (LRU, LFU, FIFO, MRU, RR…),
    /// not by one fixed policy.
    public static let boundedPolicies: CacheCapability = "bounded-policies"
    /// Numeric arrays are stored raw and loaded by memory map.
    public static let memoryMappedArrays: CacheCapability = "memory-mapped-arrays"
    /// The engine makes synchronous ``CacheStore``s.
    public static let syncStores: CacheCapability = "sync-stores"
    /// The engine makes ``AsyncCacheStore``s.
    public static let asyncStores: CacheCapability = "async-stores"

    /// The family's capabilities, in the order explanations list them.
    public static let builtIn: [CacheCapability] = [
        .inMemory, .persistent, .multiProcess, .distributed, .memoryMappedArrays, .boundedPolicies,
        .weighted, .perEntryTTL, .syncStores, .asyncStores,
    ]
}
