import CCacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite database connection: a thin, typed wrapping of the C API (in the
/// spirit of GRDB's `Database`), with a per-connection cache of prepared statements.
///
/// A connection is **not** `Sendable`: use it from one thread at a time. Stores that
/// share one between threads keep it inside a `Mutex` and use it only under the lock.
/// It is opened in SQLite's multi-thread mode (`SQLITE_OPEN_NOMUTEX`) by default,
/// since that lock already serializes access.
public final class SQLiteConnection {
    /// How to open the database (`sqlite3_open_v2` flags).
    public struct OpenFlags: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        public static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        public static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        /// Multi-thread mode: the caller serializes access to this connection.
        public static let noMutex = OpenFlags(rawValue: SQLITE_OPEN_NOMUTEX)
        /// Serialized mode: SQLite locks around every call.
        public static let fullMutex = OpenFlags(rawValue: SQLITE_OPEN_FULLMUTEX)
        /// Refuse to open the database if its path is a symbolic link (SQLite ≥ 3.31).
        public static let noFollow = OpenFlags(rawValue: ccachesqlite_open_nofollow())
        /// Interpret the path as a `file:` URI.
        public static let uri = OpenFlags(rawValue: SQLITE_OPEN_URI)

        /// Read-write, created if missing, multi-thread mode.
        public static let `default`: OpenFlags = [.readWrite, .create, .noMutex]
    }

    /// The raw `sqlite3*` handle, for calls this wrapper does not cover.
    public let handle: OpaquePointer
    /// The path the connection was opened with.
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]
    /// BEGIN (by kind) and COMMIT, held directly: every transaction runs them.
    var beginStatements: [SQLiteStatement?] = [nil, nil, nil]
    var commitStatement: SQLiteStatement?
    /// The busy handler's state, owned by the connection (freed after the database closes).
    private let busyState: UnsafeMutablePointer<BusyState> = {
        let pointer = UnsafeMutablePointer<BusyState>.allocate(capacity: 1)
        pointer.initialize(to: BusyState())
        return pointer
    }()
    private var isClosed = false

    /// Opens (or creates) the database at `path`.
    /// - Parameter busyTimeout: how long a call waits for another connection's lock
    ///   before failing with `SQLITE_BUSY` (SQLite's busy handler sleeps and retries).
    public init(path: String, flags: OpenFlags = .default, busyTimeout: Duration? = .seconds(5)) throws(SQLiteError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags.rawValue, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let extended = db.map { sqlite3_extended_errcode($0) } ?? rc
            if let db { sqlite3_close_v2(db) }
            busyState.deinitialize(count: 1)
            busyState.deallocate()
            throw SQLiteError(path: path, sql: "open", extendedCode: extended, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        self.handle = db
        self.path = path
        if let busyTimeout { setBusyTimeout(busyTimeout) }
    }

    deinit {
        close()
        busyState.deinitialize(count: 1)
        busyState.deallocate()
    }

    /// Finalizes the cached statements and closes the connection. Statements still
    /// held elsewhere keep the database alive until they are released (`sqlite3_close_v2`).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()
        beginStatements = [nil, nil, nil]
        commitStatement = nil
        sqlite3_busy_handler(handle, nil, nil)
        sqlite3_close_v2(handle)
    }

    /// How long a call waits for another connection's lock before `SQLITE_BUSY`.
    ///
    /// Unlike `sqlite3_busy_timeout` (whose first retry sleeps 1 ms, then 2, 5, 10 … ms),
    /// the handler retries after 20 µs and doubles up to 1 ms: a competing transaction of a
    /// cache typically lasts tens of microseconds, so waiters get the lock as soon as it frees.
    public func setBusyTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        busyState.pointee.timeoutNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        sqlite3_busy_handler(handle, { context, attempt in
            guard let state = context?.assumingMemoryBound(to: BusyState.self) else { return 0 }
            let now = BusyState.monotonicNanoseconds()
            if attempt == 0 { state.pointee.startNanoseconds = now }
            if now - state.pointee.startNanoseconds >= state.pointee.timeoutNanoseconds { return 0 }
            let pause = min(20_000 << min(UInt64(attempt), 6), 1_000_000)
            var request = timespec(tv_sec: 0, tv_nsec: Int(pause))
            nanosleep(&request, nil)
            return 1
        }, UnsafeMutableRawPointer(busyState))
    }

    /// Runs one or more `;`-separated statements that return no rows of interest.
    /// - Complexity: prepares each statement anew; use ``cachedStatement(_:)`` for hot SQL.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw SQLiteError(path: path, sql: sql, extendedCode: sqlite3_extended_errcode(handle), message: message,
                              systemErrno: sqlite3_system_errno(handle))
        }
    }

    /// Prepares a new statement owned by the caller.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw error(rc, sql: sql)
        }
        return SQLiteStatement(statement: statement, database: handle, path: path, sql: sql)
    }

    /// A prepared statement from this connection's cache (prepared on first use),
    /// reset and with its bindings cleared, ready to bind and step.
    /// - Complexity: O(1) average after the first call for `sql`.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statementCache[sql] {
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Drops every cached statement (e.g. after a schema change).
    public func clearStatementCache() { statementCache.removeAll() }

    /// Runs a single statement with `bindings` (positional, 1-based) and steps it to completion.
    public func run(_ sql: String, _ bindings: SQLiteValue...) throws(SQLiteError) {
        let statement = try cachedStatement(sql)
        try statement.bind(bindings)
        while try statement.step() {}
        statement.reset()
    }

    /// The first column of the first row of `sql`, or `nil` without rows.
    public func scalarInt(_ sql: String, _ bindings: SQLiteValue...) throws(SQLiteError) -> Int64? {
        let statement = try cachedStatement(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The first column of the first row of `sql` as text, or `nil` without rows.
    public func scalarText(_ sql: String, _ bindings: SQLiteValue...) throws(SQLiteError) -> String? {
        let statement = try cachedStatement(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }
    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Sets an integer `sqlite3_db_config` option (e.g. `SQLITE_DBCONFIG_DEFENSIVE`) and returns its new value.
    @discardableResult
    public func setConfiguration(_ option: Int32, _ value: Int32) throws(SQLiteError) -> Int32 {
        var result: Int32 = 0
        let rc = ccachesqlite_db_config_int(handle, option, value, &result)
        if rc != SQLITE_OK { throw error(rc, sql: "sqlite3_db_config(\(option))") }
        return result
    }

    /// Keeps the `-wal` and `-shm` files when the last connection closes
    /// (`SQLITE_FCNTL_PERSIST_WAL`), so the next one to open need not create them again.
    /// With `PRAGMA journal_size_limit=0` the kept WAL is truncated to zero bytes on close.
    public func setPersistentWAL(_ persistent: Bool) throws(SQLiteError) {
        var flag: Int32 = persistent ? 1 : 0
        let rc = sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &flag)
        if rc != SQLITE_OK { throw error(rc, sql: "sqlite3_file_control(SQLITE_FCNTL_PERSIST_WAL)") }
    }

    /// A typed error for result code `rc` with this connection's current message.
    public func error(_ rc: Int32, sql: String) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        // The connection's error state may belong to an earlier call when rc is not an error code.
        let code = (extended & 0xFF) == (rc & 0xFF) ? extended : rc
        return SQLiteError(path: path, sql: sql, extendedCode: code, message: String(cString: sqlite3_errmsg(handle)),
                           systemErrno: sqlite3_system_errno(handle))
    }
}

/// What the busy handler needs between its calls for one wait.
struct BusyState {
    var timeoutNanoseconds: UInt64 = 0
    var startNanoseconds: UInt64 = 0

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
