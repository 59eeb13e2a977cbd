import CachePolicies

/// A hierarchical timer wheel over the slots of a ``BoxPolicyCore``'s table.
///
/// Five levels of buckets: 64 of ≈1.07 s, 64 of ≈1.14 min, 32 of ≈1.22 h, 4 of ≈1.63 days
/// and one overflow bucket. An entry is filed in the bucket of the coarsest level whose
/// span still covers the time left until its deadline. Advancing the wheel visits only the
/// buckets whose time has passed: entries due are returned for removal, the rest are filed
/// again into a finer bucket. Scheduling and cancelling are O(1); nothing scans the table.
///
/// Each bucket is an intrusive doubly linked list through the table's second link pair
/// (`prev2`/`next2`). The first slot of a bucket stores `-(bucket + 2)` as its `prev2`, so
/// a slot can be unlinked without knowing its bucket. Times are integer nanoseconds.
@usableFromInline package struct BoxTimerWheel: ~Copyable {
    @usableFromInline static let bucketCounts = [64, 64, 32, 4, 1]
    @usableFromInline static let shifts: [Int64] = [30, 36, 42, 47, 49]
    /// Spans of one bucket per level (2^shift), plus the overflow bound.
    @usableFromInline static let spans: [Int64] = [1 << 30, 1 << 36, 1 << 42, 1 << 47, 1 << 49]
    /// First bucket index of each level.
    @usableFromInline static let offsets = [0, 64, 128, 160, 164]
    @usableFromInline static let totalBuckets = 165

    @usableFromInline var heads: UnsafeMutablePointer<Int32>
    /// The wheel's time: the last time it was advanced to.
    @usableFromInline package private(set) var nanos: Int64
    /// Entries filed now.
    @usableFromInline package private(set) var scheduled = 0

    package init(now: Int64) {
        heads = .allocate(capacity: Self.totalBuckets)
        heads.initialize(repeating: noSlot, count: Self.totalBuckets)
        nanos = now
    }

    deinit { heads.deallocate() }

    /// Seconds to wheel nanoseconds, saturating.
    @inlinable
    package static func nanos(_ seconds: Double) -> Int64 {
        let n = seconds * 1e9
        if !(n < 9.2e18) { return n.isNaN ? 0 : Int64.max }
        if n <= -9.2e18 { return Int64.min }
        return Int64(n)
    }

    /// The bucket for `deadline` at the wheel's current time.
    @inlinable
    func bucket(for due: Int64) -> Int {
        // A deadline already past goes in the current bucket, reclaimed at the next tick.
        let deadline = Swift.max(due, nanos)
        let duration = deadline &- nanos
        for level in 0..<4 where duration < Self.spans[level + 1] {
            let ticks = deadline >> Self.shifts[level]
            return Self.offsets[level] + Int(truncatingIfNeeded: ticks) & (Self.bucketCounts[level] - 1)
        }
        return Self.offsets[4]
    }

    /// Files slot `s`, due at `deadline`. - Complexity: O(1).
    @inlinable
    package mutating func schedule(_ s: Int32, deadline: Int64, _ prev2: UnsafeMutablePointer<Int32>, _ next2: UnsafeMutablePointer<Int32>) {
        let b = bucket(for: deadline)
        let h = heads[b]
        prev2[Int(s)] = Int32(truncatingIfNeeded: -(b + 2))
        next2[Int(s)] = h
        if h >= 0 { prev2[Int(h)] = s }
        heads[b] = s
        scheduled &+= 1
    }

    /// Unfiles slot `s` (which must be filed). - Complexity: O(1).
    @inlinable
    package mutating func cancel(_ s: Int32, _ prev2: UnsafeMutablePointer<Int32>, _ next2: UnsafeMutablePointer<Int32>) {
        let p = prev2[Int(s)]
        let n = next2[Int(s)]
        if p >= 0 { next2[Int(p)] = n } else { heads[Int(-(p + 2))] = n }
        if n >= 0 { prev2[Int(n)] = p }
        scheduled &-= 1
    }

    /// Whether advancing to `now` would visit any bucket (the level-0 tick changed).
    @inlinable
    package func isDue(_ now: Int64) -> Bool { (now >> Self.shifts[0]) > (nanos >> Self.shifts[0]) }

    /// Moves the wheel to `now`; appends every slot whose deadline is at or before `now`
    /// to `due` (unfiled) and re-files the others of the visited buckets. A `now` earlier
    /// than the wheel's time is ignored. `deadline(s)` reads a slot's deadline.
    /// - Complexity: O(visited buckets + entries in them); at most 165 buckets.
    package mutating func advance(
        to now: Int64, _ prev2: UnsafeMutablePointer<Int32>, _ next2: UnsafeMutablePointer<Int32>,
        deadline: (Int32) -> Int64, due: inout [Int32]
    ) {
        if now <= nanos { return }
        let previous = nanos
        nanos = now
        for level in 0..<Self.shifts.count {
            let previousTicks = previous >> Self.shifts[level]
            let currentTicks = now >> Self.shifts[level]
            let delta = currentTicks &- previousTicks
            if delta <= 0 { break }
            let count = Self.bucketCounts[level]
            let steps = Int(Swift.min(delta &+ 1, Int64(count)))
            let start = Int(truncatingIfNeeded: previousTicks) & (count - 1)
            for step in 0..<steps {
                let b = Self.offsets[level] + (start + step) & (count - 1)
                var s = heads[b]
                heads[b] = noSlot
                while s >= 0 {
                    let n = next2[Int(s)]
                    scheduled &-= 1
                    let d = deadline(s)
                    if d <= now { due.append(s) } else { schedule(s, deadline: d, prev2, next2) }
                    s = n
                }
            }
        }
    }

    /// Unfiles everything (the table is being emptied). - Complexity: O(165).
    package mutating func clear() {
        heads.update(repeating: noSlot, count: Self.totalBuckets)
        scheduled = 0
    }
}
