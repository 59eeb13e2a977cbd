import CacheCore
import CacheSQLite

/// What ``DiskCache/prune(maxBytes:notAccessedWithin:)`` removed.
public struct DiskCachePruneResult: Sendable, Codable, Equatable {
    /// Entries removed for their age, then for the byte bound.
    public var removedForAge: Int
    public var removedForSize: Int
    /// Key + value bytes (what `sizeLimit` bounds) before and after.
    public var bytesBefore: Int
    public var bytesAfter: Int
}

extension DiskCache {
    /// Trims the cache in one transaction: first every entry not read or written within
    /// `notAccessedWithin` (by its access time, which every policy records on writes and
    /// the LRU and LFU policies on hits too), then entries in the order of this instance's
    /// ``DiskEvictionPolicy`` until the key + value bytes are at most `maxBytes`.
    /// Value files of removed entries are deleted after the commit.
    /// - Throws: ``DiskCacheError`` when the database fails; `CacheConfigurationError` for a
    ///   negative `maxBytes` or a negative age.
    /// - Complexity: O(r log n) for r removed entries.
    @discardableResult
    public func prune(maxBytes: Int? = nil, notAccessedWithin age: Duration? = nil) throws -> DiskCachePruneResult {
        if let maxBytes { try CacheConfiguration.checkSize(maxBytes, setting: "maxBytes") }
        if let age, age < .zero {
            throw CacheConfigurationError(setting: "age", value: "\(age)", reason: "must be at least 0")
        }
        let cutoff = age.map { now() - $0.cacheSeconds }
        return try withDatabase("prune") { database in
            try database.write { try database.prune(maxBytes: maxBytes.map(Int64.init), accessedBefore: cutoff) }
        }
    }
}

extension DiskCacheDatabase {
    /// ``DiskCache/prune(maxBytes:notAccessedWithin:)`` inside a write transaction.
    func prune(maxBytes: Int64?, accessedBefore cutoff: Double?) throws -> DiskCachePruneResult {
        let before = try totalsInTransaction()
        var removedForAge = 0
        if let cutoff {
            let select = try db.cachedStatement("SELECT rowid, file, size, value_size FROM entries WHERE access_time < ? LIMIT 256")
            while true {
                try select.bind(cutoff, at: 1)
                var rows: [RemovedRow] = []
                while try select.step() { rows.append(row(select)) }
                select.reset()
                if rows.isEmpty { break }
                try remove(rows, cause: .expired)
                removedForAge += rows.count
            }
        }
        let afterAge = try totalsInTransaction()
        if let maxBytes, afterAge.size > maxBytes {
            try evict(toFit: maxBytes, current: afterAge.size, sparing: -1)
        }
        let after = try totalsInTransaction()
        return DiskCachePruneResult(removedForAge: removedForAge, removedForSize: Int(afterAge.count - after.count),
                                    bytesBefore: Int(before.size), bytesAfter: Int(after.size))
    }

    /// The totals as this write transaction sees them: the kept row (which removals update),
    /// or computed afresh — never ``totals()``'s cached computation, which a change made in
    /// this still-open transaction does not invalidate.
    private func totalsInTransaction() throws -> Totals {
        if try keepingTotals() { return try keptTotals() }
        let select = try db.cachedStatement("SELECT count(*), coalesce(sum(size), 0) , 0 FROM entries")
        defer { select.reset() }
        return try select.step() ? (select.int64(0), select.int64(1), 0) : (0, 0, 0)
    }
}
