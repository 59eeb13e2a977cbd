import CacheCompression
import CacheCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// joblib.Memory's store for Swift: results of functions over large numeric arrays,
/// kept in a directory as NumPy `.npy` files that `numpy.load` opens, indexed by a
/// small SQLite database.
///
/// Layout of the directory (0700; files 0600):
/// ```
/// index.sqlite               entries: key, function, version, file, dtype, shape,
///                            compression, sizes, stored/accessed times, hit counts
/// arrays/ab/<digest>-<r>.npy       an array result (…npy.zlib when compressed)
/// arrays/ab/<digest>-<r>.bin       a non-array result, in its serializer's format
/// arrays/ab/<digest>-<r>.table/    a table: one .npy per column
/// tmp/                       files being written; renamed into arrays/ when whole
/// ```
/// Every file is written under a temporary name and renamed, never modified in place,
/// and only then entered in the index: a process killed mid-write leaves at most an
/// unindexed file, never a visible half result. Each write uses a new file name, so a
/// reader holding an older entry (or a memory map of it) is never handed other bytes.
///
/// A hit costs one indexed SELECT, an open and an mmap (arrays ≥ 1 MiB by default) or a
/// read; the hit count and access time are batched in memory and written every
/// ``ArrayCacheOptions/hitFlushInterval`` hits, so a hit pays no write.
///
/// Anything unreadable — a missing, truncated or altered file, a header that lies, a
/// type other than asked — is a miss: the entry is dropped, counted in
/// `stats.decodeFailures` (a missing file is a plain miss) and logged, and the caller
/// recomputes. Several processes may share a directory.
///
/// Integrity: every entry records its file's XXH3-128 checksum and identity (device,
/// inode, size, modification time) when it is stored. A copied load hashes what it read
/// and refuses any difference. A memory-mapped load refuses a file whose identity is not
/// the recorded one (rewritten, replaced by rename, truncated, emptied) and hashes the
/// mapped content the first time this process maps that file identity, so a repeated hit
/// costs no hash (a process that stored the file counts as having verified it). The one
/// change only that content hash catches is bytes rewritten in place with the
/// modification time set back to the stored one (same inode and size): a copied load
/// refuses it at once; a memory-mapped load refuses it at the first load in each process
/// that had not yet mapped that file — a process that already verified or wrote the file
/// keeps serving its mapping. Use `.copy` where that matters. Entries written before
/// checksums existed (index schema 1) are never served: each is dropped and recomputed
/// once (a miss, not a decode failure).
public final class ArrayCache: Sendable {
    /// The cache directory.
    public let directory: String
    public let options: ArrayCacheOptions
    let state: Mutex<State>
    let logger = Logger(label: "swift-cache.joblib")

    struct State {
        let index: ArrayCacheIndex
        var pendingHits: [[UInt8]: (hits: Int, accessed: Double)] = [:]
        var pendingCount = 0
        var stats = CacheStats()
        var knownDirectories = Set<String>()
    }

    /// Opens (creating if needed) the array cache in `directory`.
    /// Throws `CacheIOError` when the directory or its index cannot be made or is not an
    /// array cache, `CacheConfigurationError` for invalid options.
    public init(directory: String, options: ArrayCacheOptions = ArrayCacheOptions()) throws {
        try options.validate()
        guard !directory.isEmpty else {
            throw CacheConfigurationError(setting: "directory", value: "''", reason: "must not be empty")
        }
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.options = options
        try PosixFile.makeDirectories(self.directory)
        try PosixFile.makeDirectories(self.directory + "/arrays")
        try PosixFile.makeDirectories(self.directory + "/tmp")
        let index: ArrayCacheIndex
        do {
            index = try ArrayCacheIndex(directory: self.directory)
        } catch let error as CacheIOError {
            throw error
        } catch {
            throw CacheIOError(operation: "open array cache index", location: self.directory + "/" + ArrayCacheIndex.fileName, reason: "\(error)")
        }
        state = Mutex(State(index: index))
        // Temporary files of writers killed more than an hour ago (a live writer's are younger).
        for name in PosixFile.list(self.directory + "/tmp") {
            let path = self.directory + "/tmp/" + name
            if let age = PosixFile.age(of: path, now: WallCacheClock().now()), age >= 3600 { PosixFile.removeTree(path) }
        }
    }

