import CacheCore
import Logging
import Synchronization

/// A cache with a policy front in memory over an archive (klepto's caches): reads
/// missing from the front fall through to the archive and fill the front; writes reach
/// the archive at once (write-through) or on ``dump()`` (write-back).
///
/// ```swift
/// let archive = try DirectoryArchive(path: "/tmp/sessions")
/// let cache = try KleptoCache<CacheKey, Session>(archive: archive, policy: .lru(maxSize: 256))
/// let lookup = try Memoized(store: cache, name: "session") { (id: Int) in try fetchSession(id) }
/// ```
///
/// Keys are mapped to archive keys by a ``KleptoKeymap`` (the XXH3-128 digest by
/// default; tolerance rounding and ignored arguments make near-equal calls share an
/// entry); values are written with a `CacheSerializer` (the family's default binary
/// `Codable` format unless another is given). The front is keyed by the archive key, so
/// calls that share an archive entry share a front entry too.
///
/// A damaged archive entry (altered, truncated, another format) is a miss: it is
/// removed and counted in `stats.decodeFailures`, and its reason kept in
/// ``info``'s `recentFailures`; an archive that cannot be read is a miss counted in
/// `stats.readFailures`. Each absorbed failure is also logged at `warning` level on the
/// cache's `logger` (label `swift-cache.klepto` by default), naming the file or table.
/// ``load()`` throws these errors instead.
///
/// `count` is the number of entries in the cache — the archive's plus unflushed
/// write-back entries — so a bounded policy bounds the front, not `count`; the front's
/// evictions are counted in `stats.evictions` (the entries stay in the archive).
///
/// Write-back loss window: entries written since the last flush are lost if the process
/// dies; they are flushed by ``dump()``, by front evictions, by deinit and every
/// `flushInterval` by a background timer, so a crash loses at most that interval.
///
/// Thread-safe: front, bookkeeping and archive calls are serialized by one `Mutex`
/// (archive I/O included, so the front and the archive never disagree); serialization of
/// a written value runs before the lock is taken in write-through mode.
public final class KleptoCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    /// Where entries beyond the front live.
    public let archive: any KleptoArchive
    public let policy: KleptoPolicy
    public let writeMode: KleptoWriteMode
    public let keymap: KleptoKeymap
    /// Dump and empty the front when it is full instead of evicting one entry (klepto's `purge`).
    public let purgesWhenFull: Bool
    let serializer: AnyCacheSerializer<Value>
    let format: String
    let makeArchiveKey: @Sendable (Key) throws -> CacheKey
    @usableFromInline let inner: Mutex<Inner>
    let flushTimer: KleptoFlushTimer?
    /// Where absorbed failures (damaged entries, I/O errors) are reported.
    public let logger: Logger

    @usableFromInline
    struct Inner {
        /// The front by its concrete type (the specialized hit path switches over it).
        @usableFromInline let concreteFront: KleptoConcreteFront<Value>?
        var front: (any KleptoFront<Value>)? { concreteFront?.front }
        /// Each recently used key's archive key and that key's hash, so a front hit neither
        /// encodes nor digests the key (the keymap is a pure function of the key, so an
        /// entry never goes stale; the memo is emptied when it outgrows `memoLimit`).
        @usableFromInline var memo: [Key: KleptoKeyMemo] = [:]
        let memoLimit: Int
        var dirty: Set<CacheKey> = []
        @usableFromInline var info = KleptoInfo()
        @usableFromInline var stats = CacheStats()

        init(front: KleptoConcreteFront<Value>?, memoLimit: Int) {
            concreteFront = front
            self.memoLimit = memoLimit
        }

        /// Remembers `key`'s archive key once the front holds it.
        mutating func remember(_ key: Key, _ archiveKey: CacheKey) {
            guard concreteFront != nil, memo[key] == nil else { return }
            if memo.count >= memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[key] = KleptoKeyMemo(archiveKey: archiveKey, hash32: UInt32(truncatingIfNeeded: archiveKey.hashValue))
        }
    }

    var isWriteBack: Bool {
        if case .writeBack = writeMode { return policy != .none }
        return false
    }

    /// The designated initializer: keys are turned into ``CacheKey``s by `makeKey`
    /// (before the keymap), values into bytes by `serializer`.
    init(archive: any KleptoArchive, policy: KleptoPolicy, writeMode: KleptoWriteMode, keymap: KleptoKeymap,
         serializer: AnyCacheSerializer<Value>, purgesWhenFull: Bool, logger: Logger,
         makeKey: @escaping @Sendable (Key) throws -> CacheKey)
        throws(CacheConfigurationError)
    {
        if let n = policy.maxSize, n < 1 {
            throw CacheConfigurationError(setting: "policy", value: policy.description, reason: "a bounded front needs maxSize ≥ 1 (use .none for no front)")
        }
        if case .writeBack(let interval?) = writeMode, interval <= .zero {
            throw CacheConfigurationError(setting: "flushInterval", value: "\(interval)", reason: "must be positive, or nil for no background flush")
        }
        self.archive = archive
        self.policy = policy
        self.writeMode = writeMode
        self.keymap = keymap
        self.serializer = serializer
        self.purgesWhenFull = purgesWhenFull
        self.logger = logger
        format = KleptoRecord.format(of: serializer)
        if keymap == .canonical {
            makeArchiveKey = makeKey
        } else {
            makeArchiveKey = { (key: Key) throws -> CacheKey in try keymap.archiveKey(for: makeKey(key)) }
        }
        // Twice the front's bound: every key the front holds fits, with room for the keys it
        // evicted lately (an unbounded front's memo is emptied every 65,536 keys).
        inner = Mutex(Inner(front: policy.makeFront(of: Value.self), memoLimit: min(policy.maxSize ?? 32_768, 1 << 30) * 2))
        if case .writeBack(let interval?) = writeMode, policy != .none {
            flushTimer = KleptoFlushTimer(interval: interval)
        } else {
            flushTimer = nil
        }
        flushTimer?.start { [weak self] in
            guard let self else { return }
            try? self.dump()
        }
    }

    /// Flushes write-back entries (errors are counted in `stats.storeFailures`).
    deinit {
        flushTimer?.cancel()
        if isWriteBack { try? dump() }
    }

    // MARK: Helpers (called under the lock)

    /// Remembers a failure the cache absorbed, and logs it.
    func note(_ failure: String, _ s: inout Inner) {
        logger.warning("[CacheKlepto] \(failure)", metadata: ["archive": "\(archive.location)"])
        s.info.recentFailures.append(failure)
        if s.info.recentFailures.count > 16 { s.info.recentFailures.removeFirst() }
    }

    func encodeRecord(_ value: Value) throws -> KleptoRecord {
        KleptoRecord(format: format, payload: try serializer.encode(value))
    }

    /// The archive's value for `key`, or `nil`; a damaged or undecodable entry is
    /// removed and counted (`explicit` throws instead).
    func archiveValue(_ key: CacheKey, _ s: inout Inner, explicit: Bool = false) throws -> Value? {
        let record: KleptoRecord?
        do {
            record = try archive.record(forKey: key)
        } catch let error as KleptoArchiveError where error.kind == .damaged {
            if explicit { throw error }
            s.stats.decodeFailures += 1
            note(error.description + "; entry removed", &s)
            _ = try? archive.removeRecord(forKey: key)
            return nil
        } catch {
            if explicit { throw error }
            s.stats.readFailures += 1
            note("\(archive.location): read failed: \(error)", &s)
            return nil
        }
        guard let record else { return nil }
        do {
            guard record.format == format else {
                throw CacheSerializationError(.decoding, serializer: serializer.id, type: String(reflecting: Value.self),
                                              reason: "entry written as '\(record.format)', expected '\(format)'")
            }
            return try serializer.decode(record.payload)
        } catch {
            if explicit {
                throw KleptoArchiveError(.damaged, path: archive.location, detail: "entry \(KleptoKeymap.describe(key)): \(error)")
            }
            s.stats.decodeFailures += 1
            note("\(archive.location): entry \(KleptoKeymap.describe(key)) does not decode (\(error)); entry removed", &s)
            _ = try? archive.removeRecord(forKey: key)
            return nil
        }
    }

    /// Puts `value` in the front (dirty when `dirty`), writing evicted dirty entries to the
    /// archive, or — purging — dumping and emptying a full front first.
    func fillFront(_ key: CacheKey, _ value: Value, dirty: Bool, _ s: inout Inner) {
        guard let front = s.front else { return }
        if purgesWhenFull && front.isFull && front.peek(key) == nil {
            writeDirty(&s)
            front.removeAll()
        }
        let evicted = front.store(key, value)
        if dirty { s.dirty.insert(key) }
        guard !evicted.isEmpty else { return }
        s.stats.evictions[.size, default: 0] += evicted.count
        var records: [(key: CacheKey, record: KleptoRecord)] = []
        for (k, v) in evicted where s.dirty.remove(k) != nil {
            do { records.append((k, try encodeRecord(v))) } catch {
                s.stats.storeFailures += 1
                note("evicted entry \(KleptoKeymap.describe(k)) could not be encoded: \(error)", &s)
            }
        }
        if !records.isEmpty { writeRecords(records, &s) }
    }

    /// Writes records to the archive, counting a failure instead of throwing.
    func writeRecords(_ records: [(key: CacheKey, record: KleptoRecord)], _ s: inout Inner) {
        do {
            try archive.setRecords(records)
            s.info.dumpedEntries += records.count
        } catch {
            s.stats.storeFailures += records.count
            note("\(archive.location): writing \(records.count) entries failed: \(error)", &s)
        }
    }

    /// Writes every dirty front entry; returns the first failure.
    @discardableResult
    func writeDirty(_ s: inout Inner) -> (any Error)? {
        guard let front = s.front, !s.dirty.isEmpty else { return nil }
        var records: [(key: CacheKey, record: KleptoRecord)] = []
        var firstError: (any Error)?
        for key in s.dirty {
            guard let value = front.peek(key) else { continue }
            do { records.append((key, try encodeRecord(value))) } catch {
                firstError = firstError ?? error
                s.stats.storeFailures += 1
            }
        }
        do {
            try archive.setRecords(records)
            s.info.dumpedEntries += records.count
            s.dirty.removeAll()
        } catch {
            firstError = firstError ?? error
            s.stats.storeFailures += records.count
            note("\(archive.location): dump failed: \(error)", &s)
        }
        return firstError
    }

    // MARK: CacheStore

    /// The value for `key`: from the front, else from the archive (filling the front).
    ///
    /// A front hit on a key used recently is one lookup under the lock: the key's archive
    /// key and its hash are remembered, so the key is not encoded or digested again.
    /// - Complexity: O(1) for a front hit; one archive read otherwise.
    @inlinable
    public func value(forKey key: Key) throws -> Value? {
        let hit = inner.withLock { s -> Value? in
            guard let front = s.concreteFront, let memo = s.memo[key],
                  let v = front.hit(memo.archiveKey, hash32: memo.hash32) else { return nil }
            s.stats.hits &+= 1
            s.info.frontHits &+= 1
            return v
        }
        if let hit { return hit }
        return try valueBeyondMemo(forKey: key)
    }

    /// ``value(forKey:)`` for a key the memo does not hold or the front lacks.
    @usableFromInline
    func valueBeyondMemo(forKey key: Key) throws -> Value? {
        let k = try makeArchiveKey(key)
        return try inner.withLock { s -> Value? in
            if let front = s.front, let v = front.get(k) {
                s.stats.hits += 1
                s.info.frontHits += 1
                s.remember(key, k)
                return v
            }
            guard let v = try archiveValue(k, &s) else {
                s.stats.misses += 1
                return nil
            }
            s.stats.hits += 1
            s.info.archiveLoads += 1
            fillFront(k, v, dirty: false, &s)
            s.remember(key, k)
            return v
        }
    }

    /// Stores `value`: in the archive and the front (write-through), or in the front only,
    /// marked for the next dump (write-back).
    /// - Throws: `CacheStoreError(.unsupported)` for a `ttl`; the serializer's or the
    ///   archive's error in write-through mode (the key's previous value then remains).
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws {
        if ttl != nil {
            throw CacheStoreError(.unsupported, key: "\(key)", detail: "KleptoCache has no per-entry TTL; pass ttl: nil")
        }
        let k = try makeArchiveKey(key)
        if isWriteBack {
            inner.withLock { s in
                fillFront(k, value, dirty: true, &s)
                s.remember(key, k)
            }
            return
        }
        let record = try encodeRecord(value)
        try inner.withLock { s in
            do { try archive.setRecord(record, forKey: k) } catch {
                s.stats.storeFailures += 1
                throw error
            }
            s.dirty.remove(k)
            fillFront(k, value, dirty: false, &s)
            s.remember(key, k)
        }
    }

    /// Removes `key` from the front and the archive; returns its value.
    @discardableResult
    public func removeValue(forKey key: Key) throws -> Value? {
        let k = try makeArchiveKey(key)
        return try inner.withLock { s -> Value? in
            let fromFront = s.front?.remove(k)
            s.dirty.remove(k)
            let fromArchive = fromFront == nil ? try archiveValue(k, &s) : nil
            try archive.removeRecord(forKey: k)
            return fromFront ?? fromArchive
        }
    }

    /// Empties the front and the archive (counters are kept).
    public func removeAll() throws {
        try inner.withLock { s in
            s.front?.removeAll()
            s.dirty.removeAll()
            try archive.removeAll()
        }
    }

    public func contains(_ key: Key) throws -> Bool {
        let k = try makeArchiveKey(key)
        return try inner.withLock { s in
            if s.front?.peek(k) != nil { return true }
            return try archive.contains(k)
        }
    }

    /// The value without counting, touching the front's order or filling it.
    public func peekValue(forKey key: Key) throws -> Value? {
        let k = try makeArchiveKey(key)
        return try inner.withLock { s -> Value? in
            if let v = s.front?.peek(k) { return v }
            return try archiveValue(k, &s)
        }
    }

    /// Entries in the cache: the archive's, plus write-back entries not yet in it.
    /// (When the archive cannot be read, the front's count.)
    public var count: Int {
        inner.withLock { s in Self.count(archive, &s) }
    }

    static func count(_ archive: any KleptoArchive, _ s: inout Inner) -> Int {
        do {
            var n = try archive.count()
            for key in s.dirty where try !archive.contains(key) { n += 1 }
            return n
        } catch {
            return s.front?.count ?? 0
        }
    }

    public var stats: CacheStats {
        inner.withLock { s in
            var out = s.stats
            out.count = Self.count(archive, &s)
            return out
        }
    }

    /// `.persistent` and `.multiProcess` follow the archive (none for ``MemoryArchive``).
    public var capabilities: CacheStoreCapabilities {
        archive is MemoryArchive ? [.inMemory, .boundedPolicies] : [.persistent, .multiProcess, .boundedPolicies]
    }

    // MARK: klepto's operations

    /// Counters and front state (klepto's `info()`).
    public var info: KleptoInfo {
        inner.withLock { s in
            var out = s.info
            out.hits = s.stats.hits
            out.misses = s.stats.misses
            out.frontCount = s.front?.count ?? 0
            out.dirtyCount = s.dirty.count
            return out
        }
    }

    /// Writes the front's unwritten (write-back) entries to the archive in one batch and
    /// flushes the archive. In write-through mode the archive already holds every entry.
    /// - Throws: the first encoding or archive error (the entries stay marked for the next dump).
    public func dump() throws {
        try inner.withLock { s in
            s.info.dumps += 1
            if let error = writeDirty(&s) { throw error }
            try archive.flush()
        }
    }

    /// Fills the front from the archive (up to its bound), keeping unwritten front entries.
    /// - Returns: the number of entries read.
    /// - Throws: ``KleptoArchiveError`` naming the file or table of a damaged entry, or the
    ///   archive's error — an explicit load reports what a read would skip.
    @discardableResult
    public func load() throws -> Int {
        try inner.withLock { s in
            guard let front = s.front else { return 0 }
            var loaded = 0
            for key in try archive.keys() {
                if let n = policy.maxSize, loaded >= n { break }
                if s.dirty.contains(key) { continue }
                guard let value = try archiveValue(key, &s, explicit: true) else { continue }
                _ = front.store(key, value)
                loaded += 1
            }
            s.info.archiveLoads += loaded
            return loaded
        }
    }

    /// Dumps, then empties the front (the archive keeps every entry).
    public func purge() throws {
        try inner.withLock { s in
            s.info.dumps += 1
            if let error = writeDirty(&s) { throw error }
            try archive.flush()
            s.front?.removeAll()
        }
    }

    /// The archive's keys (klepto's `archive.keys()`), rendered by ``KleptoKeymap/describe(_:)``.
    public func archiveKeyDescriptions() throws -> [String] {
        try archive.keys().map(KleptoKeymap.describe).sorted()
    }
}

