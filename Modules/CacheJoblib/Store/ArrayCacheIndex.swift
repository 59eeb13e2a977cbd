import CacheCore
import CacheSQLite

/// The SQLite index of an array cache directory (`index.sqlite`, WAL): one row per
/// stored result. Not thread-safe: ``ArrayCache`` uses it under its lock.
///
/// Schema 2 adds `file_identity` (device:inode:size:mtime of the stored file, `;`-joined
/// per column for a table) and `checksum` (XXH3-128 of the file's bytes, 16 bytes). A
/// schema-1 index is migrated when opened: its rows keep NULL in both and are never
/// trusted (a lookup drops and recomputes them). Processes of schema 1 refuse a schema-2
/// index instead of serving unchecked files.
final class ArrayCacheIndex {
    static let schemaVersion = 2
    static let fileName = "index.sqlite"

    let connection: SQLiteConnection
    let path: String

    init(directory: String) throws {
        path = directory + "/" + Self.fileName
        // 0600, with its -wal and -shm; a failure here is reported by the open below.
        _ = SQLiteConnection.createPrivateFile(atPath: path)
        connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA synchronous=NORMAL")
        // Several processes may open a new index at once: the WAL switch and the schema's
        // first creation wait for one another rather than fail.
        try SQLiteConnection.retryingBusy(timeout: .seconds(5)) {
            try connection.enableWAL()
            try connection.transaction(.immediate) {
                try connection.execute("""
                    CREATE TABLE IF NOT EXISTS cache_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS entries(
                        key BLOB PRIMARY KEY,
                        namespace TEXT NOT NULL,
                        function TEXT NOT NULL,
                        version TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        file TEXT NOT NULL,
                        dtype TEXT, shape TEXT, columns TEXT,
                        compression TEXT NOT NULL,
                        compression_level INTEGER NOT NULL,
                        serializer TEXT,
                        format_version INTEGER NOT NULL,
                        hash_algorithm TEXT NOT NULL,
                        arguments TEXT NOT NULL,
                        raw_bytes INTEGER NOT NULL,
                        file_bytes INTEGER NOT NULL,
                        stored REAL NOT NULL,
                        accessed REAL NOT NULL,
                        hits INTEGER NOT NULL DEFAULT 0,
                        compute_seconds REAL,
                        file_identity TEXT,
                        checksum BLOB);
                    CREATE INDEX IF NOT EXISTS entries_namespace ON entries(namespace);
                    CREATE INDEX IF NOT EXISTS entries_accessed ON entries(accessed);
                    INSERT OR IGNORE INTO cache_meta(name, value) VALUES ('format', 'swift-cache.joblib');
                    INSERT OR IGNORE INTO cache_meta(name, value) VALUES ('schema', '\(Self.schemaVersion)');
                    """)
            }
        }
        if try connection.scalarText("SELECT value FROM cache_meta WHERE name = 'schema'") == "1" {
            try connection.transaction(.immediate) {
                // Re-read inside the write lock: another process may have migrated meanwhile.
                guard try connection.scalarText("SELECT value FROM cache_meta WHERE name = 'schema'") == "1" else { return }
                for column in ["file_identity TEXT", "checksum BLOB"] {
                    let name = column.prefix { $0 != " " }
                    if try connection.scalarText("SELECT count(*) FROM pragma_table_info('entries') WHERE name = '\(name)'") == "0" {
                        try connection.execute("ALTER TABLE entries ADD COLUMN \(column)")
                    }
                }
                try connection.execute("""
                    UPDATE cache_meta SET value = '\(Self.schemaVersion)' WHERE name = 'schema';
                    """)
            }
        }
        let format = try connection.scalarText("SELECT value FROM cache_meta WHERE name = 'format'")
        let schema = try connection.scalarText("SELECT value FROM cache_meta WHERE name = 'schema'")
        guard format == "swift-cache.joblib", schema == "\(Self.schemaVersion)" else {
            throw CacheIOError(operation: "open array cache index", location: path,
                               reason: "not an array cache index of schema \(Self.schemaVersion) (format \(format ?? "nil"), schema \(schema ?? "nil"))")
        }
    }

