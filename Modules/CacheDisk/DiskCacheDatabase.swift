import CacheCore
import CacheSQLite
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value ready to be written: inline bytes or the name of an already-written file.
struct EncodedValue {
    enum Storage { case inline([UInt8]), file(String) }
    var storage: Storage
    var valueSize: Int
    var checksum: Hash128
    var serializerID: String
    var formatVersion: UInt16

    var fileName: String? { if case .file(let name) = storage { return name } else { return nil } }
}

/// Where a lookup's value is.
enum LookupResult<Value> {
    case miss
    case hit(Value)
    /// The value is in a file: read and verify it outside the lock, then decode.
    case file(FileReference)
}

struct FileReference: Sendable {
    var rowid: Int64
    var name: String
    var valueSize: Int
    var checksum: Hash128
    var serializerID: String
    var formatVersion: UInt16
}

/// A row chosen for removal.
struct RemovedRow {
    var rowid: Int64
    var file: String?
    var size: Int64
    var valueSize: Int64
}

/// The SQLite side of a disk cache: one connection, its statements and the bookkeeping
/// of value files created and made obsolete by the transaction in progress.
///
/// Not `Sendable`: a `DiskCache` keeps its one instance inside a `Mutex` and calls it
/// only with the lock held.
final class DiskCacheDatabase {
    let db: SQLiteConnection
    let path: String
    let options: DiskCacheOptions
    let files: ValueFiles
    var stats = CacheStats()
    var writesSinceCull = 0
    /// Files written by the outermost transaction in progress: removed if it rolls back.
    var createdFiles: [String] = []
    /// Files of rows removed by the transaction in progress: removed once it commits.
    var obsoleteFiles: [String] = []
    /// Removals by cause in the transaction in progress, counted once it commits.
    var pendingRemovals: [RemovalCause: Int] = [:]
    /// Whether `cache_meta` keeps the totals (schema version 3). Once on, it stays on, so
    /// only `false` needs re-reading: once in each write transaction (another process may
    /// turn it on at any time), by ``keepingTotals()`` or along with put's row lookup.
    var totalsKept = false
    /// Whether `totalsKept` was read in the write transaction in progress.
    var totalsFlagRead = false
    /// Whether an outermost ``write(_:)`` transaction is in progress.
    var inWriteTransaction = false
    /// Rows a read transaction found expired or undecodable, removed after it ends
    /// (see ``readDeferringRemovals(_:)``); `nil` outside one.
    var deferredRemovals: [(rowid: Int64, cause: RemovalCause, key: [UInt8]?)]?

    // MARK: Front state (see DiskCacheFront, GenerationFile)

    /// `cache.db-gen`, mapped (a cache that cannot map it does not open).
    let generation: GenerationFile
    var front: DiskCacheFront
    /// Whether reads may use the front: enabled by the options, a policy that does not
    /// record accesses.
    let frontActive: Bool
    /// The ticket of the outermost write transaction in progress (or just finished).
    var ticket: UInt64?
    /// Whether the front was current when the write transaction took its ticket: its
    /// per-key changes are then recorded and applied after the commit.
    var frontTracking = false
    /// The transaction made a change not described per key (clear, tag or size eviction,
    /// culling, a transact block): the front is emptied after it.
    var frontUnsure = false
    var frontChanges: [FrontChange] = []
    /// A value a get just verified, to insert once the generation is confirmed unchanged.
    var frontCandidate: FrontEntry?
    /// Write transactions this connection committed: with `PRAGMA data_version` (which
    /// counts other connections' commits), whether ``computedTotals`` is still current.
    var localCommits: UInt64 = 0
    /// Totals computed from `entries` (when they are not kept), and when.
    var computedTotals: (dataVersion: Int64, localCommits: UInt64, totals: Totals)?

    // The statements of get and set, held directly rather than looked up by their SQL
    // text; released before the connection closes.
    var lookupStatement: SQLiteStatement?
    var existingStatement: SQLiteStatement?
    var insertStatement: SQLiteStatement?
    var totalsKeptStatement: SQLiteStatement?
    /// A key's bytes reused by reads (``DiskCacheKeyConvertible/appendDiskCacheKeyBytes(to:)``), so a lookup allocates nothing.
    var keyBuffer: [UInt8] = []

