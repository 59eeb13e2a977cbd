import CacheCore

/// Compression of stored files.
public enum ArrayCompression: Sendable, Hashable, CustomStringConvertible {
    case none
    /// zlib (system libz) at `level` 1 (fastest) … 9 (smallest). Compressed arrays are
    /// read and inflated on a hit, never memory-mapped.
    case zlib(level: Int)

    /// The name recorded in the index.
    public var name: String {
        switch self {
        case .none: "none"
        case .zlib: "zlib"
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .zlib(let level): "zlib(\(level))"
        }
    }
}

/// How an ``ArrayCache`` stores and loads. Checked when the cache is made: invalid
/// settings throw `CacheConfigurationError` from ``ArrayCache/init(directory:options:)``.
public struct ArrayCacheOptions: Sendable {
    /// How hits are loaded: memory-mapped from 1 MiB up by default. A copied hit hashes
    /// the whole file against its stored checksum; a mapped hit refuses a file whose
    /// identity changed and hashes each file once per process (see ``ArrayCache``).
    /// Use `.copy` for a directory other processes may tamper with (a mapped file
    /// truncated from outside faults the process on access).
    public var loadMode: ArrayLoadMode
    /// Compression of newly written files (every file records its own, so a reader never guesses).
    public var compression: ArrayCompression
    /// Every write trims the cache (least recently accessed first) to this many bytes on
    /// disk; an item larger than the limit alone is refused with `.itemTooLarge`. Default
    /// ``defaultBytesLimit`` (1 GiB); `nil` = unbounded, which must be asked for by name
    /// (`ArrayCacheOptions(bytesLimit: nil)`).
    public var bytesLimit: Int?
    /// When set, every write trims the cache (least recently accessed first) to this many entries.
    public var itemsLimit: Int?
    /// `fsync` files before renaming them into place (survives power loss; slower).
    public var synchronousWrites: Bool
    /// Hits are counted in memory and written to the index in one transaction every this
    /// many hits (and on every write, ``ArrayCache/flushHitBookkeeping()`` and deinit),
    /// so a hit itself pays no write.
    public var hitFlushInterval: Int
    /// The time source for stored / accessed timestamps and `ageLimit` (wall clock by default).
    public var clock: any CacheClock

    /// The bytes bound a cache gets when none is given: 1 GiB.
    public static let defaultBytesLimit = 1 << 30

    public init(
        loadMode: ArrayLoadMode = .default, compression: ArrayCompression = .none, bytesLimit: Int? = ArrayCacheOptions.defaultBytesLimit, itemsLimit: Int? = nil,
        synchronousWrites: Bool = false, hitFlushInterval: Int = 256, clock: any CacheClock = WallCacheClock()
    ) {
        self.loadMode = loadMode
        self.compression = compression
        self.bytesLimit = bytesLimit
        self.itemsLimit = itemsLimit
        self.synchronousWrites = synchronousWrites
        self.hitFlushInterval = hitFlushInterval
        self.clock = clock
    }

    /// Throws for a bad level, a negative limit or a flush interval below 1.
    public func validate() throws(CacheConfigurationError) {
        if case .zlib(let level) = compression, !(1...9).contains(level) {
            throw CacheConfigurationError(setting: "compression", value: "zlib(\(level))", reason: "zlib level must be 1…9")
        }
        if let bytesLimit { try CacheConfiguration.checkSize(bytesLimit, setting: "bytesLimit") }
        if let itemsLimit { try CacheConfiguration.checkSize(itemsLimit, setting: "itemsLimit") }
        if hitFlushInterval < 1 {
            throw CacheConfigurationError(setting: "hitFlushInterval", value: "\(hitFlushInterval)", reason: "must be ≥ 1")
        }
        if case .automatic(let threshold) = loadMode, threshold < 0 {
            throw CacheConfigurationError(setting: "loadMode", value: "automatic(\(threshold))", reason: "threshold must be ≥ 0")
        }
    }
}
