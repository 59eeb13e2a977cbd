import CacheCore

private typealias E = KnownEngines

/// Sharing beats everything else: a cache shared between machines must be Redis, one
/// shared between processes must live on disk, whatever the size or type.
public struct SharedAcrossProcessesAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "shared-across-processes" }
    public var priority: Int { 950 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "concurrency × type" }
    public var summary: String { "Shared between processes or machines beats size and type." }

    public var rules: [AnalyzerRule] {
        [
            AnalyzerRule("concurrency distributed", engine: E.cacheRedis, capabilities: RuleNeeds.distributed,
                         example: DataDescription(Int.self, hints: .init(concurrency: .distributed))),
            AnalyzerRule("concurrency multi-process, array-like data", engine: E.cacheJoblib, alternatives: [E.cacheDisk],
                         capabilities: RuleNeeds.multiProcessArrays,
                         example: DataDescription([Double].self, hints: .init(concurrency: .multiProcess))),
            AnalyzerRule("concurrency multi-process, other data", engine: E.cacheDisk, alternatives: [E.cacheKlepto],
                         capabilities: RuleNeeds.multiProcess,
                         example: DataDescription(String.self, hints: .init(concurrency: .multiProcess))),
        ]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        switch d.hints.concurrency {
        case .distributed:
            return Recommendation(engine: E.cacheRedis, configuration: try .init(), reason: "shared between machines: only a server-backed cache reaches every machine",
                                  capabilities: RuleNeeds.distributed)
        case .multiProcess where d.category.isArrayLike:
            return Recommendation(engine: E.cacheJoblib, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "shared between processes, array-like data: array files every process can map",
                                  alternatives: [E.cacheDisk], capabilities: RuleNeeds.multiProcessArrays)
        case .multiProcess:
            return Recommendation(engine: E.cacheDisk, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "shared between processes: a disk cache every process opens (beats small sizes)",
                                  alternatives: [E.cacheKlepto], capabilities: RuleNeeds.multiProcess)
        default:
            return nil
        }
    }
}

/// `async` functions want an async cache unless their results must persist.
public struct AsyncResultsAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "async-results" }
    public var priority: Int { 900 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "execution × persistence" }
    public var summary: String { "Async functions get an async cache unless their results must persist." }

    public var rules: [AnalyzerRule] {
        [AnalyzerRule("async function, no session or long-term persistence", engine: E.cacheAsync, alternatives: [E.cacheTools],
                      capabilities: RuleNeeds.asyncMemory, example: DataDescription(Int.self, execution: .async))]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard d.execution == .async, d.hints.persistence == nil || d.hints.persistence == .ephemeral else { return nil }
        return Recommendation(engine: E.cacheAsync, configuration: try RecommendedConfiguration.memory(d),
                              reason: "an async function: single-flight across tasks without blocking threads",
                              alternatives: [E.cacheTools], capabilities: RuleNeeds.asyncMemory)
    }
}

/// Results many threads share, that memory would hold anyway, go to the concurrent memory cache.
public struct ThreadsInMemoryAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "threads-in-memory" }
    public var priority: Int { 870 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "concurrency × size × persistence" }
    public var summary: String {
        "Results many threads share go to the sharded memory cache when memory would hold them anyway (ephemeral and < 100 MiB, or not persisted and < 1 MiB)."
    }

    public var rules: [AnalyzerRule] {
        [AnalyzerRule("multi-thread, suits memory", engine: E.cacheBox, alternatives: [E.cacheTools],
                      capabilities: RuleNeeds.memory, configuration: "the access hint's policy (CacheBox: adaptive for LRU/LFU)",
                      example: DataDescription(Int.self, hints: .init(concurrency: .multiThread)))]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard d.hints.concurrency == .multiThread else { return nil }
        let ephemeralFits = d.hints.persistence == .ephemeral && (d.sizeClass.map { $0 < .huge } ?? true)
        guard ephemeralFits || d.suitsMemory else { return nil }
        return Recommendation(engine: E.cacheBox, configuration: try RecommendedConfiguration.memory(d),
                              reason: "shared by threads and fits memory: a sharded cache whose reads on different keys do not contend",
                              alternatives: [E.cacheTools], capabilities: RuleNeeds.memory)
    }
}

