import CacheBox
import CacheCore

extension MemoizeBench {
    /// CacheBox's `BoxCache` (default adaptive W-TinyLFU policy, default shards) behind
    /// CacheCore's `Memoized`, as a user writes it; the same bound as the CacheTools rows.
    static func cacheBoxCandidates() throws -> [(String, ([Int]) throws -> Int)] {
        let name = "CacheBox.BoxCache(adaptive)"
        let store = try BoxCache<Int, Int>(maximumWeight: 1_024)
        let f = try Memoized(store: store, name: name, key: { (i: Int) in i }) { (i: Int) in i * 2 }
        return [(name, { keys in
            var sum = 0
            for k in keys { sum &+= try f(k) }
            return sum
        })]
    }
}
