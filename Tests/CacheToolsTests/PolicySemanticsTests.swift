import CacheCore
import CacheTools
import Synchronization
import CacheTestKit
import Testing

/// Records (key, cause) pairs delivered to a removal listener.
final class RemovalLog<Key: Sendable>: Sendable {
    private let entries = Mutex<[(Key, RemovalCause)]>([])
    var listener: RemovalListener<Key, Int> { { k, _, cause in self.entries.withLock { $0.append((k, cause)) } } }
    var all: [(Key, RemovalCause)] { entries.withLock { $0 } }
    var causes: [RemovalCause] { all.map(\.1) }
}

@Suite("Configuration, weights, listener, stats")
struct PolicySemanticsTests {
    @Test func negativeMaxSizeNamesTheSetting() {
        #expect(throws: CacheConfigurationError(setting: "maxSize", value: "-1", reason: "must be ≥ 0")) {
            try LRUCache<Int, Int>(maxSize: -1)
        }
        #expect(throws: CacheConfigurationError.self) { try LFUCache<Int, Int>(maxSize: -5) }
        #expect(throws: CacheConfigurationError.self) { try FIFOCache<Int, Int>(maxSize: -5) }
        #expect(throws: CacheConfigurationError.self) { try RRCache<Int, Int>(maxSize: -5) }
        #expect(throws: CacheConfigurationError.self) { try MRUCache<Int, Int>(maxSize: -5) }
        #expect(throws: CacheConfigurationError.self) { try TLRUCache<Int, Int>(maxSize: -5, ttu: { _, _, now in now }) }
        do {
            _ = try TTLCache<Int, Int>(maxSize: -2, ttl: .seconds(1))
            Issue.record("expected an error")
        } catch {
            #expect(error.setting == "maxSize" && error.value == "-2")
        }
    }

    @Test(arguments: [Duration.zero, .seconds(-3)])
    func nonPositiveTTLNamesTheSetting(_ ttl: Duration) {
        do {
            _ = try TTLCache<Int, Int>(maxSize: 10, ttl: ttl)
            Issue.record("expected an error")
        } catch {
            #expect(error.setting == "ttl")
            #expect(error.description.contains("ttl"))
        }
    }

    @Test func maxSizeZeroStoresNothing() throws {
        let c = try LRUCache<Int, Int>(maxSize: 0)
        c[1] = 1  // dropped silently
        #expect(c.count == 0 && c[1] == nil)
        #expect(throws: CacheStoreError.self) { try c.setValue(1, forKey: 1) }
        let s = c.stats
        #expect(s.storeFailures == 2 && s.count == 0 && s.misses == 1)
        let t = try TTLCache<Int, Int>(maxSize: 0, ttl: .seconds(1), clock: ManualCacheClock())
        t[1] = 1
        #expect(t.count == 0)
        let f = try LFUCache<Int, Int>(maxSize: 0)
        f[1] = 1
        #expect(f.count == 0)
    }

    @Test func overHeavyItemIsRefusedAndTheOldValueStays() throws {
        let c = try LRUCache<String, Int>(maxSize: 10, weigher: { _, v in v })
        try c.setValue(4, forKey: "a")
        do {
            try c.setValue(11, forKey: "a")
            Issue.record("expected itemTooLarge")
        } catch {
            #expect(error.kind == .itemTooLarge)
            #expect(error.key == "a")
            #expect(error.detail.contains("11") && error.detail.contains("10"))
        }
        #expect(c["a"] == 4)
        c["b"] = 50  // subscript drops silently
        #expect(c["b"] == nil)
        #expect(c.currentSize == 4)
        #expect(c.stats.storeFailures == 2)
        #expect(throws: CacheStoreError.self) { try c.setValue(-1, forKey: "neg") }
        #expect(c.capabilities == [.inMemory, .weighted])
    }

    @Test func weightsCountTowardMaxSize() throws {
        let log = RemovalLog<String>()
        let c = try LRUCache<String, Int>(maxSize: 10, weigher: { _, v in v }, onRemoval: log.listener)
        c["a"] = 3; c["b"] = 3; c["c"] = 3
        #expect(c.currentSize == 9 && c.count == 3)
        c["d"] = 2  // 11 > 10: evict a
        #expect(c.keys == ["b", "c", "d"] && c.currentSize == 8)
        c["b"] = 1  // lighter: no eviction, replaced
        #expect(c.keys == ["c", "d", "b"] && c.currentSize == 6)
        c["z"] = 0  // zero weight fits
        #expect(c.count == 4 && c.currentSize == 6)
        c["c"] = 8  // heavier: 6 - 3 + 8 = 11 → evicts c itself first (LRU), then d
        #expect(c.keys == ["b", "z", "c"] && c.currentSize == 9)
        #expect(log.all.map(\.0) == ["a", "b", "c", "d"])
        #expect(log.causes == [.size, .replaced, .size, .size])
        #expect(c.stats.bytes == 9)
    }

    @Test func removalListenerCauses() throws {
        let log = RemovalLog<Int>()
        let c = try LRUCache<Int, Int>(maxSize: 2, onRemoval: log.listener)
        c[1] = 1; c[2] = 2
        c[1] = 10            // replaced
        c[3] = 3             // size: evicts 2
        #expect(c.removeValue(forKey: 1) == 10)  // explicit
        #expect(c.removeValue(forKey: 99) == nil)
        c[3] = nil           // explicit through the subscript
        c[4] = 4; c[5] = 5
        c.removeAll()        // cleared, in eviction order
        #expect(log.all.map(\.0) == [1, 2, 1, 3, 4, 5])
        #expect(log.causes == [.replaced, .size, .explicit, .explicit, .cleared, .cleared])
        #expect(c.count == 0 && c.currentSize == 0 && c.keys.isEmpty)
        c[6] = 6  // usable after removeAll
        #expect(c[6] == 6)
    }

    @Test func listenerMayCallBackIntoTheCache() throws {
        let box = Mutex<LRUCache<Int, Int>?>(nil)
        let c = try LRUCache<Int, Int>(maxSize: 1, onRemoval: { k, _, cause in
            // Runs outside the lock: reading the cache here must not deadlock.
            if cause == .size, let c = box.withLock({ $0 }) { _ = c.contains(k) ; _ = c.count }
        })
        box.withLock { $0 = c }
        c[1] = 1; c[2] = 2; c[3] = 3
        #expect(c.keys == [3])
        box.withLock { $0 = nil }
    }

    @Test func statsAreConsistent() throws {
        let c = try LFUCache<Int, Int>(maxSize: 5)
        var hits = 0, misses = 0
        for i in 0..<1000 {
            let k = (i * 7919) % 13
            if c[k] != nil { hits += 1 } else { misses += 1; c[k] = k }
        }
        let s = c.stats
        #expect(s.hits == hits && s.misses == misses)
        #expect(s.count == 5 && s.bytes == 5)
        #expect(s.evictions[.size] == misses - 5)
        #expect(s.evictionCount == misses - 5)
        #expect(s.hitRatio == Double(hits) / 1000)
        _ = c.contains(0)  // counts nothing
        #expect(c.stats.hits + c.stats.misses == 1000)
    }

    @Test func perEntryTTLIsUnsupported() throws {
        let c = try LRUCache<Int, Int>(maxSize: 3)
        do {
            try c.setValue(1, forKey: 1, ttl: .seconds(5))
            Issue.record("expected unsupported")
        } catch {
            #expect(error.kind == .unsupported)
        }
        try c.setValue(1, forKey: 1, ttl: nil)
        #expect(c[1] == 1)
        #expect(c.capabilities == [.inMemory])
    }

    @Test func slotsAreRecycledAcrossGrowth() throws {
        // Start small so the tables grow, with String keys and values (non-trivial types).
        let c = try LRUCache<String, String>(maxSize: 5000, weigher: { _, _ in 1 })
        for i in 0..<20_000 { c["k\(i)"] = "v\(i)" }
        #expect(c.count == 5000)
        #expect(c["k19999"] == "v19999" && c["k14999"] == nil && c["k15000"] == "v15000")
        for i in 15_000..<17_000 { c.removeValue(forKey: "k\(i)") }
        #expect(c.count == 3000)
        for i in 0..<3000 { c["n\(i)"] = "x" }  // 6000 > 5000: evicts k17000...k17999
        #expect(c.count == 5000)
        #expect(c.keys.first == "k18000")
    }
}

