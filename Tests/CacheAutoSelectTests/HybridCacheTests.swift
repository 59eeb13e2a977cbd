import CacheAutoSelect
import CacheCore
import Testing

@Suite struct HybridCacheTests {
    func makeCache(threshold: Int = 1000) throws -> HybridCache<String> {
        try HybridCache(memory: DictionaryStore<CacheKey, String>(engine: "CacheTools"),
                        disk: DictionaryStore<CacheKey, String>(engine: "CacheDisk"), threshold: threshold)
    }

    func key(_ n: Int) throws -> CacheKey { try CacheKey(name: "hybrid", arguments: n) }

    @Test func resultsAreRoutedBySizeAndStatsSayWhichTierServed() throws {
        let cache = try makeCache()
        let small = String(repeating: "s", count: 10), large = String(repeating: "L", count: 5000)
        try cache.setValue(small, forKey: key(1))
        try cache.setValue(large, forKey: key(2))
        #expect(try cache.tier(holding: key(1)) == .memory)
        #expect(try cache.tier(holding: key(2)) == .disk)
        #expect(try cache.valueWithTier(forKey: key(1))?.tier == .memory)
        #expect(try cache.valueWithTier(forKey: key(2))?.tier == .disk)
        #expect(try cache.value(forKey: key(2)) == large)
        #expect(try cache.value(forKey: key(3)) == nil)
        let t = cache.tierStats
        #expect(t.memoryHits == 1 && t.diskHits == 2 && t.misses == 1)
        #expect(t.storedInMemory == 1 && t.storedOnDisk == 1)
        // One miss, not two, for a key in neither tier; a disk hit is not a miss.
        #expect(cache.stats.hits == 3 && cache.stats.misses == 1 && cache.stats.count == 2)
        #expect(try cache.memory.base.peekValue(forKey: key(2)) == nil)
    }

    @Test func aKeyMovesBetweenTiersAndNeverLivesInBoth() throws {
        let cache = try makeCache()
        let k = try key(7)
        try cache.setValue("small", forKey: k)
        try cache.setValue(String(repeating: "x", count: 2000), forKey: k)
        #expect(try cache.memory.contains(k) == false)
        #expect(try cache.disk.contains(k))
        try cache.setValue("small again", forKey: k)
        #expect(try cache.disk.contains(k) == false)
        #expect(try cache.value(forKey: k) == "small again")
        #expect(try cache.removeValue(forKey: k) == "small again")
        #expect(try cache.contains(k) == false)
    }

    @Test func concurrentWritersOfOneKeyLeaveItInOneTier() async throws {
        let cache = try makeCache(threshold: 100)
        let k = try key(1)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for i in 0..<300 {
                        let value = (i + writer) % 2 == 0 ? "s\(i)" : String(repeating: "L", count: 200) + "\(i)"
                        try? cache.setValue(value, forKey: k)
                    }
                }
            }
        }
        let inMemory = try cache.memory.contains(k), onDisk = try cache.disk.contains(k)
        #expect(inMemory != onDisk)
    }

    @Test func storeFailureOnTheDiskTierLosesNoComputation() throws {
        let cache = try HybridCache(memory: DictionaryStore<CacheKey, String>(engine: "CacheTools"),
                                    disk: DictionaryStore<CacheKey, String>(engine: "CacheDisk", failSets: true), threshold: 10)
        let failures = Counter()
        let calls = Counter()
        let f = try Memoized(store: cache, name: "render", options: .init(onStoreFailure: { _, _ in failures.increment() })) { (n: Int) -> String in
            calls.increment()
            return String(repeating: "x", count: n)
        }
        #expect(try f(50).count == 50)  // too big for memory, disk refuses: still returned
        #expect(try f(50).count == 50)
        #expect(calls.value == 2)
        #expect(failures.value == 2)
        #expect(f.info.storeFailures == 2)
        #expect(try f(3) == "xxx")
        #expect(try f(3) == "xxx")
        #expect(calls.value == 3)
    }

    @Test func negativeThresholdFailsAtConstruction() {
        #expect(throws: CacheConfigurationError.self) { try makeCache(threshold: -1) }
    }

    @Test func hybridMemoizeChoosesBothTiersThroughTheChain() throws {
        // Without CacheKlepto (which the session row would name first for the disk tier).
        let linked = registry(KnownEngines.built.filter { $0 != "CacheKlepto" })
        let calls = Counter()
        let blob = try hybridMemoize(name: "blob", threshold: 1024, registry: linked) { (n: Int) -> [UInt8] in
            calls.increment()
            return [UInt8](repeating: 1, count: n)
        }
        #expect(blob.store.memoryExplanation?.chosen?.engine == "CacheTools")
        #expect(blob.store.diskExplanation?.chosen?.engine == "CacheDisk")
        #expect(try blob(10).count == 10)
        #expect(try blob(100_000).count == 100_000)
        #expect(try blob(10).count == 10)
        #expect(try blob(100_000).count == 100_000)
        #expect(calls.value == 2)
        let t = blob.store.tierStats
        #expect(t.memoryHits == 1 && t.diskHits == 1)
        #expect(engineOf(blob.store.memory) == "CacheTools")
        #expect(engineOf(blob.store.disk) == "CacheDisk")
    }
}
