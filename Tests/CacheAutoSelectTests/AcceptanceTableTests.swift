import CacheAutoSelect
import CacheBox
import CacheCore
import CacheFunctools
import CacheTools
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The acceptance table, one test per row.
@Suite struct AcceptanceTableTests {
    let chain = StrategyChain()

    func decide(_ d: DataDescription, in registry: CacheRegistry = everythingBuilt()) -> SelectionExplanation {
        chain.explain(d, availability: registry)
    }

    @Test func intWithoutHintsGetsCacheToolsLRU() {
        let e = decide(DataDescription(Int.self))
        #expect(e.chosen?.engine == "CacheTools")
        #expect(e.chosen?.configuration.policy == .lru)
    }

    @Test func stringSharedBetweenProcessesGetsCacheDisk() {
        let e = decide(DataDescription(String.self, hints: .init(concurrency: .multiProcess)))
        #expect(e.chosen?.engine == "CacheDisk")
        #expect(e.chosenBy == "shared-across-processes")
    }

    @Test func intDistributedGetsCacheRedis() {
        #expect(decide(DataDescription(Int.self, hints: .init(concurrency: .distributed))).chosen?.engine == "CacheRedis")
    }

    @Test func eightMegabyteLongTermDoublesGetCacheJoblib() {
        let e = decide(DataDescription([Double].self, size: 8_000_000, hints: .init(persistence: .longTerm)))
        #expect(e.chosen?.engine == "CacheJoblib")
        #expect(e.fallback == nil)
    }

    @Test func ephemeral200KBDoublesStayInCacheTools() {
        let e = decide(DataDescription([Double].self, size: 200_000, hints: .init(persistence: .ephemeral)))
        #expect(e.chosen?.engine == "CacheTools")
    }

    @Test func fiveMegabytesOfDataGetCacheDisk() throws {
        let sample = Data(repeating: 7, count: 5_000_000)
        let e = decide(DataDescription(sample: sample))
        #expect(e.data.sampleSize == 5_000_000)
        #expect(e.chosen?.engine == "CacheDisk")
    }

    @Test func customCodable50KBSessionGetsCacheDiskUntilCacheKleptoExists() {
        let sample = Report(title: "r", lines: Array(repeating: String(repeating: "x", count: 1000), count: 50))
        let d = DataDescription(sample: sample, hints: .init(persistence: .session))
        #expect(d.category == .customCodable)
        #expect((40_000...60_000).contains(d.sampleSize ?? 0))
        // Without CacheKlepto linked, its fallback CacheDisk; with it, CacheKlepto.
        let e = decide(d, in: registry(KnownEngines.built.filter { $0 != "CacheKlepto" }))
        #expect(e.chosen?.engine == "CacheDisk")
        #expect(e.missingEngines == ["CacheKlepto"])
        #expect(decide(d, in: registry(KnownEngines.built)).chosen?.engine == "CacheKlepto")
    }

    @Test func intWithFrequencyAccessGetsCacheBoxAndCacheToolsLFUWithoutIt() {
        let d = DataDescription(Int.self, hints: .init(access: .frequency))
        let e = decide(d)
        #expect(e.chosen?.engine == "CacheBox")
        #expect(e.chosen?.configuration.policy == .lfu)
        #expect(e.chosenBy == "access-pattern")
        let without = decide(d, in: registry(KnownEngines.built.filter { $0 != "CacheBox" }))
        #expect(without.chosen?.engine == "CacheTools")
        #expect(without.chosen?.configuration.policy == .lfu)
        #expect(without.missingEngines == ["CacheBox"])
    }

    @Test func multiThreadGetsCacheBoxAndCacheToolsWithoutIt() {
        let d = DataDescription(String.self, hints: .init(concurrency: .multiThread))
        let e = decide(d)
        #expect(e.chosen?.engine == "CacheBox")
        #expect(e.chosenBy == "threads-in-memory")
        // Ephemeral values up to 100 MiB stay in memory, shared ones in CacheBox; values that
        // must persist, or large ones with no persistence hint, do not.
        #expect(decide(DataDescription([Double].self, size: 5_000_000, hints: .init(persistence: .ephemeral, concurrency: .multiThread))).chosen?.engine == "CacheBox")
        #expect(decide(DataDescription(Int.self, hints: .init(persistence: .longTerm, concurrency: .multiThread))).chosen?.engine == "CacheDisk")
        #expect(decide(DataDescription([Double].self, size: 8_000_000, hints: .init(concurrency: .multiThread))).chosen?.engine != "CacheBox")
        let without = decide(d, in: registry(KnownEngines.built.filter { $0 != "CacheBox" }))
        #expect(without.chosen?.engine == "CacheTools")
        #expect(without.missingEngines == ["CacheBox"])
    }

