import ArgumentParser
import CacheCore
import CacheJoblib
import Foundation

/// `cachectl stats DIR` for array cache directories (CacheJoblib).
struct JoblibStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what a cache directory holds (array caches: entries, bytes, hits per function).")

    @Argument(help: "The cache directory.")
    var directory: String

    @Flag(help: "One JSON object.")
    var json = false

    func run() throws {
        try JoblibCLI.requireArrayCache(directory)
        print(try JoblibCLI.stats(directory, json: json))
    }
}

/// `cachectl clear DIR` for array cache directories: everything, one function, or trimmed to limits.
struct JoblibClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove entries from a cache directory (array caches: all, one function, or down to limits).")

    @Argument(help: "The cache directory.")
    var directory: String

    @Option(help: "Remove only this function's results (every version).")
    var function: String?

    @Option(help: "Trim to at most this many bytes on disk (least recently accessed first).")
    var bytesLimit: Int?

    @Option(help: "Trim to at most this many entries.")
    var itemsLimit: Int?

    @Option(help: "Remove entries not accessed for this many seconds.")
    var ageLimit: Double?

    func run() throws {
        try JoblibCLI.requireArrayCache(directory)
        print(try JoblibCLI.clear(directory, function: function, bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: ageLimit))
    }
}

/// The array-cache side of `cachectl stats` / `clear`, callable from a command that also
/// understands other cache directories: dispatch here when
/// `ArrayCache.isArrayCacheDirectory(dir)` is true.
enum JoblibCLI {
    static func requireArrayCache(_ directory: String) throws {
        guard ArrayCache.isArrayCacheDirectory(directory) else {
            throw ValidationError("\(directory) is not an array cache directory (no index.sqlite of format swift-cache.joblib)")
        }
    }

    /// The report `stats` prints, as text or one JSON object.
    static func stats(_ directory: String, json: Bool) throws -> String {
        try JoblibDirectoryReport.make(directory).render(json: json)
    }

    /// Removes everything, one function's results (`function`), or trims to the limits; returns the lines to print.
    static func clear(_ directory: String, function: String?, bytesLimit: Int?, itemsLimit: Int?, ageLimit: Double?) throws -> String {
        let cache = try ArrayCache(directory: directory)
        let before = cache.stats
        var lines: [String] = []
        if let function {
            lines.append("removed \(try cache.clear(function: function)) entries of \(function)")
        } else if bytesLimit != nil || itemsLimit != nil || ageLimit != nil {
            let removed = try cache.reduceSize(bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: ageLimit.map { .cacheSeconds($0) })
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
        let entries = try ArrayCache(directory: directory).entries()
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
