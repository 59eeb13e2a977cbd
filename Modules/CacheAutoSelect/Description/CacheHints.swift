import CacheCore

/// How long cached results must live.
public enum CachePersistence: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Only while the process runs; losing them costs nothing but recomputation.
    case ephemeral
    /// Across restarts during a working session (hours to days).
    case session
    /// Kept until invalidated: survives restarts indefinitely.
    case longTerm = "long-term"

    public var description: String { rawValue }
}

/// Who shares the cache.
public enum CacheConcurrency: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case singleThread = "single-thread"
    case multiThread = "multi-thread"
    /// Several processes on one machine.
    case multiProcess = "multi-process"
    /// Several machines.
    case distributed

    public var description: String { rawValue }
}

/// How results are read back.
public enum CacheAccessPattern: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Recently used results are read again soon (LRU).
    case recency
    /// A few results are read far more often than the rest (LFU).
    case frequency
    /// No pattern (random replacement).
    case random
    /// Mostly writes, few rereads: a small bounded memory cache.
    case writeHeavy = "write-heavy"

    public var description: String { rawValue }

    /// The eviction policy that suits the pattern.
    public var evictionPolicy: EvictionPolicy {
        switch self {
        case .recency, .writeHeavy: return .lru
        case .frequency: return .lfu
        case .random: return .rr
        }
    }
}

/// Whether the cached function is synchronous or `async`.
public enum CacheExecution: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case sync
    case async

    public var description: String { rawValue }
}

/// The size classes ``SizeAnalyzer`` decides by (bounds: ``mediumLowerBound``,
/// ``largeLowerBound``, ``hugeLowerBound``).
public enum CacheSizeClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// < 10 KiB: memory.
    case small
    /// 10 KiB – 1 MiB.
    case medium
    /// 1 MiB – 100 MiB.
    case large
    /// > 100 MiB.
    case huge

    public static let mediumLowerBound = 10 * 1024
    public static let largeLowerBound = 1024 * 1024
    public static let hugeLowerBound = 100 * 1024 * 1024

    /// The class of a value of `bytes` bytes.
    public init(bytes: Int) {
        switch bytes {
        case ..<Self.mediumLowerBound: self = .small
        case ..<Self.largeLowerBound: self = .medium
        case ..<Self.hugeLowerBound: self = .large
        default: self = .huge
        }
    }

    /// "< 10 KiB", "10 KiB – 1 MiB", …
    public var range: String {
        switch self {
        case .small: return "< 10 KiB"
        case .medium: return "10 KiB – 1 MiB"
        case .large: return "1 – 100 MiB"
        case .huge: return "> 100 MiB"
        }
    }

    public var description: String { rawValue }

    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
}

/// What the user knows about a function's results beyond their type.
public struct CacheHints: Sendable, Hashable, Codable {
    public var persistence: CachePersistence?
    public var concurrency: CacheConcurrency?
    public var access: CacheAccessPattern?
    /// A declared size class; a measured size, when there is one, takes precedence.
    public var sizeClass: CacheSizeClass?

    public init(
        persistence: CachePersistence? = nil, concurrency: CacheConcurrency? = nil,
        access: CacheAccessPattern? = nil, sizeClass: CacheSizeClass? = nil
    ) {
        self.persistence = persistence
        self.concurrency = concurrency
        self.access = access
        self.sizeClass = sizeClass
    }

    /// No hints.
    public static let none = CacheHints()

    /// What a store must be able to do for these hints to be kept: persistence across
    /// restarts for `session` and `long-term`, sharing between processes for
    /// `multi-process`, between machines for `distributed`. The chain never chooses an
    /// engine without them unless the caller waives them (`allowMemoryFallback`).
    public var requiredCapabilities: CacheStoreCapabilities {
        var required: CacheStoreCapabilities = []
        if persistence == .session || persistence == .longTerm { required.insert(.persistent) }
        if concurrency == .multiProcess { required.insert(.multiProcess) }
        if concurrency == .distributed { required.insert(.distributed) }
        return required
    }

    /// The hints that ask for ``requiredCapabilities``, as `name=value` pairs.
    var requiringSummary: [String] {
        var out: [String] = []
        if persistence == .session || persistence == .longTerm { out.append("persistence=\(persistence!)") }
        if concurrency == .multiProcess || concurrency == .distributed { out.append("concurrency=\(concurrency!)") }
        return out
    }

    /// The hints given, as `name=value` pairs.
    public var summary: [String] {
        var out: [String] = []
        if let persistence { out.append("persistence=\(persistence)") }
        if let concurrency { out.append("concurrency=\(concurrency)") }
        if let access { out.append("access=\(access)") }
        if let sizeClass { out.append("size-class=\(sizeClass)") }
        return out
    }
}
