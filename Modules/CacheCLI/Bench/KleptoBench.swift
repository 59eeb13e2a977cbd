import CacheCore
import CacheKlepto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `klepto` workload, each figure beside its same-run baseline:
/// - memoized hit served by an LRU front (1,000 keys warmed, 1,000,000 calls) vs the
///   `Mutex<[Int: Int]>` of the memoize workload;
/// - directory archive, 200 × 50 KB `Data` values: a write (entry file + index update) vs
///   a raw write-temporary-and-rename of the same bytes, and a front-miss read (no front:
///   every read opens, reads, verifies and decodes the entry file) vs a raw `open`+`read`
///   of the same entry files; neither side `fsync`s;
/// - SQL archive, 10,000 × 100-byte values under the same keys as `bench disk`: set and
///   get (no front) vs `bench disk`'s raw SQLite baseline.
enum KleptoBench {
    static let fileCount = 200
    static let fileSize = 50 * 1_024
    static let smallCount = 10_000

    static func run(passes: Int, calls: Int, reporter: BenchReporter) throws {
        try memoizeHit(passes: passes, calls: calls, reporter: reporter)
        try directoryArchive(passes: passes, reporter: reporter)
        try sqlArchive(passes: passes, reporter: reporter)
    }

    /// A klepto row: a baseline (no `baseline`, no `baselineName`) or a candidate beside one.
    static func row(_ candidate: String, _ metric: String, _ s: Samples, _ unit: String, _ baseline: Samples?, _ baselineName: String?) -> BenchReporter.Row {
        .figure("klepto", candidate, metric, s, unit: unit, baseline: baseline, baselineName: baselineName)
    }

    static func memoizeHit(passes: Int, calls: Int, reporter: BenchReporter) throws {
        let sequence = Array(MemoizeBench.keys(count: calls))
        let perPass = Double(sequence.count)
        let locked = MemoizeBench.LockedDictionary()
        locked.storage.withLock { d in for k in 0..<MemoizeBench.keyCount { d[k] = k * 2 } }
        let root = DiskBench.freshDirectory("klepto-memoize")
        defer { DiskBench.remove(root) }
        let store = try KleptoCache<Int, Int>(namespace: "double", archive: try DirectoryArchive(path: root), policy: .lru(maxSize: 1_024))
        let f = try Memoized(store: store, name: "double", key: { (i: Int) in i }) { (i: Int) in i * 2 }
        for k in 0..<MemoizeBench.keyCount { _ = try f(k) }
        var lockedTimes: [Double] = [], kleptoTimes: [Double] = []
        for _ in 0..<passes {
            lockedTimes += measurePasses(1) {
                var sum = 0
                for k in sequence { sum &+= locked.get(k)! }
                blackHole(sum)
            }
            kleptoTimes += try measurePasses(1) {
                var sum = 0
                for k in sequence { sum &+= try f(k) }
                blackHole(sum)
            }
        }
        let base = Samples(values: lockedTimes.map { $0 / perPass })
        let baseName = "Mutex<[Int:Int]>"
        reporter.note("klepto", "memoize: f(i) = i * 2 over \(MemoizeBench.keyCount) keys, warmed, then \(calls) calls (all front hits)")
        reporter.report(row(baseName, "memoize-hit", base, "ns/op", nil, nil))
        reporter.report(row("KleptoCache LRU front (directory archive)", "memoize-hit", Samples(values: kleptoTimes.map { $0 / perPass }),
                            "ns/op", base, baseName))
    }

    /// Writes `bytes` to a temporary name beside `path` and renames it into place (the raw baseline).
    static func rawWriteAndRename(_ path: String, _ bytes: [UInt8]) throws {
        let temporary = path + ".raw-tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenchIOError(operation: "open", path: temporary, code: errno) }
        defer { close(fd) }
        try CacheFiles.writeAll(fd, bytes, path: temporary, operation: "write")
        guard rename(temporary, path) == 0 else { throw BenchIOError(operation: "rename", path: path, code: errno) }
    }

