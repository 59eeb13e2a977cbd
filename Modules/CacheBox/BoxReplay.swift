import CacheCore
import CachePolicies

/// Drives a ``BoxPolicyCore`` — the code every ``BoxCache`` shard runs, without the lock —
/// over an access trace: each access is a lookup, and a miss stores the key.
public enum BoxReplay {
    /// One replay's outcome.
    public struct Result: Sendable {
        public var hits: Int
        public var accesses: Int
        /// The median speed over the timed passes.
        public var accessesPerSecond: Double
        public var hitRatio: Double { accesses == 0 ? 0 : Double(hits) / Double(accesses) }
    }

    /// Hits of one pass of `trace` through a fresh core with `policy` at `capacity` entries.
    /// - Complexity: O(trace.count).
    public static func hits(_ policy: BoxPolicy, trace: [UInt32], capacity: Int) -> Int {
        hits(policy, trace: trace, capacity: capacity, tuning: BoxTuning())
    }

    /// ``hits(_:trace:capacity:)`` with the adaptive policy's parameters set (experiments).
    package static func hits(_ policy: BoxPolicy, trace: [UInt32], capacity: Int, tuning: BoxTuning) -> Int {
        var core = BoxPolicyCore<UInt32, UInt32>(
            policy: policy, maximum: capacity, expectedEntries: capacity, tuning: tuning)
        var hits = 0
        var removed = Removals<UInt32, UInt32>()
        for key in trace {
            // Nothing listens: drop the previous access's removals, reusing the buffer.
            removed.first = nil
            if !removed.rest.isEmpty { removed.rest.removeAll(keepingCapacity: true) }
            let h = key.hashValue
            if core.get(key, hashValue: h, now: 0, &removed) != nil {
                hits &+= 1
            } else {
                core.set(key, hashValue: h, key, weight: 1, &removed)
            }
        }
        return hits
    }

    /// Replays `trace` `passes` times (each from an empty core); the hit count is the same
    /// every pass, the speed is the median.
    public static func run(_ policy: BoxPolicy = .adaptive, trace: [UInt32], capacity: Int, passes: Int = 5) -> Result {
        var speeds: [Double] = []
        var hitCount = 0
        let clock = MonotonicCacheClock()
        for _ in 0..<Swift.max(1, passes) {
            let start = clock.now()
            hitCount = hits(policy, trace: trace, capacity: capacity)
            let seconds = clock.now() - start
            speeds.append(Double(trace.count) / Swift.max(seconds, 1e-9))
        }
        speeds.sort()
        return Result(hits: hitCount, accesses: trace.count, accessesPerSecond: speeds[speeds.count / 2])
    }
}
