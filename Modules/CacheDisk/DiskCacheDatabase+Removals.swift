import CacheCore
import CacheSQLite

// Removing rows (damaged, undecodable, expired, explicit) and keeping the totals.
extension DiskCacheDatabase {
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
}