extension KleptoCache where Key == CacheKey {
    /// A cache keyed by ``CacheKey`` (what `Memoized(store:name:)` and the registry use).
    /// - Parameters:
    ///   - archive: where entries live beyond the front.
    ///   - policy: the front's policy (default unbounded).
    ///   - writeMode: write-through (default) or write-back.
    ///   - keymap: how keys become archive keys (default ``KleptoKeymap/hashing``).
    ///   - serializer: how values become bytes (default: the family's binary `Codable` format).
    ///   - purgesWhenFull: dump and empty a full front instead of evicting one entry.
    ///   - logger: where absorbed failures (a damaged entry removed, an archive I/O error) are logged.
    /// - Throws: ``CacheConfigurationError`` for a bound below 1 or a non-positive flush interval.
    public convenience init(
        archive: any KleptoArchive, policy: KleptoPolicy = .unbounded, writeMode: KleptoWriteMode = .writeThrough,
        keymap: KleptoKeymap = .hashing, serializer: AnyCacheSerializer<Value>, purgesWhenFull: Bool = false,
        logger: Logger = Logger(label: "swift-cache.klepto")
    ) throws(CacheConfigurationError) {
        try self.init(archive: archive, policy: policy, writeMode: writeMode, keymap: keymap, serializer: serializer,
                      purgesWhenFull: purgesWhenFull, logger: logger, makeKey: { $0 })
    }

