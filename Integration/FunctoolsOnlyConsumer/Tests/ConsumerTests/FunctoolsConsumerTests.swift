import CacheFunctools
import Testing

@Test func memoizesWithOnlyCacheFunctoolsLinked() throws {
    let fib = try lruCache(maxSize: nil) { (fib, n: Int) throws -> Int in
        n < 2 ? n : try fib(n - 1) + fib(n - 2)
    }
    #expect(try fib(50) == 12_586_269_025)
    #expect(fib.cacheInfo() == CacheInfo(hits: 48, misses: 51, maxSize: nil, currentSize: 51))
}
