import CacheCore
import CacheSQLite
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A persistent, multi-process, crash-safe key-value cache in a directory: an index in
/// SQLite (WAL journal) and large values in their own files (diskcache's design).
///
/// - Keys: `String`, `Int`, ``CacheKey`` or ``DiskCacheKey``; the full key is stored.
/// - Values: anything `Codable` through CacheCore's serializers (bytes and numeric arrays
///   raw); each entry records its serializer id, format version, length and XXH3-128
///   checksum, verified on every read. A value that fails verification or decoding is a
///   miss: the entry is removed and a warning logged — never wrong bytes.
/// - Values of at least `inlineThreshold` bytes (32 KiB) live in `values/`, written to a
///   temporary name and renamed, never modified in place.
/// - Expiry per entry (wall clock, injectable), tags, a size limit enforced on every write
///   with a choice of ``DiskEvictionPolicy``, atomic ``transact(_:)`` blocks.
/// - Several processes (and threads) may share one directory; a killed process leaves
///   the cache consistent. The schema is documented in ``DiskCacheSchema``.
///
/// Thread-safe: one SQLite connection per instance, used under a lock; value files are
/// read and written outside it.
public final class DiskCache: Sendable {
    /// The cache directory.
    public let directory: String
    /// `directory/cache.db`.
    public let databasePath: String
    public let options: DiskCacheOptions
    let files: ValueFiles
    let state: Mutex<DiskCacheDatabase?>
    /// The thread running a `transact` body, to refuse re-entrant calls instead of deadlocking.
    let transactionThread = Atomic<UInt>(0)
    /// Identifies this instance as a lease owner (memoize across processes).
    let instanceID: String
    /// Default codecs by value type, so a read or write does not rebuild its serializer.
    /// A short list searched linearly: a cache sees few value types, and comparing
    /// identifiers is cheaper than hashing them.
    let codecs = Mutex<[(type: ObjectIdentifier, box: AnyCodecBox)]>([])

    /// Opens (creating if needed) the cache in `directory`.
    ///
    /// - Throws: ``CacheConfigurationError`` for bad options; ``DiskCacheError`` when the
    ///   path is a file (`.notADirectory`), cannot be written (`.notWritable`), the database
    ///   is damaged (`.corruptDatabase`) or of an unknown version (`.unsupportedSchema`) —
    ///   pass `recovery: .rebuild` to move such a file aside and start empty.
    public init(directory: String, options: DiskCacheOptions = DiskCacheOptions()) throws {
        try options.validate()
        self.directory = directory
        self.options = options
        databasePath = directory + "/cache.db"
        var generator = SystemRandomNumberGenerator()
        instanceID = Hash128(low: generator.next(), high: generator.next()).hex
        try DiskCache.prepareDirectory(directory)
        files = try ValueFiles(cacheDirectory: directory, syncFiles: options.synchronous == .full)
        do {
            let database = try DiskCache.openDatabase(path: databasePath, options: options, files: files)
            state = Mutex(database)
        } catch {
            files.close()
            throw error
        }
    }

    /// Convenience: a cache with the common settings (`sizeLimit` 1 GiB by default, `nil` = unbounded).
    public convenience init(
        directory: String, sizeLimit: Int? = DiskCacheOptions.defaultSizeLimit, evictionPolicy: DiskEvictionPolicy = .leastRecentlyStored,
        defaultTTL: Duration? = nil, clock: any CacheClock = WallCacheClock()
    ) throws {
        try self.init(directory: directory, options: DiskCacheOptions(
            sizeLimit: sizeLimit, evictionPolicy: evictionPolicy, defaultTTL: defaultTTL, clock: clock))
    }

    deinit {
        close()
        files.close()
    }

    /// Closes the database; later calls throw ``DiskCacheError`` `.closed`.
    public func close() {
        state.withLock { database in
            database?.close()
            database = nil
        }
    }

    // MARK: Opening

