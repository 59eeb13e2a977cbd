import CacheCore
import CacheSQLite

// Writes: put with the size limit, eviction, culling, delete, clear, tags, touch, increment.
extension DiskCacheDatabase {
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
}
