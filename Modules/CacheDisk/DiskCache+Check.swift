import CacheCore
import CacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``DiskCache/check(repair:)`` found.
public struct DiskCacheCheckReport: Sendable, Codable, Equatable {
    /// `PRAGMA integrity_check`'s answer: `["ok"]` when the database is sound.
    public var integrity: [String]
    public var entries: Int
    /// File values whose length and checksum were verified.
    public var filesVerified: Int
    /// Keys (described) whose value file is missing, of the wrong length or checksum.
    public var damagedEntries: [String]
    /// Value files no entry refers to (left by a killed writer), older than the grace period.
    public var orphanFiles: [String]
    /// Temporary files of interrupted writes, older than the grace period.
    public var temporaryFiles: [String]
    /// Whether the totals row matches the entries (always true when totals are not kept:
    /// they are then computed from the entries).
    public var totalsConsistent: Bool
    /// Whether problems were repaired (entries removed, orphans deleted, totals recomputed).
    public var repaired: Bool

    public var isHealthy: Bool {
        integrity == ["ok"] && damagedEntries.isEmpty && orphanFiles.isEmpty && temporaryFiles.isEmpty && totalsConsistent
    }
}

extension DiskCache {
    /// Checks the database (`PRAGMA integrity_check`), every value file (length + checksum),
    /// the totals, and looks for orphaned and temporary files older than `gracePeriod`
    /// (younger ones may belong to a write in progress in another process).
    /// With `repair`, removes damaged entries and old orphans and recomputes the totals.
    /// - Complexity: O(total bytes stored): every file is read.
    public func check(repair: Bool = false, gracePeriod: Duration = .seconds(3600)) throws -> DiskCacheCheckReport {
        let snapshot = try withDatabase("check") { database -> ([String], Int, [(Int64, String, String, Int, Hash128)], Bool) in
            var integrity: [String] = []
            let statement = try database.db.prepare("PRAGMA integrity_check")
            while try statement.step() { integrity.append(statement.text(0) ?? "") }
            let select = try database.db.prepare("SELECT rowid, key, file, value_size, checksum FROM entries WHERE file IS NOT NULL")
            var files: [(Int64, String, String, Int, Hash128)] = []
            while try select.step() {
                let key = DiskCacheKey(storageBytes: select.blob(1))?.description ?? "<malformed key>"
                files.append((select.int64(0), key, select.text(2) ?? "", select.int(3),
                              select.withBlob(4) { Hash128(bytes: $0) } ?? Hash128(low: 0, high: 0)))
            }
            return try database.db.transaction(.deferred) {
                let recount = try database.db.scalarInt("SELECT count(*) FROM entries") ?? 0
                // Kept totals must match the entries; totals that are not kept are computed from them.
                guard try database.readTotalsKept() else { return (integrity, Int(recount), files, true) }
                let totals = try database.keptTotals()
                let resize = try database.db.scalarInt("SELECT coalesce(sum(size), 0) FROM entries") ?? 0
                let refile = try database.db.scalarInt("SELECT coalesce(sum(value_size), 0) FROM entries WHERE file IS NOT NULL") ?? 0
                let consistent = totals.count == recount && totals.size == resize && totals.fileSize == refile
                return (integrity, Int(recount), files, consistent)
            }
        }
        var damaged: [(Int64, String, String)] = []
        for (rowid, key, name, size, checksum) in snapshot.2 {
            do {
                _ = try files.read(name, expectedSize: size, checksum: checksum)
            } catch {
                damaged.append((rowid, key, name))
            }
        }
        let referenced = Set(snapshot.2.map(\.2))
        let cutoff = WallCacheClock().now() - gracePeriod.cacheSeconds
        var orphans: [String] = [], temporaries: [String] = []
        for file in files.listing() where file.modified < cutoff {
            if file.isTemporary { temporaries.append(file.name) }
            else if !referenced.contains(file.name) { orphans.append(file.name) }
        }
        // A file referenced meanwhile (another process committed it) is not an orphan.
        if !orphans.isEmpty {
            let stillOrphans = try withDatabase("check") { database in
                try orphans.filter { try (database.db.scalarInt("SELECT count(*) FROM entries WHERE file = ?", .text($0)) ?? 0) == 0 }
            }
            orphans = stillOrphans
        }
        if repair {
            for (rowid, _, name) in damaged {
                try withDatabase("check") { database in try database.removeDamaged(rowid: rowid, file: name) }
            }
            for name in orphans { files.remove(name) }
            for name in temporaries { unlinkat(files.directoryFD, name, 0) }
            try withDatabase("check") { database in
                try database.write {
                    try database.db.execute("""
                        UPDATE cache_meta SET count = (SELECT count(*) FROM entries),
                          size = (SELECT coalesce(sum(size), 0) FROM entries),
                          file_size = (SELECT coalesce(sum(value_size), 0) FROM entries WHERE file IS NOT NULL) WHERE id = 0
                        """)
                }
            }
        }
        return DiskCacheCheckReport(
            integrity: snapshot.0, entries: snapshot.1, filesVerified: snapshot.2.count - damaged.count,
            damagedEntries: damaged.map(\.1), orphanFiles: orphans, temporaryFiles: temporaries,
            totalsConsistent: snapshot.3, repaired: repair)
    }

    /// Facts for `cachectl stats`.
    public func summary() throws -> DiskCacheSummary {
        try withDatabase("stats") { database in
            let totals = try database.totals()
            let files = try database.db.scalarInt("SELECT count(*) FROM entries WHERE file IS NOT NULL") ?? 0
            let expiring = try database.db.scalarInt("SELECT count(*) FROM entries WHERE expire_time IS NOT NULL") ?? 0
            let tags = try database.db.scalarInt("SELECT count(DISTINCT tag) FROM entries WHERE tag IS NOT NULL") ?? 0
            return DiskCacheSummary(
                directory: directory, schemaVersion: try database.db.scalarInt("PRAGMA user_version") ?? 0,
                entries: Int(totals.count), bytes: Int(totals.size), fileEntries: Int(files), fileBytes: Int(totals.fileSize),
                databaseBytes: Int(try database.databaseBytes()), entriesWithExpiry: Int(expiring), tags: Int(tags))
        }
    }
}

/// A disk cache's size and makeup.
public struct DiskCacheSummary: Sendable, Codable, Equatable {
    public var directory: String
    public var schemaVersion: Int64
    public var entries: Int
    /// Σ key + value bytes (what the size limit bounds).
    public var bytes: Int
    public var fileEntries: Int
    public var fileBytes: Int
    public var databaseBytes: Int
    public var entriesWithExpiry: Int
    public var tags: Int
}