    deinit {
        try? flushHitBookkeeping()
    }

    // MARK: Arrays

    /// The array stored under `key`, or nil (a miss). Memory-mapped per ``ArrayCacheOptions/loadMode``
    /// unless compressed; returning a type other than ``ShapedArray`` copies (see ``CacheArrayConvertible``).
    public func array<A: CacheArrayConvertible>(forKey key: CacheKey, as type: A.Type = A.self) throws -> A? {
        try lookup(key, count: true) { entry, path in
            guard entry.kind == .array else { throw mismatch(entry, "holds a \(entry.kind.rawValue), not an array") }
            return try A(cacheArray: loadArray(entry, path: path).typed(as: A.Element.self, path: path))
        }
    }

    /// The array stored under `key` with its element type found at run time, or nil.
    public func anyArray(forKey key: CacheKey) throws -> AnyShapedArray? {
        try lookup(key, count: true) { entry, path in
            guard entry.kind == .array else { throw mismatch(entry, "holds a \(entry.kind.rawValue), not an array") }
            return try loadArray(entry, path: path)
        }
    }

    /// Stores `value` as a `.npy` file under `key` (replacing any older result).
    /// - Parameter computeTime: how long the value took to compute, recorded in the index.
    /// - Throws: `CacheStoreError.itemTooLarge` when it alone exceeds the bytes limit;
    ///   `CacheIOError` when it cannot be written. Nothing is visible until it is whole.
    public func setArray<A: CacheArrayConvertible>(_ value: A, forKey key: CacheKey, computeTime: Duration? = nil) throws {
        let shape = value.cacheArrayShape
        let count = value.withCacheArrayElements { $0.count }
        let expected = try ShapedArray<A.Element>.elementCount(of: shape)
        guard count == expected else {
            throw CacheSerializationError(.encoding, serializer: "npy", type: String(reflecting: A.self),
                                          reason: "shape \(shape) holds \(expected) elements, the value has \(count)")
        }
        let header = NumPyHeader.encode(elementType: A.Element.numpyType, shape: shape)
        try header.withUnsafeBytes { headerBytes in
            try value.withCacheArrayElements { elements in
                try write(
                    key: key, kind: .array, extension: "npy", parts: [headerBytes, UnsafeRawBufferPointer(elements)],
                    dtype: A.Element.numpyType.rawValue, shape: Self.shapeText(shape), columns: nil,
                    serializer: nil, formatVersion: 1, computeTime: computeTime)
            }
        }
    }

    // MARK: Other values

    /// The non-array value stored under `key` by `serializer`, or nil. An entry written by
    /// another serializer or format version is a miss (and is dropped).
    public func value<S: CacheSerializer>(forKey key: CacheKey, serializer: S) throws -> S.Value? {
        try lookup(key, count: true) { entry, path in
            guard entry.kind == .value, entry.serializer == serializer.id, entry.formatVersion == Int(serializer.formatVersion) else {
                throw mismatch(entry, "written by \(entry.serializer ?? entry.kind.rawValue) v\(entry.formatVersion), read with \(serializer.id) v\(serializer.formatVersion)")
            }
            let bytes = try readFile(entry, path: path)
            return try bytes.withUnsafeBytes { try serializer.decode($0) }
        }
    }

