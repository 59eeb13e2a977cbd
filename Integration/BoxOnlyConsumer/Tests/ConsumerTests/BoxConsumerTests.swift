import CacheBox
import Synchronization
import Testing

@Test func memoizesOverBoxCacheWithOnlyCacheBoxLinked() throws {
    let cache = try BoxCache<CacheKey, Int>(maximumWeight: 1_000)
    let calls = Atomic<Int>(0)
    let square = try Memoized(store: cache, name: "square") { (n: Int) -> Int in
        calls.add(1, ordering: .relaxed)
        return n * n
    }
    #expect(try square(12) == 144)
    #expect(try square(12) == 144)
    #expect(calls.load(ordering: .relaxed) == 1)
    #expect(square.info.hits == 1)
    #expect(cache.policy == .adaptive)
}

@Test func theEngineRegistersAndMakesStores() throws {
    let registry = CacheRegistry()
    CacheBoxEngine.register(in: registry)
    let store = try registry.makeStore(engine: CacheBoxEngine.id, of: String.self,
                                       configuration: CacheConfiguration(maxSize: 8))
    let key = try CacheKey(name: "greeting", arguments: 1)
    try store.setValue("hello", forKey: key, ttl: nil)
    #expect(try store.value(forKey: key) == "hello")
}
