import CacheBox
import CacheCore
import CacheTools
import Foundation
#if canImport(Glibc)
import CMallocInfo
#endif

/// The `memory` workload: heap bytes per entry after inserting 1,000,000 Int→Int entries
/// (keys 0..<n, value = key, one at a time, nothing reserved) into a plain `[Int: Int]`
/// (the baseline), a `BoxCache` with `maximumWeight` n (adaptive policy, default shards)
/// and a CacheTools LRU with `maxSize` n. Heap in use is glibc's `mallinfo2()` (`uordblks`
/// in the arenas + `hblkhd` mmapped), read before the container is made and after the
/// last insert, with the container kept alive until the second reading; the difference is
/// divided by the entries the container holds then (printed as its own row). Each pass
/// builds every container afresh.
enum MemoryBench {
    static let defaultEntries = 1_000_000
    static let baselineName = "[Int:Int]"

    static func run(passes: Int, entries: Int, reporter: BenchReporter) throws {
        #if canImport(Glibc)
        guard cmallocinfo_heap_in_use() >= 0 else {
            unavailable("the memory workload reads mallinfo2(), which needs glibc 2.33 or later", json: reporter.json)
            return
        }
        try measure(passes: passes, entries: entries, reporter: reporter)
        #else
        unavailable("the memory workload reads glibc's mallinfo2(); it needs glibc (Linux)", json: reporter.json)
        #endif
    }

    /// Says why the workload cannot run (on standard error with `--json`, so standard
    /// output stays JSON lines); the command still succeeds.
    static func unavailable(_ message: String, json: Bool) {
        if json {
            FileHandle.standardError.write(Data("memory: \(message)\n".utf8))
        } else {
            print("memory: \(message)")
        }
    }

    #if canImport(Glibc)
    /// One container's heap growth and the entries it holds.
    struct Reading { var bytes: Double; var held: Int }

    /// Heap growth from `make` through `fill`; `held` is read after the second reading and
    /// the container stays alive until then.
    static func reading<T>(_ make: () throws -> T, fill: (inout T) throws -> Void, held: (T) -> Int) rethrows -> Reading {
        let before = cmallocinfo_heap_in_use()
        var container = try make()
        try fill(&container)
        let after = cmallocinfo_heap_in_use()
        return withExtendedLifetime(container) { Reading(bytes: Double(after - before), held: held(container)) }
    }

    static func measure(passes: Int, entries: Int, reporter: BenchReporter) throws {
        let shards = try BoxCache<Int, Int>(maximumWeight: entries).shardCount
        let boxName = "CacheBox.BoxCache(adaptive, \(shards) shards)"
        let setup = "\(entries) Int→Int entries inserted one by one (keys 0..<\(entries), nothing reserved); "
            + "bytes/entry = growth of mallinfo2() uordblks + hblkhd ÷ entries held; bounds = \(entries); "
            + "ratio = candidate ÷ \(baselineName)"
        reporter.note("memory", setup)

        var readings: [String: [Reading]] = [:]
        let names = [baselineName, boxName, "CacheTools.LRU"]
        for _ in 0..<passes {
            readings[baselineName, default: []].append(reading({ [Int: Int]() }, fill: { d in
                for k in 0..<entries { d[k] = k }
            }, held: { $0.count }))
            readings[boxName, default: []].append(try reading({ try BoxCache<Int, Int>(maximumWeight: entries) }, fill: { box in
                for k in 0..<entries { try box.setValue(k, forKey: k, ttl: nil) }
            }, held: { $0.count }))
            readings["CacheTools.LRU", default: []].append(try reading({ try LRUCache<Int, Int>(maxSize: entries) }, fill: { lru in
                for k in 0..<entries { try lru.setValue(k, forKey: k) }
            }, held: { $0.count }))
        }

        func perEntry(_ name: String) -> Samples {
            Samples(values: readings[name, default: []].map { $0.bytes / Double(Swift.max(1, $0.held)) })
        }
        let base = perEntry(baselineName).median
        for name in names {
            let isBaseline = name == baselineName
            let s = perEntry(name)
            reporter.report(BenchReporter.Row(
                workload: "memory", candidate: name, metric: "heap", value: s.median, unit: "bytes/entry",
                baseline: isBaseline, min: s.min, max: s.max, p90: nil, passes: s.values.count,
                ratioToBaseline: isBaseline ? nil : s.median / base, baselineName: isBaseline ? nil : baselineName,
                setup: setup))
            let held = Samples(values: readings[name, default: []].map { Double($0.held) })
            reporter.report(BenchReporter.Row(
                workload: "memory", candidate: name, metric: "held", value: held.median, unit: "entries",
                baseline: isBaseline, min: held.min, max: held.max, p90: nil, passes: held.values.count,
                ratioToBaseline: nil, baselineName: nil, setup: setup))
        }
    }
    #endif
}