    /// A cache keyed by ``CacheKey`` whose values use the family's default serializer.
    public convenience init(
        archive: any KleptoArchive, policy: KleptoPolicy = .unbounded, writeMode: KleptoWriteMode = .writeThrough,
        keymap: KleptoKeymap = .hashing, purgesWhenFull: Bool = false, logger: Logger = Logger(label: "swift-cache.klepto")
    ) throws(CacheConfigurationError) where Value: Codable {
        try self.init(archive: archive, policy: policy, writeMode: writeMode, keymap: keymap,
                      serializer: CacheSerializers.default(for: Value.self), purgesWhenFull: purgesWhenFull, logger: logger, makeKey: { $0 })
    }
}

extension KleptoCache where Key: Encodable {
    /// A cache keyed by any `Encodable` value, encoded canonically (whole, never digested
    /// before the keymap) under `namespace`.
    public convenience init(
        namespace: String, archive: any KleptoArchive, policy: KleptoPolicy = .unbounded,
        writeMode: KleptoWriteMode = .writeThrough, keymap: KleptoKeymap = .hashing,
        serializer: AnyCacheSerializer<Value>, purgesWhenFull: Bool = false, logger: Logger = Logger(label: "swift-cache.klepto")
    ) throws(CacheConfigurationError) {
        try self.init(archive: archive, policy: policy, writeMode: writeMode, keymap: keymap, serializer: serializer,
                      purgesWhenFull: purgesWhenFull, logger: logger, makeKey: { key in
                          CacheKey(namespace: namespace, encodedArguments: try CanonicalKeyEncoder.encodeArguments(key, digestThreshold: Int.max))
                      })
    }

    /// A cache keyed by any `Encodable` value whose values use the family's default serializer.
    public convenience init(
        namespace: String, archive: any KleptoArchive, policy: KleptoPolicy = .unbounded,
        writeMode: KleptoWriteMode = .writeThrough, keymap: KleptoKeymap = .hashing, purgesWhenFull: Bool = false,
        logger: Logger = Logger(label: "swift-cache.klepto")
    ) throws(CacheConfigurationError) where Value: Codable {
        try self.init(namespace: namespace, archive: archive, policy: policy, writeMode: writeMode, keymap: keymap,
                      serializer: CacheSerializers.default(for: Value.self), purgesWhenFull: purgesWhenFull, logger: logger)
    }
}

extension KleptoCache {
    /// This cache through the asynchronous store contract: each operation runs on a new
    /// concurrent dispatch queue of the adapter's, so archive I/O never blocks a thread of
    /// the cooperative pool. Make one and keep it.
    public var asynchronous: OffloadedAsyncStore<KleptoCache> {
        OffloadedAsyncStore(self, label: "swift-cache.klepto.async")
    }
}
