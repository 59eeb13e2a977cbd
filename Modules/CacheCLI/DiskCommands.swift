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

    static func open(_ directory: String, options: DiskCacheOptions = options) throws -> [DiskCache] {
        let shards = FanoutDiskCache.existingShardCount(in: directory)
        if shards > 0 { return try FanoutDiskCache(directory: directory, shardCount: shards, options: options).shards }
        guard FileManager.default.fileExists(atPath: directory + "/cache.db") else {
            throw ValidationError("\(directory) holds no disk cache (no cache.db, no shard-000/)")
        }
        return [try DiskCache(directory: directory, options: options)]
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Which caches a directory holds: a disk cache (CacheDisk: `cache.db`, or shards
/// `shard-000/…`), an array cache (CacheJoblib: `index.sqlite`), both side by side, or
/// neither — then `stats`, `check` and `clear` exit with status 64 and say so.
struct CacheDirectoryKinds {
    var disk: Bool
    var array: Bool

    static func of(_ directory: String) throws -> CacheDirectoryKinds {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ValidationError("\(directory) does not exist")
        }
        guard isDirectory.boolValue else { throw ValidationError("\(directory) is not a directory") }
        let kinds = CacheDirectoryKinds(
            disk: FanoutDiskCache.existingShardCount(in: directory) > 0 || FileManager.default.fileExists(atPath: directory + "/cache.db"),
            array: ArrayCache.isArrayCacheDirectory(directory))
        guard kinds.disk || kinds.array else {
            throw ValidationError("\(directory) holds no cache: neither a disk cache (cache.db or shard-000/) nor an array cache (index.sqlite of format swift-cache.joblib)")
        }
        return kinds
    }
}

/// `cachectl stats DIR [--json]`: every cache the directory holds — a disk cache
/// (CacheDisk, plain or sharded), an array cache (CacheJoblib), or both.
struct DiskStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "What a cache directory holds: its disk cache (entries, bytes, files), its array cache (entries, bytes, hits per function), or both.")

    @Argument(help: "The cache directory.") var directory: String
    @Flag(help: "JSON: one object per line (disk caches: one per shard; array caches: one).") var json = false

    func run() throws {
        let kinds = try CacheDirectoryKinds.of(directory)
        if kinds.disk {
            for cache in try DiskCacheOpener.open(directory) {
                let summary = try cache.summary()
                if json {
                    print(DiskCacheOpener.json(summary))
                } else {
                    print("""
                        disk cache \(summary.directory)
                          schema version   \(summary.schemaVersion)
                          entries          \(summary.entries) (\(summary.fileEntries) in value files, \(summary.entriesWithExpiry) with expiry, \(summary.tags) tags)
                          key+value bytes  \(summary.bytes)
                          value-file bytes \(summary.fileBytes)
                          database bytes   \(summary.databaseBytes)
                        """)
                }
            }
        }
        if kinds.array { print(try JoblibCLI.stats(directory, json: json)) }
    }
}

/// `cachectl clear DIR`: empties every cache the directory holds; `--tag` narrows it to the
/// disk cache's tagged entries, `--function` and the limits to the array cache.
struct DiskClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove entries: of every cache in the directory, a disk cache's --tag, or an array cache's --function or down to limits.")

    @Argument(help: "The cache directory.") var directory: String
    @Option(help: "Disk caches: remove only the entries with this tag.") var tag: String?
    @Option(help: "Array caches: remove only this function's results (every version).") var function: String?
    @Option(help: "Array caches: trim to at most this many bytes on disk.") var bytesLimit: Int?
    @Option(help: "Array caches: trim to at most this many entries.") var itemsLimit: Int?
    @Option(help: "Array caches: remove entries not accessed for this many seconds.") var ageLimit: Double?

    func run() throws {
        let kinds = try CacheDirectoryKinds.of(directory)
        let arrayOptions = function != nil || bytesLimit != nil || itemsLimit != nil || ageLimit != nil
        if tag != nil && arrayOptions {
            throw ValidationError("--tag applies to disk caches, --function and the limits to array caches: give one kind")
        }
        if tag != nil && !kinds.disk { throw ValidationError("--tag applies to disk caches; \(directory) holds only an array cache") }
        if arrayOptions && !kinds.array {
            throw ValidationError("--function and the limits apply to array caches; \(directory) holds only a disk cache")
        }
        if kinds.disk && !arrayOptions {
            var removed = 0
            for cache in try DiskCacheOpener.open(directory) {
                removed += try tag.map { try cache.evict(tag: $0) } ?? cache.clear()
            }
            print("disk cache: removed \(removed) entries")
        }
        if kinds.array && tag == nil {
            print("array cache: " + (try JoblibCLI.clear(directory, function: function, bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: ageLimit)))
        }
    }
}

/// `cachectl check DIR [--repair] [--json]`: every cache the directory holds; exit status 1
/// when problems are found (and not repaired).
struct DiskCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every cache in a directory: SQLite integrity, every value or array file against its checksum, totals, orphans.")

    @Argument(help: "The cache directory.") var directory: String
    @Flag(help: "Remove damaged entries and old orphaned files (disk caches: recompute the totals).") var repair = false
    @Flag(help: "JSON output: one object per line.") var json = false

    func run() throws {
        let kinds = try CacheDirectoryKinds.of(directory)
        var healthy = true
        if kinds.disk {
            for cache in try DiskCacheOpener.open(directory) {
                let report = try cache.check(repair: repair)
                healthy = healthy && report.isHealthy
                if json {
                    print(DiskCacheOpener.json(report))
                } else {
                    print("disk cache \(cache.directory): \(report.isHealthy ? "ok" : "PROBLEMS")")
                    print("  integrity_check: \(report.integrity.joined(separator: "; "))")
                    print("  entries \(report.entries), value files verified \(report.filesVerified)")
                    if !report.damagedEntries.isEmpty { print("  damaged entries: \(report.damagedEntries.joined(separator: ", "))") }
                    if !report.orphanFiles.isEmpty { print("  orphaned files: \(report.orphanFiles.count)") }
                    if !report.temporaryFiles.isEmpty { print("  interrupted temporary files: \(report.temporaryFiles.count)") }
                    if !report.totalsConsistent { print("  totals row inconsistent with the entries") }
                    if repair { print("  repaired") }
                }
            }
        }
        if kinds.array {
            let (text, arrayHealthy) = try JoblibCLI.check(directory, repair: repair, json: json)
            print(text)
            healthy = healthy && arrayHealthy
        }
        if !healthy && !repair { throw ExitCode(1) }
    }
}