    static func prepareDirectory(_ directory: String) throws(DiskCacheError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw DiskCacheError(.notADirectory, path: directory, operation: "open cache directory",
                                     detail: "the path exists and is not a directory")
            }
        } else if errno == ENOENT {
            try makeDirectories(directory)
        } else if errno == ENOTDIR {
            // A component of the path is a file: name it.
            var prefix = directory.hasPrefix("/") ? "" : "."
            for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
                prefix += "/" + component
                var part = stat()
                if stat(prefix, &part) == 0, (part.st_mode & S_IFMT) != S_IFDIR { break }
            }
            throw DiskCacheError(.notADirectory, path: prefix, operation: "open cache directory",
                                 detail: "a component of the path exists and is not a directory")
        } else {
            let code = errno
            throw DiskCacheError(code == EACCES ? .notWritable : .valueFile, path: directory, operation: "open cache directory",
                                 detail: String(cString: strerror(code)), code: code)
        }
        if access(directory, W_OK | X_OK) != 0 {
            let code = errno
            throw DiskCacheError(.notWritable, path: directory, operation: "open cache directory",
                                 detail: String(cString: strerror(code)), code: code)
        }
    }

    /// `mkdir -p` with mode 0700 for every directory it creates.
    static func makeDirectories(_ path: String) throws(DiskCacheError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 {
                let code = errno
                if code == EEXIST {
                    var info = stat()
                    if stat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { continue }
                    throw DiskCacheError(.notADirectory, path: prefix, operation: "create cache directory",
                                         detail: "a component of the path exists and is not a directory")
                }
                throw DiskCacheError(code == EACCES || code == EROFS || code == EPERM ? .notWritable : .valueFile,
                                     path: prefix, operation: "create cache directory", detail: String(cString: strerror(code)), code: code)
            }
        }
    }

    static func openDatabase(path: String, options: DiskCacheOptions, files: ValueFiles) throws -> DiskCacheDatabase {
        // Create the file ourselves so it is 0600 (SQLite gives -wal and -shm the same mode).
        if let code = SQLiteConnection.createPrivateFile(atPath: path) {
            throw DiskCacheError(code == ELOOP ? .notADirectory : (code == EACCES || code == EROFS ? .notWritable : .database),
                                 path: path, operation: "open database",
                                 detail: code == ELOOP ? "it is a symbolic link, which the cache does not follow" : String(cString: strerror(code)),
                                 code: code)
        }
        do {
            return try DiskCacheDatabase(path: path, options: options, files: files)
        } catch let error as SQLiteError where error.isCorrupt {
            return try recover(path: path, options: options, files: files,
                               problem: DiskCacheError(.corruptDatabase, path: path, operation: "open database", detail: error.description, code: error.extendedCode))
        } catch let problem as DiskCacheSchema.SchemaProblem {
            return try recover(path: path, options: options, files: files,
                               problem: DiskCacheError(.unsupportedSchema, path: path, operation: "open database", detail: problem.reason))
        } catch let error as SQLiteError {
            throw DiskCache.map(error, operation: "open database")
        }
    }

    static func recover(path: String, options: DiskCacheOptions, files: ValueFiles, problem: DiskCacheError) throws -> DiskCacheDatabase {
        guard options.recovery == .rebuild else { throw problem }
        let aside = path + ".damaged-\(Int(WallCacheClock().now()))-\(UInt32.random(in: 0...UInt32.max))"
        for suffix in ["", "-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
            if rename(path + suffix, aside + suffix) != 0 {
                let code = errno
                throw DiskCacheError(.notWritable, path: path + suffix, operation: "move the damaged database aside",
                                     detail: String(cString: strerror(code)), code: code)
            }
        }
        options.logger.error("disk cache database was damaged or of an unknown schema; moved it aside and started empty",
                             metadata: ["path": "\(path)", "movedTo": "\(aside)", "problem": "\(problem)"])
        var once = options
        once.recovery = .fail
        return try openDatabase(path: path, options: once, files: files)
    }

    // MARK: Locking and errors


    /// Runs `body` with the database under the lock, mapping SQLite errors to ``DiskCacheError``.
    @inline(__always)
    func withDatabase<R: Sendable>(_ operation: String, _ body: (DiskCacheDatabase) throws -> R) throws -> R {
        if transactionThread.load(ordering: .relaxed) != 0, transactionThread.load(ordering: .relaxed) == pthread_self_id() {
            throw DiskCacheError(.misuse, path: databasePath, operation: operation,
                                 detail: "called on the cache from inside its own transact block; use the transaction's methods")
        }
        do {
            return try state.withLock { database throws -> R in
                guard let database else {
                    throw DiskCacheError(.closed, path: databasePath, operation: operation, detail: "the cache was closed")
                }
                return try body(database)
            }
        } catch let error as SQLiteError {
            throw DiskCache.map(error, operation: operation)
        }
    }

    static func map(_ error: SQLiteError, operation: String) -> DiskCacheError {
        let kind: DiskCacheError.Kind = error.isFull ? .diskFull : error.isBusy ? .busy : error.isCorrupt ? .corruptDatabase : .database
        return DiskCacheError(kind, path: error.path, operation: operation, detail: error.description, code: error.extendedCode)
    }

    func now() -> Double { options.clock.now() }

    func expiry(_ ttl: Duration?, now: Double) -> Double? {
        guard let ttl = ttl ?? options.defaultTTL else { return nil }
        return now + ttl.cacheSeconds
    }

    // MARK: Encoding

    func codec<V: Codable>(for type: V.Type) -> ValueCodec<V> {
        let id = ObjectIdentifier(V.self)
        // Boxes are stored under their value type's identifier, so the downcast is exact.
        let found = codecs.withLock { list -> AnyCodecBox? in
            for entry in list where entry.type == id { return entry.box }
            return nil
        }
        if let found { return unsafeDowncast(found, to: CodecBox<V>.self).codec }
        let codec = ValueCodec(CacheSerializers.default(for: V.self))
        codecs.withLock { list in
            if !list.contains(where: { $0.type == id }) { list.append((id, CodecBox(codec))) }
        }
        return codec
    }

    /// Serializes and checksums `bytes`; large values go to a new file now (outside the lock).
    func prepare(_ bytes: [UInt8], serializerID: String, formatVersion: UInt16) throws -> EncodedValue {
        let checksum = bytes.withUnsafeBytes { XXH3.hash128($0) }
        if bytes.count >= options.inlineThreshold {
            let name = try bytes.withUnsafeBytes { raw throws(DiskCacheError) in try files.write(raw) }
            return EncodedValue(storage: .file(name), valueSize: bytes.count, checksum: checksum,
                                serializerID: serializerID, formatVersion: formatVersion)
        }
        return EncodedValue(storage: .inline(bytes), valueSize: bytes.count, checksum: checksum,
                            serializerID: serializerID, formatVersion: formatVersion)
    }

    func prepare<V>(_ value: V, codec: ValueCodec<V>) throws -> EncodedValue {
        try prepare(try codec.encode(value), serializerID: codec.id, formatVersion: codec.formatVersion)
    }

    /// Writes a prepared value; a file it created is removed if the write fails.
    func store(_ key: DiskCacheKey, _ encoded: EncodedValue, ttl: Duration?, tag: String?, computeTime: Double? = nil,
               onlyIfAbsent: Bool = false, operation: String) throws -> Bool {
        do {
            return try withDatabase(operation) { database in
                try database.write {
                    if let name = encoded.fileName { database.createdFiles.append(name) }
                    let now = self.now()
                    return try database.put(key, encoded, expire: expiry(ttl, now: now), tag: tag, computeTime: computeTime,
                                            now: now, onlyIfAbsent: onlyIfAbsent)
                }
            }
        } catch {
            // Covers a failure before `write` registered the file (closed, misuse).
            if let name = encoded.fileName { files.remove(name) }
            throw error
        }
    }

    // MARK: Reading files

    /// Reads, verifies and decodes a file value found by a lookup; a missing or damaged
    /// file is a miss (the entry is removed and a warning logged).
    func readFile<V: Sendable>(_ reference: FileReference, key: DiskCacheKey, codec: ValueCodec<V>, counting: Bool = true) throws -> V? {
        let outcome: Result<V, any Error>
        do {
            let bytes = try files.read(reference.name, expectedSize: reference.valueSize, checksum: reference.checksum)
            outcome = Result { try codec.decode(owned: bytes, serializerID: reference.serializerID) }
        } catch .missing {
            // Another process may have replaced or removed the entry meanwhile; re-check.
            let stillThere = try withDatabase("get") { database in
                try database.db.scalarInt("SELECT count(*) FROM entries WHERE rowid = ? AND file = ?",
                                          .integer(reference.rowid), .text(reference.name)) ?? 0
            }
            if stillThere == 0 {
                if counting { try withDatabase("get") { database in database.stats.misses += 1 } }
                return nil
            }
            outcome = .failure(ValueFiles.ReadFailure.missing)
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let value):
            if counting {
                try withDatabase("get") { database in
                    database.stats.hits += 1
                    database.recordAccess(rowid: reference.rowid, now: now())
                }
            }
            return value
        case .failure(let error):
            options.logger.warning("disk cache value file is missing, damaged or undecodable; treating it as a miss and removing the entry",
                                   metadata: ["path": "\(files.path)/\(reference.name)", "key": "\(key)", "problem": "\(error)"])
            try withDatabase("get") { database in
                try database.removeDamaged(rowid: reference.rowid, file: reference.name)
                if counting { database.stats.misses += 1 }
            }
            return nil
        }
    }
}

@inline(__always) func pthread_self_id() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}

/// A type-erased ``ValueCodec`` in the codec cache.
// @unchecked Sendable: Swift checks Sendable only on final classes, and this base must
// stay open for `CodecBox`; it has no stored properties, so there is no state to race on.
class AnyCodecBox: @unchecked Sendable {}

// @unchecked Sendable (inherited from the base's): its only stored property is a `let`
// of `ValueCodec<V>`, itself a checked-Sendable final class of `let`s.
final class CodecBox<V>: AnyCodecBox, @unchecked Sendable {
    let codec: ValueCodec<V>
    init(_ codec: ValueCodec<V>) { self.codec = codec }
}