    @Test func smallDictionaryGetsCacheTools() {
        let sample = Dictionary(uniqueKeysWithValues: (0..<150).map { ("key\($0)", $0) })
        let d = DataDescription(sample: sample)
        #expect(d.sizeClass == .small)
        #expect(decide(d).chosen?.engine == "CacheTools")
        #expect(decide(DataDescription([String: Int].self, size: 2_000)).chosen?.engine == "CacheTools")
    }

    @Test func asyncIntGetsCacheAsync() {
        #expect(decide(DataDescription(Int.self, execution: .async)).chosen?.engine == "CacheAsync")
    }

    @Test func longTermDoublesFallBackToCacheDiskWithoutCacheJoblib() {
        let linked = registry(KnownEngines.built.filter { $0 != "CacheJoblib" })
        let e = decide(DataDescription([Double].self, size: 8_000_000, hints: .init(persistence: .longTerm)), in: linked)
        #expect(e.chosen?.engine == "CacheDisk")
        #expect(e.chosenBy == "persistent-arrays")
        #expect(e.missingEngines == ["CacheJoblib"])
        #expect(e.fallback?.contains("CacheJoblib") == true)
    }

    @Test func onlyCacheFunctoolsLinkedGivesCacheFunctools() throws {
        let onlyFunctools = CacheRegistry()
        CacheFunctoolsEngine.register(in: onlyFunctools)
        let e = decide(DataDescription(Int.self), in: onlyFunctools)
        #expect(e.chosen?.engine == "CacheFunctools")
        // And the real engine makes the store memoize runs on.
        let calls = Counter()
        let square = try memoize(name: "square", registry: onlyFunctools, chain: chain) { (n: Int) -> Int in
            calls.increment()
            return n * n
        }
        #expect(square.engine == "CacheFunctools")
        #expect(try square(12) == 144)
        #expect(try square(12) == 144)
        #expect(calls.value == 1)
        #expect(engineOf(square.memoized.store) == "CacheFunctools")
    }
}

/// Rows whose engine exists on main, with the real engine making the store.
@Suite struct RealEngineTests {
    func realTools() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheFunctoolsEngine.register(in: registry)
        return registry
    }

    @Test func intGetsARealCacheToolsLRUStore() throws {
        let square = try memoize(name: "square", registry: realTools()) { (n: Int) -> Int in n * n }
        #expect(square.engine == "CacheTools")
        #expect(square.memoized.store.base is LRUCache<CacheKey, Int>)
        #expect(try square(9) == 81)
        #expect(try square(9) == 81)
        #expect(square.info.hits == 1)
    }

    @Test func frequencyAndMultiThreadGetARealAdaptiveBoxCacheWhenCacheBoxIsRegistered() throws {
        let registry = realTools()
        CacheBoxEngine.register(in: registry)
        let hot = try memoize(name: "hot", hints: .init(access: .frequency), registry: registry) { (n: Int) -> Int in n + 1 }
        #expect(hot.engine == "CacheBox")
        let box = try #require(hot.memoized.store.base as? BoxCache<CacheKey, Int>)
        #expect(box.policy == .adaptive)
        #expect(try hot(1) == 2)
        #expect(try hot(1) == 2)
        #expect(hot.info.hits == 1)
        let shared = try memoize(name: "shared", hints: .init(concurrency: .multiThread), registry: registry) { (s: String) -> Int in s.count }
        #expect(shared.engine == "CacheBox")
        #expect(shared.memoized.store.base is BoxCache<CacheKey, Int>)
        #expect(try shared("four") == 4)
    }

    @Test func frequencyAccessGetsARealCacheToolsLFUStore() throws {
        let f = try memoize(name: "hot", hints: .init(access: .frequency), registry: realTools()) { (n: Int) -> Int in n + 1 }
        #expect(f.engine == "CacheTools")
        #expect(f.memoized.store.base is LFUCache<CacheKey, Int>)
        #expect(try f(1) == 2)
    }

    @Test func randomAccessGetsARealRRStoreAndEphemeralArraysAWeightedBound() throws {
        let f = try memoize(name: "rand", hints: .init(access: .random), registry: realTools()) { (n: Int) -> Int in n }
        #expect(f.memoized.store.base is RRCache<CacheKey, Int>)
        let arrays = try memoize(name: "arrays", size: 200_000, hints: .init(persistence: .ephemeral), registry: realTools()) { (n: Int) -> [Double] in
            [Double](repeating: 1, count: n)
        }
        #expect(arrays.engine == "CacheTools")
        #expect(arrays.choice.configuration.maxSize == 64 * 1024 * 1024 / 200_000)
        #expect(try arrays(25_000).count == 25_000)
    }
}
