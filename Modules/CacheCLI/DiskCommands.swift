import ArgumentParser
import CacheCore
import CacheDisk
import CacheJoblib
import CacheKlepto
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

/// Which caches a path holds: a disk cache (CacheDisk: `cache.db`, or shards
/// `shard-000/…`), an array cache (CacheJoblib: `index.sqlite`), CacheKlepto archives (a
/// directory archive, an archive database, a single-file archive — the path itself or
/// directly in it), several side by side, or none — then `stats`, `check` and `clear`
/// exit with status 64 and say so. A file path can only be a CacheKlepto archive file.
struct CacheDirectoryKinds {
    var disk: Bool
    var array: Bool
    var klepto: [any KleptoArchive]

    static func of(_ directory: String) throws -> CacheDirectoryKinds {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ValidationError("\(directory) does not exist")
        }
        let klepto: [any KleptoArchive]
        do { klepto = try KleptoArchives.find(at: directory) } catch { throw ValidationError("\(error)") }
        guard isDirectory.boolValue else {
            if klepto.isEmpty { throw ValidationError("\(directory) is not a directory, nor a CacheKlepto archive file") }
            return CacheDirectoryKinds(disk: false, array: false, klepto: klepto)
        }
        let kinds = CacheDirectoryKinds(
            disk: FanoutDiskCache.existingShardCount(in: directory) > 0 || FileManager.default.fileExists(atPath: directory + "/cache.db"),
            array: ArrayCache.isArrayCacheDirectory(directory), klepto: klepto)
        guard kinds.disk || kinds.array || !kinds.klepto.isEmpty else {
            throw ValidationError("\(directory) holds no cache: neither a disk cache (cache.db or shard-000/) nor an array cache (index.sqlite of format swift-cache.joblib) nor CacheKlepto archives (entries/ + index.log, an archive database, a .klepto file)")
        }
        return kinds
    }
}

/// `cachectl stats DIR [--json]`: every cache the directory holds — a disk cache
/// (CacheDisk, plain or sharded), an array cache (CacheJoblib), or both.
struct DiskStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "What a cache directory holds: its disk cache (entries, bytes, files), its array cache (entries, bytes, hits per function), its CacheKlepto archives (entries, bytes).")

    @Argument(help: "The cache directory (or a CacheKlepto archive file).") var directory: String
    @Flag(help: "JSON: one object per line (disk caches: one per shard; array caches: one; one per CacheKlepto archive).") var json = false

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
        for archive in kinds.klepto {
            let summary = try archive.summary()
            if json {
                print(DiskCacheOpener.json(summary))
            } else {
                print("""
                    klepto archive \(summary.archive)
                      entries          \(summary.entries)
                      bytes            \(summary.bytes)
                    """)
            }
        }
    }
}

/// `cachectl clear DIR`: empties every cache the directory holds; `--tag` narrows it to the
/// disk cache's tagged entries, `--function` and the limits to the array cache.
struct DiskClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove entries: of every cache in the directory (CacheKlepto archives included), a disk cache's --tag, or an array cache's --function or down to limits.")

    @Argument(help: "The cache directory (or a CacheKlepto archive file).") var directory: String
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
        if tag != nil && !kinds.disk { throw ValidationError("--tag applies to disk caches; \(directory) holds no disk cache") }
        if arrayOptions && !kinds.array {
            throw ValidationError("--function and the limits apply to array caches; \(directory) holds no array cache")
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
        if tag == nil && !arrayOptions {
            for archive in kinds.klepto {
                let held = try archive.count()
                try archive.removeAll()
                print("klepto archive \(archive.location): removed \(held) entries")
            }
        }
    }
}

/// `cachectl check DIR [--repair] [--json]`: every cache the directory holds; exit status 1
/// when problems are found (and not repaired).
struct DiskCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every cache in a directory: SQLite integrity, every value, array or archive entry against its checksum, totals, indexes, orphans.")

    @Argument(help: "The cache directory (or a CacheKlepto archive file).") var directory: String
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
        for archive in kinds.klepto {
            let report = try archive.check(repair: repair)
            healthy = healthy && report.healthy
            if json {
                print(DiskCacheOpener.json(report))
            } else {
                print("klepto archive \(report.archive): \(report.healthy ? "ok" : "PROBLEMS")")
                let formats = report.formats.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                print("  entries \(report.entries) verified (\(report.payloadBytes) payload bytes\(formats.isEmpty ? "" : "; " + formats))")
                for line in report.damaged { print("  damaged: \(line)") }
                for line in report.indexProblems { print("  index: \(line)") }
                if !report.temporaryFiles.isEmpty { print("  interrupted temporary files: \(report.temporaryFiles.count)") }
                if repair && !report.healthy { print("  repaired") }
            }
        }
        if !healthy && !repair { throw ExitCode(1) }
    }
}