@Suite("TTL and TLRU with a manual clock")
struct TimedCacheTests {
    @Test func ttlEntriesExpireLazilyAndOnExpire() throws {
        let clock = ManualCacheClock(start: 100)
        let log = RemovalLog<String>()
        let c = try TTLCache<String, Int>(maxSize: 10, ttl: .seconds(5), clock: clock, onRemoval: log.listener)
        c["a"] = 1
        clock.advance(by: 2)
        c["b"] = 2
        clock.advance(by: 2.999)
        #expect(c["a"] == 1 && c.contains("a"))
        clock.advance(by: 0.001)  // now = 105 = a's expiry: expired (live while now < expiry)
        #expect(!c.contains("a") && c.peekValue(forKey: "a") == nil)
        #expect(c["a"] == nil)    // a miss; as in cachetools the read leaves it for expiry
        #expect(log.all.isEmpty)
        #expect(c.count == 1)     // count expires first (cachetools' len())
        #expect(log.all.map(\.0) == ["a"] && log.causes == [.expired])
        clock.advance(by: 10)
        let expired = c.expire()
        #expect(expired.map(\.key) == ["b"] && expired.map(\.value) == [2])
        #expect(c.count == 0)
        let s = c.stats
        #expect(s.evictions[.expired] == 2 && s.hits == 1 && s.misses == 1)
    }

