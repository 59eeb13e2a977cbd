import CacheCore
import CacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an archive holds, without reading its values (`cachectl stats`).
public struct KleptoArchiveSummary: Sendable, Codable, Equatable {
    /// ``KleptoArchive/location`` (`"directory /tmp/a"`, `"sql /tmp/k.db#klepto_default"`).
    public var archive: String
    /// `directory`, `sql`, `file` or `memory`.
    public var kind: String
    public var entries: Int
    /// Bytes the entries take: entry files (directory), value column (sql), the file (file).
    public var bytes: Int
}

/// The outcome of ``KleptoArchive/check(repair:)`` (`cachectl check`).
public struct KleptoArchiveReport: Sendable, Codable, Equatable {
    public var archive: String
    /// Entries read and verified.
    public var entries: Int
    /// Their payload bytes.
    public var payloadBytes: Int
    /// Entries per serializer format (`"binary-codable/1"`: 12).
    public var formats: [String: Int]
    /// Entries (or the whole file) that do not verify, each with its file or table and why.
    public var damaged: [String]
    /// Directory archives: entry files missing from the index, index keys without a file.
    public var indexProblems: [String]
    /// Directory archives: temporary files of writers that died before renaming them
    /// (older than ``KleptoArchiveReport/temporaryFileAge`` seconds; younger ones may be in flight).
    public var temporaryFiles: [String]
    /// Whether `repair` was asked for and carried out.
    public var repaired: Bool
    /// Nothing damaged, no index problem, no stale temporary file (before any repair).
    public var healthy: Bool

    /// Seconds after which a temporary entry file counts as left behind.
    public static let temporaryFileAge: Double = 600

    /// An empty report for `archive`, before anything is checked.
    init(archive: String) {
        self.archive = archive
        entries = 0
        payloadBytes = 0
        formats = [:]
        damaged = []
        indexProblems = []
        temporaryFiles = []
        repaired = false
        healthy = true
    }

    /// The report once every check has run: `healthy` judged from what was found.
    func finished(repair: Bool) -> Self {
        var out = self
        out.healthy = damaged.isEmpty && indexProblems.isEmpty && temporaryFiles.isEmpty
        out.repaired = repair
        return out
    }
}

extension KleptoArchive {
    /// Counts the entries and their payload bytes by reading each record (archives that can
    /// count from an index or file sizes do so instead).
    /// - Throws: ``KleptoArchiveError`` when the archive cannot be read.
    public func summary() throws -> KleptoArchiveSummary {
        let bytes = try keys().reduce(0) { $0 + ((try record(forKey: $1))?.payload.count ?? 0) }
        return KleptoArchiveSummary(archive: location, kind: "memory", entries: try count(), bytes: bytes)
    }

    /// Reads and verifies every entry (checksums, headers, the key each file holds); with
    /// `repair`, damaged entries are removed. Archives with more to check (a directory
    /// archive's index, a single file as a whole, a table's rows) add it.
    /// - Complexity: O(total bytes).
    /// - Throws: ``KleptoArchiveError`` `.io` when the archive cannot be read at all.
    public func check(repair: Bool) throws -> KleptoArchiveReport {
        var report = KleptoArchiveReport(archive: location)
        _ = try checkEntries(into: &report, repair: repair)
        return report.finished(repair: repair)
    }

    /// ``check(repair:)`` without repairing.
    public func check() throws -> KleptoArchiveReport { try check(repair: false) }

    /// Verifies every indexed entry into `report` (removing damaged ones when `repair`);
    /// returns false when the key list itself is unreadable (recorded as damage).
    func checkEntries(into report: inout KleptoArchiveReport, repair: Bool) throws -> Bool {
        let keys: [CacheKey]
        do {
            keys = try self.keys()
        } catch let error as KleptoArchiveError where error.kind == .damaged {
            report.damaged.append("\(error.path): \(error.detail)")
            return false
        }
        for key in keys {
            do {
                if let record = try record(forKey: key) {
                    report.entries += 1
                    report.payloadBytes += record.payload.count
                    report.formats[record.format, default: 0] += 1
                } else {
                    report.indexProblems.append("indexed key \(KleptoKeymap.describe(key)) has no entry")
                }
            } catch let error as KleptoArchiveError where error.kind == .damaged {
                report.damaged.append("\(error.path): \(error.detail)")
                if repair { try removeRecord(forKey: key) }
            }
        }
        return true
    }
}

