import CacheCore
import CacheTools

extension MemoizeBench {
    /// CacheTools' policy caches behind CacheCore's `Memoized`, as a user writes it.
    static func cacheToolsCandidates() throws -> [(String, ([Int]) throws -> Int)] {
        func candidate<S: CacheStore>(_ name: String, _ store: S) throws -> (String, ([Int]) throws -> Int)
        where S.Key == Int, S.Value == Int {
            let f = try Memoized(store: store, name: name, key: { (i: Int) in i }) { (i: Int) in i * 2 }
            return (name, { keys in
                var sum = 0
                for k in keys { sum &+= try f(k) }
                return sum
            })
        }
        return [
            try candidate("CacheTools.LRU", LRUCache<Int, Int>(maxSize: 1_024)),
            try candidate("CacheTools.LFU", LFUCache<Int, Int>(maxSize: 1_024)),
            try candidate("CacheTools.FIFO", FIFOCache<Int, Int>(maxSize: 1_024)),
            try candidate("CacheTools.TTL", TTLCache<Int, Int>(maxSize: 1_024, ttl: .seconds(3600))),
        ]
    }
}