    init(path: String, options: DiskCacheOptions, files: ValueFiles) throws {
        self.path = path
        self.options = options
        self.files = files
        front = DiskCacheFront(entryLimit: options.frontLimit, byteLimit: options.frontByteLimit)
        // Every instance maps the generation file, front or not: its writes must bump it
        // for the fronts of other instances and processes.
        generation = try GenerationFile.open(path: path + "-gen")
        frontActive = front.isEnabled
            && (options.evictionPolicy == .leastRecentlyStored || options.evictionPolicy == .none)
        db = try SQLiteConnection(path: path, flags: [.readWrite, .create, .noMutex, .noFollow], busyTimeout: options.busyTimeout)
        try db.execute("PRAGMA synchronous=\(options.synchronous.rawValue); PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY")
        // Keep -wal and -shm when the last connection closes: the next process to open the
        // cache then finds them in place (the reopen path). close() empties the WAL first.
        try db.setPersistentWAL(true)
        try SQLiteConnection.retryingBusy(timeout: options.busyTimeout) {
            // The common reopen: one statement confirms WAL mode and the current schema.
            if let kept = DiskCacheSchema.totalsKeptIfCurrent(db) {
                totalsKept = kept
            } else {
                try db.enableWAL()
                try DiskCacheSchema.prepare(db, now: options.clock.now())
                totalsKept = try readTotalsKept()
            }
            switch options.evictionPolicy {
            case .leastRecentlyUsed: try db.execute("CREATE INDEX IF NOT EXISTS entries_access_time ON entries(access_time)")
            case .leastFrequentlyUsed: try db.execute("CREATE INDEX IF NOT EXISTS entries_access_count ON entries(access_count, rowid)")
            case .leastRecentlyStored, .none: break
            }
            // A size limit is enforced from the running totals: turn them on (every process
            // then keeps them), computed once from the entries.
            if options.sizeLimit != nil && !totalsKept {
                try db.transaction(.immediate) {
                    try db.execute("""
                        UPDATE cache_meta SET count = (SELECT count(*) FROM entries),
                          size = (SELECT coalesce(sum(size), 0) FROM entries),
                          file_size = (SELECT coalesce(sum(value_size), 0) FROM entries WHERE file IS NOT NULL),
                          totals_kept = 1
                        WHERE id = 0 AND totals_kept = 0
                        """)
                }
                totalsKept = true
            }
        }
    }

    /// `slot`'s statement, prepared from `sql` on first use.
    @inline(__always)
    func prepared(_ slot: inout SQLiteStatement?, _ sql: String) throws -> SQLiteStatement {
        if let statement = slot { return statement }
        let statement = try db.prepare(sql)
        slot = statement
        return statement
    }

    /// Whether this write transaction must keep the totals (reads the flag once per transaction).
    func keepingTotals() throws -> Bool {
        if !totalsFlagRead {
            totalsKept = try readTotalsKept()
            totalsFlagRead = true
        }
        return totalsKept
    }

    func readTotalsKept() throws -> Bool {
        let select = try prepared(&totalsKeptStatement, "SELECT totals_kept FROM cache_meta WHERE id = 0")
        defer { select.reset() }
        return try select.step() && select.int64(0) != 0
    }

    func close() {
        lookupStatement = nil
        existingStatement = nil
        insertStatement = nil
        totalsKeptStatement = nil
        front.clear()
        generation.close()
        // The last connection to close checkpoints the WAL; truncated to zero bytes then,
        // a reopen has no stale frames to scan. (Set only here: during writes a size
        // limit would make the WAL shrink and regrow every checkpoint.)
        try? db.execute("PRAGMA journal_size_limit=0")
        db.close()
    }
}

extension LookupResult: Sendable where Value: Sendable {}

/// Reads Hash128's canonical 16-byte form (high half first, big-endian); zero for anything else.
@inline(__always)
func decodeChecksum(_ bytes: UnsafeRawBufferPointer) -> Hash128 {
    guard bytes.count == 16 else { return Hash128(low: 0, high: 0) }
    return Hash128(low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                   high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
}
