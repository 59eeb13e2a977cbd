import CacheCore
import Synchronization

/// The whole archive in one checksummed file (klepto's `file_archive`), rewritten
/// atomically — a new file renamed over the old — while holding an advisory lock
/// (`flock` on `<path>.lock`), so several processes can share it without losing or
/// tearing an entry: each rewrite first reads any newer version another process wrote.
///
/// In `.writeThrough` mode every write rewrites the file; in `.writeBack` mode writes
/// are kept in memory until ``flush()`` (a ``KleptoCache``'s `dump()`, or deinit) rewrites
/// it once — a crash loses what was not flushed.
///
/// A file cut short, altered or of another format makes every read throw
/// ``KleptoArchiveError`` (`.damaged`) naming the file; ``removeAll()`` replaces it.
/// - Complexity: a rewrite is O(archive size); reads are O(1) after a load, and reload
///   the file only when another writer replaced it.
public final class SingleFileArchive: KleptoArchive {
    /// When writes reach the file.
    public enum WriteMode: String, Sendable {
        /// Every write rewrites the file.
        case writeThrough
        /// Writes are buffered until ``SingleFileArchive/flush()``.
        case writeBack
    }

    /// The archive file.
    public let path: String
    public let mode: WriteMode
    /// Whether each rewrite is `fsync`ed before the rename.
    public let synchronous: Bool
    let lockPath: String
    private let state = Mutex(State())

    struct State {
        var records: [CacheKey: KleptoRecord] = [:]
        var identity: FileIdentity?
        /// Write-back: changes not yet in the file (`nil` = removed).
        var pending: [CacheKey: KleptoRecord?] = [:]
        var pendingClear = false
    }

    /// Opens the archive at `path` (the file is created by the first write).
    /// - Throws: ``KleptoArchiveError`` `.damaged` when an existing file is not a whole archive.
    public init(path: String, mode: WriteMode = .writeThrough, synchronous: Bool = false) throws(KleptoArchiveError) {
        guard !path.isEmpty else { throw KleptoArchiveError(.configuration, path: path, detail: "empty file path") }
        self.path = path
        self.mode = mode
        self.synchronous = synchronous
        lockPath = path + ".lock"
        try state.withLock { s throws(KleptoArchiveError) in try reload(&s) }
    }

    /// An archive that reads `path` at its first use, not now: tools open a damaged file
    /// this way to report it (``KleptoArchive/check(repair:)``) rather than fail to open it.
    init(unloadedAt path: String) {
        self.path = path
        mode = .writeThrough
        synchronous = false
        lockPath = path + ".lock"
    }

    deinit { try? flush() }

    public var location: String { "file \(path)" }

    /// Reads the file again when another writer replaced it since the last look.
    func reload(_ s: inout State) throws(KleptoArchiveError) {
        let now = try KleptoFileIO.identity(path)
        if now == s.identity && now != nil { return }
        guard now != nil, let bytes = try KleptoFileIO.readFile(path) else {
            s.records = [:]
            s.identity = nil
            return
        }
        switch SingleFileFormat.decode(bytes) {
        case .failure(let reason): throw KleptoArchiveError(.damaged, path: path, detail: reason.text)
        case .success(let records):
            s.records = records
            s.identity = now
        }
    }

    /// Under the file lock: reads the newest file, applies `change`, writes the result.
    func rewrite(_ s: inout State, _ change: (inout [CacheKey: KleptoRecord]) -> Void) throws {
        try KleptoFileIO.withLock(lockPath, exclusive: true) {
            try reload(&s)
            change(&s.records)
            try KleptoFileIO.replaceFile(path, with: SingleFileFormat.encode(s.records), sync: synchronous)
            s.identity = try KleptoFileIO.identity(path)
        }
    }

    /// The records as this process sees them: the file's plus unflushed changes.
    func view(_ s: inout State) throws -> [CacheKey: KleptoRecord] {
        try reload(&s)
        var records = s.pendingClear ? [:] : s.records
        for (key, record) in s.pending { records[key] = record }
        return records
    }

    public func record(forKey key: CacheKey) throws -> KleptoRecord? {
        try state.withLock { s in
            if let pending = s.pending[key] { return pending }
            if s.pendingClear { return nil }
            try reload(&s)
            return s.records[key]
        }
    }

    public func setRecord(_ record: KleptoRecord, forKey key: CacheKey) throws { try setRecords([(key, record)]) }

    /// One rewrite for all `records` (write-through), or buffered (write-back).
    public func setRecords(_ records: [(key: CacheKey, record: KleptoRecord)]) throws {
        try state.withLock { s in
            if mode == .writeBack {
                for (key, record) in records { s.pending[key] = .some(record) }
                return
            }
            try rewrite(&s) { all in for (key, record) in records { all[key] = record } }
        }
    }

    @discardableResult
    public func removeRecord(forKey key: CacheKey) throws -> Bool {
        try state.withLock { s in
            let existed = try view(&s)[key] != nil
            if mode == .writeBack {
                s.pending[key] = .some(nil)
                return existed
            }
            if existed { try rewrite(&s) { $0[key] = nil } }
            return existed
        }
    }

    /// Empties the archive; a damaged file is replaced by an empty one.
    public func removeAll() throws {
        try state.withLock { s in
            if mode == .writeBack {
                s.pending = [:]
                s.pendingClear = true
                return
            }
            try KleptoFileIO.withLock(lockPath, exclusive: true) {
                try KleptoFileIO.replaceFile(path, with: SingleFileFormat.encode([:]), sync: synchronous)
                s.records = [:]
                s.identity = try KleptoFileIO.identity(path)
            }
        }
    }

    public func contains(_ key: CacheKey) throws -> Bool { try record(forKey: key) != nil }

    public func keys() throws -> [CacheKey] { try state.withLock { s in Array(try view(&s).keys) } }

    public func count() throws -> Int { try state.withLock { s in try view(&s).count } }

    /// Writes buffered changes (write-back) in one rewrite; nothing to do otherwise.
    public func flush() throws {
        try state.withLock { s in
            guard s.pendingClear || !s.pending.isEmpty else { return }
            let pending = s.pending, clear = s.pendingClear
            if clear {
                try KleptoFileIO.withLock(lockPath, exclusive: true) {
                    var records: [CacheKey: KleptoRecord] = [:]
                    for (key, record) in pending { records[key] = record }
                    try KleptoFileIO.replaceFile(path, with: SingleFileFormat.encode(records), sync: synchronous)
                    s.records = records
                    s.identity = try KleptoFileIO.identity(path)
                }
            } else {
                try rewrite(&s) { all in for (key, record) in pending { all[key] = record } }
            }
            s.pending = [:]
            s.pendingClear = false
        }
    }
}
