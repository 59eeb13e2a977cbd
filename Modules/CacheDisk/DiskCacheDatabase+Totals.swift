import CacheCore
import CacheSQLite

// Totals (kept or computed), database size, and listing keys in store order.
extension DiskCacheDatabase {
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
