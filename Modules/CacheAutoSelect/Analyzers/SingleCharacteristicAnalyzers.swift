import CacheCore

private typealias E = KnownEngines

/// Chooses by how long results must live (``CacheHints/persistence``).
public struct PersistenceAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "persistence" }
    public var priority: Int { 400 }
    public var kind: AnalyzerKind { .single }
    public var characteristics: String { "persistence" }
    public var summary: String { "How long results must live." }

    public var rules: [AnalyzerRule] {
        [
            AnalyzerRule("long-term", engine: E.cacheDisk, alternatives: [E.cacheKlepto], capabilities: RuleNeeds.persistent,
                         example: DataDescription(String.self, hints: .init(persistence: .longTerm))),
            AnalyzerRule("session", engine: E.cacheKlepto, alternatives: [E.cacheDisk], capabilities: RuleNeeds.persistent,
                         example: DataDescription(String.self, hints: .init(persistence: .session))),
            AnalyzerRule("ephemeral", engine: E.cacheTools, alternatives: [E.cacheFunctools], capabilities: RuleNeeds.memory,
                         example: DataDescription(String.self, size: 200 * 1024 * 1024, hints: .init(persistence: .ephemeral))),
        ]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        switch d.hints.persistence {
        case .longTerm:
            return Recommendation(engine: E.cacheDisk, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "long-term: must survive restarts", alternatives: [E.cacheKlepto],
                                  capabilities: RuleNeeds.persistent)
        case .session:
            return Recommendation(engine: E.cacheKlepto, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "session: kept across restarts for a while", alternatives: [E.cacheDisk],
                                  capabilities: RuleNeeds.persistent)
        case .ephemeral:
            return Recommendation(engine: E.cacheTools, configuration: try RecommendedConfiguration.memory(d),
                                  reason: "ephemeral: memory", alternatives: [E.cacheFunctools],
                                  capabilities: RuleNeeds.memory)
        case nil:
            return nil
        }
    }
}

/// Chooses by the size of one result (``CacheSizeClass``).
public struct SizeAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "size" }
    public var priority: Int { 300 }
    public var kind: AnalyzerKind { .single }
    public var characteristics: String { "size" }
    public var summary: String { "The size of one result (measured, declared, or fixed by the type)." }

    public var rules: [AnalyzerRule] {
        [
            AnalyzerRule("< 10 KiB", engine: E.cacheTools, alternatives: [E.cacheFunctools], capabilities: RuleNeeds.memory,
                         example: DataDescription([String: Int].self, size: 2_000)),
            AnalyzerRule("10 KiB – 1 MiB", engine: E.cacheKlepto, alternatives: [E.cacheDisk], capabilities: RuleNeeds.persistent,
                         example: DataDescription(String.self, size: 100_000)),
            AnalyzerRule("1 – 100 MiB", engine: E.cacheDisk, alternatives: [E.cacheJoblib], capabilities: RuleNeeds.persistent,
                         example: DataDescription(type: .bytes("Data"), size: 5_000_000)),
            AnalyzerRule("> 100 MiB", engine: E.cacheJoblib, alternatives: [E.cacheDisk], capabilities: RuleNeeds.persistent,
                         example: DataDescription(type: .bytes("Data"), size: 200_000_000)),
        ]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        guard let sizeClass = d.sizeClass else { return nil }
        let size = "\(d.sampleSize.map(CacheSizeFormat.bytes) ?? sizeClass.rawValue) (\(sizeClass.range))"
        switch sizeClass {
        case .small:
            return Recommendation(engine: E.cacheTools, configuration: try RecommendedConfiguration.memory(d),
                                  reason: "small values, \(size): memory", alternatives: [E.cacheFunctools],
                                  capabilities: RuleNeeds.memory)
        case .medium:
            return Recommendation(engine: E.cacheKlepto, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "medium values, \(size)", alternatives: [E.cacheDisk],
                                  capabilities: RuleNeeds.persistent)
        case .large:
            return Recommendation(engine: E.cacheDisk, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "large values, \(size): on disk, not in memory", alternatives: [E.cacheJoblib],
                                  capabilities: RuleNeeds.persistent)
        case .huge:
            return Recommendation(engine: E.cacheJoblib, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "huge values, \(size): files loaded by memory map", alternatives: [E.cacheDisk],
                                  capabilities: RuleNeeds.persistent)
        }
    }
}

