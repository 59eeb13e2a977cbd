import CacheCore

/// What the index records about one stored result.
public struct ArrayCacheEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// One `.npy` file (possibly zlib-compressed).
        case array
        /// A non-array value written by a `CacheSerializer`.
        case value
        /// A directory of `.npy` columns (an ``ArrayTable``).
        case table
    }

    /// The key's persisted bytes (`CacheKey.storageBytes`).
    public var key: [UInt8]
    /// `name` or `name@version`.
    public var namespace: String
    public var function: String
    public var version: String
    public var kind: Kind
    /// Relative to the cache directory.
    public var file: String
    /// Element type and shape (arrays), column names (tables).
    public var dtype: String?
    public var shape: String?
    public var columns: String?
    /// `none` or `zlib`.
    public var compression: String
    public var compressionLevel: Int
    /// Serializer id and format version (values).
    public var serializer: String?
    public var formatVersion: Int
    /// The digest algorithm of array arguments and file names.
    public var hashAlgorithm: String
    /// A readable summary of the arguments (truncated).
    public var arguments: String
    /// Uncompressed bytes, and bytes on disk.
    public var rawBytes: Int
    public var fileBytes: Int
    /// Wall-clock seconds.
    public var stored: Double
    public var accessed: Double
    public var hits: Int
    /// How long the result took to compute, when known.
    public var computeSeconds: Double?
    /// The stored file's `device:inode:size:mtime` when it was written (`;`-joined per
    /// column for a table); `nil` for an entry written before checksums existed.
    public var fileIdentity: String?
    /// XXH3-128 of the stored file's bytes (a table: of its column files in order);
    /// `nil` for an entry written before checksums existed, which is never served.
    public var checksum: Hash128?
}