    static let columns = """
        key, namespace, function, version, kind, file, dtype, shape, columns, compression, compression_level, \
        serializer, format_version, hash_algorithm, arguments, raw_bytes, file_bytes, stored, accessed, hits, compute_seconds, \
        file_identity, checksum
        """

    func readEntry(_ s: SQLiteStatement) -> ArrayCacheEntry? {
        guard let kind = ArrayCacheEntry.Kind(rawValue: s.text(4) ?? "") else { return nil }
        return ArrayCacheEntry(
            key: s.blob(0), namespace: s.text(1) ?? "", function: s.text(2) ?? "", version: s.text(3) ?? "",
            kind: kind, file: s.text(5) ?? "", dtype: s.text(6), shape: s.text(7), columns: s.text(8),
            compression: s.text(9) ?? "", compressionLevel: s.int(10), serializer: s.text(11), formatVersion: s.int(12),
            hashAlgorithm: s.text(13) ?? "", arguments: s.text(14) ?? "", rawBytes: s.int(15), fileBytes: s.int(16),
            stored: s.double(17), accessed: s.double(18), hits: s.int(19),
            computeSeconds: s.isNull(20) ? nil : s.double(20),
            fileIdentity: s.text(21), checksum: s.isNull(22) ? nil : Hash128(bytes: s.blob(22)))
    }

    /// The entry for `key`, or nil. A row of an unknown kind reads as absent.
    func entry(forKey key: [UInt8]) throws -> ArrayCacheEntry? {
        let s = try connection.cachedStatement("SELECT \(Self.columns) FROM entries WHERE key = ?")
        defer { s.reset() }
        try key.withUnsafeBytes { try s.bind(unsafeNoCopyBlob: $0, at: 1) }
        guard try s.step() else { return nil }
        return readEntry(s)
    }

