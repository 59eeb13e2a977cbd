import CacheCore
import CacheFunctools
import Dispatch
import Synchronization
import CacheTestKit
import Testing

@Suite struct LRUCacheFunctionTests {
    @Test func lruCacheSemantics() throws {
        let square = try lruCache(maxSize: 2) { (n: Int) in n * n }
        _ = try square(1); _ = try square(2); _ = try square(1)   // 1 is now most recent
        _ = try square(3)                                          // evicts 2
        #expect(square.cacheInfo() == CacheInfo(hits: 1, misses: 3, maxSize: 2, currentSize: 2))
        #expect(square.store.keysByRecency == [3, 1])
        #expect(square.info.evictions[.size] == 1)
        try square.clear()
        #expect(square.cacheInfo().currentSize == 0)
        #expect(square.cacheInfo().description == "CacheInfo(hits=0, misses=0, maxsize=2, currsize=0)")
    }

    @Test func unboundedAndZero() throws {
        let calls = Atomic<Int>(0)
        let unbounded = try lruCache(maxSize: nil) { (n: Int) in calls.add(1, ordering: .relaxed); return n }
        for i in 0..<1000 { _ = try unbounded(i) }
        for i in 0..<1000 { _ = try unbounded(i) }
        #expect(calls.load(ordering: .relaxed) == 1000)
        #expect(unbounded.cacheInfo().maxSize == nil)

        let none = try lruCache(maxSize: 0) { (n: Int) in calls.add(1, ordering: .relaxed); return n }
        _ = try none(1); _ = try none(1)
        #expect(none.cacheInfo() == CacheInfo(hits: 0, misses: 2, maxSize: 0, currentSize: 0))
        #expect(throws: CacheConfigurationError.self) { _ = try lruCache(maxSize: -5) { (n: Int) in n } }
    }

    @Test func recursiveFibonacci() throws {
        let fib = try lruCache(maxSize: nil) { (fib, n: Int) throws -> Int in
            n < 2 ? n : try fib(n - 1) + fib(n - 2)
        }
        #expect(try fib(80) == 23_416_728_348_467_685)
        #expect(fib.cacheInfo().misses == 81)
    }

    @Test func removalListenerSeesEvictions() throws {
        let seen = Mutex<[(Int, RemovalCause)]>([])
        let store = try LRUMemoStore<Int, String>(maxSize: 2) { key, _, cause in seen.withLock { $0.append((key, cause)) } }
        try store.setValue("a", forKey: 1)
        try store.setValue("b", forKey: 2)
        try store.setValue("b2", forKey: 2)
        try store.setValue("c", forKey: 3)
        store.removeValue(forKey: 2)
        store.removeAll()
        let log = seen.withLock { $0 }
        #expect(log.map(\.0) == [2, 1, 2, 3])
        #expect(log.map(\.1) == [.replaced, .size, .explicit, .cleared])
        #expect(throws: CacheStoreError.self) { try store.setValue("x", forKey: 9, ttl: .seconds(1)) }
    }

    @Test func severalArgumentsAndRecursion() throws {
        let join = try lruCache(maxSize: 8) { (a: String, b: Int) in "\(a)\(b)" }
        #expect(try join("x", 1) == "x1")
        #expect(try join("x", 1) == "x1")
        #expect(join.cacheInfo() == CacheInfo(hits: 1, misses: 1, maxSize: 8, currentSize: 1))
        let binomial = try Memoized(store: LRUMemoStore<ArgumentsKey<Int, Int>, Int>(maxSize: nil)) { (c, n: Int, k: Int) throws -> Int in
            k == 0 || k == n ? 1 : try c(n - 1, k - 1) + c(n - 1, k)
        }
        #expect(try binomial(40, 20) == 137_846_528_820)
        #expect(binomial.store.count < 1000)
    }

    @Test func concurrentCallersAgree() throws {
        let f = try lruCache(maxSize: 64) { (n: Int) in n &* 2654435761 }
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<20_000 {
                let k = (i &* 7 &+ t) % 200
                precondition(try! f(k) == k &* 2654435761)
            }
        }
        let info = f.cacheInfo()
        #expect(info.currentSize <= 64)
        #expect(info.hits + info.misses == 160_000)
    }

    @Test func engineRegisters() throws {
        let registry = CacheRegistry()
        CacheFunctoolsEngine.register(in: registry)
        let store = try registry.makeStore(engine: CacheFunctoolsEngine.id, of: String.self, configuration: CacheConfiguration(maxSize: 3))
        try store.setValue("v", forKey: CacheKey(name: "f", arguments: 1))
        #expect(try store.value(forKey: CacheKey(name: "f", arguments: 1)) == "v")
        #expect(throws: CacheConfigurationError.self) {
            _ = try registry.makeStore(engine: CacheFunctoolsEngine.id, of: String.self, configuration: CacheConfiguration(policy: .lfu))
        }
    }
}

@Suite struct LRUMemoStoreConformanceTests {
    @Test func conformance() throws {
        try CacheConformance(
            makeStore: { capacity in try LRUMemoStore<Int, String>(maxSize: capacity) },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func conformanceWithCacheKeys() throws {
        try CacheConformance(
            makeStore: { capacity in try LRUMemoStore<CacheKey, Int>(maxSize: capacity) },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { $0 * 10 }
        ).runWithKeyChecks()
    }
}
