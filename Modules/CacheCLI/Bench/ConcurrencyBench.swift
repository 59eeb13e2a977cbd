import CacheBox
import CacheCore
import CacheTools
import Dispatch
import Foundation
import Synchronization

/// The `concurrency` workload, after Caffeine's read-heavy Zipf benchmark: a cache of
/// capacity 65,536 pre-filled with every one of 32,768 Int keys (so every read hits, a write
/// replaces a value, and nothing is evicted); a precomputed array of 65,536 Zipf(s 0.99)
/// draws over those keys (key 0 the hottest); each thread walks the array from its own
/// offset (thread t of n starts at t·65,536/n, wrapping) for a fixed number of operations:
/// 100% reads, and separately 3 reads then 1 write (75% / 25%). The time is the wall clock
/// from a start barrier until the last thread ends; M ops/s counts every thread's operations.
/// Threads: 1, 2, and the processor count when above 2; passes interleave the candidates
/// and thread counts, so load drifting on a shared machine hits them alike.
/// Baseline: a `Mutex<[Int: Int]>` doing the same lookups and inserts under its lock.
enum ConcurrencyBench {
    static let capacity = 1 << 16
    static let keySpace = 1 << 15
    static let drawCount = 1 << 16
    static let exponent = 0.99
    static let defaultOperations = 1_000_000
    static let baselineName = "Mutex<[Int:Int]>"

    /// What a thread does to a cache: a read, or a write of `value` for `key`.
    protocol Target: Sendable {
        func read(_ key: Int) -> Int?
        func write(_ value: Int, forKey key: Int) throws(CacheStoreError)
    }

    /// The baseline: a dictionary behind one lock.
    final class LockedDictionary: Target {
        let storage = Mutex<[Int: Int]>([:])
        func read(_ key: Int) -> Int? { storage.withLock { $0[key] } }
        func write(_ value: Int, forKey key: Int) throws(CacheStoreError) { storage.withLock { $0[key] = value } }
    }

    struct Box: Target {
        let cache: BoxCache<Int, Int>
        func read(_ key: Int) -> Int? { cache.value(forKey: key) }
        func write(_ value: Int, forKey key: Int) throws(CacheStoreError) { try cache.setValue(value, forKey: key, ttl: nil) }
    }

    struct ToolsLRU: Target {
        let cache: LRUCache<Int, Int>
        func read(_ key: Int) -> Int? { cache.value(forKey: key) }
        func write(_ value: Int, forKey key: Int) throws(CacheStoreError) { try cache.setValue(value, forKey: key) }
    }

    /// One candidate: its name and a timed run (threads, with writes?) → M ops/s.
    struct Candidate {
        let name: String
        let baseline: Bool
        let run: (_ threads: Int, _ writes: Bool) throws -> Double
    }

    /// Misses and refused writes seen by a run's threads (all must be 0).
    final class Faults: Sendable {
        let misses = Atomic<Int>(0)
        let refusedWrites = Atomic<Int>(0)
    }

    /// The key array: `drawCount` draws of Zipf(`exponent`, `keySpace`), SplitMix64 seed 42.
    static func zipfKeys() -> [Int] {
        var rng = SplitMix64(seed: 42)
        let zipf = SyntheticTraces.Zipf(s: exponent, n: keySpace)
        return (0..<drawCount).map { _ in Int(zipf.draw(&rng)) }
    }

