import ArgumentParser
import CacheCore
import CacheDisk
import CacheJoblib
import Foundation

/// Opens the disk cache (plain or sharded) in an existing directory, refusing to create one.
/// Opened unbounded (`sizeLimit: nil`): inspecting or clearing a user's cache never trims it
/// to the library's default limit.
enum DiskCacheOpener {
    static let options = DiskCacheOptions(sizeLimit: nil)

    static func open(_ directory: String) throws -> [DiskCache] {
        let shards = FanoutDiskCache.existingShardCount(in: directory)
        if shards > 0 { return try FanoutDiskCache(directory: directory, shardCount: shards, options: options).shards }
        guard FileManager.default.fileExists(atPath: directory + "/cache.db") else {
            throw ValidationError("\(directory) is neither a disk cache (no cache.db, no shard-000/) nor an array cache (it is not an array cache directory: no index.sqlite)")
        }
        return [try DiskCache(directory: directory, options: options)]
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `cachectl stats DIR [--json]`: a disk cache (CacheDisk, plain or sharded) or an array
/// cache (CacheJoblib), told apart by what the directory holds.
struct DiskStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "What a cache directory holds: disk caches (entries, bytes, files) and array caches.")

    @Argument(help: "The cache directory.") var directory: String
    @Flag(help: "JSON (disk caches: one object per shard, one per line).") var json = false

    func run() throws {
        if ArrayCache.isArrayCacheDirectory(directory) {
            print(try JoblibCLI.stats(directory, json: json))
            return
        }
        for cache in try DiskCacheOpener.open(directory) {
            let summary = try cache.summary()
            if json {
                print(DiskCacheOpener.json(summary))
            } else {
                print("""
                    \(summary.directory)
                      schema version   \(summary.schemaVersion)
                      entries          \(summary.entries) (\(summary.fileEntries) in value files, \(summary.entriesWithExpiry) with expiry, \(summary.tags) tags)
                      key+value bytes  \(summary.bytes)
                      value-file bytes \(summary.fileBytes)
                      database bytes   \(summary.databaseBytes)
                    """)
            }
        }
    }
}

/// `cachectl clear DIR [--tag T]` for disk caches; array caches take `--function` and limits.
struct DiskClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Remove entries: a disk cache's (all, or --tag), an array cache's (all, --function, or down to limits).")

    @Argument(help: "The cache directory.") var directory: String
    @Option(help: "Disk caches: remove only the entries with this tag.") var tag: String?
    @Option(help: "Array caches: remove only this function's results (every version).") var function: String?
    @Option(help: "Array caches: trim to at most this many bytes on disk.") var bytesLimit: Int?
    @Option(help: "Array caches: trim to at most this many entries.") var itemsLimit: Int?
    @Option(help: "Array caches: remove entries not accessed for this many seconds.") var ageLimit: Double?

    func run() throws {
        if ArrayCache.isArrayCacheDirectory(directory) {
            guard tag == nil else { throw ValidationError("--tag applies to disk caches; \(directory) is an array cache") }
            print(try JoblibCLI.clear(directory, function: function, bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: ageLimit))
            return
        }
        guard function == nil, bytesLimit == nil, itemsLimit == nil, ageLimit == nil else {
            throw ValidationError("--function and the limits apply to array caches; \(directory) is a disk cache")
        }
        var removed = 0
        for cache in try DiskCacheOpener.open(directory) {
            removed += try tag.map { try cache.evict(tag: $0) } ?? cache.clear()
        }
        print("removed \(removed) entries")
    }
}

/// `cachectl check DIR [--repair] [--json]`: exit status 1 when problems are found.
struct DiskCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify a disk cache: SQLite integrity, every value file's length and checksum, totals, orphans.")

    @Argument(help: "The cache directory.") var directory: String
    @Flag(help: "Remove damaged entries and old orphaned files, recompute the totals.") var repair = false
    @Flag(help: "JSON output.") var json = false

    func run() throws {
        var healthy = true
        for cache in try DiskCacheOpener.open(directory) {
            let report = try cache.check(repair: repair)
            healthy = healthy && report.isHealthy
            if json {
                print(DiskCacheOpener.json(report))
            } else {
                print("\(cache.directory): \(report.isHealthy ? "ok" : "PROBLEMS")")
                print("  integrity_check: \(report.integrity.joined(separator: "; "))")
                print("  entries \(report.entries), value files verified \(report.filesVerified)")
                if !report.damagedEntries.isEmpty { print("  damaged entries: \(report.damagedEntries.joined(separator: ", "))") }
                if !report.orphanFiles.isEmpty { print("  orphaned files: \(report.orphanFiles.count)") }
                if !report.temporaryFiles.isEmpty { print("  interrupted temporary files: \(report.temporaryFiles.count)") }
                if !report.totalsConsistent { print("  totals row inconsistent with the entries") }
                if repair { print("  repaired") }
            }
        }
        if !healthy && !repair { throw ExitCode(1) }
    }
}
