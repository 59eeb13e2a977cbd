import CacheCore
import CacheSQLite
import Synchronization

/// An archive in one table of a SQLite database (klepto's `sql_archive`); several
/// archives, each with its own `name`, share one database file.
///
/// The database runs in WAL mode, so readers in any process see every committed write
/// and never block the writer; writers in several processes are serialized by SQLite's
/// own locks (each write is one transaction, waiting up to `busyTimeout`).
///
/// Table `klepto_<name>` holds `key BLOB PRIMARY KEY` (the key's storage bytes),
/// `format TEXT`, `value BLOB` and `checksum INTEGER` (XXH3-64 of the value), and table
/// `klepto_archives` records each archive's schema version. A table of another schema
/// or program under that name is refused with ``KleptoArchiveError`` (`.damaged`)
/// naming `path#table`; a row whose checksum does not match is reported the same way.
public final class SQLTableArchive: KleptoArchive {
    /// The schema version this type writes.
    public static let schemaVersion = 1
    /// The database file.
    public let path: String
    /// The archive's name (its table is `klepto_<name>`).
    public let name: String
    let table: String
    /// The statements of the hot paths, built once (the connection caches them prepared).
    let selectSQL: String, upsertSQL: String
    private let connection: Mutex<SQLiteConnection>

    /// Opens (creating if needed) archive `name` in the database at `path`.
    /// - Parameters:
    ///   - name: 1–64 characters of `A-Z a-z 0-9 _`.
    ///   - synchronous: `PRAGMA synchronous=FULL` (durable against power loss) instead of `NORMAL`.
    /// - Throws: ``KleptoArchiveError``: `.configuration` for a bad name, `.io` when the
    ///   database cannot be opened, `.damaged` for a table of another schema.
    public init(path: String, name: String = "archive", synchronous: Bool = false,
                busyTimeout: Duration = .seconds(10)) throws(KleptoArchiveError) {
        guard !name.isEmpty, name.utf8.count <= 64,
              name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 })
        else {
            throw KleptoArchiveError(.configuration, path: path, detail: "archive name '\(name)' must be 1-64 characters of A-Z a-z 0-9 _")
        }
        self.path = path
        self.name = name
        table = "klepto_" + name
        selectSQL = "SELECT format, value, checksum FROM \(table) WHERE key = ?"
        upsertSQL = "INSERT OR REPLACE INTO \(table) (key, format, value, checksum) VALUES (?, ?, ?, ?)"
        let location = path + "#" + table
        // 0600, with its -wal and -shm; a failure here is reported by the open below.
        _ = SQLiteConnection.createPrivateFile(atPath: path)
        let db: SQLiteConnection
        do {
            db = try SQLiteConnection(path: path, busyTimeout: busyTimeout)
            try db.execute("PRAGMA synchronous=\(synchronous ? "FULL" : "NORMAL")")
        } catch {
            throw KleptoArchiveError(KleptoArchiveError.kind(of: error), path: path, detail: "open database: \(error.message)", code: error.extendedCode)
        }
        do {
            // Several processes may open a new database at once: the WAL switch and the
            // schema's first creation wait for one another rather than fail.
            let table = table
            try SQLiteConnection.retryingBusy(timeout: busyTimeout) {
                try db.enableWAL()
                try Self.prepareSchema(db, table: table, name: name, location: location)
            }
        } catch let error as KleptoArchiveError {
            throw error
        } catch let error as SQLiteError {
            throw KleptoArchiveError(KleptoArchiveError.kind(of: error), path: location, detail: error.message, code: error.extendedCode)
        } catch {
            throw KleptoArchiveError(.io, path: location, detail: "\(error)")
        }
        connection = Mutex(db)
    }

    /// Creates the archive's table, or checks that the existing one is this schema's.
    static func prepareSchema(_ db: SQLiteConnection, table: String, name: String, location: String) throws {
        try db.transaction(.immediate) {
            try db.execute("CREATE TABLE IF NOT EXISTS klepto_archives (name TEXT PRIMARY KEY, schema INTEGER NOT NULL)")
            let statement = try db.prepare("PRAGMA table_info(\(table))")
            var columns: [String] = []
            while try statement.step() { columns.append(statement.text(1) ?? "") }
            let expected = ["key", "format", "value", "checksum"]
            if columns.isEmpty {
                try db.execute("""
                    CREATE TABLE \(table) (key BLOB PRIMARY KEY, format TEXT NOT NULL, value BLOB NOT NULL, \
                    checksum INTEGER NOT NULL) WITHOUT ROWID
                    """)
                try db.run("INSERT OR REPLACE INTO klepto_archives (name, schema) VALUES (?, ?)", .text(name), .integer(Int64(schemaVersion)))
                return
            }
            guard columns == expected else {
                throw KleptoArchiveError(.damaged, path: location,
                                         detail: "table has columns \(columns), expected \(expected): another program's table or an older schema")
            }
            let schema = try db.scalarInt("SELECT schema FROM klepto_archives WHERE name = ?", .text(name))
            guard schema == Int64(schemaVersion) else {
                throw KleptoArchiveError(.damaged, path: location,
                                         detail: "archive schema \(schema.map(String.init) ?? "unrecorded"), expected \(schemaVersion)")
            }
        }
    }

    public var location: String { "sql \(path)#\(table)" }

    /// Runs `body` on the connection, turning SQLite errors into ``KleptoArchiveError``.
    func withConnection<R: Sendable>(_ body: (SQLiteConnection) throws -> R) throws -> R {
        do {
            return try connection.withLock { db throws -> R in try body(db) }
        } catch let error as SQLiteError {
            throw KleptoArchiveError(KleptoArchiveError.kind(of: error), path: path + "#" + table, detail: error.message, code: error.extendedCode)
        }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> Int64 { Int64(bitPattern: XXH3.hash64(bytes)) }

    /// - Throws: `.damaged` naming `path#table` when the row's checksum does not match.
    public func record(forKey key: CacheKey) throws -> KleptoRecord? {
        let keyBytes = key.storageBytes
        enum Lookup: Sendable { case absent, found(KleptoRecord), altered }
        let lookup: Lookup = try withConnection { db in
            let statement = try db.cachedStatement(selectSQL)
            try statement.bind(blob: keyBytes, at: 1)
            defer { statement.reset() }
            guard try statement.step() else { return .absent }
            let format = statement.text(0) ?? ""
            let sum = statement.int64(2)
            return statement.withBlob(1) { bytes in
                Self.checksum(bytes) == sum ? .found(KleptoRecord(format: format, payload: Array(bytes))) : .altered
            }
        }
        switch lookup {
        case .absent: return nil
        case .found(let record): return record
        case .altered:
            throw KleptoArchiveError(.damaged, path: path + "#" + table, detail: "checksum mismatch for key \(key): the row was altered")
        }
    }

    public func setRecord(_ record: KleptoRecord, forKey key: CacheKey) throws {
        try setRecords([(key, record)])
    }

    /// Writes every record in one transaction (one record: one autocommitted statement,
    /// atomic on its own).
    public func setRecords(_ records: [(key: CacheKey, record: KleptoRecord)]) throws {
        try withConnection { db in
            func write(_ key: CacheKey, _ record: KleptoRecord) throws {
                let statement = try db.cachedStatement(upsertSQL)
                try statement.bind(blob: key.storageBytes, at: 1)
                try statement.bind(record.format, at: 2)
                try statement.bind(blob: record.payload, at: 3)
                try statement.bind(record.payload.withUnsafeBytes { Self.checksum($0) }, at: 4)
                try statement.stepToCompletion()
            }
            if records.count == 1 { return try write(records[0].key, records[0].record) }
            try db.transaction(.immediate) {
                for (key, record) in records { try write(key, record) }
            }
        }
    }

    @discardableResult
    public func removeRecord(forKey key: CacheKey) throws -> Bool {
        try withConnection { db in
            try db.run("DELETE FROM \(table) WHERE key = ?", .blob(key.storageBytes))
            return db.changes > 0
        }
    }

    public func removeAll() throws {
        try withConnection { db in try db.run("DELETE FROM \(table)") }
    }

    public func contains(_ key: CacheKey) throws -> Bool {
        try withConnection { db in
            try db.scalarInt("SELECT 1 FROM \(table) WHERE key = ?", .blob(key.storageBytes)) != nil
        }
    }

    /// Every key, from the primary-key index (no value is read).
    /// - Throws: `.damaged` for a key column holding bytes that are no key.
    public func keys() throws -> [CacheKey] {
        try withConnection { db in
            let statement = try db.cachedStatement("SELECT key FROM \(table)")
            defer { statement.reset() }
            var keys: [CacheKey] = []
            while try statement.step() {
                guard let key = CacheKey(storageBytes: statement.blob(0)) else {
                    throw KleptoArchiveError(.damaged, path: path + "#" + table, detail: "a key column holds bytes that are no key")
                }
                keys.append(key)
            }
            return keys
        }
    }

    public func count() throws -> Int {
        try withConnection { db in Int(try db.scalarInt("SELECT count(*) FROM \(table)") ?? 0) }
    }
}

extension KleptoArchiveError {
    /// The kind of a SQLite failure: a damaged file, a full disk, or another I/O failure.
    static func kind(of error: SQLiteError) -> Kind {
        error.isCorrupt ? .damaged : error.isFull ? .diskFull : .io
    }
}