    /// Runs `threads` threads of `operations` operations each on `target`; M ops/s.
    static func timedRun<T: Target>(_ target: T, keys: [Int], threads: Int, operations: Int, writes: Bool) throws -> Double {
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        let faults = Faults()
        let mask = keys.count - 1
        for t in 0..<threads {
            let offset = t * keys.count / threads
            finished.enter()
            let thread = Thread {
                ready.signal()
                go.wait()
                var sum = 0, misses = 0, refused = 0
                var i = offset
                for n in 0..<operations {
                    let key = keys[i & mask]
                    i &+= 1
                    if writes && n & 3 == 3 {
                        do { try target.write(n, forKey: key) } catch { refused &+= 1 }
                    } else if let value = target.read(key) {
                        sum &+= value
                    } else {
                        misses &+= 1
                    }
                }
                blackHole(sum)
                faults.misses.add(misses, ordering: .relaxed)
                faults.refusedWrites.add(refused, ordering: .relaxed)
                finished.leave()
            }
            thread.start()
        }
        for _ in 0..<threads { ready.wait() }
        let start = nowNanoseconds()
        for _ in 0..<threads { go.signal() }
        finished.wait()
        let elapsed = Double(nowNanoseconds() - start)
        let misses = faults.misses.load(ordering: .relaxed), refused = faults.refusedWrites.load(ordering: .relaxed)
        guard misses == 0, refused == 0 else {
            throw BenchError("concurrency: \(misses) reads missed and \(refused) writes were refused; every key should stay cached")
        }
        return Double(threads * operations) / elapsed * 1_000  // ops per ns × 1,000 = M ops/s
    }

    static func run(passes: Int, operations: Int, reporter: BenchReporter) throws {
        let processors = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = processors > 2 ? [1, 2, processors] : [1, 2]
        let keys = zipfKeys()

        func candidate<T: Target>(_ name: String, baseline: Bool = false, _ target: T) throws -> Candidate {
            for k in 0..<keySpace { try target.write(k, forKey: k) }
            return Candidate(name: name, baseline: baseline) { threads, writes in
                try timedRun(target, keys: keys, threads: threads, operations: operations, writes: writes)
            }
        }
        let box = try BoxCache<Int, Int>(maximumWeight: capacity)
        let candidates = [
            try candidate(baselineName, baseline: true, LockedDictionary()),
            try candidate("CacheBox.BoxCache(adaptive, \(box.shardCount) shards)", Box(cache: box)),
            try candidate("CacheTools.LRU", ToolsLRU(cache: try LRUCache<Int, Int>(maxSize: capacity))),
        ]
        let setup = "capacity 65,536 Int→Int, 32,768 keys pre-filled (every read hits, nothing evicted); "
            + "65,536 precomputed Zipf(s 0.99) draws, each thread from its own offset; "
            + "\(operations) operations per thread; threads \(threadCounts.map(String.init).joined(separator: ", ")) "
            + "(\(processors) processors); M ops/s by wall clock; ratio = candidate ÷ \(baselineName) at the same "
            + "threads (above 1 is faster); scaling = M ops/s at N threads ÷ at 1 thread, per pass"
        reporter.note("concurrency", setup)

        for (metric, writes) in [("read100", false), ("read75-write25", true)] {
            // rates[candidate][threads index] = M ops/s of each pass.
            var rates = [[[Double]]](repeating: [[Double]](repeating: [], count: threadCounts.count), count: candidates.count)
            for _ in 0..<passes {
                for (c, candidate) in candidates.enumerated() {
                    for (t, threads) in threadCounts.enumerated() {
                        rates[c][t].append(try candidate.run(threads, writes))
                    }
                }
            }
            for (c, candidate) in candidates.enumerated() {
                for (t, threads) in threadCounts.enumerated() {
                    let s = Samples(values: rates[c][t])
                    let base = Samples(values: rates[0][t]).median
                    reporter.report(BenchReporter.Row(
                        workload: "concurrency", candidate: candidate.name, metric: metric, value: s.median, unit: "M ops/s",
                        baseline: candidate.baseline, min: s.min, max: s.max, p90: nil, passes: s.values.count,
                        ratioToBaseline: candidate.baseline ? nil : s.median / base,
                        baselineName: candidate.baseline ? nil : baselineName, threads: threads, setup: setup))
                }
                for (t, threads) in threadCounts.enumerated() where threads > 1 {
                    let s = Samples(values: zip(rates[c][t], rates[c][0]).map { $0 / $1 })
                    reporter.report(BenchReporter.Row(
                        workload: "concurrency", candidate: candidate.name, metric: "\(metric)-scaling", value: s.median,
                        unit: "× 1 thread", baseline: candidate.baseline, min: s.min, max: s.max, p90: nil,
                        passes: s.values.count, ratioToBaseline: nil, baselineName: nil, threads: threads, setup: setup))
                }
            }
        }
    }
}