    /// Reads the whole file at `path` with `open` + `read` (the raw baseline).
    static func rawRead(_ path: String, size: Int) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: size + 4_096)
        var total = 0
        buffer.withUnsafeMutableBytes { raw in
            while true {
                let n = read(fd, raw.baseAddress! + total, raw.count - total)
                if n <= 0 { break }
                total += n
            }
        }
        return total
    }

    static func directoryArchive(passes: Int, reporter: BenchReporter) throws {
        let values = (0..<fileCount).map { i in Data((0..<fileSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }) }
        let keys = try (0..<fileCount).map { try CacheKey(name: "blob", arguments: $0) }
        var rawWrite: [Double] = [], rawRead: [Double] = [], kleptoWrite: [Double] = [], kleptoRead: [Double] = []
        for _ in 0..<passes {
            let root = DiskBench.freshDirectory("klepto-dir")
            defer { DiskBench.remove(root) }
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let archive = try DirectoryArchive(path: root + "/archive")
            let cache = try KleptoCache<CacheKey, Data>(archive: archive, policy: .none)
            kleptoWrite += try measurePasses(1) { for i in 0..<fileCount { try cache.setValue(values[i], forKey: keys[i]) } }
            // The archive key of each entry (the keymap's digest), for the raw side's paths.
            let files = try keys.map { archive.entryPath(forKey: try KleptoKeymap.hashing.archiveKey(for: $0)) }
            let entrySize = try FileManager.default.attributesOfItem(atPath: files[0])[.size] as? Int ?? fileSize
            kleptoRead += try measurePasses(1) {
                var total = 0
                for i in 0..<fileCount { total &+= try cache.value(forKey: keys[i])!.count }
                blackHole(total)
            }
            rawRead += measurePasses(1) {
                var total = 0
                for file in files { total &+= Self.rawRead(file, size: entrySize) }
                blackHole(total)
            }
            let rawDirectory = root + "/raw"
            try FileManager.default.createDirectory(atPath: rawDirectory, withIntermediateDirectories: true)
            let rawBytes = values.map { [UInt8]($0) }
            rawWrite += try measurePasses(1) {
                for i in 0..<fileCount { try rawWriteAndRename(rawDirectory + "/\(i)", rawBytes[i]) }
            }
        }
        func perSecond(_ times: [Double]) -> Samples { Samples.rates(times, operations: fileCount) }
        let (writeBase, readBase) = (perSecond(rawWrite), perSecond(rawRead))
        reporter.note("klepto", "directory archive: \(fileCount) × \(fileSize / 1_024) KB Data values, no fsync on either side")
        reporter.report(row("raw write-temp-and-rename", "dir-50KB-write", writeBase, "ops/s", nil, nil))
        reporter.report(row("DirectoryArchive via KleptoCache", "dir-50KB-write", perSecond(kleptoWrite), "ops/s", writeBase, "raw write-temp-and-rename"))
        reporter.report(row("raw open+read", "dir-50KB-read", readBase, "ops/s", nil, nil))
        reporter.report(row("DirectoryArchive via KleptoCache", "dir-50KB-read", perSecond(kleptoRead), "ops/s", readBase, "raw open+read"))
    }

    static func sqlArchive(passes: Int, reporter: BenchReporter) throws {
        let names = (0..<smallCount).map { "key-\($0)" }
        let keys = try names.map { try CacheKey(name: "small", arguments: $0) }
        let values = (0..<smallCount).map { i in (0..<100).map { UInt8(truncatingIfNeeded: $0 &+ i) } }
        var rawSet: [Double] = [], rawGet: [Double] = [], kleptoSet: [Double] = [], kleptoGet: [Double] = []
        for _ in 0..<passes {
            let root = DiskBench.freshDirectory("klepto-sql")
            defer { DiskBench.remove(root) }
            do {
                let raw = try DiskBench.RawSQLite(directory: root + "/raw")
                rawSet += try measurePasses(1) { for i in 0..<smallCount { try raw.set(names[i], values[i]) } }
                rawGet += try measurePasses(1) {
                    var total = 0
                    for i in 0..<smallCount { total &+= try raw.get(names[i])!.count }
                    blackHole(total)
                }
            }
            let cache = try KleptoCache<CacheKey, [UInt8]>(archive: try SQLTableArchive(path: root + "/klepto.db"), policy: .none)
            kleptoSet += try measurePasses(1) { for i in 0..<smallCount { try cache.setValue(values[i], forKey: keys[i]) } }
            kleptoGet += try measurePasses(1) {
                var total = 0
                for i in 0..<smallCount { total &+= try cache.value(forKey: keys[i])!.count }
                blackHole(total)
            }
        }
        func perSecond(_ times: [Double]) -> Samples { Samples.rates(times, operations: smallCount) }
        let (setBase, getBase) = (perSecond(rawSet), perSecond(rawGet))
        reporter.note("klepto", "SQL archive: \(smallCount) × 100-byte values, no front; baseline = bench disk's raw SQLite")
        reporter.report(row("raw SQLite", "sql-small-set", setBase, "ops/s", nil, nil))
        reporter.report(row("SQLTableArchive via KleptoCache", "sql-small-set", perSecond(kleptoSet), "ops/s", setBase, "raw SQLite"))
        reporter.report(row("raw SQLite", "sql-small-get", getBase, "ops/s", nil, nil))
        reporter.report(row("SQLTableArchive via KleptoCache", "sql-small-get", perSecond(kleptoGet), "ops/s", getBase, "raw SQLite"))
    }
}

/// A system call of a raw baseline failed.
struct BenchIOError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
