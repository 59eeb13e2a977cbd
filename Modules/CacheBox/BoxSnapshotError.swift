/// Why a ``BoxCache`` snapshot could not be written or restored. Restoring never changes
/// the cache when it throws.
public struct BoxSnapshotError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No file at the path.
        case missing
        /// The file is not a CacheBox snapshot (wrong magic bytes).
        case foreign
        /// A snapshot of a format version this build does not read.
        case unsupportedVersion
        /// A snapshot of other key or value types.
        case typeMismatch
        /// Truncated, checksum mismatch, or entries that do not decode.
        case damaged
        /// The file system refused (see `detail`).
        case io
        /// A key or value could not be encoded.
        case encoding
    }

    public var kind: Kind
    /// The snapshot file.
    public var path: String
    public var detail: String

    public init(_ kind: Kind, path: String, detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "CacheBox snapshot \(path): \(kind): \(detail)" }
}
