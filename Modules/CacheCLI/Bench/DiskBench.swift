import CCacheSQLite
import CacheCore
import CacheDisk
import CacheSQLite
import Foundation

/// The `disk` workload: 10,000 × 100-byte values under String keys (set,
/// then get with decode), 64 × 1 MB and 8 × 16 MB (set and verified get, MB/s), and
/// reopen (a child process opens a 10,000-entry cache and reads one key).
/// DiskCache runs with its default 1 GiB size limit, and again with `sizeLimit: nil`.
/// Baseline in the same run: the SQLite C API on
/// `(key TEXT PRIMARY KEY, value BLOB, stored REAL, accessed REAL, hits INT)`, WAL,
/// synchronous=NORMAL, one persistent prepared statement per operation, autocommit per set.
enum DiskBench {
    static let smallCount = 10_000

    static func freshDirectory(_ label: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-bench-\(label)-\(UUID().uuidString)").path
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// The raw SQLite baseline.
    final class RawSQLite {
        let db: SQLiteConnection
        let insert: SQLiteStatement
        let select: SQLiteStatement

        init(directory: String) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            db = try SQLiteConnection(path: directory + "/raw.db")
            _ = try db.scalarText("PRAGMA journal_mode=WAL")
            try db.execute("PRAGMA synchronous=NORMAL")
            try db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB, stored REAL, accessed REAL, hits INT)")
            insert = try db.prepare("INSERT OR REPLACE INTO cache (key, value, stored, accessed, hits) VALUES (?, ?, ?, ?, 0)")
            select = try db.prepare("SELECT value FROM cache WHERE key = ?")
        }

        func set(_ key: String, _ value: [UInt8]) throws {
            let now = WallCacheClock().now()
            try insert.bind(key, at: 1)
            try insert.bind(blob: value, at: 2)
            try insert.bind(now, at: 3)
            try insert.bind(now, at: 4)
            try insert.stepToCompletion()
        }

