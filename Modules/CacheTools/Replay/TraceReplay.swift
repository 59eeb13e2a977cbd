import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A policy `cachectl replay` can simulate.
public enum ReplayPolicy: String, Sendable, CaseIterable, CustomStringConvertible {
    case lru, lfu, fifo, rr, mru
    /// Belady's offline optimum (a missed key may be bypassed): the upper bound.
    case opt

    /// Parses a comma-separated list, throwing a typed error naming an unknown policy.
    public static func parseList(_ text: String) throws(CacheConfigurationError) -> [ReplayPolicy] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: " ").lowercased() }
        guard !names.isEmpty else {
            throw CacheConfigurationError(setting: "policy", value: "'\(text)'", reason: "no policy given")
        }
        return try names.map { name throws(CacheConfigurationError) in
            guard let policy = ReplayPolicy(rawValue: name) else {
                throw CacheConfigurationError(
                    setting: "policy", value: "'\(name)'",
                    reason: "unknown policy; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return policy
        }
    }

    public var description: String { rawValue }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}

/// Capacities for a replay: `p%` of the distinct keys (rounded half to even, so every
/// replay of a trace at `p%` uses the same capacity) or an entry count.
public enum ReplayCapacity {
    public static func parseList(_ text: String, distinct: Int) throws(CacheConfigurationError) -> [Int] {
        let items = text.split(separator: ",").map { String($0.trimmingCharacters(in: " ")) }
        guard !items.isEmpty else {
            throw CacheConfigurationError(setting: "capacity", value: "'\(text)'", reason: "no capacity given")
        }
        return try items.map { item throws(CacheConfigurationError) in
            if item.hasSuffix("%") {
                guard let p = Double(item.dropLast()), p > 0, p <= 100 else {
                    throw CacheConfigurationError(setting: "capacity", value: "'\(item)'", reason: "a percentage must be in (0, 100]")
                }
                return SyntheticTraces.capacity(fraction: p / 100, distinct: distinct)
            }
            guard let n = Int(item), n > 0 else {
                throw CacheConfigurationError(setting: "capacity", value: "'\(item)'", reason: "expected a positive entry count or a percentage like 5%")
            }
            return n
        }
    }
}

/// Drives a policy's own cache over a trace: each access is a `value(forKey:)`,
/// and a miss inserts the key.
public enum TraceReplay {
    public struct Result: Sendable {
        public var hits: Int
        public var accesses: Int
        /// The median speed over the timed passes; `nil` for the offline optimum.
        public var accessesPerSecond: Double?
        public var hitRatio: Double { accesses == 0 ? 0 : Double(hits) / Double(accesses) }
    }

    /// Replays `trace` through `policy` at `capacity` entries, `passes` times (each from
    /// an empty cache); the hit count is the same every pass, the speed is the median.
    public static func run(_ policy: ReplayPolicy, trace: [UInt32], capacity: Int, passes: Int = 5) throws -> Result {
        switch policy {
        case .opt:
            return Result(hits: OfflineOptimal.hits(trace: trace, capacity: capacity), accesses: trace.count, accessesPerSecond: nil)
        case .lru: return try timed(passes, trace) { try LRUCache<UInt32, UInt32>(maxSize: capacity) }
        case .lfu: return try timed(passes, trace) { try LFUCache<UInt32, UInt32>(maxSize: capacity) }
        case .fifo: return try timed(passes, trace) { try FIFOCache<UInt32, UInt32>(maxSize: capacity) }
        case .rr: return try timed(passes, trace) { try RRCache<UInt32, UInt32>(maxSize: capacity, seed: 42) }
        case .mru: return try timed(passes, trace) { try MRUCache<UInt32, UInt32>(maxSize: capacity) }
        }
    }

    /// Hits of one pass of `trace` through `cache`.
    @inlinable
    public static func hits<C: CacheStore>(_ cache: C, _ trace: [UInt32]) throws -> Int where C.Key == UInt32, C.Value == UInt32 {
        var hits = 0
        for key in trace {
            if try cache.value(forKey: key) != nil {
                hits &+= 1
            } else {
                try cache.setValue(key, forKey: key)
            }
        }
        return hits
    }

    static func timed<C: CacheStore>(_ passes: Int, _ trace: [UInt32], _ make: () throws -> C) throws -> Result
    where C.Key == UInt32, C.Value == UInt32 {
        var speeds: [Double] = []
        var hitCount = 0
        for _ in 0..<max(1, passes) {
            let cache = try make()
            let start = MonotonicCacheClock().now()
            hitCount = try hits(cache, trace)
            let seconds = MonotonicCacheClock().now() - start
            speeds.append(Double(trace.count) / max(seconds, 1e-9))
        }
        speeds.sort()
        return Result(hits: hitCount, accesses: trace.count, accessesPerSecond: speeds[speeds.count / 2])
    }
}
