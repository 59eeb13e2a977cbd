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
        try DiskCacheDatabase.retryingBusy(timeout: options.busyTimeout) {
            // The common reopen: one statement confirms WAL mode and the current schema.
            if let kept = DiskCacheSchema.totalsKeptIfCurrent(db) {
                totalsKept = kept
            } else {
                try DiskCacheDatabase.enableWAL(db, path: path)
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

    /// Puts the database in WAL mode, which persists in the file; setting it needs a brief exclusive lock.
    static func enableWAL(_ db: SQLiteConnection, path: String) throws {
        if try db.scalarText("PRAGMA journal_mode")?.lowercased() == "wal" { return }
        let mode = try db.scalarText("PRAGMA journal_mode=WAL")
        if mode?.lowercased() != "wal" {
            throw SQLiteError(path: path, sql: "PRAGMA journal_mode=WAL", extendedCode: 1, message: "journal mode stayed \(mode ?? "unknown")")
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

    /// Retries `body` while SQLite reports busy beyond its own handler (e.g. WAL recovery), up to `timeout`.
    static func retryingBusy<R>(timeout: Duration, _ body: () throws -> R) throws -> R {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: Duration = .milliseconds(1)
        while true {
            do {
                return try body()
            } catch let error as SQLiteError where error.isBusy && clock.now < deadline {
                backoffSleep(pause)
                pause = min(pause * 2, .milliseconds(50))
            }
        }
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

    // MARK: Transactions and file bookkeeping

    /// Runs `body` in a write transaction (a savepoint inside `transact`). The outermost
    /// one removes obsolete files after COMMIT, or the files it created after ROLLBACK.
    func write<R>(_ body: () throws -> R) throws -> R {
        if db.isInTransaction {
            // Nested in a write transaction (transact's operations). (Were it a read
            // transaction, the write would upgrade it, which succeeds only on the newest
            // snapshot: read the flag afresh. getMany defers its removals instead.)
            if !inWriteTransaction { totalsFlagRead = totalsKept }
            localCommits &+= 1  // computed totals may be stale after this
            return try db.transaction(.immediate, body)
        }
        createdFiles.removeAll(keepingCapacity: true)
        do {
            let result = try DiskCacheDatabase.retryingBusy(timeout: options.busyTimeout) {
                // The ticket ends after COMMIT or ROLLBACK (this defer runs once the
                // transaction call has returned or thrown), also when an attempt is retried.
                defer { if let ticket { generation.endWrite(ticket) } }
                return try db.transaction(.immediate) {
                    // Each attempt starts afresh: a retried one's removals were rolled back.
                    obsoleteFiles.removeAll(keepingCapacity: true)
                    pendingRemovals.removeAll(keepingCapacity: true)
                    // Under the write lock, before any change: take a generation ticket.
                    takeTicket()
                    // Under the write lock, on the newest snapshot: another process may have
                    // turned the totals on since this connection last looked.
                    totalsFlagRead = totalsKept
                    inWriteTransaction = true
                    defer { inWriteTransaction = false }
                    return try body()
                }
            }
            localCommits &+= 1
            frontAfterCommit()
            committed()
            return result
        } catch {
            ticket = nil
            front.clear()
            frontChanges.removeAll(keepingCapacity: true)
            rolledBack()
            throw error
        }
    }

    /// Takes this write transaction's generation ticket (holding the write lock) and decides
    /// whether the front can follow the transaction key by key.
    func takeTicket() {
        frontChanges.removeAll(keepingCapacity: true)
        frontUnsure = false
        frontTracking = false
        ticket = nil
        let (taken, previous, settled) = generation.beginWrite()
        ticket = taken
        guard frontActive, settled else { return }
        // An empty front is valid at any settled generation.
        if front.entries.isEmpty { front.stamp = previous }
        frontTracking = front.stamp == previous
    }

    /// After a commit: the front follows the transaction's changes and is stamped with its
    /// ticket, or (when it was not current, or a change was not described per key) is emptied.
    func frontAfterCommit() {
        defer {
            frontChanges.removeAll(keepingCapacity: true)
            ticket = nil
        }
        guard frontActive else { return }
        guard frontTracking, !frontUnsure, let ticket else {
            front.clear()
            return
        }
        for change in frontChanges { front.apply(change) }
        front.stamp = ticket
    }

    /// Records that `key` changed in this transaction (its front entry is dropped).
    @inline(__always)
    func frontRemoved(_ key: [UInt8]) {
        if frontTracking { frontChanges.append(.remove(FrontKey(key))) }
    }

    // MARK: Front reads

    /// The generation a get may use the front at, or `nil` (no front, or a write is under
    /// way or was interrupted). Empties a front that is no longer current.
    @inline(__always)
    func frontObserve() -> UInt64? {
        guard frontActive else { return nil }
        let (begun, ended) = generation.snapshot()
        guard begun == ended else {
            front.clear()
            return nil
        }
        if front.stamp != begun {
            front.clear()
            front.stamp = begun
        }
        return begun
    }

    /// Serves the key in ``keyBuffer`` from the front (valid: ``frontObserve()`` returned
    /// non-nil under this same lock hold). Returns whether `slot` was initialized.
    func frontServe<V>(codec: ValueCodec<V>, counting: Bool, into slot: UnsafeMutablePointer<V>) -> Bool {
        guard !front.entries.isEmpty else { return false }
        let key = FrontKey(keyBuffer)
        guard let entry = front.entries[key] else { return false }
        if let expire = entry.expire, expire <= options.clock.now() {
            front.remove(key)  // the database path removes the row and counts the expiry
            return false
        }
        guard entry.accepted(by: codec.signature) else { return false }
        do {
            slot.initialize(to: try codec.decode(owned: entry.value, serializerID: entry.serializerID))
        } catch {
            front.remove(key)
            return false
        }
        if counting { stats.hits += 1 }
        return true
    }

    /// Whether the value being read for the key in ``keyBuffer`` should enter the front
    /// (its key's second read: see ``DiskCacheFront/admitsRead(of:)``).
    func admitsReadIntoFront() -> Bool {
        keyBuffer.withUnsafeBytes { front.admitsRead(of: $0) }
    }

    /// Inserts ``frontCandidate`` for the key in ``keyBuffer`` if the generation is still
    /// `observed` after the database read (no write began meanwhile).
    func frontFill(observed: UInt64) {
        guard let entry = frontCandidate else { return }
        frontCandidate = nil
        let (begun, ended) = generation.snapshotAfterReads()
        guard begun == observed, ended == observed, front.stamp == observed else { return }
        front.insert(FrontKey(keyBuffer), entry)
    }

    /// Runs `body` in a read transaction (one snapshot for several lookups). Rows it finds
    /// expired or undecodable are removed afterwards, each through ``removeRow(rowid:cause:)``
    /// — its own write transaction, which deletes obsolete value files after the commit and
    /// counts the removal — rather than by upgrading the read transaction, whose commit
    /// would bypass that bookkeeping.
    func readDeferringRemovals<R>(_ body: () throws -> R) throws -> R {
        // Nested in a transaction (none does today): removals then join the outer one.
        if db.isInTransaction || deferredRemovals != nil { return try body() }
        deferredRemovals = []
        defer { deferredRemovals = nil }
        let result = try db.transaction(.deferred, body)
        let removals = deferredRemovals ?? []
        deferredRemovals = nil
        for removal in removals { try removeRow(rowid: removal.rowid, cause: removal.cause, key: removal.key) }
        return result
    }

    func committed() {
        for name in obsoleteFiles { files.remove(name) }
        for (cause, n) in pendingRemovals { stats.recordRemoval(cause, count: n) }
        obsoleteFiles.removeAll(keepingCapacity: true)
        createdFiles.removeAll(keepingCapacity: true)
        pendingRemovals.removeAll(keepingCapacity: true)
    }

    func rolledBack() {
        for name in createdFiles { files.remove(name) }
        obsoleteFiles.removeAll(keepingCapacity: true)
        createdFiles.removeAll(keepingCapacity: true)
        pendingRemovals.removeAll(keepingCapacity: true)
    }

    // MARK: Reads

    static let lookupSQL = """
        SELECT rowid, expire_time, serializer, format_version, value_size, checksum, file, value
        FROM entries WHERE key = ?
        """

    /// What ``findRow(_:signature:now:counting:)`` found. Not generic, so the common
    /// part of every read instantiates no generic metadata.
    enum RowFound {
        case miss
        case file(FileReference)
        /// The lookup statement is left on the row (column 7 is the value) for
        /// ``decodeInline(describeKey:codec:rowid:valueSize:checksum:serializerID:now:counting:touch:)``.
        case inline(rowid: Int64, valueSize: Int, checksum: Hash128, serializerID: String?)
    }

    /// Finds `key`'s row. Expired entries and entries of another serializer are removed
    /// (lazy expiry) and are misses. Counts misses unless `counting` is false.
    func findRow(_ key: DiskCacheKey, signature: CodecSignature, now: Double, counting: Bool) throws -> RowFound {
        try key.storageBytes.withUnsafeBytes { try findRow(keyBytes: $0, signature: signature, now: now, counting: counting) }
    }

    /// A key's bytes reused by reads (``DiskCacheKeyConvertible/appendDiskCacheKeyBytes(to:)``), so a lookup allocates nothing.
    var keyBuffer: [UInt8] = []

    /// How a key given as its stored bytes is described in a log message.
    static func describeKey(_ bytes: UnsafeRawBufferPointer) -> String {
        DiskCacheKey(storageBytes: Array(bytes))?.description ?? "<malformed key>"
    }

    /// ``findRow(_:signature:now:counting:)`` for the key in ``keyBuffer``. The statement
    /// refers to the buffer without a copy: it must not change until the statement is reset
    /// (which every outcome but `.inline` does here, and ``decodeInline`` does for that).
    func findRowForKeyBuffer(signature: CodecSignature, now: Double?, counting: Bool) throws -> RowFound {
        try keyBuffer.withUnsafeBytes { try findRow(keyBytes: $0, signature: signature, now: now, counting: counting) }
    }

    /// ``findRow(_:signature:now:counting:)`` for a key given as its stored bytes. With `now`
    /// nil the clock is read only if the entry has an expiry.
    func findRow(keyBytes: UnsafeRawBufferPointer, signature: CodecSignature, now: Double?, counting: Bool) throws -> RowFound {
        // A plain read when already prepared: no inout (modify) access to check.
        let statement = try lookupStatement ?? prepared(&lookupStatement, DiskCacheDatabase.lookupSQL)
        try statement.bind(unsafeNoCopyBlob: keyBytes, at: 1)
        guard try statement.step() else {
            statement.reset()
            statement.clearBindings()
            if counting { stats.misses += 1 }
            return .miss
        }
        let rowid = statement.int64(0)
        if !statement.isNull(1), statement.double(1) <= now ?? options.clock.now() {
            statement.reset()
            statement.clearBindings()
            try removeExpired(rowid: rowid, key: Array(keyBytes))
            if counting { stats.misses += 1 }
            return .miss
        }
        let formatVersion = UInt16(truncatingIfNeeded: statement.int64(3))
        guard signature.accepts(serializer: statement, column: 2, formatVersion: formatVersion) else {
            let stored = statement.text(2) ?? "?"
            statement.reset()
            statement.clearBindings()
            options.logger.warning("disk cache entry written with another serializer; treating it as a miss and removing it",
                                   metadata: ["path": "\(path)", "key": "\(DiskCacheDatabase.describeKey(keyBytes))", "stored": "\(stored)@\(formatVersion)", "expected": "\(signature.id)@\(signature.formatVersion)"])
            try removeUndecodable(rowid: rowid, key: Array(keyBytes))
            if counting { stats.misses += 1 }
            return .miss
        }
        let valueSize = statement.int(4)
        let checksum = statement.withBlob(5) { decodeChecksum($0) }
        if !statement.isNull(6), let file = statement.text(6) {
            let serializerID = statement.text(2) ?? ""
            statement.reset()
            statement.clearBindings()
            return .file(FileReference(rowid: rowid, name: file, valueSize: valueSize, checksum: checksum,
                                       serializerID: serializerID, formatVersion: formatVersion))
        }
        return .inline(rowid: rowid, valueSize: valueSize, checksum: checksum,
                       serializerID: signature.needsSerializerID ? (statement.text(2) ?? "") : nil)
    }

    /// Verifies and decodes the inline value the lookup statement is on (zero-copy from
    /// SQLite's page), then releases the statement. A value failing its checksum or not
    /// decoding is removed and is a miss (`nil`).
    func decodeInline<V>(describeKey: () -> String, codec: ValueCodec<V>, rowid: Int64, valueSize: Int, checksum: Hash128,
                         serializerID: String?, now: Double?, counting: Bool, touch: Bool) throws -> V? {
        let slot = UnsafeMutablePointer<V>.allocate(capacity: 1)
        defer { slot.deallocate() }
        guard try decodeInline(describeKey: describeKey, codec: codec, rowid: rowid, valueSize: valueSize, checksum: checksum,
                               serializerID: serializerID, now: now, counting: counting, touch: touch, into: slot) else { return nil }
        return slot.move()
    }

    /// ``decodeInline(describeKey:codec:rowid:valueSize:checksum:serializerID:now:counting:touch:)``
    /// initializing `slot` and returning whether it did: no `Optional<V>` for generic code to instantiate.
    func decodeInline<V>(describeKey: () -> String, codec: ValueCodec<V>, rowid: Int64, valueSize: Int, checksum: Hash128,
                         serializerID: String?, now: Double?, counting: Bool, touch: Bool, into slot: UnsafeMutablePointer<V>,
                         captureForFront: Bool = false) throws -> Bool {
        let statement = lookupStatement!
        // Valid until the statement is reset: verified and decoded (copied) before that.
        let bytes = statement.unsafeBlob(7)
        if bytes.count == valueSize && XXH3.hash128(bytes) == checksum {
            // (do/catch rather than `try?`: no Optional of a generic type to instantiate.)
            do {
                slot.initialize(to: try codec.decode(bytes, serializerID: serializerID ?? codec.id))
                if captureForFront && bytes.count <= front.valueLimit {
                    // Verified and decodable: a candidate for the front (see frontFill).
                    frontCandidate = FrontEntry(
                        value: [UInt8](bytes), expire: statement.isNull(1) ? nil : statement.double(1),
                        serializerID: statement.text(2) ?? "", formatVersion: UInt16(truncatingIfNeeded: statement.int64(3)))
                }
                statement.reset()
                statement.clearBindings()
                if counting { stats.hits += 1 }
                if touch { recordAccess(rowid: rowid, now: now) }  // reads the clock only for LRU/LFU
                return true
            } catch {}
        }
        statement.reset()
        statement.clearBindings()
        options.logger.warning("disk cache inline value failed its checksum or did not decode; removing it",
                               metadata: ["path": "\(path)", "key": "\(describeKey())"])
        try removeUndecodable(rowid: rowid, key: nil)
        if counting { stats.misses += 1 }
        return false
    }

    /// Looks `key` up. An inline value is decoded here (zero-copy from SQLite's page);
    /// a file value is returned as a reference to read outside the lock.
    /// Expired entries are removed (lazy expiry). Counts hits and misses unless `counting` is false.
    func lookup<V>(_ key: DiskCacheKey, codec: ValueCodec<V>, now: Double, counting: Bool = true, touch: Bool = true) throws -> LookupResult<V> {
        switch try findRow(key, signature: codec.signature, now: now, counting: counting) {
        case .miss: return .miss
        case .file(let reference): return .file(reference)
        case .inline(let rowid, let valueSize, let checksum, let serializerID):
            guard let value = try decodeInline(describeKey: { key.description }, codec: codec, rowid: rowid, valueSize: valueSize,
                                               checksum: checksum, serializerID: serializerID, now: now, counting: counting, touch: touch)
            else { return .miss }
            return .hit(value)
        }
    }

    /// LRU and LFU keep access time and count; a failure to record is only logged.
    func recordAccess(rowid: Int64, now: Double?) {
        guard options.evictionPolicy == .leastRecentlyUsed || options.evictionPolicy == .leastFrequentlyUsed else { return }
        let now = now ?? options.clock.now()
        do {
            let update = try db.cachedStatement("UPDATE entries SET access_time = ?, access_count = access_count + 1 WHERE rowid = ?")
            try update.bind(now, at: 1)
            try update.bind(rowid, at: 2)
            try update.stepToCompletion()
        } catch {
            options.logger.debug("disk cache could not record an access", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// Removes `rowid` if it still refers to `file` (a file that was missing or damaged).
    func removeDamaged(rowid: Int64, file: String) throws {
        try write {
            let select = try db.cachedStatement("SELECT rowid, file, size, value_size FROM entries WHERE rowid = ? AND file = ?")
            try select.bind(rowid, at: 1)
            try select.bind(file, at: 2)
            var rows: [RemovedRow] = []
            if try select.step() { rows.append(row(select)) }
            select.reset()
            try remove(rows, cause: .explicit)
        }
        stats.decodeFailures += 1
    }

    func removeUndecodable(rowid: Int64, key: [UInt8]?) throws {
        try removeRow(rowid: rowid, cause: .explicit, key: key)
        stats.decodeFailures += 1
    }

    func removeExpired(rowid: Int64, key: [UInt8]?) throws { try removeRow(rowid: rowid, cause: .expired, key: key) }

    /// Removes `rowid`; `key` (when known) lets the front drop just that key.
    func removeRow(rowid: Int64, cause: RemovalCause, key: [UInt8]?) throws {
        if deferredRemovals != nil {
            deferredRemovals!.append((rowid, cause, key))
            return
        }
        try write {
            let select = try db.cachedStatement("SELECT rowid, file, size, value_size FROM entries WHERE rowid = ?")
            try select.bind(rowid, at: 1)
            var rows: [RemovedRow] = []
            if try select.step() { rows.append(row(select)) }
            select.reset()
            try remove(rows, cause: cause, keys: key.map { [$0] })
        }
    }

    func row(_ s: SQLiteStatement) -> RemovedRow {
        RemovedRow(rowid: s.int64(0), file: s.isNull(1) ? nil : s.text(1), size: s.int64(2), valueSize: s.int64(3))
    }

    /// Deletes `rows` (inside a write transaction), updating the totals. `keys` (the rows'
    /// keys, when the caller knows them) let the front follow; without them it is emptied.
    func remove(_ rows: [RemovedRow], cause: RemovalCause, keys: [[UInt8]]? = nil) throws {
        guard !rows.isEmpty else { return }
        if let keys { for key in keys { frontRemoved(key) } } else { frontUnsure = true }
        let delete = try db.cachedStatement("DELETE FROM entries WHERE rowid = ?")
        var size: Int64 = 0, fileSize: Int64 = 0
        for row in rows {
            try delete.bind(row.rowid, at: 1)
            try delete.stepToCompletion()
            size += row.size
            if let file = row.file {
                fileSize += row.valueSize
                obsoleteFiles.append(file)
            }
        }
        if try keepingTotals() { try adjustTotals(count: -Int64(rows.count), size: -size, fileSize: -fileSize) }
        pendingRemovals[cause, default: 0] += rows.count
    }

    /// Adds to the totals and returns the new `size`.
    @discardableResult
    func adjustTotals(count: Int64, size: Int64, fileSize: Int64) throws -> Int64 {
        let update = try db.cachedStatement(
            "UPDATE cache_meta SET count = count + ?, size = size + ?, file_size = file_size + ? WHERE id = 0 RETURNING size")
        try update.bind(count, at: 1)
        try update.bind(size, at: 2)
        try update.bind(fileSize, at: 3)
        defer { update.reset() }
        guard try update.step() else { return 0 }
        return update.int64(0)
    }

    // MARK: Writes

    /// Writes `value` for `key` (inside a write transaction). With `onlyIfAbsent`, a live
    /// entry is left alone and `false` returned. Enforces the size limit.
    func put(_ key: DiskCacheKey, _ value: EncodedValue, expire: Double?, tag: String?, computeTime: Double?,
             now: Double, onlyIfAbsent: Bool) throws -> Bool {
        let entrySize = Int64(key.storageBytes.count + value.valueSize)
        if let limit = options.sizeLimit, entrySize > Int64(limit) {
            throw CacheStoreError(.itemTooLarge, key: key.description,
                                  detail: "the entry's \(entrySize) bytes exceed the cache's size limit of \(limit) bytes")
        }
        // The replaced row, if any, and (in the same step) the totals flag.
        let existing = try prepared(&existingStatement, """
            SELECT e.rowid, e.file, e.size, e.value_size, e.expire_time, m.totals_kept
            FROM cache_meta AS m LEFT JOIN entries AS e ON e.key = ? WHERE m.id = 0
            """)
        try key.storageBytes.withUnsafeBytes { try existing.bind(unsafeNoCopyBlob: $0, at: 1) }
        var old: RemovedRow?
        var oldExpired = false
        if try existing.step() {
            if !existing.isNull(0) {
                old = row(existing)
                oldExpired = !existing.isNull(4) && existing.double(4) <= now
            }
            if !totalsFlagRead {
                totalsKept = existing.int64(5) != 0
                totalsFlagRead = true
            }
        }
        existing.reset()
        existing.clearBindings()
        if onlyIfAbsent, old != nil, !oldExpired { return false }
        if options.evictionPolicy == .none, let limit = options.sizeLimit {
            let current = try db.scalarInt("SELECT size FROM cache_meta WHERE id = 0") ?? 0
            if current - (old?.size ?? 0) + entrySize > Int64(limit) {
                throw CacheStoreError(.full, key: key.description,
                                      detail: "storing \(entrySize) bytes would exceed the size limit of \(limit) bytes (\(current) held) and the policy is .none")
            }
        }
        let insert = try prepared(&insertStatement, """
            INSERT OR REPLACE INTO entries (key, store_time, expire_time, access_time, access_count, tag, size, value_size,
              checksum, serializer, format_version, compute_time, file, value)
            VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { insert.clearBindings() }
        try key.storageBytes.withUnsafeBytes { try insert.bind(unsafeNoCopyBlob: $0, at: 1) }
        try insert.bind(now, at: 2)
        if let expire { try insert.bind(expire, at: 3) } else { try insert.bindNull(at: 3) }
        try insert.bind(now, at: 4)
        if let tag { try insert.bind(tag, at: 5) } else { try insert.bindNull(at: 5) }
        try insert.bind(entrySize, at: 6)
        try insert.bind(Int64(value.valueSize), at: 7)
        var checksumBytes = value.checksum.bytes
        try checksumBytes.withUnsafeMutableBytes { try insert.bind(unsafeNoCopyBlob: UnsafeRawBufferPointer($0), at: 8) }
        try insert.bind(value.serializerID, at: 9)
        try insert.bind(Int64(value.formatVersion), at: 10)
        if let computeTime { try insert.bind(computeTime, at: 11) } else { try insert.bindNull(at: 11) }
        switch value.storage {
        case .file(let name):
            try insert.bind(name, at: 12)
            try insert.bindNull(at: 13)
            try insert.stepToCompletion()
        case .inline(let bytes):
            try insert.bindNull(at: 12)
            try bytes.withUnsafeBytes { raw in
                try insert.bind(unsafeNoCopyBlob: raw, at: 13)
                try insert.stepToCompletion()
            }
        }
        let newRowID = db.lastInsertRowID
        if frontTracking {
            if case .inline(let bytes) = value.storage, bytes.count <= front.valueLimit {
                frontChanges.append(.set(FrontKey(key.storageBytes), FrontEntry(
                    value: bytes, expire: expire, serializerID: value.serializerID, formatVersion: value.formatVersion)))
            } else {
                frontChanges.append(.remove(FrontKey(key.storageBytes)))
            }
        }
        if let file = old?.file { obsoleteFiles.append(file) }
        if old != nil { pendingRemovals[oldExpired ? .expired : .replaced, default: 0] += 1 }
        if try keepingTotals() {
            // Always on with a size limit (turned on when the cache opened).
            let newFileSize = value.fileName == nil ? 0 : Int64(value.valueSize)
            let size = try adjustTotals(count: old == nil ? 1 : 0, size: entrySize - (old?.size ?? 0),
                                        fileSize: newFileSize - (old?.file == nil ? 0 : old!.valueSize))
            if let limit = options.sizeLimit, size > Int64(limit) {
                try evict(toFit: Int64(limit), current: size, sparing: newRowID)
            }
        }
        writesSinceCull += 1
        if writesSinceCull >= options.cullInterval {
            writesSinceCull = 0
            try cullExpired(now: now, limit: options.cullLimit)
        }
        return true
    }

    /// Evicts by the policy until `size ≤ limit`, never the row just written.
    func evict(toFit limit: Int64, current: Int64, sparing rowid: Int64) throws {
        let order: String = switch options.evictionPolicy {
        case .leastRecentlyStored, .none: "rowid"
        case .leastRecentlyUsed: "access_time, rowid"
        case .leastFrequentlyUsed: "access_count, rowid"
        }
        let select = try db.cachedStatement(
            "SELECT rowid, file, size, value_size FROM entries WHERE rowid != ? ORDER BY \(order) LIMIT ?")
        var size = current
        while size > limit {
            try select.bind(rowid, at: 1)
            try select.bind(Int64(16), at: 2)
            var victims: [RemovedRow] = []
            var freed: Int64 = 0
            while size - freed > limit, try select.step() {
                let victim = row(select)
                victims.append(victim)
                freed += victim.size
            }
            select.reset()
            if victims.isEmpty { break }
            try remove(victims, cause: .size)
            size -= freed
        }
    }

    /// Removes up to `limit` expired entries (all with `limit` nil). Returns how many.
    @discardableResult
    func cullExpired(now: Double, limit: Int?) throws -> Int {
        let select = try db.cachedStatement(
            "SELECT rowid, file, size, value_size FROM entries WHERE expire_time IS NOT NULL AND expire_time <= ? ORDER BY expire_time LIMIT ?")
        var total = 0
        while true {
            try select.bind(now, at: 1)
            try select.bind(Int64(min(limit ?? 256, 256)), at: 2)
            var rows: [RemovedRow] = []
            while try select.step() { rows.append(row(select)) }
            select.reset()
            try remove(rows, cause: .expired)
            total += rows.count
            if rows.isEmpty || limit != nil { return total }
        }
    }

    /// Deletes `key`; returns whether a live entry was removed.
    func delete(_ key: DiskCacheKey, now: Double) throws -> Bool {
        let select = try db.cachedStatement("SELECT rowid, file, size, value_size, expire_time FROM entries WHERE key = ?")
        try key.storageBytes.withUnsafeBytes { try select.bind(unsafeNoCopyBlob: $0, at: 1) }
        defer { select.reset(); select.clearBindings() }
        guard try select.step() else { return false }
        let victim = row(select)
        let expired = !select.isNull(4) && select.double(4) <= now
        select.reset()
        try remove([victim], cause: expired ? .expired : .explicit, keys: [key.storageBytes])
        return !expired
    }

    /// Removes every entry; returns how many.
    func clear() throws -> Int {
        var rows: [RemovedRow] = []
        let select = try db.cachedStatement("SELECT rowid, file, size, value_size FROM entries WHERE file IS NOT NULL")
        while try select.step() { rows.append(row(select)) }
        select.reset()
        try db.execute("DELETE FROM entries")
        frontUnsure = true
        let count = db.changes
        try db.execute("UPDATE cache_meta SET count = 0, size = 0, file_size = 0 WHERE id = 0")
        obsoleteFiles.append(contentsOf: rows.compactMap(\.file))
        pendingRemovals[.cleared, default: 0] += Int(count)
        return Int(count)
    }

    /// Removes the entries tagged `tag`; returns how many.
    func evict(tag: String) throws -> Int {
        let select = try db.cachedStatement("SELECT rowid, file, size, value_size FROM entries WHERE tag = ?")
        try select.bind(tag, at: 1)
        var rows: [RemovedRow] = []
        while try select.step() { rows.append(row(select)) }
        select.reset()
        try remove(rows, cause: .explicit)
        return rows.count
    }

    /// Whether a live entry exists (no stats, no recency).
    func contains(_ key: DiskCacheKey, now: Double) throws -> Bool {
        let select = try db.cachedStatement("SELECT expire_time FROM entries WHERE key = ?")
        try key.storageBytes.withUnsafeBytes { try select.bind(unsafeNoCopyBlob: $0, at: 1) }
        defer { select.reset(); select.clearBindings() }
        guard try select.step() else { return false }
        return select.isNull(0) || select.double(0) > now
    }

    /// Resets the expiry of a live entry; returns whether there was one.
    func touch(_ key: DiskCacheKey, expire: Double?, now: Double) throws -> Bool {
        let update = try db.cachedStatement(
            "UPDATE entries SET expire_time = ? WHERE key = ? AND (expire_time IS NULL OR expire_time > ?)")
        if let expire { try update.bind(expire, at: 1) } else { try update.bindNull(at: 1) }
        try key.storageBytes.withUnsafeBytes { try update.bind(unsafeNoCopyBlob: $0, at: 2) }
        try update.bind(now, at: 3)
        try update.stepToCompletion()
        update.clearBindings()
        frontRemoved(key.storageBytes)
        return db.changes > 0
    }

    /// Adds `delta` to the integer at `key` (inside a write transaction), keeping expiry and tag.
    func increment(_ key: DiskCacheKey, by delta: Int64, default initial: Int64, now: Double) throws -> Int64 {
        let select = try db.cachedStatement(
            "SELECT rowid, expire_time, serializer, value, file, size, value_size FROM entries WHERE key = ?")
        try key.storageBytes.withUnsafeBytes { try select.bind(unsafeNoCopyBlob: $0, at: 1) }
        defer { select.reset(); select.clearBindings() }
        var current = initial
        var liveRowID: Int64?
        if try select.step() {
            let expired = !select.isNull(1) && select.double(1) <= now
            if !expired {
                guard select.text(2) == IntegerCodec.id, select.isNull(4) else {
                    throw DiskCacheError(.misuse, path: path, operation: "incr",
                                         detail: "the value at \(key) is not an integer written by incr (serializer \(select.text(2) ?? "?"))")
                }
                current = try select.withBlob(3) { try IntegerCodec.decode($0) }
                liveRowID = select.int64(0)
            }
        }
        select.reset()
        let (result, overflow) = current.addingReportingOverflow(delta)
        if overflow {
            throw DiskCacheError(.misuse, path: path, operation: "incr", detail: "\(current) + \(delta) overflows Int64 at \(key)")
        }
        let bytes = IntegerCodec.encode(result)
        let checksum = bytes.withUnsafeBytes { XXH3.hash128($0) }
        if let rowid = liveRowID {
            let update = try db.cachedStatement("UPDATE entries SET value = ?, checksum = ? WHERE rowid = ?")
            try update.bind(blob: bytes, at: 1)
            try update.bind(blob: checksum.bytes, at: 2)
            try update.bind(rowid, at: 3)
            try update.stepToCompletion()
            frontRemoved(key.storageBytes)
        } else {
            let encoded = EncodedValue(storage: .inline(bytes), valueSize: 8, checksum: checksum,
                                       serializerID: IntegerCodec.id, formatVersion: IntegerCodec.formatVersion)
            _ = try put(key, encoded, expire: nil, tag: nil, computeTime: nil, now: now, onlyIfAbsent: false)
        }
        return result
    }

    typealias Totals = (count: Int64, size: Int64, fileSize: Int64)

    /// Entries, Σ size, Σ file bytes: from the totals row when kept, else computed from the
    /// entries (O(n), reused until this or another connection commits a change).
    func totals() throws -> Totals {
        try db.transaction(.deferred) {
            if !totalsKept { totalsKept = try readTotalsKept() }
            if totalsKept { return try keptTotals() }
            let dataVersion = try db.scalarInt("PRAGMA data_version") ?? 0
            if let computed = computedTotals, computed.dataVersion == dataVersion, computed.localCommits == localCommits {
                return computed.totals
            }
            let select = try db.cachedStatement("""
                SELECT count(*), coalesce(sum(size), 0), coalesce(sum(CASE WHEN file IS NOT NULL THEN value_size END), 0) FROM entries
                """)
            defer { select.reset() }
            let totals: Totals = try select.step() ? (select.int64(0), select.int64(1), select.int64(2)) : (0, 0, 0)
            computedTotals = (dataVersion, localCommits, totals)
            return totals
        }
    }

    /// The totals row (meaningful when `totals_kept` = 1).
    func keptTotals() throws -> Totals {
        let select = try db.cachedStatement("SELECT count, size, file_size FROM cache_meta WHERE id = 0")
        defer { select.reset() }
        guard try select.step() else { return (0, 0, 0) }
        return (select.int64(0), select.int64(1), select.int64(2))
    }

    /// Database bytes (pages × page size).
    func databaseBytes() throws -> Int64 {
        let pages = try db.scalarInt("PRAGMA page_count") ?? 0
        let pageSize = try db.scalarInt("PRAGMA page_size") ?? 0
        return pages * pageSize
    }

    /// Up to `limit` keys after `rowid`, in store order.
    func keys(after rowid: Int64, limit: Int) throws -> [(Int64, DiskCacheKey)] {
        let select = try db.cachedStatement("SELECT rowid, key FROM entries WHERE rowid > ? ORDER BY rowid LIMIT ?")
        try select.bind(rowid, at: 1)
        try select.bind(Int64(limit), at: 2)
        defer { select.reset() }
        var result: [(Int64, DiskCacheKey)] = []
        while try select.step() {
            if let key = DiskCacheKey(storageBytes: select.blob(1)) { result.append((select.int64(0), key)) }
        }
        return result
    }
}

/// A synchronous sleep for retry back-off. Disk cache calls run on the caller's thread
/// or on the async adapter's own queue, never on the cooperative pool.
func backoffSleep(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    _ = nanosleep(&request, nil)
}

extension LookupResult: Sendable where Value: Sendable {}

/// Reads Hash128's canonical 16-byte form (high half first, big-endian); zero for anything else.
@inline(__always)
func decodeChecksum(_ bytes: UnsafeRawBufferPointer) -> Hash128 {
    guard bytes.count == 16 else { return Hash128(low: 0, high: 0) }
    return Hash128(low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                   high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
}