        func get(_ key: String) throws -> [UInt8]? {
            try select.bind(key, at: 1)
            defer { select.reset() }
            guard try select.step() else { return nil }
            return select.blob(0)
        }
    }

    static func run(passes: Int, reporter: BenchReporter) throws {
        let keys = (0..<smallCount).map { "key-\($0)" }
        let values = (0..<smallCount).map { i in (0..<100).map { UInt8(truncatingIfNeeded: $0 &+ i) } }
        func opsPerSecond(_ nanoseconds: [Double], ops: Int) -> Samples { Samples.rates(nanoseconds, operations: ops) }
        func row(_ candidate: String, _ metric: String, _ s: Samples, unit: String, baseline: Samples?, baselineName: String?) -> BenchReporter.Row {
            .figure("disk", candidate, metric, s, unit: unit, baseline: baseline, baselineName: baselineName)
        }

        // Small values: the raw SQLite baseline and DiskCache, interleaved pass by pass so
        // both see the same machine conditions.
        var rawSet: [Double] = [], rawGet: [Double] = [], diskSet: [Double] = [], diskGet: [Double] = []
        var coldGet: [Double] = [], diskGetNoFront: [Double] = [], rawReopenedGet: [Double] = []
        var unboundedSet: [Double] = [], unboundedGet: [Double] = []
        for _ in 0..<passes {
            let rawDir = freshDirectory("raw")
            do {
                let raw = try RawSQLite(directory: rawDir)
                rawSet += try measurePasses(1) { for i in 0..<smallCount { try raw.set(keys[i], values[i]) } }
                rawGet += try measurePasses(1) {
                    var total = 0
                    for i in 0..<smallCount { total &+= try raw.get(keys[i])!.count }
                    blackHole(total)
                }
            }
            // The baseline of the new-instance rows below: a new connection after the writer
            // closed (its close checkpointed the WAL, so each read transaction also checks the
            // file's size), its page cache warmed by one unmeasured pass.
            do {
                let raw = try RawSQLite(directory: rawDir)
                for i in 0..<smallCount { blackHole(try raw.get(keys[i])!.count) }
                rawReopenedGet += try measurePasses(1) {
                    var total = 0
                    for i in 0..<smallCount { total &+= try raw.get(keys[i])!.count }
                    blackHole(total)
                }
            }
            remove(rawDir)

            let diskDir = freshDirectory("disk")
            let cache = try DiskCache(directory: diskDir)
            diskSet += try measurePasses(1) { for i in 0..<smallCount { try cache.set(values[i], forKey: keys[i]) } }
            diskGet += try measurePasses(1) {
                var total = 0
                for i in 0..<smallCount { total &+= try cache.get(keys[i], as: [UInt8].self)!.count }
                blackHole(total)
            }
            cache.close()
            // The same reads by a new instance (its front empty: every get goes to SQLite and
            // fills it), then by one whose front is off: the database path on its own. Each
            // first warms its connection's page cache with an unmeasured getMany (which does
            // not use the front), as the writing instance's is.
            let diskKeys = keys.map { DiskCacheKey($0) }
            let cold = try DiskCache(directory: diskDir)
            blackHole(try cold.getMany(diskKeys, as: [UInt8].self).count)
            coldGet += try measurePasses(1) {
                var total = 0
                for i in 0..<smallCount { total &+= try cold.get(keys[i], as: [UInt8].self)!.count }
                blackHole(total)
            }
            cold.close()
            let noFront = try DiskCache(directory: diskDir, options: DiskCacheOptions(frontLimit: 0))
            blackHole(try noFront.getMany(diskKeys, as: [UInt8].self).count)
            diskGetNoFront += try measurePasses(1) {
                var total = 0
                for i in 0..<smallCount { total &+= try noFront.get(keys[i], as: [UInt8].self)!.count }
                blackHole(total)
            }
            noFront.close()
            remove(diskDir)
            // The same sets and gets with `sizeLimit: nil` (unbounded, the default before
            // 1 GiB became it): what the size-limit bookkeeping costs.
            let unboundedDir = freshDirectory("disk-unbounded")
            let unbounded = try DiskCache(directory: unboundedDir, options: DiskCacheOptions(sizeLimit: nil))
            unboundedSet += try measurePasses(1) { for i in 0..<smallCount { try unbounded.set(values[i], forKey: keys[i]) } }
            unboundedGet += try measurePasses(1) {
                var total = 0
                for i in 0..<smallCount { total &+= try unbounded.get(keys[i], as: [UInt8].self)!.count }
                blackHole(total)
            }
            unbounded.close()
            remove(unboundedDir)
        }
        let rawSetS = opsPerSecond(rawSet, ops: smallCount), rawGetS = opsPerSecond(rawGet, ops: smallCount)
        let baselineName = "raw SQLite"
        reporter.report(row(baselineName, "small-set", rawSetS, unit: "ops/s", baseline: nil, baselineName: nil))
        reporter.report(row("CacheDisk.DiskCache", "small-set", opsPerSecond(diskSet, ops: smallCount), unit: "ops/s",
                            baseline: rawSetS, baselineName: baselineName))
        reporter.report(row("CacheDisk.DiskCache sizeLimit nil", "small-set", opsPerSecond(unboundedSet, ops: smallCount), unit: "ops/s",
                            baseline: rawSetS, baselineName: baselineName))
        reporter.report(row(baselineName, "small-get", rawGetS, unit: "ops/s", baseline: nil, baselineName: nil))
        reporter.report(row("CacheDisk.DiskCache", "small-get", opsPerSecond(diskGet, ops: smallCount), unit: "ops/s",
                            baseline: rawGetS, baselineName: baselineName))
        reporter.report(row("CacheDisk.DiskCache sizeLimit nil", "small-get", opsPerSecond(unboundedGet, ops: smallCount), unit: "ops/s",
                            baseline: rawGetS, baselineName: baselineName))
        let rawReopenedS = opsPerSecond(rawReopenedGet, ops: smallCount)
        let reopenedName = "raw SQLite, new connection"
        reporter.report(row(reopenedName, "small-get-reopened", rawReopenedS, unit: "ops/s", baseline: nil, baselineName: nil))
        reporter.report(row("CacheDisk.DiskCache new instance, front filling", "small-get-reopened", opsPerSecond(coldGet, ops: smallCount),
                            unit: "ops/s", baseline: rawReopenedS, baselineName: reopenedName))
        reporter.report(row("CacheDisk.DiskCache new instance, frontLimit 0", "small-get-reopened", opsPerSecond(diskGetNoFront, ops: smallCount),
                            unit: "ops/s", baseline: rawReopenedS, baselineName: reopenedName))

        // Large values.
        for (label, size, count) in [("1MB", 1 << 20, 64), ("16MB", 16 << 20, 8)] {
            let blobs = (0..<count).map { i in [UInt8](unsafeUninitializedCapacity: size) { buffer, n in
                var rng = SplitMix64(seed: UInt64(i + 1))
                let words = UnsafeMutableRawBufferPointer(buffer).bindMemory(to: UInt64.self)
                for w in 0..<words.count { words[w] = rng.next() }
                n = size
            } }
            let megabytes = Double(size * count) / 1e6
            var setTimes: [Double] = [], getTimes: [Double] = [], mappedTimes: [Double] = []
            for _ in 0..<passes {
                let dir = freshDirectory("large")
                let cache = try DiskCache(directory: dir)
                setTimes += try measurePasses(1) { for i in 0..<count { try cache.set(blobs[i], forKey: "blob-\(i)") } }
                getTimes += try measurePasses(1) {
                    var total = 0
                    for i in 0..<count { total &+= try cache.get("blob-\(i)", as: [UInt8].self)!.count }
                    precondition(total == size * count)
                }
                mappedTimes += try measurePasses(1) {
                    var total = 0
                    for i in 0..<count { total &+= try cache.data("blob-\(i)")!.count }
                    precondition(total == size * count)
                }
                cache.close()
                remove(dir)
            }
            func mbps(_ t: [Double]) -> Samples { Samples(values: t.map { megabytes / ($0 / 1e9) }) }
            reporter.report(row("CacheDisk.DiskCache", "\(label)-set", mbps(setTimes), unit: "MB/s", baseline: nil, baselineName: "none"))
            reporter.report(row("CacheDisk.DiskCache get [UInt8]", "\(label)-get", mbps(getTimes), unit: "MB/s", baseline: nil, baselineName: "none"))
            reporter.report(row("CacheDisk.DiskCache data (mmap)", "\(label)-get", mbps(mappedTimes), unit: "MB/s", baseline: nil, baselineName: "none"))
        }

        try reopen(passes: max(passes, 20), reporter: reporter, keys: keys, values: values)
    }

    /// A child opens a 10,000-entry cache and reads one key, minus the same child doing nothing.
    static func reopen(passes: Int, reporter: BenchReporter, keys: [String], values: [[UInt8]]) throws {
        let dir = freshDirectory("reopen")
        do {
            let cache = try DiskCache(directory: dir)
            try cache.setMany((0..<smallCount).map { (key: DiskCacheKey("k\($0)"), value: values[$0]) })
            cache.close()
        }
        defer { remove(dir) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let me = FileManager.default.isExecutableFile(atPath: executable) ? executable : CommandLine.arguments[0]
        /// (wall time from spawn to exit, the child's own report of open + read).
        func spawn(_ mode: String) throws -> (Double, Double?) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: me)
            process.arguments = ["disk-worker", mode, dir]
            let pipe = Pipe()
            process.standardOutput = pipe
            let start = nowNanoseconds()
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let wall = Double(nowNanoseconds() - start) / 1e6
            guard process.terminationStatus == 0 else { throw ExitCodeError(status: process.terminationStatus, mode: mode) }
            return (wall, Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        _ = try spawn("reopen")
        var opens: [Double] = [], noops: [Double] = [], inside: [Double] = []
        for _ in 0..<passes {
            noops.append(try spawn("noop").0)
            let (wall, own) = try spawn("reopen")
            opens.append(wall)
            if let own { inside.append(own) }
        }
        let noop = Samples(values: noops), open = Samples(values: opens)
        let differences = Samples(values: [open.median - noop.median])
        let own = Samples(values: inside)
        reporter.report(BenchReporter.Row(
            workload: "disk", candidate: "CacheDisk.DiskCache", metric: "reopen", value: own.median, unit: "ms",
            baseline: false, min: own.min, max: own.max, p90: own.p90, passes: passes,
            ratioToBaseline: nil, baselineName: "child-measured open+read"))
        reporter.report(BenchReporter.Row(
            workload: "disk", candidate: "CacheDisk.DiskCache", metric: "reopen-spawn-difference", value: differences.median, unit: "ms",
            baseline: false, min: open.min - noop.max, max: open.max - noop.min, p90: nil, passes: passes,
            ratioToBaseline: nil, baselineName: "median spawn-to-exit \(String(format: "%.2f", open.median)) ms minus no-op child \(String(format: "%.2f", noop.median)) ms"))
    }

    struct ExitCodeError: Error, CustomStringConvertible {
        var status: Int32
        var mode: String
        var description: String { "disk-worker \(mode) exited with status \(status)" }
    }
}
