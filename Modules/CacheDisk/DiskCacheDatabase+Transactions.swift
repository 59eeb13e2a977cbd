import CacheCore
import CacheSQLite

// Write transactions: savepoints, value-file bookkeeping at COMMIT/ROLLBACK, and the
// front's generation ticket.
extension DiskCacheDatabase {
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
            let result = try SQLiteConnection.retryingBusy(timeout: options.busyTimeout) {
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
}
