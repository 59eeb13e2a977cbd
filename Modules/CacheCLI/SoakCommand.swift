import ArgumentParser
import CacheAsync
import CacheBox
import CacheCore
import CacheFunctools
import CacheTools
import Foundation
#if canImport(Glibc)
import CMallocInfo
#endif

/// `cachectl soak [--operations N] [--samples K] [--json]`: drives each bounded in-memory
/// cache through N mixed operations (70 % reads, 25 % writes, 5 % removals over ten times
/// more keys than the bound, so it evicts all the time) and samples the process's resident
/// size and heap in use K times along the way, after a warm-up of ten bounds' worth of
/// operations: a cache that leaks or keeps growing shows it as a rising curve; a healthy
/// one is flat. Not a benchmark (nothing is
/// timed against a baseline); `Integration/Soak/run.sh` runs it at 10,000,000 operations.
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Resident size and heap of each bounded in-memory cache over many operations (a leak shows as a rising curve).")

    @Option(help: "Operations per cache.") var operations = 10_000_000
    @Option(help: "Samples along the way (at least 2).") var samples = 10
    @Option(help: "The caches' bound, in entries.") var bound = 100_000
    @Flag(help: "One JSON object per cache.") var json = false

    func validate() throws {
        guard operations >= 1 else { throw ValidationError("--operations must be at least 1 (got \(operations))") }
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2 (got \(samples))") }
        guard bound >= 1 else { throw ValidationError("--bound must be at least 1 (got \(bound))") }
    }

    struct Curve: Encodable {
        var cache: String
        var operations: Int
        var bound: Int
        /// Resident set size in MiB at each sample (the first after the cache is full).
        var residentMiB: [Double]
        /// Heap in use (glibc `mallinfo2`) in MiB at each sample; empty without glibc.
        var heapMiB: [Double]
        /// Last sample ÷ first sample of the heap (of the resident size without glibc).
        var growth: Double
    }

    /// The process's resident set size in bytes (`/proc/self/statm`), or 0 where unavailable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func heapBytes() -> Int {
        #if canImport(Glibc)
        return Int(cmallocinfo_heap_in_use())
        #else
        return 0
        #endif
    }

    /// One operation of the soak's mix on a cache given by its three calls: 5 % removals,
    /// 25 % writes (of `[key, draw]`), 70 % reads.
    static func mix(get: @escaping (Int) -> [Int]?, set: @escaping (Int, [Int]) -> Void,
                    remove: @escaping (Int) -> Void) -> (Int, UInt64) -> Void {
        { k, draw in
            switch draw % 20 {
            case 0: remove(k)
            case 1...5: set(k, [k, Int(draw >> 32)])
            default: blackHole(get(k))
            }
        }
    }

    func run() throws {
        #if DEBUG
        if !json { print("warning: a debug build; run `swift run -c release cachectl soak` for a long soak") }
        #endif
        let box = try BoxCache<Int, [Int]>(maximumWeight: bound)
        let lru = try LRUCache<Int, [Int]>(maxSize: bound)
        let ttl = try TTLCache<Int, [Int]>(maxSize: bound, ttl: .seconds(3_600))
        let async = try AsyncMemoryStore<Int, [Int]>(maxEntries: bound)
        let functools = try lruCache(maxSize: bound) { (k: Int) in [k, k &* 2] }
        let caches: [(String, (Int, UInt64) -> Void)] = [
            ("CacheBox.BoxCache", Self.mix(get: { box.value(forKey: $0) }, set: { try? box.setValue($1, forKey: $0) },
                                           remove: { box.removeValue(forKey: $0) })),
            ("CacheTools.LRU", Self.mix(get: { lru.value(forKey: $0) }, set: { try? lru.setValue($1, forKey: $0) },
                                        remove: { _ = lru.removeValue(forKey: $0) })),
            ("CacheTools.TTL", Self.mix(get: { ttl.value(forKey: $0) }, set: { try? ttl.setValue($1, forKey: $0) },
                                        remove: { _ = ttl.removeValue(forKey: $0) })),
            ("CacheAsync.AsyncMemoryStore", Self.mix(get: { async.valueNow(forKey: $0) }, set: { try? async.setValueNow($1, forKey: $0) },
                                                     remove: { _ = async.removeValueNow(forKey: $0) })),
            ("CacheFunctools.lruCache", { k, _ in blackHole(try? functools(k)) }),
        ]
        let keySpace = UInt64(bound) * 10
        for (name, operate) in caches {
            var random = SplitMix64(seed: 11)
            // Fill, then churn ten bounds' worth of operations, so the curve starts at the
            // steady state (full, every structure at its working size), not at empty.
            for k in 0..<bound { operate(k, 1) }
            for _ in 0..<(10 * bound) {
                let draw = random.next()
                operate(Int(draw % keySpace), draw >> 8)
            }
            var resident: [Double] = [], heap: [Double] = []
            let mib = 1.0 / 1_048_576
            // `samples` readings: one before each of the samples - 1 equal stretches, one at the end.
            for stretch in 0..<(samples - 1) {
                resident.append(Double(Self.residentBytes()) * mib)
                heap.append(Double(Self.heapBytes()) * mib)
                let count = operations / (samples - 1) + (stretch < operations % (samples - 1) ? 1 : 0)
                for _ in 0..<count {
                    let draw = random.next()
                    operate(Int(draw % keySpace), draw >> 8)
                }
            }
            resident.append(Double(Self.residentBytes()) * mib)
            heap.append(Double(Self.heapBytes()) * mib)
            // Without glibc the heap reads 0: judge growth by the resident size then.
            if !heap.allSatisfy({ $0 > 0 }) { heap = [] }
            let curve = heap.isEmpty ? resident : heap
            let growth = (curve.first ?? 0) > 0 ? (curve.last ?? 0) / curve.first! : .nan
            let result = Curve(cache: name, operations: operations, bound: bound, residentMiB: resident,
                               heapMiB: heap, growth: growth)
            if json {
                print(DiskCacheOpener.json(result))
            } else {
                let fmt = { (v: [Double]) in v.map { String(format: "%.1f", $0) }.joined(separator: " ") }
                print("soak \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(operations) ops, bound \(bound): "
                      + "heap MiB \(fmt(heap)); RSS MiB \(fmt(resident)); growth \(String(format: "%.3f", growth))×")
            }
            fflush(nil)
        }
    }
}