/// Results that need not outlive the process stay in memory unless they are huge.
public struct EphemeralInMemoryAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "ephemeral-in-memory" }
    public var priority: Int { 850 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "persistence × size" }
    public var summary: String { "Ephemeral results below 100 MiB stay in memory whatever their type." }

    public var rules: [AnalyzerRule] {
        [AnalyzerRule("persistence ephemeral, size < 100 MiB or unknown", engine: E.cacheTools, alternatives: [E.cacheFunctools],
                      capabilities: RuleNeeds.memory, configuration: "bounded to a 64 MiB budget",
                      example: DataDescription([Double].self, size: 200_000, hints: .init(persistence: .ephemeral)))]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard d.hints.persistence == .ephemeral, d.sizeClass.map({ $0 < .huge }) ?? true else { return nil }
        let config = try RecommendedConfiguration.memory(d)
        var alternatives: [EngineChoice] = []
        if config.policy == .lru { alternatives.append(EngineChoice(E.cacheFunctools, configuration: config)) }
        return Recommendation(EngineChoice(E.cacheTools, configuration: config),
                              reason: "ephemeral and not huge: memory is fastest and nothing needs to persist",
                              alternatives: alternatives, capabilities: RuleNeeds.memory)
    }
}

/// Arrays that must persist, or are large, go to array files.
public struct PersistentArraysAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "persistent-arrays" }
    public var priority: Int { 800 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "type × persistence × size" }
    public var summary: String { "Numeric, tabular and model data that persists or exceeds 1 MiB goes to array files." }

    public var rules: [AnalyzerRule] {
        [AnalyzerRule("array-like data, session or long-term persistence, or ≥ 1 MiB", engine: E.cacheJoblib,
                      alternatives: [E.cacheDisk], capabilities: RuleNeeds.mappedArrays,
                      example: DataDescription([Double].self, size: 8_000_000, hints: .init(persistence: .longTerm)))]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard d.category.isArrayLike else { return nil }
        let persists = d.hints.persistence == .session || d.hints.persistence == .longTerm
        let large = d.sizeClass.map { $0 >= .large } ?? false
        guard persists || large else { return nil }
        return Recommendation(engine: E.cacheJoblib, configuration: try RecommendedConfiguration.persistent(d),
                              reason: "\(d.category) that \(persists ? "must persist" : "is large"): raw array files, memory-mapped on load",
                              alternatives: [E.cacheDisk], capabilities: RuleNeeds.mappedArrays)
    }
}

/// An access hint picks the eviction policy of a memory cache, for data that suits memory.
public struct AccessPatternAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "access-pattern" }
    public var priority: Int { 700 }
    public var kind: AnalyzerKind { .combination }
    public var characteristics: String { "access × size × persistence" }
    public var summary: String { "An access hint picks a memory cache's policy when the data suits memory (< 1 MiB, not persisted)." }

    public var rules: [AnalyzerRule] {
        [
            AnalyzerRule("access recency", engine: E.cacheTools, alternatives: [E.cacheFunctools, E.cacheBox],
                         capabilities: RuleNeeds.memory, configuration: "policy LRU",
                         example: DataDescription(Int.self, hints: .init(access: .recency))),
            AnalyzerRule("access frequency", engine: E.cacheBox, alternatives: [E.cacheTools],
                         capabilities: RuleNeeds.policyMemory, configuration: "policy LFU (CacheBox: adaptive W-TinyLFU)",
                         example: DataDescription(Int.self, hints: .init(access: .frequency))),
            AnalyzerRule("access random", engine: E.cacheTools, capabilities: RuleNeeds.policyMemory, configuration: "policy RR",
                         example: DataDescription(Int.self, hints: .init(access: .random))),
            AnalyzerRule("access write-heavy", engine: E.cacheTools, alternatives: [E.cacheFunctools],
                         capabilities: RuleNeeds.memory, configuration: "policy LRU, 128 entries",
                         example: DataDescription(String.self, hints: .init(access: .writeHeavy))),
        ]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard let access = d.hints.access, d.suitsMemory else { return nil }
        let config = try RecommendedConfiguration.memory(d)
        // Frequency-skewed work goes to CacheBox first: its adaptive W-TinyLFU serves the LFU
        // request (CacheBoxEngine maps `.lfu` to it) and beats strict LFU on recency bursts.
        let engine: CacheEngineID
        let alternatives: [CacheEngineID]
        switch access {
        case .recency: (engine, alternatives) = (E.cacheTools, [E.cacheFunctools, E.cacheBox])
        case .frequency: (engine, alternatives) = (E.cacheBox, [E.cacheTools])
        case .random: (engine, alternatives) = (E.cacheTools, [])
        case .writeHeavy: (engine, alternatives) = (E.cacheTools, [E.cacheFunctools])
        }
        return Recommendation(engine: engine, configuration: config,
                              reason: access == .frequency
                                  ? "access frequency: a frequency-aware policy in memory"
                                  : "access \(access): \(config.policy.rawValue.uppercased()) in memory",
                              alternatives: alternatives,
                              capabilities: access == .frequency || access == .random ? RuleNeeds.policyMemory : RuleNeeds.memory)
    }
}
