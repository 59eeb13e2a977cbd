import CacheCore
import Logging

/// Which entries a size-limited disk cache removes when a write would exceed the limit.
public enum DiskEvictionPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Oldest stored first (diskcache's default). Reads are pure reads.
    case leastRecentlyStored = "least-recently-stored"
    /// Least recently read or written first. Every hit records its time (a small write).
    case leastRecentlyUsed = "least-recently-used"
    /// Fewest hits first (ties: oldest stored). Every hit counts (a small write).
    case leastFrequentlyUsed = "least-frequently-used"
    /// Never evict: a write that would exceed the limit fails with ``CacheStoreError`` `.full`.
    case none
}

/// How hard SQLite works to make commits durable (`PRAGMA synchronous`).
public enum DiskSynchronousMode: String, Sendable, Hashable, Codable {
    /// Commits survive a process crash; the last ones may be lost on power loss (WAL). The default.
    case normal = "NORMAL"
    /// Commits survive power loss: SQLite syncs the WAL on every commit, and value files are fsynced.
    case full = "FULL"
    /// No syncs at all: fastest, and a power loss may lose recent commits (never corrupts under WAL).
    case off = "OFF"
}

/// What to do when the database file is damaged or not a database.
public enum DiskRecoveryMode: Sendable, Hashable {
    /// Throw ``DiskCacheError`` `.corruptDatabase` naming the file.
    case fail
    /// Move the damaged file (and its `-wal`/`-shm`) aside to `cache.db.damaged-<time>` and start empty.
    case rebuild
}

/// Settings of a ``DiskCache``. Invalid values fail at construction.
public struct DiskCacheOptions: Sendable {
    /// Total bytes of keys and values the cache may hold, enforced on every write (the
    /// ``evictionPolicy`` chooses what goes). Default ``defaultSizeLimit`` (1 GiB, like
    /// diskcache's); `nil` = unbounded, which must be asked for: `DiskCacheOptions(sizeLimit: nil)`.
    public var sizeLimit: Int?
    public var evictionPolicy: DiskEvictionPolicy
    /// Values of at least this many bytes go to their own file; smaller ones live in SQLite.
    public var inlineThreshold: Int
    /// Time to live of entries written without an explicit one; `nil` = forever.
    public var defaultTTL: Duration?
    public var synchronous: DiskSynchronousMode
    /// How long a write waits for another process's lock before failing with `.busy`.
    public var busyTimeout: Duration
    /// Wall-clock time source for expiry (shared between processes); inject one in tests.
    public var clock: any CacheClock
    /// What to do with a damaged database.
    public var recovery: DiskRecoveryMode
    /// Expired entries removed (at most) on each culling pass; a pass runs every `cullInterval` writes.
    public var cullLimit: Int
    public var cullInterval: Int
    /// Entries the in-process hot-read front holds at most (0 turns it off). The front keeps
    /// inline values of at most 16 KiB, verified, as of the last write by any process (it
    /// is checked against `cache.db-gen` on every read); it is emptied when full. Not used
    /// by `.leastRecentlyUsed` / `.leastFrequentlyUsed`, whose reads record accesses.
    public var frontLimit: Int
    /// Bytes (keys + values) the front holds at most (0 turns it off).
    public var frontByteLimit: Int
    public var logger: Logger

    /// The size bound a cache gets when none is given: 1 GiB (diskcache's default).
    public static let defaultSizeLimit = 1 << 30

    public init(
        sizeLimit: Int? = DiskCacheOptions.defaultSizeLimit,
        evictionPolicy: DiskEvictionPolicy = .leastRecentlyStored,
        inlineThreshold: Int = 32 * 1024,
        defaultTTL: Duration? = nil,
        synchronous: DiskSynchronousMode = .normal,
        busyTimeout: Duration = .seconds(10),
        clock: any CacheClock = WallCacheClock(),
        recovery: DiskRecoveryMode = .fail,
        cullLimit: Int = 10,
        cullInterval: Int = 16,
        frontLimit: Int = 16_384,
        frontByteLimit: Int = 4 << 20,
        logger: Logger = Logger(label: "swift-cache.disk")
    ) {
        self.sizeLimit = sizeLimit
        self.evictionPolicy = evictionPolicy
        self.inlineThreshold = inlineThreshold
        self.defaultTTL = defaultTTL
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.clock = clock
        self.recovery = recovery
        self.cullLimit = cullLimit
        self.cullInterval = cullInterval
        self.frontLimit = frontLimit
        self.frontByteLimit = frontByteLimit
        self.logger = logger
    }

    /// Throws ``CacheConfigurationError`` naming the first bad setting.
    public func validate() throws(CacheConfigurationError) {
        if let sizeLimit { try CacheConfiguration.checkSize(sizeLimit, setting: "sizeLimit") }
        if inlineThreshold < 0 {
            throw CacheConfigurationError(setting: "inlineThreshold", value: "\(inlineThreshold)", reason: "must be ≥ 0")
        }
        if let defaultTTL { try CacheConfiguration.checkTTL(defaultTTL, setting: "defaultTTL") }
        if busyTimeout < .zero {
            throw CacheConfigurationError(setting: "busyTimeout", value: "\(busyTimeout)", reason: "must be ≥ 0")
        }
        if cullLimit < 0 { throw CacheConfigurationError(setting: "cullLimit", value: "\(cullLimit)", reason: "must be ≥ 0") }
        if frontLimit < 0 { throw CacheConfigurationError(setting: "frontLimit", value: "\(frontLimit)", reason: "must be ≥ 0") }
        if frontByteLimit < 0 {
            throw CacheConfigurationError(setting: "frontByteLimit", value: "\(frontByteLimit)", reason: "must be ≥ 0")
        }
        if cullInterval < 1 { throw CacheConfigurationError(setting: "cullInterval", value: "\(cullInterval)", reason: "must be ≥ 1") }
    }
}