/// Chooses by who shares the results: one thread, threads, processes or machines
/// (``CacheHints/concurrency``).
public struct ConcurrencyAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "concurrency" }
    public var priority: Int { 200 }
    public var kind: AnalyzerKind { .single }
    public var characteristics: String { "concurrency" }
    public var summary: String { "Who shares the cache." }

    public var rules: [AnalyzerRule] {
        [
            AnalyzerRule("multi-thread", engine: E.cacheBox, alternatives: [E.cacheTools], capabilities: RuleNeeds.memory,
                         example: DataDescription(String.self, hints: .init(concurrency: .multiThread))),
            AnalyzerRule("multi-process", engine: E.cacheDisk, capabilities: RuleNeeds.multiProcess,
                         example: DataDescription(String.self, hints: .init(concurrency: .multiProcess))),
            AnalyzerRule("distributed", engine: E.cacheRedis, capabilities: RuleNeeds.distributed,
                         example: DataDescription(String.self, hints: .init(concurrency: .distributed))),
        ]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        switch d.hints.concurrency {
        case .multiThread:
            return Recommendation(engine: E.cacheBox, configuration: try RecommendedConfiguration.memory(d),
                                  reason: "multi-thread: a sharded memory cache whose reads on different keys do not contend",
                                  alternatives: [E.cacheTools],
                                  capabilities: RuleNeeds.memory)
        case .multiProcess:
            return Recommendation(engine: E.cacheDisk, configuration: try RecommendedConfiguration.persistent(d),
                                  reason: "multi-process: a disk cache every process opens",
                                  capabilities: RuleNeeds.multiProcess)
        case .distributed:
            return Recommendation(engine: E.cacheRedis, configuration: try .init(), reason: "distributed: a shared server",
                                  capabilities: RuleNeeds.distributed)
        case .singleThread, nil:
            return nil
        }
    }
}

/// Chooses by the kind of data (``CacheDataCategory``).
public struct DataTypeAnalyzer: DocumentedAnalyzer {
    public init() {}
    public var name: String { "data-type" }
    public var priority: Int { 100 }
    public var kind: AnalyzerKind { .single }
    public var characteristics: String { "type" }
    public var summary: String { "The kind of data the result type holds." }

    /// The table: category → engine, alternatives, and what a stand-in engine needs.
    public static let table: [(CacheDataCategory, CacheEngineID, [CacheEngineID], CacheStoreCapabilities)] = [
        (.smallScalar, E.cacheTools, [E.cacheFunctools], RuleNeeds.memory),
        (.collection, E.cacheTools, [E.cacheKlepto], RuleNeeds.memory),
        (.numericArray, E.cacheJoblib, [E.cacheDisk], RuleNeeds.mappedArrays),
        (.tabular, E.cacheJoblib, [E.cacheDisk], RuleNeeds.mappedArrays),
        (.binaryBlob, E.cacheDisk, [E.cacheKlepto], RuleNeeds.persistent),
        (.document, E.cacheDisk, [E.cacheKlepto], RuleNeeds.persistent),
        (.model, E.cacheJoblib, [E.cacheDisk], RuleNeeds.mappedArrays),
        (.customCodable, E.cacheKlepto, [E.cacheDisk], RuleNeeds.persistent),
        (.opaque, E.cacheTools, [E.cacheFunctools], RuleNeeds.memory),
    ]

    public var rules: [AnalyzerRule] {
        Self.table.map { category, engine, alternatives, capabilities in
            AnalyzerRule(category.tableLabel, engine: engine, alternatives: alternatives, capabilities: capabilities,
                         example: DataDescription(type: .named("Example", codable: category != .opaque, category: category)))
        } + [AnalyzerRule("async results", engine: E.cacheAsync, alternatives: [E.cacheTools], capabilities: RuleNeeds.asyncMemory,
                          example: DataDescription(type: .named("Example", codable: true, category: .customCodable),
                                                   execution: .async, hints: .init(persistence: .longTerm)))]
    }

    public func analyze(_ d: DataDescription) throws -> Recommendation? {
        if d.execution == .async {
            return Recommendation(engine: E.cacheAsync, configuration: try RecommendedConfiguration.memory(d),
                                  reason: "async results", alternatives: [E.cacheTools], capabilities: RuleNeeds.asyncMemory)
        }
        let category = d.category
        guard let row = Self.table.first(where: { $0.0 == category }) else { return nil }
        let memory = row.1 == E.cacheTools
        let config = memory ? try RecommendedConfiguration.memory(d) : try RecommendedConfiguration.persistent(d)
        let why = category == .opaque ? "\(d.type) is not Codable: only memory engines can hold it" : category.tableLabel
        return Recommendation(engine: row.1, configuration: config, reason: why, alternatives: row.2, capabilities: row.3)
    }
}

/// The built-in analyzers.
public enum BuiltinAnalyzers {
    /// Every built-in analyzer, combinations first.
    public static var all: [any TypeAnalyzer] { documented }

    public static var documented: [any DocumentedAnalyzer] {
        [
            SharedAcrossProcessesAnalyzer(), AsyncResultsAnalyzer(), ThreadsInMemoryAnalyzer(), EphemeralInMemoryAnalyzer(),
            PersistentArraysAnalyzer(), AccessPatternAnalyzer(),
            PersistenceAnalyzer(), SizeAnalyzer(), ConcurrencyAnalyzer(), DataTypeAnalyzer(),
        ]
    }
}
