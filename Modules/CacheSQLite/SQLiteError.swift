import CCacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed SQLite call: which database, which SQL, and SQLite's own code and message.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file (or `":memory:"`).
    public var path: String
    /// The SQL being prepared or run, or the operation (e.g. `"open"`) when there is none.
    public var sql: String
    /// The extended result code (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_IOERR_WRITE`, …).
    public var extendedCode: Int32
    /// SQLite's message for the failure.
    public var message: String

    /// The operating system's `errno` behind an I/O failure (`sqlite3_system_errno`), or 0.
    public var systemErrno: Int32

    public init(path: String, sql: String, extendedCode: Int32, message: String, systemErrno: Int32 = 0) {
        self.path = path
        self.sql = sql
        self.extendedCode = extendedCode
        self.message = message
        self.systemErrno = systemErrno
    }

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CORRUPT`, …).
    public var code: Int32 { extendedCode & 0xFF }

    /// Another connection holds a lock the operation needed (after the busy timeout).
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// The file is not a database or is damaged.
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }
    /// The disk (or a quota) is full.
    public var isFull: Bool { code == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT }
    /// A constraint (UNIQUE, CHECK, NOT NULL …) refused the change.
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }

    /// SQLite's English name for the code, e.g. `"database is locked"`.
    public var codeDescription: String { String(cString: sqlite3_errstr(extendedCode)) }

    public var description: String {
        let shownSQL = sql.count > 200 ? String(sql.prefix(200)) + "…" : sql
        let os = systemErrno == 0 ? "" : " (errno \(systemErrno): \(String(cString: strerror(systemErrno))))"
        return "SQLite error \(extendedCode) (\(codeDescription)) at \(path): \(message)\(os) [\(shownSQL)]"
    }
}
