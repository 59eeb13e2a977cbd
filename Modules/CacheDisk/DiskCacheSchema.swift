import CacheCore
import CacheSQLite

/// The database schema of a disk cache, its version and its migrations.
///
/// A cache directory holds `cache.db` (SQLite, WAL journal; `cache.db-wal` and
/// `cache.db-shm` stay after the last connection closes, the WAL checkpointed and
/// truncated to zero bytes, so the next open need not create them) and `values/` (one file
/// per large value, named by 128 random bits, written to `<name>.tmp` and renamed,
/// never modified in place), and `cache.db-gen` (version 4: the write counters in-process
/// fronts check, see ``GenerationFile`` and the README). `PRAGMA application_id` is `0x53574343` ("SWCC") and
/// `PRAGMA user_version` is the schema version (``currentVersion``).
///
/// ```sql
/// -- version 1
/// CREATE TABLE cache_meta (            -- exactly one row, id = 0
///   id INTEGER PRIMARY KEY CHECK (id = 0),
///   count INTEGER NOT NULL,             -- entries held            } kept only while
///   size INTEGER NOT NULL,              -- Σ entries.size (key + value bytes): what sizeLimit bounds  } totals_kept = 1
///   file_size INTEGER NOT NULL,         -- Σ value_size of the entries stored in files                 } (version 3)
///   hash_algorithm TEXT NOT NULL,       -- 'xxh3-128': the checksum algorithm of entries.checksum
///   created REAL NOT NULL);             -- wall-clock seconds since 1970
/// CREATE TABLE entries (
///   rowid INTEGER PRIMARY KEY,          -- store order: every write inserts a new row with a larger rowid
///   key BLOB NOT NULL UNIQUE,           -- the full key: a kind tag byte + payload (DiskCacheKey.storageBytes)
///   store_time REAL NOT NULL,           -- wall-clock seconds of the write
///   expire_time REAL,                   -- wall-clock expiry; NULL = never
///   access_time REAL NOT NULL,          -- last hit (kept by the LRU policy)
///   access_count INTEGER NOT NULL,      -- hits (kept by the LFU policy)
///   tag TEXT,                           -- optional tag for evict(tag:)
///   size INTEGER NOT NULL,              -- key bytes + value bytes
///   value_size INTEGER NOT NULL,        -- value bytes (inline or in the file)
///   checksum BLOB NOT NULL,             -- XXH3-128 of the value bytes: 16 bytes, high half first, big-endian
///   serializer TEXT NOT NULL,           -- the CacheSerializer id, e.g. 'raw-bytes', 'binary-codable'
///   format_version INTEGER NOT NULL,    -- that serializer's format version
///   compute_time REAL,                  -- seconds a memoized function took (early recomputation)
///   file TEXT,                          -- value file name under values/, or NULL
///   value BLOB);                        -- the value bytes when stored inline, else NULL
/// CREATE INDEX entries_expire ON entries(expire_time) WHERE expire_time IS NOT NULL;
/// CREATE INDEX entries_tag ON entries(tag) WHERE tag IS NOT NULL;
/// -- version 2 (migration 1 → 2)
/// CREATE TABLE leases (                 -- cross-process single flight of memoized calls
///   key BLOB PRIMARY KEY,               -- the entry key being computed
///   owner TEXT NOT NULL,                -- the computing cache instance (random id)
///   expires REAL NOT NULL) WITHOUT ROWID;  -- wall-clock time after which others may take over
/// -- version 3 (migration 2 → 3)
/// ALTER TABLE cache_meta ADD COLUMN totals_kept INTEGER NOT NULL DEFAULT 0;
///   -- 1: count, size and file_size are kept up to date by every write (in the same
///   -- transaction). Turned on (after recomputing them) when a process opens the cache
///   -- with a size limit, and never turned off. 0: the three columns are stale and
///   -- unused; totals are computed from `entries` when asked for, so a write touches no
///   -- extra page.
/// -- version 4 (migration 3 → 4)
/// ALTER TABLE cache_meta ADD COLUMN generation_file INTEGER NOT NULL DEFAULT 1;
///   -- 1: every writer keeps `cache.db-gen` (two 64-bit counters, `begun` and `ended`,
///   -- mapped shared by every process): it takes a ticket (begun + 1) under the write lock
///   -- before changing anything and ends it (ended = max(ended, ticket)) after COMMIT or
///   -- ROLLBACK. In-process read fronts are valid only while begun == ended == their stamp.
///   -- The version bump makes older builds, which would write without the counters and so
///   -- leave other processes' fronts stale, refuse the database.
/// -- created on demand by the policy in use:
/// CREATE INDEX entries_access_time ON entries(access_time);          -- leastRecentlyUsed
/// CREATE INDEX entries_access_count ON entries(access_count, rowid); -- leastFrequentlyUsed
/// ```
///
/// Opening a database of an older version migrates it in one IMMEDIATE transaction;
/// a newer or foreign one is refused with ``DiskCacheError`` `.unsupportedSchema`.
public enum DiskCacheSchema {
    /// The version this build writes.
    public static let currentVersion: Int64 = 4
    /// `PRAGMA application_id` of a disk cache database ("SWCC").
    public static let applicationID: Int64 = 0x5357_4343