    /// Stores a non-array `value` through `serializer` (e.g. `CacheSerializers.default(for:)`).
    public func setValue<S: CacheSerializer>(_ value: S.Value, forKey key: CacheKey, serializer: S, computeTime: Duration? = nil) throws {
        let bytes = try serializer.encode(value)
        try bytes.withUnsafeBytes { raw in
            try write(key: key, kind: .value, extension: "bin", parts: [raw], dtype: nil, shape: nil, columns: nil,
                      serializer: serializer.id, formatVersion: Int(serializer.formatVersion), computeTime: computeTime)
        }
    }

    // MARK: Entries

    /// Whether `key` has an entry (without loading it or counting a hit or miss).
    public func contains(_ key: CacheKey) throws -> Bool {
        let bytes = key.storageBytes
        return try state.withLock { try $0.index.fileOf(key: bytes) != nil }
    }

    /// What the index records for `key` (hit counts include those not yet flushed).
    public func entry(forKey key: CacheKey) throws -> ArrayCacheEntry? {
        let bytes = key.storageBytes
        return try state.withLock { state in
            guard var entry = try state.index.entry(forKey: bytes) else { return nil }
            if let pending = state.pendingHits[bytes] {
                entry.hits += pending.hits
                entry.accessed = max(entry.accessed, pending.accessed)
            }
            return entry
        }
    }

    /// Removes the entry for `key` and its file; returns whether there was one.
    @discardableResult
    public func removeEntry(forKey key: CacheKey) throws -> Bool {
        let bytes = key.storageBytes
        let file = try state.withLock { state in
            state.pendingHits[bytes] = nil
            return try state.index.remove(key: bytes)
        }
        guard let file else { return false }
        removeFile(file)
        return true
    }

    /// Every entry, least recently accessed first.
    public func entries() throws -> [ArrayCacheEntry] {
        try flushHitBookkeeping()
        return try state.withLock { try $0.index.allEntries() }
    }

    /// Hits, misses, evictions and load failures of this instance; count and bytes of the directory.
    public var stats: CacheStats {
        state.withLock { state in
            var stats = state.stats
            if let totals = try? state.index.totals() {
                stats.count = totals.count
                stats.bytes = totals.bytes
            }
            return stats
        }
    }

    /// Entries in the directory.
    public var count: Int { state.withLock { (try? $0.index.totals().count) ?? 0 } }

    /// Entries whose kept namespace is `namespace` or below it (see ``removeAll(inNamespace:)``).
    public func count(inNamespace namespace: String) -> Int {
        state.withLock { (try? $0.index.count(inNamespace: namespace)) ?? 0 }
    }

    /// Writes the batched hit counts and access times to the index now.
    public func flushHitBookkeeping() throws {
        try state.withLock { try Self.flush(&$0) }
    }

    /// Writes the pending hits in one transaction; when that fails (another process holds
    /// the write lock past the busy timeout) they stay pending for the next flush.
    static func flush(_ state: inout State) throws {
        guard !state.pendingHits.isEmpty else { return }
        let pending = state.pendingHits
        state.pendingHits = [:]
        state.pendingCount = 0
        do {
            try state.index.recordHits(pending)
        } catch {
            state.pendingHits.merge(pending) { newer, older in (newer.hits + older.hits, max(newer.accessed, older.accessed)) }
            state.pendingCount = state.pendingHits.count
            throw error
        }
    }

    // MARK: Internals

    struct EntryMismatch: Error, CustomStringConvertible {
        var description: String
    }

    /// An entry without a checksum (written by a version before index schema 2).
    struct UnverifiableEntry: Error, CustomStringConvertible {
        var file: String
        var description: String { "entry \(file) was written before checksums existed" }
    }