extension DirectoryArchive {
    /// From the entry files' sizes; no entry is read.
    public func summary() throws -> KleptoArchiveSummary {
        let bytes = try entryFileNames().reduce(0) { $0 + KleptoFileIO.fileSize(entriesPath + "/" + $1) }
        return KleptoArchiveSummary(archive: location, kind: "directory", entries: try count(), bytes: bytes)
    }

    /// Every entry, then the index against the entry files and writers' temporary files
    /// left behind; `repair` also rebuilds the index and deletes stale temporary files.
    public func check(repair: Bool) throws -> KleptoArchiveReport {
        var report = KleptoArchiveReport(archive: location)
        _ = try checkEntries(into: &report, repair: repair)
        try checkFiles(into: &report, repair: repair)
        return report.finished(repair: repair)
    }

    /// Entry files the index does not list, and temporary files left behind.
    func checkFiles(into report: inout KleptoArchiveReport, repair: Bool) throws {
        let indexed = Set(try keys().map { $0.digest.hex + ".entry" })
        for name in try entryFileNames() where !indexed.contains(name) {
            report.indexProblems.append("entry file \(entriesPath)/\(name) is not in the index")
        }
        let now = Double(time(nil))
        for name in try KleptoFileIO.directoryNames(entriesPath) where name.contains(".entry.tmp-") {
            let file = entriesPath + "/" + name
            guard let modified = KleptoFileIO.modificationTime(file), now - modified > KleptoArchiveReport.temporaryFileAge else { continue }
            report.temporaryFiles.append(file)
            if repair { try KleptoFileIO.removeFile(file) }
        }
        if repair && !report.indexProblems.isEmpty { try rebuildIndex() }
    }
}

extension SQLTableArchive {
    /// From the table (`count(*)`, `sum(length(value))`); no value is read out.
    public func summary() throws -> KleptoArchiveSummary {
        let (rows, bytes) = try withConnection { db in
            let statement = try db.prepare("SELECT count(*), coalesce(sum(length(value)), 0) FROM \(table)")
            _ = try statement.step()
            return (statement.int(0), statement.int(1))
        }
        return KleptoArchiveSummary(archive: location, kind: "sql", entries: rows, bytes: bytes)
    }

    /// Every row (key bytes, checksum) and SQLite's own quick check; `repair` deletes the
    /// rows that do not verify.
    public func check(repair: Bool) throws -> KleptoArchiveReport {
        var report = KleptoArchiveReport(archive: location)
        try checkRows(into: &report, repair: repair)
        return report.finished(repair: repair)
    }

    /// Every row verified (key bytes, checksum) and SQLite's own quick check.
    func checkRows(into report: inout KleptoArchiveReport, repair: Bool) throws {
        struct Scan: Sendable {
            var entries = 0, bytes = 0
            var formats: [String: Int] = [:]
            var damaged: [String] = []
            var damagedKeys: [[UInt8]] = []
        }
        let location = path + "#" + table
        let scan: Scan = try withConnection { db in
            var scan = Scan()
            let quick = try db.prepare("PRAGMA quick_check")
            while try quick.step() {
                let line = quick.text(0) ?? ""
                if line != "ok" { scan.damaged.append("\(path): quick_check: \(line)") }
            }
            let rows = try db.prepare("SELECT key, format, value, checksum FROM \(table)")
            while try rows.step() {
                let keyBytes = rows.blob(0)
                let format = rows.text(1) ?? ""
                let intact = rows.withBlob(2) { Self.checksum($0) == rows.int64(3) }
                guard let key = CacheKey(storageBytes: keyBytes) else {
                    scan.damaged.append("\(location): a row's key column holds bytes that are no key")
                    scan.damagedKeys.append(keyBytes)
                    continue
                }
                guard intact else {
                    scan.damaged.append("\(location): checksum mismatch for key \(KleptoKeymap.describe(key)): the row was altered")
                    scan.damagedKeys.append(keyBytes)
                    continue
                }
                scan.entries += 1
                scan.bytes += rows.byteCount(2)
                scan.formats[format, default: 0] += 1
            }
            if repair && !scan.damagedKeys.isEmpty {
                try db.transaction(.immediate) {
                    for key in scan.damagedKeys { try db.run("DELETE FROM \(table) WHERE key = ?", .blob(key)) }
                }
            }
            return scan
        }
        report.entries = scan.entries
        report.payloadBytes = scan.bytes
        report.formats = scan.formats
        report.damaged = scan.damaged
    }
}

