import CacheCore
import CacheFunctools
import CacheTools
import Synchronization

extension DemoCommand {
    /// `cachectl demo --basics`: the memory memoizers and policy caches, one step each.
    static func basicsTour() throws {
        print("swift-cache basics\n==================\n")

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

        print("4. Policy caches (CacheTools): a TTL cache on a clock we move by hand:")
        let clock = ManualCacheClock()
        let sessions = try TTLCache<String, String>(maxSize: 100, ttl: .seconds(30), clock: clock)
        sessions["alice"] = "token-1"
        print("   t=0s   sessions[alice] = \(sessions["alice"] ?? "nil")")
        clock.advance(by: .seconds(31))
        print("   t=31s  sessions[alice] = \(sessions["alice"] ?? "nil")   (expired: \(sessions.stats.evictions[.expired] ?? 0))\n")

        print("5. Weighted caches bound total weight; an item heavier than the bound is refused:")
        let blobs = try LRUCache<String, [UInt8]>(maxSize: 1_000, weigher: { _, bytes in bytes.count })
        try blobs.setValue([UInt8](repeating: 1, count: 600), forKey: "a")
        try blobs.setValue([UInt8](repeating: 2, count: 300), forKey: "b")
        try blobs.setValue([UInt8](repeating: 3, count: 300), forKey: "c")   // evicts "a"
        print("   after a(600) b(300) c(300): keys \(blobs.keys), weight \(blobs.currentSize)/1000")
        do {
            try blobs.setValue([UInt8](repeating: 4, count: 5_000), forKey: "huge")
        } catch {
            print("   set huge(5000): \(error)")
        }
        print("   stats: \(blobs.stats)\n")
    }
}