    /// Checks `files` (the entry's file, or a table's columns in order) against what the
    /// index recorded; see the type's Integrity paragraph. Throws ``EntryMismatch``.
    func verify(_ entry: ArrayCacheEntry, path: String, files: [RawArrayFile]) throws {
        guard let checksum = entry.checksum else { throw UnverifiableEntry(file: entry.file) }
        let identity = files.map(\.identity.description).joined(separator: ";")
        let mapped = files.contains(where: \.mapped)
        let record = ArrayFileIntegrity.Verified(path: path, identity: identity, checksum: checksum)
        if mapped {
            guard identity == entry.fileIdentity else {
                throw mismatch(entry, "is not the file stored (identity \(identity), stored \(entry.fileIdentity ?? "none")): replaced or changed since")
            }
            if ArrayFileIntegrity.isVerified(record) { return }
        }
        guard ArrayFileIntegrity.checksum(files.map(\.bytes)) == checksum else {
            throw mismatch(entry, "does not match its stored checksum: altered since it was stored")
        }
        if mapped { ArrayFileIntegrity.markVerified(record) }
    }

    /// Reads and verifies one `.npy` file of `entry` and returns its array (mapped or
    /// copied per the load mode).
    func loadVerifiedArray(_ entry: ArrayCacheEntry, path: String) throws -> AnyShapedArray {
        let raw = try RawArrayFile.read(path, map: options.loadMode.maps)
        do {
            try verify(entry, path: path, files: [raw])
        } catch {
            raw.release()
            throw error
        }
        return try raw.adoptArray(path: path)
    }

    func mismatch(_ entry: ArrayCacheEntry, _ why: String) -> EntryMismatch {
        EntryMismatch(description: "entry \(entry.file) \(why)")
    }

    /// Finds `key`, loads it with `load` outside the lock, and books the hit or miss.
    /// A load that fails drops the entry (only while it still names the same file).
    func lookup<R>(_ key: CacheKey, count: Bool, _ load: (ArrayCacheEntry, String) throws -> R) throws -> R? {
        let bytes = key.storageBytes
        let entry = try state.withLock { state -> ArrayCacheEntry? in
            let entry = try state.index.entry(forKey: bytes)
            if entry == nil, count { state.stats.misses += 1 }
            return entry
        }
        guard let entry else { return nil }
        let path = directory + "/" + entry.file
        do {
            guard entry.checksum != nil else { throw UnverifiableEntry(file: entry.file) }
            let value = try load(entry, path)
            if count {
                let now = options.clock.now()
                state.withLock { state in
                    state.stats.hits += 1
                    let previous = state.pendingHits[bytes]
                    state.pendingHits[bytes] = ((previous?.hits ?? 0) + 1, now)
                    state.pendingCount += 1
                    if state.pendingCount >= options.hitFlushInterval {
                        // Bookkeeping must never cost the caller its hit: a failed flush is retried later.
                        do { try Self.flush(&state) } catch {
                            logger.notice("could not write batched hit counts yet", metadata: ["directory": "\(directory)", "error": "\(error)"])
                        }
                    }
                }
            }
            return value
        } catch {
            let vanished = (error as? CacheIOError)?.code == ENOENT
            let legacy = error is UnverifiableEntry
            let dropped = try state.withLock { state -> String? in
                if count { state.stats.misses += 1 }
                if !vanished && !legacy { state.stats.decodeFailures += 1 }
                state.pendingHits[bytes] = nil
                return try state.index.remove(key: bytes, ifFile: entry.file)
            }
            if let dropped { removeFile(dropped) }
            if legacy {
                logger.notice("dropped an array cache entry written before checksums existed; it is recomputed", metadata: [
                    "directory": "\(directory)", "key": "\(cacheDescribeKey(key))", "file": "\(entry.file)",
                ])
            } else if !vanished {
                logger.warning("dropped an unreadable array cache entry", metadata: [
                    "directory": "\(directory)", "key": "\(cacheDescribeKey(key))", "file": "\(entry.file)", "error": "\(error)",
                ])
            }
            return nil
        }
    }