extension SingleFileArchive {
    /// From the file's size.
    public func summary() throws -> KleptoArchiveSummary {
        KleptoArchiveSummary(archive: location, kind: "file", entries: try count(), bytes: KleptoFileIO.fileSize(path))
    }

    /// Every entry; a file that does not verify as a whole is damage, which `repair`
    /// moves aside to `<path>.damaged` (nothing is deleted), leaving the archive empty.
    public func check(repair: Bool) throws -> KleptoArchiveReport {
        var report = KleptoArchiveReport(archive: location)
        if try !checkEntries(into: &report, repair: repair) && repair { try moveAside() }
        return report.finished(repair: repair)
    }

    /// Moves a file that does not verify to `<path>.damaged` (replacing an older one);
    /// the archive is then empty.
    func moveAside() throws {
        if rename(path, path + ".damaged") != 0 && errno != ENOENT { throw KleptoFileIO.ioError("move aside", path) }
        _ = try count()
    }
}

/// Finds the archives a path holds, for tools (`cachectl stats|check|clear`).
public enum KleptoArchives {
    /// The archives at `path`:
    /// - a directory archive (`entries/` with `index.log` or `.lock`): that archive;
    /// - a SQLite database with archive tables: each of its archives;
    /// - a single-file archive: that archive;
    /// - another directory (the CacheKlepto engine's root): every archive directly in it —
    ///   subdirectories that are directory archives, and files named `*.db`, `*.sqlite`,
    ///   `*.sqlite3` or `*.klepto` that are archive databases or single-file archives
    ///   (no other file is opened; a moved-aside `*.damaged` file is not an archive).
    ///
    /// Nothing is created where there is no archive; an empty result means none.
    /// - Throws: ``KleptoArchiveError`` when an archive is found but cannot be opened.
    public static func find(at path: String) throws -> [any KleptoArchive] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        if (info.st_mode & S_IFMT) == S_IFREG { return try openFile(path, scanning: false) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
        if isDirectoryArchive(path) { return [try DirectoryArchive(path: path)] }
        var archives: [any KleptoArchive] = []
        for name in try KleptoFileIO.directoryNames(path).sorted() where !name.hasPrefix(".") {
            let child = path + "/" + name
            var childInfo = stat()
            guard lstat(child, &childInfo) == 0 else { continue }
            if (childInfo.st_mode & S_IFMT) == S_IFDIR {
                if isDirectoryArchive(child) { archives.append(try DirectoryArchive(path: child)) }
            } else if (childInfo.st_mode & S_IFMT) == S_IFREG,
                      [".db", ".sqlite", ".sqlite3", ".klepto"].contains(where: { name.hasSuffix($0) }) {
                archives += try openFile(child, scanning: true)
            }
        }
        return archives
    }

    static func isDirectoryArchive(_ path: String) -> Bool {
        var info = stat()
        guard stat(path + "/entries", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return false }
        return access(path + "/index.log", F_OK) == 0 || access(path + "/.lock", F_OK) == 0
    }

    static let sqliteMagic = Array("SQLite format 3\0".utf8)

    /// The archives in a file: a database's archive tables, or a single-file archive. A
    /// database that cannot be read while `scanning` a directory is another program's
    /// business (a disk cache's, say) and is passed over; named directly, it is an error.
    static func openFile(_ path: String, scanning: Bool) throws -> [any KleptoArchive] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        let head = (try? KleptoFileIO.readAll(fd, from: 0, limit: 16, path: path)) ?? []
        close(fd)
        if head.starts(with: SingleFileFormat.magic) { return [SingleFileArchive(unloadedAt: path)] }
        guard head == sqliteMagic else { return [] }
        let names: [String]
        do {
            let db = try SQLiteConnection(path: path, flags: [.readOnly, .noMutex])
            defer { db.close() }
            guard try db.scalarInt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'klepto_archives'") != nil else { return [] }
            let statement = try db.prepare("SELECT name FROM klepto_archives ORDER BY name")
            var found: [String] = []
            while try statement.step() { found.append(statement.text(0) ?? "") }
            names = found
        } catch {
            if scanning { return [] }
            throw KleptoArchiveError(KleptoArchiveError.kind(of: error), path: path, detail: "read the archive list: \(error.message)", code: error.extendedCode)
        }
        return try names.map { try SQLTableArchive(path: path, name: $0) }
    }
}
