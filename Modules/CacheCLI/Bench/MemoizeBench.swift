import CacheCore
import CacheFunctools
import Synchronization

/// The `memoize` workload: `f(i) = i * 2` over 1,000 Int keys, warmed, then
/// 1,000,000 calls (all hits), through each in-memory backend's public memoize.
/// Baselines: a `Mutex<[Int: Int]>` in a final class, and a plain `[Int: Int]`.
enum MemoizeBench {
    static let keyCount = 1_000
    static let calls = 1_000_000

    final class LockedDictionary: Sendable {
        let storage = Mutex<[Int: Int]>([:])
        func get(_ key: Int) -> Int? { storage.withLock { $0[key] } }
    }

    static func keys(count: Int = calls) -> [Int] {
        var rng = SplitMix64(seed: 7)
        return (0..<count).map { _ in Int(rng.next() % UInt64(keyCount)) }
    }

    static func run(passes: Int, reporter: BenchReporter, extraCandidates: [(String, ([Int]) throws -> Int)]) throws {
        let sequence = keys()
        func nsPerCall(_ body: () throws -> Int) rethrows -> Samples {
            Samples(values: try measurePasses(passes) { blackHole(try body()) }.map { $0 / Double(calls) })
        }

        // Baselines.
        let locked = LockedDictionary()
        locked.storage.withLock { d in for k in 0..<keyCount { d[k] = k * 2 } }
        let lockedSamples = nsPerCall {
            var sum = 0
            for k in sequence { sum &+= locked.get(k)! }
            return sum
        }
        var plain: [Int: Int] = [:]
        for k in 0..<keyCount { plain[k] = k * 2 }
        let plainSamples = nsPerCall {
            var sum = 0
            for k in sequence { sum &+= plain[k]! }
            return sum
        }
        let baselineName = "Mutex<[Int:Int]>"
        func row(_ candidate: String, _ s: Samples, baseline: Bool) -> BenchReporter.Row {
            BenchReporter.Row(
                workload: "memoize", candidate: candidate, metric: "hit", value: s.median, unit: "ns/op",
                baseline: baseline, min: s.min, max: s.max, p90: nil, passes: s.values.count,
                ratioToBaseline: baseline ? nil : s.median / lockedSamples.median, baselineName: baseline ? nil : baselineName)
        }
        reporter.report(row(baselineName, lockedSamples, baseline: true))
        reporter.report(row("[Int:Int]", plainSamples, baseline: true))

        // CacheFunctools.
        let functools = try lruCache(maxSize: 1_024) { (i: Int) in i * 2 }
        for k in 0..<keyCount { _ = try functools(k) }
        let functoolsSamples = try nsPerCall {
            var sum = 0
            for k in sequence { sum &+= try functools(k) }
            return sum
        }
        reporter.report(row("CacheFunctools.LRU", functoolsSamples, baseline: false))

        for (name, body) in extraCandidates {
            _ = try body(Array(0..<keyCount))
            reporter.report(row(name, try nsPerCall { try body(sequence) }, baseline: false))
        }
    }
}

