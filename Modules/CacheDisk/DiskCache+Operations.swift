import CacheCore
import CacheSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DiskCache {
    // MARK: Get

    /// The value for `key`, or `nil` when absent, expired, or failing verification or decoding
    /// (such an entry is removed). Counts a hit or a miss.
    /// - Complexity: one indexed lookup; O(value size) to verify and decode.
    public func get<Value: Codable & Sendable>(_ key: some DiskCacheKeyConvertible, as type: Value.Type = Value.self) throws -> Value? {
        try get(key, codec: codec(for: Value.self))
    }

    /// The value for `key` decoded with `serializer`.
    public func get<S: CacheSerializer>(_ key: some DiskCacheKeyConvertible, serializer: S) throws -> S.Value? where S.Value: Sendable {
        try get(key.diskCacheKey, codec: ValueCodec(AnyCacheSerializer(serializer)))
    }

    func get<V: Sendable>(_ key: some DiskCacheKeyConvertible, codec: ValueCodec<V>, counting: Bool = true) throws -> V? {
        // The row is found and an inline value decoded under the lock, the key written
        // into a reused buffer; a file value is read after it. The clock is read only if
        // the entry has an expiry or the policy records accesses.
        // (The value goes through a pointer rather than a `V?` result: unspecialized generic
        // code would instantiate Optional<V> metadata for that, a measurable share of a get.)
        let slot = UnsafeMutablePointer<V>.allocate(capacity: 1)
        defer { slot.deallocate() }
        var found = DiskCacheDatabase.RowFound.miss
        let decoded = try withDatabase("get") { database -> Bool in
            database.keyBuffer.removeAll(keepingCapacity: true)
            key.appendDiskCacheKeyBytes(to: &database.keyBuffer)
            // The in-process front, while no process has begun a write since it was current
            // (two atomic loads of cache.db-gen); see DiskCacheFront.
            let observed = database.frontObserve()
            if observed != nil, database.frontServe(codec: codec, counting: counting, into: slot) { return true }
            found = try database.findRowForKeyBuffer(signature: codec.signature, now: nil, counting: counting)
            guard case .inline(let rowid, let valueSize, let checksum, let serializerID) = found else { return false }
            let decoded = try database.decodeInline(describeKey: { key.diskCacheKey.description }, codec: codec, rowid: rowid,
                                                    valueSize: valueSize, checksum: checksum, serializerID: serializerID,
                                                    now: nil, counting: counting, touch: counting, into: slot,
                                                    captureForFront: observed != nil && database.admitsReadIntoFront())
            if let observed { database.frontFill(observed: observed) }
            return decoded
        }
        if decoded { return slot.move() }
        guard case .file(let reference) = found else { return nil }
        return try readFile(reference, key: key.diskCacheKey, codec: codec, counting: counting)
    }

    /// Expiry and compute time of a live entry (for early recomputation).
    func entryTimes(_ key: DiskCacheKey) throws -> (expire: Double?, computeTime: Double?)? {
        try withDatabase("get") { database in
            let select = try database.db.cachedStatement("SELECT expire_time, compute_time FROM entries WHERE key = ?")
            try key.storageBytes.withUnsafeBytes { try select.bind(unsafeNoCopyBlob: $0, at: 1) }
            defer { select.reset(); select.clearBindings() }
            guard try select.step() else { return nil }
            return (select.isNull(0) ? nil : select.double(0), select.isNull(1) ? nil : select.double(1))
        }
    }

    /// Entries carrying `tag`.
    public func count(tag: String) throws -> Int {
        try withDatabase("count") { Int(try $0.db.scalarInt("SELECT count(*) FROM entries WHERE tag = ?", .text(tag)) ?? 0) }
    }

    /// The stored bytes of a value (whatever its serializer), verified. Large values are
    /// memory-mapped, not copied: the fastest way to serve a big blob.
    /// A file truncated by another program *while* the returned `Data` is in use would fault;
    /// the cache itself never modifies a file in place.
    public func data(_ key: some DiskCacheKeyConvertible) throws -> Data? {
        let key = key.diskCacheKey
        let codec = ValueCodec(AnyCacheSerializer(DataSerializer()))
        let now = self.now()
        let result = try withDatabase("get") { database in
            try database.lookup(key, codec: codec.acceptingAnySerializer, now: now)
        }
        switch result {
        case .miss: return nil
        case .hit(let value): return value
        case .file(let reference):
            do {
                let data = try files.map(reference.name, expectedSize: reference.valueSize, checksum: reference.checksum)
                try withDatabase("get") { database in
                    database.stats.hits += 1
                    database.recordAccess(rowid: reference.rowid, now: now)
                }
                return data
            } catch {
                // Same handling as a typed read: re-check, remove if damaged, count a miss.
                return try readFile(reference, key: key, codec: codec.acceptingAnySerializer)
            }
        }
    }

    /// Whether a live entry exists (no hit or miss counted, recency untouched).
    public func contains(_ key: some DiskCacheKeyConvertible) throws -> Bool {
        let key = key.diskCacheKey
        let now = self.now()
        return try withDatabase("contains") { try $0.contains(key, now: now) }
    }

    // MARK: Set

    /// Stores `value` under `key`, replacing any entry.
    /// - Parameters:
    ///   - ttl: time to live; `nil` uses the cache's default TTL (none by default).
    ///   - tag: a tag for ``evict(tag:)``.
    /// - Throws: ``CacheStoreError`` `.itemTooLarge` / `.full`, ``DiskCacheError`` (`.diskFull`,
    ///   `.busy`, …), ``CacheSerializationError``. A failed write changes nothing.
    public func set<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws {
        let codec = codec(for: Value.self)
        _ = try store(key.diskCacheKey, try prepare(value, codec: codec), ttl: ttl, tag: tag, operation: "set")
    }

    /// Stores `value` encoded with `serializer`.
    public func set<S: CacheSerializer>(_ value: S.Value, forKey key: some DiskCacheKeyConvertible, serializer: S,
                                        ttl: Duration? = nil, tag: String? = nil) throws {
        let codec = ValueCodec(AnyCacheSerializer(serializer))
        _ = try store(key.diskCacheKey, try prepare(value, codec: codec), ttl: ttl, tag: tag, operation: "set")
    }

    /// Stores `value` only if no live entry exists; returns whether it was stored.
    @discardableResult
    public func add<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws -> Bool {
        let key = key.diskCacheKey
        if try contains(key) { return false }
        let encoded = try prepare(value, codec: codec(for: Value.self))
        let stored = try store(key, encoded, ttl: ttl, tag: tag, onlyIfAbsent: true, operation: "add")
        if !stored, let name = encoded.fileName { files.remove(name) }
        return stored
    }

    /// Stores several entries in one transaction: all or none.
    public func setMany<Value: Codable & Sendable>(_ entries: some Sequence<(key: DiskCacheKey, value: Value)>,
                                                   ttl: Duration? = nil, tag: String? = nil) throws {
        let codec = codec(for: Value.self)
        var prepared: [(DiskCacheKey, EncodedValue)] = []
        do {
            for (key, value) in entries { prepared.append((key, try prepare(value, codec: codec))) }
            try withDatabase("setMany") { database in
                try database.write {
                    for (_, encoded) in prepared { if let name = encoded.fileName { database.createdFiles.append(name) } }
                    let now = self.now()
                    for (key, encoded) in prepared {
                        _ = try database.put(key, encoded, expire: expiry(ttl, now: now), tag: tag, computeTime: nil,
                                             now: now, onlyIfAbsent: false)
                    }
                }
            }
        } catch {
            for (_, encoded) in prepared { if let name = encoded.fileName { files.remove(name) } }
            throw error
        }
    }

    /// The values found for `keys` (absent, expired and damaged ones are left out).
    public func getMany<Value: Codable & Sendable>(_ keys: [DiskCacheKey], as type: Value.Type = Value.self) throws -> [DiskCacheKey: Value] {
        let codec = codec(for: Value.self)
        let now = self.now()
        let results: [(DiskCacheKey, LookupResult<Value>)] = try withDatabase("getMany") { database in
            try database.readDeferringRemovals {
                try keys.map { key in (key, try database.lookup(key, codec: codec, now: now, touch: false)) }
            }
        }
        var found: [DiskCacheKey: Value] = [:]
        for (key, result) in results {
            switch result {
            case .miss: break
            case .hit(let value): found[key] = value
            case .file(let reference): if let value = try readFile(reference, key: key, codec: codec) { found[key] = value }
            }
        }
        return found
    }

    // MARK: Remove

    /// Removes `key`; returns whether a live entry was removed.
    @discardableResult
    public func delete(_ key: some DiskCacheKeyConvertible) throws -> Bool {
        let key = key.diskCacheKey
        return try withDatabase("delete") { database in
            try database.write { try database.delete(key, now: self.now()) }
        }
    }

    /// Removes and returns the value for `key` atomically: of two concurrent pops, one gets it.
    public func pop<Value: Codable & Sendable>(_ key: some DiskCacheKeyConvertible, as type: Value.Type = Value.self) throws -> Value? {
        let key = key.diskCacheKey
        let codec = codec(for: Value.self)
        return try withDatabase("pop") { database in
            try database.write { () throws -> Value? in
                let now = self.now()
                let found = try database.lookup(key, codec: codec, now: now, touch: false)
                let value: Value?
                switch found {
                case .miss: return nil
                case .hit(let v): value = v
                case .file(let reference):
                    do {
                        let bytes = try files.read(reference.name, expectedSize: reference.valueSize, checksum: reference.checksum)
                        value = try codec.decode(owned: bytes, serializerID: reference.serializerID)
                    } catch {
                        options.logger.warning("disk cache value file missing or damaged on pop; removing the entry",
                                               metadata: ["path": "\(files.path)/\(reference.name)", "problem": "\(error)"])
                        value = nil
                    }
                }
                _ = try database.delete(key, now: now)
                return value
            }
        }
    }

    /// Removes every entry; returns how many there were.
    @discardableResult
    public func clear() throws -> Int {
        try withDatabase("clear") { database in try database.write { try database.clear() } }
    }

    /// Removes every entry tagged `tag`; returns how many.
    @discardableResult
    public func evict(tag: String) throws -> Int {
        try withDatabase("evict") { database in try database.write { try database.evict(tag: tag) } }
    }

    /// Removes every expired entry now (expiry is otherwise lazy on reads, plus a few on writes).
    @discardableResult
    public func expire() throws -> Int {
        let now = self.now()
        return try withDatabase("expire") { database in try database.write { try database.cullExpired(now: now, limit: nil) } }
    }

    // MARK: Counters and expiry

    /// Adds `delta` to the integer at `key` atomically (across threads and processes) and
    /// returns the result; a missing or expired key starts at `default`. The entry keeps its
    /// expiry and tag. Throws ``DiskCacheError`` `.misuse` when the value is not an integer.
    @discardableResult
    public func incr(_ key: some DiskCacheKeyConvertible, by delta: Int64 = 1, default initial: Int64 = 0) throws -> Int64 {
        let key = key.diskCacheKey
        return try withDatabase("incr") { database in
            try database.write { try database.increment(key, by: delta, default: initial, now: self.now()) }
        }
    }

    /// Subtracts `delta`; see ``incr(_:by:default:)``.
    @discardableResult
    public func decr(_ key: some DiskCacheKeyConvertible, by delta: Int64 = 1, default initial: Int64 = 0) throws -> Int64 {
        try incr(key, by: -delta, default: initial)
    }

    /// Resets the expiry of a live entry to `ttl` from now (`nil`: never expires).
    /// Returns whether there was a live entry.
    @discardableResult
    public func touch(_ key: some DiskCacheKeyConvertible, ttl: Duration?) throws -> Bool {
        let key = key.diskCacheKey
        let now = self.now()
        return try withDatabase("touch") { database in
            try database.write { try database.touch(key, expire: ttl.map { now + $0.cacheSeconds }, now: now) }
        }
    }

    // MARK: Introspection

    /// Entries held now (expired ones not yet culled included).
    /// - Complexity: O(1) when totals are kept (a size limit); otherwise O(n) after each
    ///   change by any process (then reused).
    public var count: Int { (try? withDatabase("count") { Int(try $0.totals().count) }) ?? 0 }

    /// Bytes on disk: the database pages plus the value files.
    /// - Complexity: as ``count``.
    public func volume() throws -> Int {
        try withDatabase("volume") { database in
            Int(try database.databaseBytes() + database.totals().fileSize)
        }
    }

    /// Hits, misses and evictions of this instance; count and bytes (Σ key + value) of the cache.
    /// - Complexity: as ``count``.
    public var stats: CacheStats {
        (try? withDatabase("stats") { database in
            var stats = database.stats
            let totals = try database.totals()
            stats.count = Int(totals.count)
            stats.bytes = Int(totals.size)
            return stats
        }) ?? CacheStats()
    }

    /// Every key, in store order (a snapshot taken in batches; entries written meanwhile may appear).
    public func keys() throws -> [DiskCacheKey] { Array(try keySequence()) }

    /// Iterates over the keys in store order, fetching `batchSize` at a time.
    public func keySequence(batchSize: Int = 1_000) throws -> DiskCacheKeySequence {
        DiskCacheKeySequence(cache: self, batchSize: max(1, batchSize))
    }
}

/// Keys of a ``DiskCache`` in store order, read in batches.
public struct DiskCacheKeySequence: Sequence, Sendable {
    let cache: DiskCache
    let batchSize: Int

    public struct Iterator: IteratorProtocol {
        let cache: DiskCache
        let batchSize: Int
        var buffer: [(Int64, DiskCacheKey)] = []
        var index = 0
        var lastRowID: Int64 = 0
        var finished = false

        public mutating func next() -> DiskCacheKey? {
            if index == buffer.count {
                guard !finished else { return nil }
                let after = lastRowID, limit = batchSize
                buffer = (try? cache.withDatabase("keys") { try $0.keys(after: after, limit: limit) }) ?? []
                index = 0
                if buffer.count < batchSize { finished = true }
                guard !buffer.isEmpty else { return nil }
            }
            let (rowid, key) = buffer[index]
            index += 1
            lastRowID = rowid
            return key
        }
    }

    public func makeIterator() -> Iterator { Iterator(cache: cache, batchSize: batchSize) }
}

extension ValueCodec {
    /// For raw reads: any serializer's bytes are accepted as they are.
    var acceptingAnySerializer: ValueCodec { ValueCodec(serializer, acceptAny: true) }
}
