import ArgumentParser
import CacheCore
import CacheJoblib
import Foundation

/// The array-cache side of `cachectl stats` / `clear` / `check` (see ``CacheDirectoryKinds``).
/// Caches are opened unbounded (`bytesLimit: nil`): inspecting never trims a user's cache.
enum JoblibCLI {
    static func open(_ directory: String) throws -> ArrayCache {
        try ArrayCache(directory: directory, options: ArrayCacheOptions(bytesLimit: nil))
    }

    /// `check [--repair]`: the report's lines (or one JSON object) and whether it is healthy.
    static func check(_ directory: String, repair: Bool, json: Bool) throws -> (text: String, healthy: Bool) {
        let report = try open(directory).check(repair: repair)
        if json { return (DiskCacheOpener.json(report), report.isHealthy) }
        var lines = ["array cache \(directory): \(report.isHealthy ? "ok" : "PROBLEMS")"]
        lines.append("  integrity_check: \(report.integrity.joined(separator: "; "))")
        lines.append("  entries \(report.entries), verified against their checksums \(report.verified)")
        if !report.damagedEntries.isEmpty { lines.append("  damaged entries (missing or altered): \(report.damagedEntries.joined(separator: ", "))") }
        if !report.unverifiableEntries.isEmpty { lines.append("  entries written before checksums: \(report.unverifiableEntries.count)") }
        if !report.orphanFiles.isEmpty { lines.append("  orphaned files: \(report.orphanFiles.count)") }
        if !report.temporaryFiles.isEmpty { lines.append("  interrupted temporary files: \(report.temporaryFiles.count)") }
        if repair { lines.append("  repaired") }
        return (lines.joined(separator: "\n"), report.isHealthy)
    }

    /// The report `stats` prints, as text or one JSON object.
    static func stats(_ directory: String, json: Bool) throws -> String {
        try JoblibDirectoryReport.make(directory).render(json: json)
    }

    /// Removes everything, one function's results (`function`), or trims to the limits; returns the lines to print.
    static func clear(_ directory: String, function: String?, bytesLimit: Int?, itemsLimit: Int?, ageLimit: Double?) throws -> String {
        let cache = try open(directory)
        let before = cache.stats
        var lines: [String] = []
        if let function {
            lines.append("removed \(try cache.clear(function: function)) entries of \(function)")
        } else if bytesLimit != nil || itemsLimit != nil || ageLimit != nil {
            let removed = try cache.reduceSize(bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: try ageLimit.map { try Duration(cacheCheckedSeconds: $0, setting: "--age-limit") })
            lines.append("removed \(removed) entries")
        } else {
            try cache.removeAll()
            lines.append("removed \(before.count) entries")
        }
        let after = cache.stats
        lines.append("\(after.count) entries, \(after.bytes) bytes remain (were \(before.count), \(before.bytes))")
        return lines.joined(separator: "\n")
    }
}

/// What `stats` prints for an array cache directory.
struct JoblibDirectoryReport: Encodable {
    struct Function: Encodable {
        var namespace: String
        var entries: Int
        var bytes: Int
        var rawBytes: Int
        var hits: Int
        var compressed: Int
    }
    var directory: String
    var kind = "CacheJoblib"
    var entries: Int
    var bytes: Int
    var hits: Int
    var oldestStored: Double?
    var lastAccessed: Double?
    var functions: [Function]

    static func make(_ directory: String) throws -> JoblibDirectoryReport {
        let entries = try JoblibCLI.open(directory).entries()
        var byNamespace: [String: Function] = [:]
        for e in entries {
            var f = byNamespace[e.namespace] ?? Function(namespace: e.namespace, entries: 0, bytes: 0, rawBytes: 0, hits: 0, compressed: 0)
            f.entries += 1
            f.bytes += e.fileBytes
            f.rawBytes += e.rawBytes
            f.hits += e.hits
            if e.compression != "none" { f.compressed += 1 }
            byNamespace[e.namespace] = f
        }
        return JoblibDirectoryReport(
            directory: directory, entries: entries.count, bytes: entries.reduce(0) { $0 + $1.fileBytes },
            hits: entries.reduce(0) { $0 + $1.hits }, oldestStored: entries.map(\.stored).min(),
            lastAccessed: entries.map(\.accessed).max(), functions: byNamespace.values.sorted { $0.namespace < $1.namespace })
    }

    func render(json: Bool) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
        var lines = ["array cache \(directory): \(entries) entries, \(bytes) bytes on disk, \(hits) hits"]
        for f in functions {
            lines.append("  \(f.namespace): \(f.entries) entries, \(f.bytes) bytes (\(f.rawBytes) uncompressed, \(f.compressed) compressed), \(f.hits) hits")
        }
        return lines.joined(separator: "\n")
    }
}

/// A writer for the crash test: stores self-checking arrays into DIR until killed.
/// Array `i` holds `i` followed by `count - 1` copies of `i * 0.5`.
struct JoblibCrashWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joblib-crash-writer", abstract: "Test helper: write self-checking arrays until killed.",
        shouldDisplay: false)

    @Argument var directory: String
    @Option var count = 400_000

    func run() throws {
        let cache = try ArrayCache(directory: directory)
        var i = 0
        while true {
            let value = try ShapedArray<Double>(shape: [count]) { buffer in
                buffer.initialize(repeating: Double(i) * 0.5)
                buffer[0] = Double(i)
            }
            try cache.setArray(value, forKey: CacheKey(name: "crash", arguments: i))
            print(i)
            fflush(nil)
            i += 1
        }
    }
}

/// A reader for the integrity tests and `bench arrays`: looks up one memoized result
/// (`name`, `version`, one `Int` argument) in DIR as a new process would, and prints
/// `hit ms=<lookup ms> sum=<sum of the elements>` or `miss decodeFailures=<n>`.
struct JoblibProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joblib-probe", abstract: "Test helper: look up one memoized array result in a new process.",
        shouldDisplay: false)

    @Argument var directory: String
    @Option var name: String
    @Option var version: String?
    @Option var argument: Int
    @Option(help: "mmap or copy.") var mode = "mmap"

    struct Miss: Error {}

    func run() throws {
        let loadMode: ArrayLoadMode
        switch mode {
        case "mmap": loadMode = .memoryMapped
        case "copy": loadMode = .copy
        default: throw ValidationError("--mode must be mmap or copy, not \(mode)")
        }
        let memory = try ArrayMemory(directory: directory, options: ArrayCacheOptions(loadMode: loadMode, bytesLimit: nil))
        let function = try memory.cached(name: name, version: version) { (_: Int) -> ShapedArray<Double> in throw Miss() }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let value = try function(argument)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let sum = value.withUnsafeBufferPointer { $0.reduce(0, +) }
            print("hit ms=\(elapsed) sum=\(sum)")
        } catch is Miss {
            print("miss decodeFailures=\(memory.cache.stats.decodeFailures)")
        }
    }
}
