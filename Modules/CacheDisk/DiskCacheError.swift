/// A disk cache could not do what was asked, and why: every error names the path involved.
///
/// Other errors a disk cache throws: ``CacheStoreError`` (`.full` under the `.none`
/// policy, `.itemTooLarge`) and ``CacheSerializationError`` (a value that cannot be encoded).
public struct DiskCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The cache path exists and is not a directory (or is a symbolic link).
        case notADirectory
        /// The directory or a file in it cannot be created or written (permissions).
        case notWritable
        /// The database file is not a SQLite database or is damaged. Open with
        /// `recovery: .rebuild` to move it aside and start empty.
        case corruptDatabase
        /// The database was written by a newer (or unknown) schema version.
        case unsupportedSchema
        /// The disk or a quota is full; nothing was changed.
        case diskFull
        /// Another process held the database lock past the busy timeout.
        case busy
        /// A SQLite call failed for another reason.
        case database
        /// A value file could not be written or read.
        case valueFile
        /// A cache method was called on the cache itself from inside `transact`
        /// (use the transaction's methods there), or an `incr` hit a non-integer value.
        case misuse
        /// The cache was closed.
        case closed
    }

    public var kind: Kind
    /// The directory, database or value file involved.
    public var path: String
    /// What was being done, e.g. `"set"`, `"open database"`.
    public var operation: String
    /// The underlying reason (SQLite message, errno text).
    public var detail: String
    /// The underlying numeric code (SQLite extended result code or errno), when there is one.
    public var code: Int32?

    public init(_ kind: Kind, path: String, operation: String, detail: String, code: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.detail = detail
        self.code = code
    }

    public var description: String {
        "disk cache \(kind.rawValue): \(operation) at \(path): \(detail)" + (code.map { " (code \($0))" } ?? "")
    }
}
