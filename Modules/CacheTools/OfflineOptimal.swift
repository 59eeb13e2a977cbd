/// Belady's offline optimal replacement (OPT/MIN): the upper bound on the hit ratio of any
/// cache of the same capacity on a trace — the `opt` policy of `cachectl replay`.
///
/// On a miss with the cache full, the resident whose next use is farthest in the future is
/// evicted — unless the missed key's own next use is farther than every resident's, in
/// which case it is bypassed (not inserted). Keys never used again count as used at infinity.
public enum OfflineOptimal {
    /// The number of hits Belady's policy gets on `trace` with room for `capacity` keys.
    /// - Complexity: O(n log n) time, O(n) space: next uses are precomputed in one backward
    ///   pass, and residents sit in a max-heap by next use with stale records skipped lazily.
    public static func hits(trace: [UInt32], capacity: Int) -> Int {
        let n = trace.count
        if n == 0 || capacity <= 0 { return 0 }
        // Dense ids, then next-use positions (n + id for "never", distinct and > any position).
        var ids = [UInt32: Int32]()
        ids.reserveCapacity(Swift.min(n, 1 << 20))
        var dense = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let k = trace[i]
            if let id = ids[k] { dense[i] = id } else {
                let id = Int32(truncatingIfNeeded: ids.count)
                ids[k] = id
                dense[i] = id
            }
        }
        let distinct = ids.count
        var nextUse = [Int](repeating: 0, count: n)
        var last = [Int](repeating: -1, count: distinct)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let id = Int(dense[i])
            nextUse[i] = last[id] >= 0 ? last[id] : n + id
            last[id] = i
        }
        // resident[id] = the next use recorded for a resident key, or -1.
        var resident = [Int](repeating: -1, count: distinct)
        var heap = MaxHeap()
        var size = 0
        var hits = 0
        for i in 0..<n {
            let id = Int(dense[i])
            let nu = nextUse[i]
            if resident[id] >= 0 {
                hits += 1
                resident[id] = nu
                heap.push(nu, Int32(truncatingIfNeeded: id))
                continue
            }
            if size < capacity {
                resident[id] = nu
                heap.push(nu, Int32(truncatingIfNeeded: id))
                size += 1
                continue
            }
            // Drop stale records to find the resident used farthest in the future.
            while let top = heap.top, resident[Int(top.id)] != top.key { heap.pop() }
            guard let far = heap.top else { continue }
            if nu >= far.key { continue }  // bypass: used later than every resident
            heap.pop()
            resident[Int(far.id)] = -1
            resident[id] = nu
            heap.push(nu, Int32(truncatingIfNeeded: id))
        }
        return hits
    }

    /// `hits(trace:capacity:) / trace.count` (0 for an empty trace).
    /// - Complexity: O(n log n).
    public static func hitRatio(trace: [UInt32], capacity: Int) -> Double {
        trace.isEmpty ? 0 : Double(hits(trace: trace, capacity: capacity)) / Double(trace.count)
    }

    /// A binary max-heap of (next use, key id).
    struct MaxHeap {
        var keys: [Int] = []
        var ids: [Int32] = []

        var top: (key: Int, id: Int32)? { keys.isEmpty ? nil : (keys[0], ids[0]) }

        mutating func push(_ key: Int, _ id: Int32) {
            keys.append(key)
            ids.append(id)
            var i = keys.count - 1
            while i > 0 {
                let p = (i - 1) >> 1
                if keys[p] >= keys[i] { break }
                keys.swapAt(i, p)
                ids.swapAt(i, p)
                i = p
            }
        }

        mutating func pop() {
            let lastKey = keys.removeLast()
            let lastId = ids.removeLast()
            if keys.isEmpty { return }
            keys[0] = lastKey
            ids[0] = lastId
            var i = 0
            let n = keys.count
            while true {
                let l = 2 * i + 1
                if l >= n { return }
                var m = l
                if l + 1 < n && keys[l + 1] > keys[l] { m = l + 1 }
                if keys[m] <= keys[i] { return }
                keys.swapAt(i, m)
                ids.swapAt(i, m)
                i = m
            }
        }
    }
}