    static let version1 = """
        CREATE TABLE cache_meta (
          id INTEGER PRIMARY KEY CHECK (id = 0),
          count INTEGER NOT NULL, size INTEGER NOT NULL, file_size INTEGER NOT NULL,
          hash_algorithm TEXT NOT NULL, created REAL NOT NULL);
        CREATE TABLE entries (
          rowid INTEGER PRIMARY KEY,
          key BLOB NOT NULL UNIQUE,
          store_time REAL NOT NULL,
          expire_time REAL,
          access_time REAL NOT NULL,
          access_count INTEGER NOT NULL,
          tag TEXT,
          size INTEGER NOT NULL,
          value_size INTEGER NOT NULL,
          checksum BLOB NOT NULL,
          serializer TEXT NOT NULL,
          format_version INTEGER NOT NULL,
          compute_time REAL,
          file TEXT,
          value BLOB);
        CREATE INDEX entries_expire ON entries(expire_time) WHERE expire_time IS NOT NULL;
        CREATE INDEX entries_tag ON entries(tag) WHERE tag IS NOT NULL;
        """

    /// Migration `i` takes version `i + 1` to `i + 2`.
    static let migrations: [String] = [
        // 1 → 2: leases for cross-process memoize single flight.
        "CREATE TABLE leases (key BLOB PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL) WITHOUT ROWID;",
        // 2 → 3: totals kept only when a size limit needs them (they are recomputed when turned on).
        "ALTER TABLE cache_meta ADD COLUMN totals_kept INTEGER NOT NULL DEFAULT 0;",
        // 3 → 4: writers keep cache.db-gen (the counters in-process fronts check).
        "ALTER TABLE cache_meta ADD COLUMN generation_file INTEGER NOT NULL DEFAULT 1;",
    ]

    /// `cache_meta.totals_kept` when `db` is a cache database of the current version, in WAL
    /// mode and with this build's checksum algorithm — all read in one statement, the
    /// reopen's fast path. `nil` when it is anything else or cannot be read (new, older,
    /// damaged, busy): ``prepare(_:now:)`` then sorts it out and reports what it finds.
    static func totalsKeptIfCurrent(_ db: SQLiteConnection) -> Bool? {
        do {
            guard try db.scalarText("PRAGMA journal_mode")?.lowercased() == "wal",
                  try db.scalarInt("PRAGMA user_version") == currentVersion,
                  try db.scalarInt("PRAGMA application_id") == applicationID else { return nil }
            let meta = try db.prepare("SELECT totals_kept, hash_algorithm FROM cache_meta WHERE id = 0")
            guard try meta.step(), meta.text(1) == CacheHash.algorithmID else { return nil }
            return meta.int64(0) != 0
        } catch {
            return nil
        }
    }

    /// Creates or migrates the schema of `db`; `now` stamps a new database.
    static func prepare(_ db: SQLiteConnection, now: Double) throws {
        try db.transaction(.immediate) {
            let version = try db.scalarInt("PRAGMA user_version") ?? 0
            let appID = try db.scalarInt("PRAGMA application_id") ?? 0
            let tables = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
            if version == 0 && tables == 0 {
                try db.execute(version1)
                for migration in migrations { try db.execute(migration) }
                try db.run("INSERT INTO cache_meta (id, count, size, file_size, hash_algorithm, created) VALUES (0, 0, 0, 0, ?, ?)",
                           .text(CacheHash.algorithmID), .real(now))
                try db.execute("PRAGMA application_id = \(applicationID); PRAGMA user_version = \(currentVersion)")
                return
            }
            guard appID == applicationID else {
                throw SchemaProblem(reason: "not a swift-cache disk cache database (application_id \(appID), \(tables) tables)")
            }
            guard version >= 1, version <= currentVersion else {
                throw SchemaProblem(reason: "schema version \(version) is not supported (this build reads 1…\(currentVersion))")
            }
            let algorithm = try db.scalarText("SELECT hash_algorithm FROM cache_meta WHERE id = 0")
            guard algorithm == CacheHash.algorithmID else {
                throw SchemaProblem(reason: "checksum algorithm '\(algorithm ?? "none")' is not \(CacheHash.algorithmID)")
            }
            for index in Int(version - 1)..<migrations.count { try db.execute(migrations[index]) }
            if version != currentVersion { try db.execute("PRAGMA user_version = \(currentVersion)") }
        }
    }

    struct SchemaProblem: Error { var reason: String }
}
