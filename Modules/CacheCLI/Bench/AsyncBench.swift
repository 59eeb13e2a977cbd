import CacheAsync
import CacheCore
import Dispatch
import Synchronization

/// Runs async benchmark code off the main actor (a detached task), waiting on the main
/// thread — which is not a thread of the cooperative pool.
func runDetachedBench(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = Mutex<(any Error)?>(nil)
    Task.detached {
        do { try await body() } catch { failure.withLock { $0 = error } }
        done.signal()
    }
    done.wait()
    if let error = failure.withLock({ $0 }) { throw error }
}

/// Measures an async body `passes` times; returns nanoseconds per pass.
func measureAsyncPasses(_ passes: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
    var out: [Double] = []
    for _ in 0..<passes {
        let start = nowNanoseconds()
        try await body()
        out.append(Double(nowNanoseconds() - start))
    }
    return out
}

/// The `async` workload: 100,000 gets/sets on the async memory store with
/// namespaced String keys and a TTL; an async memoized function (TTL on) over 1,000 keys,
/// 100,000 awaited hits. Baseline: a plain awaited call of the same function.
enum AsyncBench {
    static let keyCount = 1_000
    static let operations = 100_000

    static func run(passes: Int, reporter: BenchReporter) throws {
        try runDetachedBench { try await measure(passes: passes, reporter: reporter) }
    }

    @inline(never)
    static func compute(_ i: Int) async throws -> Int { i &* 2 }

    static func measure(passes: Int, reporter: BenchReporter) async throws {
        var rng = SplitMix64(seed: 11)
        let sequence = (0..<operations).map { _ in Int(rng.next() % UInt64(keyCount)) }
        func row(_ candidate: String, _ metric: String, _ s: Samples, unit: String, baseline: Bool, ratio: Double?, baselineName: String?) -> BenchReporter.Row {
            BenchReporter.Row(
                workload: "async", candidate: candidate, metric: metric, value: s.median, unit: unit, baseline: baseline,
                min: s.min, max: s.max, p90: nil, passes: s.values.count, ratioToBaseline: ratio, baselineName: baselineName)
        }

        // Baseline: the plain awaited call.
        let function: @Sendable (Int) async throws -> Int = { try await compute($0) }
        let plain = Samples(values: try await measureAsyncPasses(passes) {
            var sum = 0
            for k in sequence { sum &+= try await function(k) }
            blackHole(sum)
        }.map { $0 / Double(operations) })
        reporter.report(row("plain await", "call", plain, unit: "ns/op", baseline: true, ratio: nil, baselineName: nil))

        // Async memoized hit, TTL on.
        let memoized = try AsyncMemoized(maxEntries: 2 * keyCount, options: .init(ttl: .seconds(3_600))) { (i: Int) async throws -> Int in
            try await compute(i)
        }
        for k in 0..<keyCount { _ = try await memoized(k) }
        let hits = Samples(values: try await measureAsyncPasses(passes) {
            var sum = 0
            for k in sequence { sum &+= try await memoized(k) }
            blackHole(sum)
        }.map { $0 / Double(operations) })
        reporter.report(row("CacheAsync.AsyncMemoized(ttl)", "hit", hits, unit: "ns/op", baseline: false,
                            ratio: hits.median / plain.median, baselineName: "plain await"))

        // Memory store, namespaced String keys, TTL.
        let store = try AsyncMemoryStore<NamespacedKey<String>, Int>(maxEntries: 2 * keyCount, defaultTTL: .seconds(3_600))
        let names = (0..<keyCount).map { "user:\($0)" }
        let keySequence = sequence.map { names[$0] }
        let namespace = "bench"
        let sets = Samples(values: try await measureAsyncPasses(passes) {
            for (i, name) in keySequence.enumerated() {
                try await store.setValue(i, forKey: NamespacedKey(namespace: namespace, key: name), ttl: nil)
            }
        }.map { Double(operations) / ($0 / 1e9) })
        reporter.report(row("CacheAsync.AsyncMemoryStore", "set", sets, unit: "ops/s", baseline: false, ratio: nil, baselineName: nil))
        let gets = Samples(values: try await measureAsyncPasses(passes) {
            var found = 0
            for name in keySequence {
                if try await store.value(forKey: NamespacedKey(namespace: namespace, key: name)) != nil { found &+= 1 }
            }
            blackHole(found)
        }.map { Double(operations) / ($0 / 1e9) })
        reporter.report(row("CacheAsync.AsyncMemoryStore", "get", gets, unit: "ops/s", baseline: false, ratio: nil, baselineName: nil))
    }
}
