import ArgumentParser
import CacheCore
import CacheFunctools
import Synchronization

/// `cachectl demo`: the tour a newcomer runs first.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "A short tour: memoized functions, hits, misses, evictions and stats.")

    func run() throws {
        print("swift-cache demo\n================\n")

        print("1. A recursive function, memoized like functools.lru_cache (CacheFunctools):")
        let fib = try lruCache(maxSize: nil) { (fib, n: Int) throws -> Int in
            n < 2 ? n : try fib(n - 1) + fib(n - 2)
        }
        print("   fib(90) = \(try fib(90))   — 91 computations instead of ~10^18")
        print("   \(fib.cacheInfo())")
        _ = try fib(90)
        print("   called again: \(fib.cacheInfo())\n")

        print("2. A bounded cache evicts the least recently used entry:")
        let evicted = Mutex<[String]>([])
        let store = try LRUMemoStore<ArgumentsKey<String>, Int>(maxSize: 3) { key, _, cause in
            evicted.withLock { $0.append("\(key.values) (\(cause))") }
        }
        let wordLength = try Memoized(store: store, name: "wordLength") { (word: String) in word.count }
        for word in ["apple", "kiwi", "plum", "apple", "fig", "kiwi"] {
            let before = store.stats.hits
            let n = try wordLength(word)
            print("   wordLength(\(word)) = \(n)   \(store.stats.hits > before ? "hit" : "miss")")
        }
        print("   evicted: \(evicted.withLock { $0 }.joined(separator: ", "))")
        print("   stats: \(wordLength.info)\n")

        print("3. Persistent stores key by a stable name plus the canonical encoding of the arguments:")
        let key = try CacheKey(name: "render", version: "2", arguments: "page-7", 2.0, [1, 2, 3])
        print("   render@2(\"page-7\", 2.0, [1, 2, 3]) → \(key)")
        print("   digest (XXH3-128): \(key.digest.hex)")
        print("   the same in every process: try `swift run cachectl key --name render --version 2 string:page-7 double:2.0`\n")

        try DemoCommand.policyTour()
        print("Next: `swift run -c release cachectl bench memoize`, `cachectl replay TRACE --policy lru,lfu --capacity 1%`.")
    }
}