    @Test func ttlUpdateRestartsTheClockAndRemoveOfExpiredIsNil() throws {
        let clock = ManualCacheClock()
        let c = try TTLCache<Int, Int>(maxSize: 10, ttl: .seconds(10), clock: clock)
        c[1] = 1
        clock.advance(by: 8)
        c[1] = 2
        clock.advance(by: 8)
        #expect(c[1] == 2)
        c[2] = 2
        clock.advance(by: 20)
        #expect(c.removeValue(forKey: 2) == nil)  // expired: nil, left for expiry (cachetools' pop)
        #expect(c.stats.evictions[.expired] == 2)  // stats expires first (1 too)
        #expect(c.keys.isEmpty)  // 1 expired too
    }

    @Test func ttlSizeEvictionIsLRUAmongLiveEntries() throws {
        let clock = ManualCacheClock()
        let log = RemovalLog<Int>()
        let c = try TTLCache<Int, Int>(maxSize: 2, ttl: .seconds(10), clock: clock, onRemoval: log.listener)
        c[1] = 1
        clock.advance(by: 1)
        c[2] = 2
        _ = c[1]
        c[3] = 3  // evicts 2 (LRU)
        #expect(c.keys == [1, 3])
        clock.advance(by: 9.5)  // 1 expired (t=10), 3 live
        c[4] = 4  // expire removes 1 first: no size eviction needed
        #expect(c.keys == [3, 4])
        #expect(log.causes == [.size, .expired])
    }

    @Test func tlruPerItemExpiry() throws {
        let clock = ManualCacheClock()
        let log = RemovalLog<String>()
        let c = try TLRUCache<String, Int>(
            maxSize: 10, ttu: { _, v, now in now + Double(v) }, clock: clock, onRemoval: log.listener)
        c["short"] = 1
        c["long"] = 100
        c["mid"] = 10
        clock.advance(by: 1)
        #expect(c["short"] == nil && c["long"] == 100)
        clock.advance(by: 9)
        #expect(c.expire().map(\.key) == ["short", "mid"])  // the read of "short" left it for expiry
        c["long"] = 0  // already expired on arrival: not stored, removes the old entry
        #expect(c["long"] == nil && c.count == 0)
        #expect(log.all.map(\.0) == ["short", "mid", "long"])
        #expect(log.causes == [.expired, .expired, .replaced])
        // Many updates keep the heap bounded and expiry correct.
        for i in 0..<1000 { c["k\(i % 3)"] = 5 + i % 7 }
        #expect(c.count == 3)
        clock.advance(by: 100)
        #expect(c.count == 0)
    }
}

