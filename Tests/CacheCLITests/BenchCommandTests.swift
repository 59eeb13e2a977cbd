import CacheTestKit
import Foundation
import Testing

/// `cachectl bench concurrency` and `bench memory` run as a user runs them, small enough for
/// a debug build: every JSON line is a well-formed row and the expected rows are there.
/// Figures are checked for shape only (positive, finite), never against a time.
@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct BenchCommandTests {
    struct Row: Decodable {
        var workload: String
        var candidate: String
        var metric: String
        var value: Double
        var unit: String
        var baseline: Bool
        var min: Double
        var max: Double
        var passes: Int
        var ratioToBaseline: Double?
        var baselineName: String?
        var threads: Int?
        var setup: String?
    }

    static func rows(_ arguments: [String]) throws -> [Row] {
        let result = try Cachectl.run(["bench"] + arguments + ["--json", "--passes", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(!lines.isEmpty, "no output; stderr: \(result.stderr)")
        return try lines.map { try JSONDecoder().decode(Row.self, from: Data($0.utf8)) }
    }

    /// The fields every row of these workloads has, and the figures' shape.
    func checkShape(_ row: Row, workload: String) {
        #expect(row.workload == workload)
        #expect(row.passes == 5)
        #expect(row.value.isFinite && row.value > 0, "\(row.candidate) \(row.metric): \(row.value)")
        #expect(row.min.isFinite && row.max.isFinite && row.min <= row.value && row.value <= row.max,
                "\(row.candidate) \(row.metric): \(row.min) ≤ \(row.value) ≤ \(row.max)")
        #expect(row.setup?.isEmpty == false)
        if row.baseline {
            #expect(row.ratioToBaseline == nil)
        }
    }

    @Test func concurrencyReportsEveryThreadCountWithItsBaselineAndScaling() throws {
        let rows = try Self.rows(["concurrency", "--operations", "20000"])
        for row in rows { checkShape(row, workload: "concurrency") }
        let processors = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = processors > 2 ? [1, 2, processors] : [1, 2]
        let candidates = Set(rows.map(\.candidate))
        #expect(candidates.contains("Mutex<[Int:Int]>"))
        #expect(candidates.contains { $0.hasPrefix("CacheBox.BoxCache(adaptive") })
        #expect(candidates.contains("CacheTools.LRU"))
        #expect(candidates.count == 3)
        for metric in ["read100", "read75-write25"] {
            for candidate in candidates {
                let throughput = rows.filter { $0.candidate == candidate && $0.metric == metric }
                #expect(throughput.compactMap(\.threads) == threadCounts, "\(candidate) \(metric)")
                #expect(throughput.allSatisfy { $0.unit == "M ops/s" })
                let scaling = rows.filter { $0.candidate == candidate && $0.metric == "\(metric)-scaling" }
                #expect(scaling.compactMap(\.threads) == threadCounts.filter { $0 > 1 }, "\(candidate) \(metric)")
                for row in throughput where !row.baseline {
                    #expect(row.baselineName == "Mutex<[Int:Int]>")
                    #expect(row.ratioToBaseline.map { $0.isFinite && $0 > 0 } == true, "\(candidate) \(metric)")
                }
            }
            #expect(rows.filter { $0.metric == metric && $0.baseline }.allSatisfy { $0.candidate == "Mutex<[Int:Int]>" })
        }
    }

    /// Not under Thread Sanitizer: its allocator replaces glibc's, so mallinfo2 reads 0.
    @Test(.disabled(if: runningUnderThreadSanitizer, "TSan's allocator is not glibc's: mallinfo2 reads 0"))
    func memoryReportsBytesPerEntryAgainstThePlainDictionary() throws {
        #if canImport(Glibc)
        let rows = try Self.rows(["memory", "--entries", "20000"])
        for row in rows { checkShape(row, workload: "memory") }
        let heap = rows.filter { $0.metric == "heap" }
        #expect(heap.count == 3)
        #expect(heap.allSatisfy { $0.unit == "bytes/entry" })
        let dictionary = try #require(heap.first { $0.candidate == "[Int:Int]" })
        #expect(dictionary.baseline)
        // Keys and values alone are 16 bytes an entry; a container cannot hold them in less.
        for row in heap { #expect(row.value >= 16, "\(row.candidate): \(row.value) bytes/entry") }
        for row in heap where row.candidate != "[Int:Int]" {
            #expect(!row.baseline)
            #expect(row.baselineName == "[Int:Int]")
            #expect(row.ratioToBaseline.map { $0.isFinite && $0 > 0 } == true, "\(row.candidate)")
        }
        #expect(heap.contains { $0.candidate.hasPrefix("CacheBox.BoxCache(adaptive") })
        #expect(heap.contains { $0.candidate == "CacheTools.LRU" })
        let held = rows.filter { $0.metric == "held" }
        #expect(Set(held.map(\.candidate)) == Set(heap.map(\.candidate)))
        // The dictionary and the LRU keep every entry; BoxCache may evict a few where a shard's
        // share of the keys exceeds its share of the bound.
        #expect(held.first { $0.candidate == "[Int:Int]" }?.value == 20_000)
        #expect(held.first { $0.candidate == "CacheTools.LRU" }?.value == 20_000)
        #expect(held.allSatisfy { $0.value <= 20_000 && $0.unit == "entries" })
        #else
        let result = try Cachectl.run(["bench", "memory", "--json", "--passes", "5", "--entries", "20000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "JSON output stays empty without glibc")
        #expect(result.stderr.contains("needs glibc"))
        #endif
    }
}

extension BenchCommandTests {
    /// `cachectl bench klepto`: every row of the three parts, each candidate beside its baseline.
    @Test(.disabled(if: runningUnderThreadSanitizer, "a benchmark loop: too slow under TSan"))
    func kleptoReportsEachPartBesideItsBaseline() throws {
        let rows = try Self.rows(["klepto", "--operations", "20000"])
        #expect(rows.count == 10, "\(rows.map { "\($0.metric) \($0.candidate)" })")
        for row in rows {
            #expect(row.workload == "klepto" && row.passes == 5)
            #expect(row.value.isFinite && row.value > 0 && row.min <= row.value && row.value <= row.max, "\(row.metric) \(row.candidate)")
        }
        for metric in ["memoize-hit", "dir-50KB-write", "dir-50KB-read", "sql-small-set", "sql-small-get"] {
            let pair = rows.filter { $0.metric == metric }
            #expect(pair.count == 2 && pair.filter(\.baseline).count == 1, "\(metric)")
            let candidate = pair.first { !$0.baseline }
            #expect(candidate?.ratioToBaseline.map { $0.isFinite && $0 > 0 } == true, "\(metric)")
            #expect(candidate?.baselineName == pair.first(where: \.baseline)?.candidate, "\(metric)")
        }
    }
}

extension BenchCommandTests {
    struct SoakCurve: Decodable {
        var cache: String
        var operations: Int
        var residentMiB: [Double]
        var heapMiB: [Double]
        var growth: Double
    }

    /// `cachectl soak`, small: one curve per bounded cache, each sampled as asked and flat
    /// (a bounded cache that churns does not keep growing).
    @Test(.disabled(if: runningUnderThreadSanitizer, "TSan's allocator is not glibc's: mallinfo2 reads 0"))
    func soakReportsAFlatCurvePerCache() throws {
        let result = try Cachectl.run(["soak", "--operations", "30000", "--bound", "1000", "--samples", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let curves = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(SoakCurve.self, from: Data($0.utf8)) }
        #expect(curves.map(\.cache) == ["CacheBox.BoxCache", "CacheTools.LRU", "CacheTools.TTL", "CacheAsync.AsyncMemoryStore", "CacheFunctools.lruCache"])
        for curve in curves {
            #expect(curve.operations == 30_000 && curve.residentMiB.count == 3, "\(curve.cache)")
            #expect(curve.residentMiB.allSatisfy { $0 > 0 }, "\(curve.cache): \(curve.residentMiB)")
            #expect(curve.growth.isFinite && curve.growth < 1.5, "\(curve.cache) grew \(curve.growth)×: \(curve.heapMiB)")
        }
    }
}