    /// Loads an array entry: mapped or read per the load mode, inflated when compressed.
    func loadArray(_ entry: ArrayCacheEntry, path: String) throws -> AnyShapedArray {
        let array: AnyShapedArray
        switch entry.compression {
        case ArrayCompression.none.name:
            array = try loadVerifiedArray(entry, path: path)
        case "zlib":
            let size = entry.rawBytes
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 64)
            do {
                try inflateFile(entry, path, into: UnsafeMutableRawBufferPointer(start: buffer, count: size))
            } catch {
                buffer.deallocate()
                throw error
            }
            array = try NumPyFile.adopt(buffer, size: size, path: path)
        default:
            throw mismatch(entry, "uses unknown compression '\(entry.compression)'")
        }
        // The checksum covers the header; this also refuses an index row that disagrees with its file.
        guard array.elementType.rawValue == entry.dtype, Self.shapeText(array.shape) == entry.shape else {
            throw mismatch(entry, "holds \(array.elementType.rawValue) \(Self.shapeText(array.shape)), the index says \(entry.dtype ?? "?") \(entry.shape ?? "?")")
        }
        return array
    }

    /// The (inflated) bytes of a value entry.
    func readFile(_ entry: ArrayCacheEntry, path: String) throws -> [UInt8] {
        switch entry.compression {
        case ArrayCompression.none.name:
            return try readVerifiedFile(entry, path: path)
        case "zlib":
            var out = [UInt8](repeating: 0, count: entry.rawBytes)
            try out.withUnsafeMutableBytes { try inflateFile(entry, path, into: $0) }
            return out
        default:
            throw mismatch(entry, "uses unknown compression '\(entry.compression)'")
        }
    }

    func inflateFile(_ entry: ArrayCacheEntry, _ path: String, into output: UnsafeMutableRawBufferPointer) throws {
        let compressed = try readVerifiedFile(entry, path: path)
        try compressed.withUnsafeBytes { try ZlibCodec.decompress($0, into: output, context: path) }
    }

    /// The whole file of `entry`, read (never mapped) and checked against its checksum.
    func readVerifiedFile(_ entry: ArrayCacheEntry, path: String) throws -> [UInt8] {
        let bytes = try Self.readWholeFile(path)
        guard let checksum = entry.checksum else { throw UnverifiableEntry(file: entry.file) }
        guard bytes.withUnsafeBytes({ ArrayFileIntegrity.checksum([$0]) }) == checksum else {
            throw mismatch(entry, "does not match its stored checksum: altered since it was stored")
        }
        return bytes
    }

    static func readWholeFile(_ path: String) throws -> [UInt8] {
        let fd = try PosixFile.openForReading(path)
        defer { close(fd) }
        let size = try PosixFile.size(of: fd, path: path)
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { try PosixFile.readFully(fd, into: $0, at: 0, path: path) }
        return bytes
    }

    /// Writes a file for `key` (compressed per the options), renames it into place, then
    /// enters it in the index and removes the file it replaced; finally enforces the limits.
    func write(
        key: CacheKey, kind: ArrayCacheEntry.Kind, extension ext: String, parts: [UnsafeRawBufferPointer],
        dtype: String?, shape: String?, columns: String?, serializer: String?, formatVersion: Int, computeTime: Duration?
    ) throws {
        let rawBytes = parts.reduce(0) { $0 + $1.count }
        let storageKey = key.storageBytes
        let digest = CacheHash.digest(storageKey).hex
        var compressed: [UInt8]? = nil
        var level = 0
        if case .zlib(let l) = options.compression {
            level = l
            compressed = try ZlibCodec.compress(parts, level: Int32(l), context: "\(kind.rawValue) for \(cacheDescribeKey(key))")
        }
        let fileBytes = compressed?.count ?? rawBytes
        if let limit = options.bytesLimit, fileBytes > limit {
            throw CacheStoreError(.itemTooLarge, key: cacheDescribeKey(key), detail: "\(fileBytes) bytes exceed the cache's bytesLimit \(limit)")
        }
        let subdirectory = "arrays/" + digest.prefix(2)
        let unique = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let relative = "\(subdirectory)/\(digest)-\(unique).\(ext)\(compressed == nil ? "" : ".zlib")"
        try ensureDirectory(subdirectory)
        let fullPath = directory + "/" + relative
        let checksum: Hash128
        if let compressed {
            checksum = compressed.withUnsafeBytes { ArrayFileIntegrity.checksum([$0]) }
            try compressed.withUnsafeBytes {
                try PosixFile.writeAtomically([$0], to: fullPath, temporaryDirectory: directory + "/tmp", sync: options.synchronousWrites)
            }
        } else {
            checksum = ArrayFileIntegrity.checksum(parts)
            try PosixFile.writeAtomically(parts, to: fullPath, temporaryDirectory: directory + "/tmp", sync: options.synchronousWrites)
        }
        let identity: ArrayFileIdentity
        do {
            identity = try ArrayFileIdentity.of(path: fullPath)
        } catch {
            removeFile(relative)
            throw error
        }
        let (function, version) = Self.split(namespace: key.namespace)
        let now = options.clock.now()
        let entry = ArrayCacheEntry(
            key: storageKey, namespace: key.namespace, function: function, version: version, kind: kind, file: relative,
            dtype: dtype, shape: shape, columns: columns, compression: options.compression.name, compressionLevel: level,
            serializer: serializer, formatVersion: formatVersion, hashAlgorithm: CacheHash.algorithmID,
            arguments: String(cacheDescribeKey(key, limit: 200)), rawBytes: rawBytes, fileBytes: fileBytes,
            stored: now, accessed: now, hits: 0, computeSeconds: computeTime?.cacheSeconds,
            fileIdentity: identity.description, checksum: checksum)
        try commit(entry)
        // This process wrote these bytes: its own mapped hits need not hash them again.
        ArrayFileIntegrity.markVerified(.init(path: fullPath, identity: identity.description, checksum: checksum))
    }

    /// Enters a written file in the index, removes the file it replaced, enforces the limits.
    /// When the index update fails, the new file is removed and the error thrown.
    func commit(_ entry: ArrayCacheEntry) throws {
        let replaced: String?
        do {
            replaced = try state.withLock { state in
                try? Self.flush(&state)   // pending hits stay queued when the index is busy
                state.pendingHits[entry.key] = nil
                return try state.index.upsert(entry)
            }
        } catch {
            removeFile(entry.file)
            throw error
        }
        if let replaced { removeFile(replaced) }
        if options.bytesLimit != nil || options.itemsLimit != nil {
            // One aggregate query decides; the eviction scan runs only when a limit is exceeded
            // (every cache has a bytes limit by default, so this is on every write's path).
            let totals = try state.withLock { try $0.index.totals() }
            if (options.bytesLimit.map { totals.bytes > $0 } ?? false) || (options.itemsLimit.map { totals.count > $0 } ?? false) {
                try reduceSize(bytesLimit: options.bytesLimit, itemsLimit: options.itemsLimit, ageLimit: nil)
            }
        }
    }

    func ensureDirectory(_ relative: String) throws {
        let known = state.withLock { $0.knownDirectories.contains(relative) }
        if known { return }
        try PosixFile.makeDirectories(directory + "/" + relative)
        state.withLock { _ = $0.knownDirectories.insert(relative) }
    }

    /// Removes a file or (for tables) a directory, ignoring one already gone.
    func removeFile(_ relative: String) {
        guard !relative.isEmpty, !relative.contains("..") else { return }
        PosixFile.removeTree(directory + "/" + relative)
    }

    /// `name@version` → (`name`, `version`); no `@` → (`name`, "").
    static func split(namespace: String) -> (String, String) {
        guard let at = namespace.firstIndex(of: "@") else { return (namespace, "") }
        return (String(namespace[..<at]), String(namespace[namespace.index(after: at)...]))
    }

    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }
}
