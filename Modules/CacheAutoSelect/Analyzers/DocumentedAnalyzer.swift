import CacheCore

/// Whether an analyzer weighs one characteristic or several.
public enum AnalyzerKind: String, Sendable, Hashable, Codable {
    /// Weighs several characteristics; ranks above every single-characteristic analyzer
    /// so that hints combine ("shared between processes beats small").
    case combination
    /// Decides by one characteristic (persistence, size, concurrency or kind of data).
    case single
}

/// One row of an analyzer's table: when it applies, what it recommends, and an example
/// description that the tests feed to the analyzer to prove the row is what it does.
public struct AnalyzerRule: Sendable {
    public var condition: String
    public var engine: CacheEngineID
    public var alternatives: [CacheEngineID]
    /// What a registered engine needs to stand in when neither ``engine`` nor an alternative is usable.
    public var capabilities: CacheStoreCapabilities
    /// Notable configuration, e.g. `"policy LFU"`.
    public var configuration: String?
    public var example: DataDescription

    public init(_ condition: String, engine: CacheEngineID, alternatives: [CacheEngineID] = [],
                capabilities: CacheStoreCapabilities = [], configuration: String? = nil, example: DataDescription) {
        self.condition = condition
        self.engine = engine
        self.alternatives = alternatives
        self.capabilities = capabilities
        self.configuration = configuration
        self.example = example
    }
}

/// A built-in analyzer that documents itself: the README's "Choosing a backend"
/// section is rendered from these rules.
public protocol DocumentedAnalyzer: TypeAnalyzer {
    var kind: AnalyzerKind { get }
    /// The characteristics it weighs, e.g. `"concurrency × type"`.
    var characteristics: String { get }
    /// One sentence on what it decides.
    var summary: String { get }
    var rules: [AnalyzerRule] { get }
}

/// Configurations the built-in analyzers recommend.
enum RecommendedConfiguration {
    /// Memory budget a memory cache of known-size values is bounded to.
    static let memoryBudget = 64 * 1024 * 1024
    /// Entries kept when a value's size is unknown.
    static let defaultEntries = 1024
    /// The small bound for write-heavy functions.
    static let writeHeavyEntries = 128

    /// A bounded memory cache: the access hint's policy; entries fitting the budget.
    static func memory(_ d: DataDescription, policy: EvictionPolicy? = nil) throws -> CacheConfiguration {
        var entries = defaultEntries
        if let size = d.sampleSize, size > 0 {
            entries = min(100_000, max(16, memoryBudget / size))
        }
        if d.hints.access == .writeHeavy { entries = min(entries, writeHeavyEntries) }
        return try CacheConfiguration(maxSize: entries, policy: policy ?? d.preferredPolicy)
    }

    /// A persistent store: engine defaults, the access hint's policy.
    static func persistent(_ d: DataDescription) throws -> CacheConfiguration {
        try CacheConfiguration(policy: d.preferredPolicy)
    }
}

/// What the built-in rules need of an engine standing in for the ones they name.
enum RuleNeeds {
    /// A memory cache.
    static let memory: CacheStoreCapabilities = [.inMemory]
    /// A memory cache whose bound follows the configured policy (LFU, RR…).
    static let policyMemory: CacheStoreCapabilities = [.inMemory, .boundedPolicies]
    /// Anything that survives restarts.
    static let persistent: CacheStoreCapabilities = [.persistent]
    /// Array files loaded by memory map.
    static let mappedArrays: CacheStoreCapabilities = [.memoryMappedArrays]
    /// Array files that survive restarts.
    static let persistentArrays: CacheStoreCapabilities = [.persistent, .memoryMappedArrays]
    /// Shared by the processes of one machine.
    static let multiProcess: CacheStoreCapabilities = [.multiProcess]
    /// Array files shared by the processes of one machine.
    static let multiProcessArrays: CacheStoreCapabilities = [.multiProcess, .memoryMappedArrays]
    /// Shared by machines.
    static let distributed: CacheStoreCapabilities = [.distributed]
    /// Async stores in memory.
    static let asyncMemory: CacheStoreCapabilities = [.asyncStores, .inMemory]
}
