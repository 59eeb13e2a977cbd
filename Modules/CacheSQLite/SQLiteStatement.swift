import CCacheSQLite

/// A prepared statement with typed binds and column accessors. Parameters and
/// columns are numbered as in SQLite: parameters from 1, columns from 0.
///
/// Not `Sendable`; it belongs to its connection's thread of use. It keeps the database
/// alive (the connection closes with `sqlite3_close_v2`) until it is finalized.
public final class SQLiteStatement {
    /// The raw `sqlite3_stmt*`.
    public let handle: OpaquePointer
    /// The SQL it was prepared from.
    public let sql: String
    @usableFromInline let database: OpaquePointer
    @usableFromInline let path: String

    init(statement: OpaquePointer, database: OpaquePointer, path: String, sql: String) {
        self.handle = statement
        self.database = database
        self.path = path
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    @inlinable
    public func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    @inlinable
    public func bind(_ value: Int, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    @inlinable
    public func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text; SQLite copies it.
    public func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        var value = value
        let rc = value.withUTF8 { (utf8: UnsafeBufferPointer<UInt8>) -> Int32 in
            UnsafeRawBufferPointer(utf8).withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, ccachesqlite_transient()) }
                return sqlite3_bind_text64(handle, index, base, sqlite3_uint64(chars.count), ccachesqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
        try check(rc)
    }

    /// Binds a blob, copied by SQLite before this returns.
    public func bind(blob bytes: UnsafeRawBufferPointer, at index: Int32) throws(SQLiteError) {
        // A zero-length blob must still bind as a blob, not NULL: give SQLite a non-null pointer.
        let rc: Int32
        if let base = bytes.baseAddress {
            rc = sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), ccachesqlite_transient())
        } else {
            rc = sqlite3_bind_zeroblob(handle, index, 0)
        }
        try check(rc)
    }

    /// Binds a blob without copying. The caller guarantees `bytes` stay valid and
    /// unchanged until the statement is reset, rebound or finalized.
    @inlinable
    public func bind(unsafeNoCopyBlob bytes: UnsafeRawBufferPointer, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        if let base = bytes.baseAddress {
            rc = sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), ccachesqlite_static())
        } else {
            rc = sqlite3_bind_zeroblob(handle, index, 0)
        }
        try check(rc)
    }

    public func bind(blob bytes: [UInt8], at index: Int32) throws(SQLiteError) {
        let rc = bytes.withUnsafeBytes { raw in
            sqlite3_bind_blob64(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(raw.count), ccachesqlite_transient())
        }
        try check(rc)
    }

    @inlinable
    public func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(blob: v, at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, ….
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Clears every binding to NULL.
    @inlinable
    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // MARK: Stepping

    /// Advances to the next row: `true` when a row is available, `false` when done.
    @discardableResult
    @inlinable
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = makeError(rc)
        sqlite3_reset(handle)
        throw error
    }

    /// Steps until done, then resets.
    @inlinable
    public func stepToCompletion() throws(SQLiteError) {
        while try step() {}
        reset()
    }

    /// Rewinds the statement (bindings are kept).
    @inlinable
    public func reset() { sqlite3_reset(handle) }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    @inlinable
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column's storage class (`SQLITE_INTEGER`, `SQLITE_BLOB`, …).
    public func columnType(_ column: Int32) -> Int32 { sqlite3_column_type(handle, column) }

    @inlinable
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    @inlinable
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    @inlinable
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as text, or `nil` when NULL.
    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's bytes without copying: valid only inside `body` (until the next step,
    /// reset or column conversion). An empty or NULL blob is an empty buffer.
    /// - Complexity: O(1) plus `body`.
    @inlinable
    public func withBlob<R, E: Error>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: count == 0 ? nil : pointer, count: count))
    }

    /// The column's bytes without copying, valid until the next step, reset, column
    /// conversion or finalization of this statement: the caller must not use them after.
    /// An empty or NULL blob is an empty buffer. (``withBlob(_:_:)`` scopes this safely;
    /// this form lets generic callers avoid instantiating a closure's result type.)
    @inlinable
    public func unsafeBlob(_ column: Int32) -> UnsafeRawBufferPointer {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return UnsafeRawBufferPointer(start: count == 0 ? nil : pointer, count: count)
    }

    /// The column's bytes, copied.
    public func blob(_ column: Int32) -> [UInt8] {
        withBlob(column) { Array($0) }
    }

    /// The column's length in bytes.
    @inlinable
    public func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(handle, column)) }

    // MARK: Errors

    @inlinable
    func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw makeError(rc) }
    }

    @usableFromInline
    func makeError(_ rc: Int32) -> SQLiteError {
        let extended = sqlite3_extended_errcode(database)
        let code = (extended & 0xFF) == (rc & 0xFF) ? extended : rc
        return SQLiteError(path: path, sql: sql, extendedCode: code, message: String(cString: sqlite3_errmsg(database)),
                           systemErrno: sqlite3_system_errno(database))
    }
}
