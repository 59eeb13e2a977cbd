import CacheAsync
import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheJoblib
import CacheTools
import Foundation
import Testing

/// Async auto-selection end to end: `memoize`/`autoMemoize` for `async` closures and
/// `AutoSelect.makeAsyncStore` choose among the engines that make async stores, with
/// single-flight across tasks and cross-process loading where the store offers it.
/// (The Redis engine is covered with a real server in CacheRedisTests' RedisAsyncAutoSelectTests.)
@Suite struct AsyncAutoSelectTests {
    /// The real engines of a program linking the memory, disk and array backends.
    func realEngines() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheAsyncEngine.register(in: registry)
        CacheDiskEngine.register(in: registry)
        CacheJoblibEngine.register(in: registry)
        return registry
    }

    func scratchDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-async-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theAsyncResultsRowChoosesCacheAsyncAndWorks() async throws {
        let computations = Counter()
        let fetch = try memoize(name: "fetch", registry: realEngines()) { (n: Int) async throws -> Int in
            computations.increment()
            await Task.yield()
            return n * 3
        }
        #expect(fetch.engine == CacheAsyncEngine.id)
        #expect(fetch.explanation.chosenBy == "async-results")
        #expect(fetch.explanation.storeKind == .async)
        #expect(fetch.explanation.data.execution == .async)
        #expect(fetch.explanation.report.contains("store needed: async"))
        #expect(fetch.memoized.cache.store.base is AsyncMemoryStore<CacheKey, AsyncCacheEntry<Int>>)
        #expect(try await fetch(7) == 21)
        #expect(try await fetch(7) == 21)
        #expect(computations.value == 1)
        let info = await fetch.info
        #expect(info.hits == 1 && info.misses == 1 && info.loadSuccesses == 1)
        try await fetch.clear()
        #expect(try await fetch(7) == 21)
        #expect(computations.value == 2)
    }

    @Test func aHundredConcurrentCallsLoadOnce() async throws {
        let computations = Counter()
        let slow = try memoize(name: "slow", registry: realEngines()) { (n: Int) async throws -> Int in
            computations.increment()
            try await Task.sleep(for: .milliseconds(100))
            return n + 1
        }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { try await slow(41) } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: 42, count: 100))
        #expect(computations.value == 1)
    }

    @Test func aPersistentHintChoosesTheAsyncDiskStoreAndASecondInstanceIsServedFromIt() async throws {
        let dir = try scratchDirectory()
        let computations = Counter()
        func make() throws -> SelectedAsyncMemoized<Int, String> {
            try memoize(name: "render", version: "1", hints: CacheHints(persistence: .longTerm), registry: realEngines(),
                        directory: dir) { (n: Int) async throws -> String in
                computations.increment()
                return "page \(n)"
            }
        }
        let first = try make()
        #expect(first.engine == CacheDiskEngine.id)
        #expect(first.explanation.storeKind == .async)
        #expect(first.memoized.cache.store.base is AsyncDiskStore<AsyncCacheEntry<String>>)
        #expect(try await first(3) == "page 3")
        // A new instance (as a new process would) reads what the first stored.
        let second = try make()
        #expect(try await second(3) == "page 3")
        #expect(computations.value == 1)
        #expect(await second.info.hits == 1)
    }

    @Test func twoInstancesOverOneDirectoryLoadAMissingKeyOnceThroughTheErasedStore() async throws {
        let dir = try scratchDirectory()
        let computations = Counter()
        func make() throws -> SelectedAsyncMemoized<Int, Int> {
            try memoize(name: "shared", hints: CacheHints(concurrency: .multiProcess), registry: realEngines(),
                        directory: dir) { (n: Int) async throws -> Int in
                computations.increment()
                try await Task.sleep(for: .milliseconds(200))  // the other instance arrives and waits on the lease
                return n * 2
            }
        }
        let (a, b) = (try make(), try make())
        #expect(a.engine == CacheDiskEngine.id)
        async let x = a(5)
        async let y = b(5)
        #expect(await [try x, try y] == [10, 10])
        #expect(computations.value == 1)
    }

    @Test func aPersistentHintOverAnUnusableDirectoryThrowsOrFallsBackToMemoryWhenAllowed() async throws {
        let dir = try scratchDirectory()
        let file = dir + "/plain-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let below = file + "/cache"
        let error = try #require(throws: CacheSelectionError.self) {
            _ = try memoize(name: "kept", hints: CacheHints(persistence: .longTerm), registry: realEngines(),
                            directory: below) { (n: Int) async throws -> Int in n }
        }
        #expect(error.required.contains(.persistent))
        #expect(error.refusals.contains { $0.engine == CacheDiskEngine.id })
        #expect(error.explanation.storeKind == .async)
        let fallback = try memoize(name: "kept", hints: CacheHints(persistence: .longTerm), registry: realEngines(),
                                   directory: below, allowMemoryFallback: true) { (n: Int) async throws -> Int in n + 1 }
        #expect(fallback.engine == CacheAsyncEngine.id)
        #expect(fallback.explanation.requirementsWaived)
        #expect(try await fallback(1) == 2)
    }

    @Test func withoutAnEngineThatMakesAsyncStoresSelectionSaysSo() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)  // synchronous stores only
        let error = try #require(throws: CacheEngineUnavailableError.self) {
            _ = try memoize(name: "nowhere", registry: registry) { (n: Int) async throws -> Int in n }
        }
        #expect(error.reason.contains("makes no asynchronous stores"))
    }

    @Test func makeAsyncStoreFillsTheDirectoryAndNamespaceAndTakesTypedSettings() async throws {
        let dir = try scratchDirectory()
        let selected = try AutoSelect.makeAsyncStore(
            for: DataDescription(String.self, hints: CacheHints(persistence: .session)), of: String.self,
            registry: realEngines(), namespace: "ns", settings: [try .disk(directory: dir)])
        #expect(selected.choice.engine == CacheDiskEngine.id)
        #expect(selected.choice.configuration.namespace == "ns")
        #expect(selected.settings?.engine == CacheDiskEngine.id)
        #expect(selected.explanation.data.execution == .async)
        let key = try CacheKey(name: "k", arguments: 1)
        try await selected.store.setValue("v", forKey: key)
        #expect(try await selected.store.value(forKey: key) == "v")
        #expect(FileManager.default.fileExists(atPath: dir + "/cache.db"))
        // Settings for an engine not chosen are refused, as in the synchronous path.
        #expect(throws: CacheConfigurationError.self) {
            _ = try AutoSelect.makeAsyncStore(for: DataDescription(Int.self), of: Int.self, registry: realEngines(),
                                              settings: [try .disk(directory: dir)])
        }
    }

    // MARK: autoMemoize

    /// The built-in chain plus one analyzer that sends results of 1 MiB or more to disk,
    /// so that growing results move an async function from memory to disk.
    func chainSendingLargeResultsToDisk() -> StrategyChain {
        let chain = StrategyChain()
        chain.register(ClosureAnalyzer(name: "large-to-disk", priority: 950) { d in
            guard let size = d.sampleSize, size >= CacheSizeClass.largeLowerBound else { return nil }
            return Recommendation(engine: CacheDiskEngine.id, configuration: try CacheConfiguration(), reason: "large results")
        })
        return chain
    }

    @Test func asyncAutoMemoizeRedecidesForLargerResultsAndANewInstanceReopensTheDiskTier() async throws {
        let dir = try scratchDirectory()
        let computations = Counter()
        let chain = chainSendingLargeResultsToDisk()
        func make() throws -> AsyncAutoMemoized<Int, String> {
            try autoMemoize(name: "grow", registry: realEngines(), chain: chain, directory: dir) { (n: Int) async throws -> String in
                computations.increment()
                return String(repeating: "x", count: n)
            }
        }
        let f = try make()
        #expect(f.currentEngine == CacheAsyncEngine.id)
        #expect(f.initialExplanation.storeKind == .async)
        #expect(try await f(10) == String(repeating: "x", count: 10))
        #expect(f.currentEngine == CacheAsyncEngine.id)
        #expect(try await f(2_000_000).count == 2_000_000)
        #expect(f.currentEngine == CacheDiskEngine.id)
        #expect(f.tiers.map(\.choice.engine) == [CacheAsyncEngine.id, CacheDiskEngine.id])
        // Results stored before the re-decision are still served.
        #expect(try await f(10).count == 10)
        #expect(computations.value == 2)
        // A new instance (a new process) reopens the disk tier: the large result is a hit.
        let g = try make()
        #expect(g.tiers.map(\.choice.engine) == [CacheDiskEngine.id])
        #expect(try await g(2_000_000).count == 2_000_000)
        #expect(computations.value == 2)
        #expect(await g.info.hits == 1)
        #expect(g.history.allSatisfy { $0.storeKind == .async })
    }

    @Test func asyncAutoMemoizeWithAPersistentHintOpensItsStoreAtOnceAndSharesLoads() async throws {
        let dir = try scratchDirectory()
        let computations = Counter()
        func make() throws -> AsyncAutoMemoized<Int, Int> {
            try autoMemoize(name: "auto-kept", hints: CacheHints(persistence: .longTerm), registry: realEngines(),
                            directory: dir) { (n: Int) async throws -> Int in
                computations.increment()
                try await Task.sleep(for: .milliseconds(100))
                return n * n
            }
        }
        let f = try make()
        #expect(f.tiers.map(\.choice.engine) == [CacheDiskEngine.id])
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { try await f(12) } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: 144, count: 100))
        #expect(computations.value == 1)
        #expect(try await make()(12) == 144)
        #expect(computations.value == 1)
    }

    @Test func asyncAutoMemoizeRefusesATTLAndKeepsPersistenceARequirement() throws {
        #expect(throws: CacheConfigurationError.self) {
            _ = try autoMemoize(name: "ttl", registry: realEngines(), options: AsyncCacheOptions(ttl: .seconds(5))) {
                (n: Int) async throws -> Int in n
            }
        }
        let registry = CacheRegistry()
        CacheAsyncEngine.register(in: registry)
        #expect(throws: CacheSelectionError.self) {
            _ = try autoMemoize(name: "kept", hints: CacheHints(persistence: .longTerm), registry: registry) {
                (n: Int) async throws -> Int in n
            }
        }
        let fallback = try autoMemoize(name: "kept", hints: CacheHints(persistence: .longTerm), registry: registry,
                                       allowMemoryFallback: true) { (n: Int) async throws -> Int in n }
        #expect(fallback.currentEngine == CacheAsyncEngine.id)
    }
}
