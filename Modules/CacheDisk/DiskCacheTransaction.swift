import CacheCore
import CacheSQLite

extension DiskCache {
    /// Runs `body` as one atomic transaction: its operations all happen or (if it throws,
    /// or the process dies) none do. Other threads and processes wait for the write lock
    /// (up to the busy timeout) and never see a partial state.
    ///
    /// Use the ``DiskCacheTransaction`` passed in; calling the cache itself from the body
    /// throws ``DiskCacheError`` `.misuse` (it would wait for itself).
    @discardableResult
    public func transact<R: Sendable>(_ body: (DiskCacheTransaction) throws -> R) throws -> R {
        try withDatabase("transact") { database in
            transactionThread.store(pthread_self_id(), ordering: .relaxed)
            let transaction = DiskCacheTransaction(cache: self, database: database)
            defer {
                transaction.isOpen = false
                transactionThread.store(0, ordering: .relaxed)
            }
            return try database.write {
                // The block's operations run as savepoints that may roll back one by one:
                // the front is emptied after it rather than followed key by key.
                database.frontUnsure = true
                return try body(transaction)
            }
        }
    }
}

/// The operations available inside ``DiskCache/transact(_:)``. Valid only during the body.
public final class DiskCacheTransaction {
    let cache: DiskCache
    let database: DiskCacheDatabase
    var isOpen = true

    init(cache: DiskCache, database: DiskCacheDatabase) {
        self.cache = cache
        self.database = database
    }

    func checkOpen(_ operation: String) throws {
        guard isOpen else {
            throw DiskCacheError(.misuse, path: cache.databasePath, operation: operation,
                                 detail: "the transaction was used after its transact block ended")
        }
    }

    /// Runs one operation as a savepoint: if it fails, only it is undone, and SQLite
    /// errors become ``DiskCacheError``.
    func run<R>(_ operation: String, _ body: () throws -> R) throws -> R {
        try checkOpen(operation)
        do {
            return try database.write(body)
        } catch let error as SQLiteError {
            throw DiskCache.map(error, operation: operation)
        }
    }

    public func get<Value: Codable & Sendable>(_ key: some DiskCacheKeyConvertible, as type: Value.Type = Value.self) throws -> Value? {
        let key = key.diskCacheKey
        let codec = cache.codec(for: Value.self)
        let result = try run("get") { try database.lookup(key, codec: codec, now: cache.now()) }
        let reference: FileReference
        switch result {
        case .miss: return nil
        case .hit(let value): return value
        case .file(let found): reference = found
        }
        do {
            let bytes = try cache.files.read(reference.name, expectedSize: reference.valueSize, checksum: reference.checksum)
            let value = try codec.decode(owned: bytes, serializerID: reference.serializerID)
            database.stats.hits += 1
            return value
        } catch {
            cache.options.logger.warning("disk cache value file missing or damaged; removing the entry",
                                         metadata: ["path": "\(cache.files.path)/\(reference.name)", "problem": "\(error)"])
            try run("get") { try database.removeDamaged(rowid: reference.rowid, file: reference.name) }
            database.stats.misses += 1
            return nil
        }
    }

    public func set<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws {
        _ = try put(value, key: key.diskCacheKey, ttl: ttl, tag: tag, onlyIfAbsent: false, operation: "set")
    }

    @discardableResult
    public func add<Value: Codable & Sendable>(_ value: Value, forKey key: some DiskCacheKeyConvertible,
                                               ttl: Duration? = nil, tag: String? = nil) throws -> Bool {
        try put(value, key: key.diskCacheKey, ttl: ttl, tag: tag, onlyIfAbsent: true, operation: "add")
    }

    func put<Value: Codable & Sendable>(_ value: Value, key: DiskCacheKey, ttl: Duration?, tag: String?,
                                        onlyIfAbsent: Bool, operation: String) throws -> Bool {
        try checkOpen(operation)
        let encoded = try cache.prepare(value, codec: cache.codec(for: Value.self))
        do {
            let stored = try run(operation) {
                let now = cache.now()
                return try database.put(key, encoded, expire: cache.expiry(ttl, now: now), tag: tag, computeTime: nil,
                                        now: now, onlyIfAbsent: onlyIfAbsent)
            }
            if stored, let name = encoded.fileName { database.createdFiles.append(name) }
            if !stored, let name = encoded.fileName { cache.files.remove(name) }
            return stored
        } catch {
            if let name = encoded.fileName { cache.files.remove(name) }
            throw error
        }
    }

    @discardableResult
    public func delete(_ key: some DiskCacheKeyConvertible) throws -> Bool {
        let key = key.diskCacheKey
        return try run("delete") { try database.delete(key, now: cache.now()) }
    }

    public func contains(_ key: some DiskCacheKeyConvertible) throws -> Bool {
        let key = key.diskCacheKey
        return try run("contains") { try database.contains(key, now: cache.now()) }
    }

    @discardableResult
    public func incr(_ key: some DiskCacheKeyConvertible, by delta: Int64 = 1, default initial: Int64 = 0) throws -> Int64 {
        let key = key.diskCacheKey
        return try run("incr") { try database.increment(key, by: delta, default: initial, now: cache.now()) }
    }

    @discardableResult
    public func touch(_ key: some DiskCacheKeyConvertible, ttl: Duration?) throws -> Bool {
        let key = key.diskCacheKey
        let now = cache.now()
        return try run("touch") { try database.touch(key, expire: ttl.map { now + $0.cacheSeconds }, now: now) }
    }
}
