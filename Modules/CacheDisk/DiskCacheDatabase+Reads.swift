import CacheCore
import CacheSQLite
import Logging

// Reads: finding a row, decoding an inline value, recording an access.
extension DiskCacheDatabase {
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
}