    /// Inserts or replaces `entry`; returns the file of the entry it replaced, if any.
    func upsert(_ e: ArrayCacheEntry) throws -> String? {
        try connection.transaction(.immediate) {
            let old = try fileOf(key: e.key)
            let s = try connection.cachedStatement("INSERT OR REPLACE INTO entries(\(Self.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
            try s.bind(blob: e.key, at: 1)
            try s.bind(e.namespace, at: 2)
            try s.bind(e.function, at: 3)
            try s.bind(e.version, at: 4)
            try s.bind(e.kind.rawValue, at: 5)
            try s.bind(e.file, at: 6)
            try bindOptional(s, e.dtype, 7)
            try bindOptional(s, e.shape, 8)
            try bindOptional(s, e.columns, 9)
            try s.bind(e.compression, at: 10)
            try s.bind(e.compressionLevel, at: 11)
            try bindOptional(s, e.serializer, 12)
            try s.bind(e.formatVersion, at: 13)
            try s.bind(e.hashAlgorithm, at: 14)
            try s.bind(e.arguments, at: 15)
            try s.bind(e.rawBytes, at: 16)
            try s.bind(e.fileBytes, at: 17)
            try s.bind(e.stored, at: 18)
            try s.bind(e.accessed, at: 19)
            try s.bind(e.hits, at: 20)
            if let c = e.computeSeconds { try s.bind(c, at: 21) } else { try s.bindNull(at: 21) }
            try bindOptional(s, e.fileIdentity, 22)
            if let c = e.checksum { try s.bind(blob: c.bytes, at: 23) } else { try s.bindNull(at: 23) }
            try s.stepToCompletion()
            return old == e.file ? nil : old
        }
    }

    private func bindOptional(_ s: SQLiteStatement, _ text: String?, _ index: Int32) throws {
        if let text { try s.bind(text, at: index) } else { try s.bindNull(at: index) }
    }

    func fileOf(key: [UInt8]) throws -> String? {
        let s = try connection.cachedStatement("SELECT file FROM entries WHERE key = ?")
        defer { s.reset() }
        try s.bind(blob: key, at: 1)
        return try s.step() ? s.text(0) : nil
    }

    /// Deletes the row for `key` — only while it still names `file`, when given (so a
    /// reader that found a bad file never deletes a newer, good one). Returns the removed file.
    func remove(key: [UInt8], ifFile file: String? = nil) throws -> String? {
        try connection.transaction(.immediate) {
            guard let current = try fileOf(key: key), file == nil || current == file else { return nil }
            let s = try connection.cachedStatement("DELETE FROM entries WHERE key = ?")
            try s.bind(blob: key, at: 1)
            try s.stepToCompletion()
            return current
        }
    }

    /// Deletes every row matching `whereClause` (with `bindings`); returns their files.
    func removeAll(where whereClause: String, _ bindings: [SQLiteValue]) throws -> [(file: String, key: [UInt8])] {
        try connection.transaction(.immediate) {
            let select = try connection.prepare("SELECT file, key FROM entries WHERE \(whereClause)")
            try select.bind(bindings)
            var removed: [(String, [UInt8])] = []
            while try select.step() { removed.append((select.text(0) ?? "", select.blob(1))) }
            let delete = try connection.prepare("DELETE FROM entries WHERE \(whereClause)")
            try delete.bind(bindings)
            try delete.stepToCompletion()
            return removed
        }
    }

    /// Adds batched hit counts and access times.
    func recordHits(_ pending: [[UInt8]: (hits: Int, accessed: Double)]) throws {
        guard !pending.isEmpty else { return }
        try connection.transaction(.immediate) {
            for (key, record) in pending {
                let s = try connection.cachedStatement("UPDATE entries SET hits = hits + ?, accessed = max(accessed, ?) WHERE key = ?")
                try s.bind(record.hits, at: 1)
                try s.bind(record.accessed, at: 2)
                try s.bind(blob: key, at: 3)
                try s.stepToCompletion()
            }
        }
    }

    /// Entry count and bytes on disk.
    func totals() throws -> (count: Int, bytes: Int) {
        let s = try connection.cachedStatement("SELECT count(*), total(file_bytes) FROM entries")
        defer { s.reset() }
        guard try s.step() else { return (0, 0) }
        return (s.int(0), Int(s.double(1)))
    }

    /// Entries whose kept namespace is `namespace` or below it (`namespace/…`).
    func count(inNamespace namespace: String) throws -> Int {
        let s = try connection.cachedStatement("SELECT count(*) FROM entries WHERE namespace = ? OR substr(namespace, 1, ?) = ?")
        defer { s.reset() }
        try s.bind(namespace, at: 1)
        try s.bind(Int64(namespace.utf8.count + 1), at: 2)
        try s.bind(namespace + "/", at: 3)
        guard try s.step() else { return 0 }
        return s.int(0)
    }

    /// Every entry, least recently accessed first.
    func allEntries() throws -> [ArrayCacheEntry] {
        let s = try connection.cachedStatement("SELECT \(Self.columns) FROM entries ORDER BY accessed, stored")
        defer { s.reset() }
        var out: [ArrayCacheEntry] = []
        while try s.step() { if let e = readEntry(s) { out.append(e) } }
        return out
    }

    /// `(key, file, file_bytes, accessed)` of every entry, least recently accessed first.
    func evictionOrder() throws -> [(key: [UInt8], file: String, bytes: Int, accessed: Double)] {
        let s = try connection.cachedStatement("SELECT key, file, file_bytes, accessed FROM entries ORDER BY accessed, stored")
        defer { s.reset() }
        var out: [([UInt8], String, Int, Double)] = []
        while try s.step() { out.append((s.blob(0), s.text(1) ?? "", s.int(2), s.double(3))) }
        return out
    }

    /// Every file the index names.
    func allFiles() throws -> Set<String> {
        let s = try connection.cachedStatement("SELECT file FROM entries")
        defer { s.reset() }
        var out = Set<String>()
        while try s.step() { if let f = s.text(0) { out.insert(f) } }
        return out
    }
}