@Suite("Concurrency smoke")
struct ConcurrencySmokeTests {
    @Test func manyThreadsHammerOneCache() async throws {
        let removed = Mutex(0)
        let c = try LRUCache<Int, Int>(maxSize: 64, onRemoval: { _, _, cause in
            if cause == .size || cause == .explicit || cause == .replaced { removed.withLock { $0 += 1 } }
        })
        let t = try TTLCache<Int, Int>(maxSize: 64, ttl: .seconds(1000))
        let f = try LFUCache<Int, Int>(maxSize: 64)
        let gets = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var x = UInt64(worker + 1)
                    var gets = 0
                    for _ in 0..<20_000 {
                        x = x &* 6364136223846793005 &+ 1442695040888963407
                        let k = Int((x >> 33) % 200)
                        switch (x >> 20) % 8 {
                        case 0: c.removeValue(forKey: k)
                        case 1, 2, 3: c[k] = k
                        default:
                            gets += 1
                            if let v = c[k] { precondition(v == k) }
                        }
                        if t[k] == nil { t[k] = k }
                        if f[k] == nil { f[k] = k }
                    }
                    return gets
                }
            }
            return await group.reduce(0, +)
        }
        for cache in [c.stats, t.stats, f.stats] {
            #expect(cache.count <= 64 && cache.bytes == cache.count)
        }
        #expect(c.keys.count == c.count)
        #expect(Set(c.keys).count == c.count)
        #expect(t.keys.count == t.count && f.keys.count == f.count)
        for k in c.keys { #expect(c.contains(k)) }
        let s = c.stats
        #expect(s.hits + s.misses == gets)
        #expect(removed.withLock { $0 } > 0)
    }
}

@Suite struct CacheToolsConformanceTests {
    @Test func lru() throws {
        try CacheConformance(makeStore: { try LRUCache<Int, String>(maxSize: $0 ?? 100_000) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func lfu() throws {
        try CacheConformance(makeStore: { try LFUCache<Int, String>(maxSize: $0 ?? 100_000) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func fifo() throws {
        try CacheConformance(makeStore: { try FIFOCache<Int, String>(maxSize: $0 ?? 100_000) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func rr() throws {
        try CacheConformance(makeStore: { try RRCache<Int, String>(maxSize: $0 ?? 100_000, seed: 1) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func mru() throws {
        try CacheConformance(makeStore: { try MRUCache<Int, String>(maxSize: $0 ?? 100_000) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func ttl() throws {
        try CacheConformance(makeStore: { try TTLCache<Int, String>(maxSize: $0 ?? 100_000, ttl: .seconds(600)) }, key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func tlru() throws {
        try CacheConformance(
            makeStore: { try TLRUCache<Int, String>(maxSize: $0 ?? 100_000, ttu: { _, _, now in now + 600 }) },
            key: { $0 }, value: { "v\($0)" }).run()
    }
    @Test func engineStoresPassWithCacheKeys() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        for policy in [EvictionPolicy.lru, .lfu, .fifo, .rr, .mru, .ttl, .tlru] {
            try CacheConformance(
                makeStore: { capacity in
                    let store = try registry.makeStore(
                        engine: CacheToolsEngine.id, of: Int.self,
                        configuration: CacheConfiguration(maxSize: capacity ?? 100_000, policy: policy, ttl: .seconds(600)))
                    return AnyCacheStore(store)
                },
                key: { try! CacheKey(name: "conf", arguments: $0) }, value: { $0 * 10 }
            ).runWithKeyChecks()
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try registry.makeStore(engine: CacheToolsEngine.id, of: Int.self, configuration: CacheConfiguration(policy: .ttl))
        }
    }
}
