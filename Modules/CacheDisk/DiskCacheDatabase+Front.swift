import CacheCore
import CacheSQLite

// Reads served by the hot-read front (DiskCacheFront) while its generation is current.
extension DiskCacheDatabase {
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
}
