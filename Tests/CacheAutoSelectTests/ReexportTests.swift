// Deliberately no `import CacheCore`: the quick start's types must come with CacheAutoSelect
// and the backend a user links.
import CacheAutoSelect
import CacheTools
import Testing

@Suite struct ReexportTests {
    @Test func theQuickStartCompilesWithCacheAutoSelectAndOneBackendImported() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        let options = MemoizeOptions<Int>(shouldCache: { $0 >= 0 })
        let square = try memoize(name: "square", registry: registry, options: options) { (n: Int) in n * n }
        #expect(try square(4) == 16)
        let key: CacheKey = try CacheKey(name: "square", arguments: 4)
        #expect(key.namespace == "square")
        let stats: CacheStats = square.info
        #expect(stats.loadSuccesses == 1)
        let lru = try LRUCache<String, Int>(maxSize: 2)
        lru["a"] = 1
        #expect(lru.capabilities.contains(.inMemory))
    }
}
