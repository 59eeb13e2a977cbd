/// A failure of an archive, naming the file, directory or table it concerns.
///
/// A damaged entry or file is never read as data: reads through a ``KleptoCache`` treat
/// it as a miss (and remove the entry); explicit loads (``KleptoCache/load()``,
/// ``KleptoArchive/keys()``) throw it.
public struct KleptoArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The content is truncated, altered, of another format or another program's.
        case damaged
        /// The operating system or SQLite refused an operation.
        case io
        /// The file system (or its quota) is full: nothing was written; earlier entries are intact.
        case diskFull
        /// The archive was configured with a value it cannot work with.
        case configuration
    }

    public var kind: Kind
    /// The file, directory or `database#table` concerned.
    public var path: String
    /// What was wrong.
    public var detail: String
    /// `errno` or the SQLite result code, when there is one.
    public var code: Int32?

    public init(_ kind: Kind, path: String, detail: String, code: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.detail = detail
        self.code = code
    }

    public var description: String {
        "klepto archive \(kind.rawValue) at \(path): \(detail)" + (code.map { " (code \($0))" } ?? "")
    }
}
