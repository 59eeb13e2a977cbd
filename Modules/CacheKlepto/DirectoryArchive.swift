import CacheCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An archive of one file per entry in a directory (klepto's `dir_archive`).
///
/// Layout under `path`:
/// - `entries/<32 hex>.entry`: one file per key, named from the key's XXH3-128 digest
///   (``CacheKey/digest``) — never from key text — in the format of a one-line header
///   and the payload (see the module README); written to a temporary name (and `fsync`ed
///   when `synchronous`) then renamed into place, so a reader sees a whole entry or none.
/// - `index.log`: the index of keys, so ``keys()`` and ``count()`` read no entry file. Each
///   write appends `+<key hex>`, each removal `-<key hex>`, `removeAll` replaces it; it
///   is compacted (rewritten and renamed) when it grows past twice the live keys.
/// - `.lock`: the advisory lock (`flock`) every process holds while it renames an entry
///   and updates the index, so index and files agree across processes.
///
/// Files in the directory that are not entries are ignored. A damaged entry file
/// (truncated, altered, another key's) is reported as ``KleptoArchiveError`` (`.damaged`)
/// naming it, never read as data. An index lost or out of date is rebuilt by
/// ``rebuildIndex()`` from the entries' headers.
public final class DirectoryArchive: KleptoArchive {
    /// The archive's directory.
    public let path: String
    /// Whether entry files are `fsync`ed before they are renamed into place.
    public let synchronous: Bool
    let entriesPath: String
    let indexPath: String
    /// Open for the archive's lifetime; `flock` on it excludes other processes' writers
    /// (and other instances in this process: each has its own open file description).
    let lockFD: Int32
    private let index = Mutex(IndexMirror())

    /// What this instance has read of `index.log`.
    struct IndexMirror {
        var keys: Set<CacheKey> = []
        var offset = 0
        var identity: FileIdentity?
        var lines = 0
        /// The index file's `#<16 hex>` first line: a new one each time the file is replaced.
        var generation: [UInt8] = []
    }

    /// Opens (creating if needed, missing parents too, each 0700) the archive in `path`.
    /// - Parameter synchronous: `fsync` each entry file before renaming it (durable
    ///   against power loss, slower).
    /// - Throws: ``KleptoArchiveError`` naming the path that could not be created or opened.
    public init(path: String, synchronous: Bool = false) throws(KleptoArchiveError) {
        guard !path.isEmpty else { throw KleptoArchiveError(.configuration, path: path, detail: "empty directory path") }
        self.path = path
        self.synchronous = synchronous
        entriesPath = path + "/entries"
        indexPath = path + "/index.log"
        try KleptoFileIO.makeDirectories(path)
        try KleptoFileIO.makeDirectory(entriesPath)
        let fd = open(path + "/.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KleptoFileIO.ioError("open lock file", path + "/.lock") }
        lockFD = fd
        if try KleptoFileIO.identity(indexPath) == nil {
            do { try rebuildIndex() } catch let error as KleptoArchiveError { throw error } catch {
                throw KleptoArchiveError(.io, path: indexPath, detail: "\(error)")
            }
        }
    }

    deinit { close(lockFD) }

    public var location: String { "directory \(path)" }

    /// The entry file of `key`.
    public func entryPath(forKey key: CacheKey) -> String { entriesPath + "/" + key.digest.hex + ".entry" }

    /// Runs `body` holding the archive's exclusive lock, with the index mirror brought up to date.
    func locked<R>(_ body: (inout IndexMirror) throws -> R) throws -> R {
        try index.withLock { mirror in
            while flock(lockFD, LOCK_EX) != 0 {
                if errno == EINTR { continue }
                throw KleptoFileIO.ioError("lock", path + "/.lock")
            }
            defer { flock(lockFD, LOCK_UN) }
            try refresh(&mirror)
            return try body(&mirror)
        }
    }

    /// Reads what other writers appended to the index since the last look (all of it
    /// when the file was replaced: its first line, `#<generation>`, changed).
    /// - Complexity: O(bytes appended since the last look).
    func refresh(_ mirror: inout IndexMirror) throws(KleptoArchiveError) {
        guard let now = try KleptoFileIO.identity(indexPath) else {
            mirror = IndexMirror()
            return
        }
        if let known = mirror.identity, known == now { return }
        let fd = open(indexPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT {
                mirror = IndexMirror()
                return
            }
            throw KleptoFileIO.ioError("open index", indexPath)
        }
        defer { close(fd) }
        let head = try KleptoFileIO.readAll(fd, from: 0, limit: 18, path: indexPath)
        let generation = head.count == 18 && head[0] == UInt8(ascii: "#") && head[17] == 10 ? Array(head[1..<17]) : []
        if generation != mirror.generation || now.size < Int64(mirror.offset) {
            mirror = IndexMirror()
            mirror.generation = generation
        }
        let bytes = try KleptoFileIO.readAll(fd, from: mirror.offset, limit: nil, path: indexPath)
        var consumed = 0
        var lineStart = 0
        for (i, byte) in bytes.enumerated() where byte == 10 {
            apply(bytes[lineStart..<i], to: &mirror)
            lineStart = i + 1
            consumed = i + 1
        }
        mirror.offset += consumed
        // A line still being appended is read next time: only a fully read file is "known".
        mirror.identity = Int64(mirror.offset) == now.size ? now : nil
    }

    /// Applies one index line (`+hex`, `-hex` or `*`); malformed lines are skipped.
    func apply(_ line: ArraySlice<UInt8>, to mirror: inout IndexMirror) {
        guard let op = line.first, op != UInt8(ascii: "#") else { return }
        mirror.lines += 1
        if op == UInt8(ascii: "*") {
            mirror.keys.removeAll()
            return
        }
        let text = String(decoding: line.dropFirst(), as: UTF8.self)
        guard let bytes = [UInt8](kleptoHex: Substring(text)), let key = CacheKey(storageBytes: bytes) else { return }
        if op == UInt8(ascii: "+") { mirror.keys.insert(key) } else if op == UInt8(ascii: "-") { mirror.keys.remove(key) }
    }

    /// Appends lines to the index (the caller holds the lock), compacting it when long.
    func append(_ lines: String, _ mirror: inout IndexMirror) throws(KleptoArchiveError) {
        let fd = open(indexPath, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KleptoFileIO.ioError("open index", indexPath) }
        do { try CacheFiles.writeAll(fd, Array(lines.utf8), path: indexPath, operation: "append to index") } catch {
            close(fd)
            throw KleptoFileIO.archiveError(error)
        }
        close(fd)
        try refresh(&mirror)
        if mirror.lines > 2 * mirror.keys.count + 1_024 { try rewriteIndex(&mirror) }
    }

    /// Replaces the index with one line per live key (the caller holds the lock).
    func rewriteIndex(_ mirror: inout IndexMirror) throws(KleptoArchiveError) {
        var text = Self.generationLine()
        for key in mirror.keys { text += "+" + key.storageBytes.kleptoHex + "\n" }
        try KleptoFileIO.replaceFile(indexPath, with: Array(text.utf8), sync: synchronous)
        let keys = mirror.keys
        mirror = IndexMirror()
        try refresh(&mirror)
        mirror.keys = keys.union(mirror.keys)
    }

    /// A fresh `#<16 hex>` first line for a new index file.
    static func generationLine() -> String {
        let hex = String(UInt64.random(in: 0 ... .max), radix: 16)
        return "#" + String(repeating: "0", count: 16 - hex.count) + hex + "\n"
    }

    /// Rebuilds the index from the entry files' headers (damaged and foreign files are
    /// left out), for an index that was lost or written by a process that crashed
    /// between renaming an entry and indexing it.
    /// - Complexity: O(entries), reading each header.
    public func rebuildIndex() throws {
        try locked { mirror in
            var keys = Set<CacheKey>()
            for name in try entryFileNames() {
                guard let bytes = try? KleptoFileIO.readFile(entriesPath + "/" + name),
                      case .success(let parsed) = DirectoryEntryFile.decode(bytes),
                      parsed.key.digest.hex + ".entry" == name
                else { continue }
                keys.insert(parsed.key)
            }
            mirror.keys = keys
            try rewriteIndex(&mirror)
        }
    }

    /// Names in `entries/` that look like entry files (32 hex digits + `.entry`).
    func entryFileNames() throws(KleptoArchiveError) -> [String] {
        try KleptoFileIO.directoryNames(entriesPath).filter {
            $0.utf8.count == 38 && $0.hasSuffix(".entry") && Hash128(hex: String($0.prefix(32))) != nil
        }
    }

    /// The record of `key`, read from its entry file (no lock: entries change by rename).
    /// - Throws: ``KleptoArchiveError`` `.damaged` naming the file when it is truncated,
    ///   altered or another key's.
    public func record(forKey key: CacheKey) throws -> KleptoRecord? {
        let file = entryPath(forKey: key)
        let read: Result<DirectoryEntryFile.Parsed, DamageReason>?
        do { read = try DirectoryEntryFile.read(file) } catch { throw KleptoFileIO.archiveError(error) }
        guard let read else { return nil }
        switch read {
        case .failure(let reason):
            throw KleptoArchiveError(.damaged, path: file, detail: reason.text)
        case .success(let parsed):
            guard parsed.key == key else {
                throw KleptoArchiveError(.damaged, path: file, detail: "the file holds another key (\(parsed.key))")
            }
            return KleptoRecord(format: parsed.format, payload: parsed.payload)
        }
    }

    /// Writes the entry file (temporary name, then rename under the lock) and indexes the key.
    /// - Complexity: O(payload).
    public func setRecord(_ record: KleptoRecord, forKey key: CacheKey) throws {
        try setRecords([(key, record)])
    }

    public func setRecords(_ records: [(key: CacheKey, record: KleptoRecord)]) throws {
        var staged: [(key: CacheKey, temporary: String, final: String)] = []
        defer { for s in staged { unlink(s.temporary) } }
        for (key, record) in records {
            guard DirectoryEntryFile.isValidFormat(record.format) else {
                throw KleptoArchiveError(.configuration, path: path, detail: "record format '\(record.format)' has characters other than A-Z a-z 0-9 . _ / -")
            }
            let final = entryPath(forKey: key)
            let temporary = final + ".tmp-\(getpid())-\(UInt64.random(in: 0 ... .max))"
            try KleptoFileIO.writeNewFile(temporary, DirectoryEntryFile.encode(record, key: key), sync: synchronous)
            staged.append((key, temporary, final))
        }
        try locked { mirror in
            var lines = ""
            for s in staged {
                if rename(s.temporary, s.final) != 0 { throw KleptoFileIO.ioError("rename into place", s.final) }
                if !mirror.keys.contains(s.key) { lines += "+" + s.key.storageBytes.kleptoHex + "\n" }
            }
            if !lines.isEmpty { try append(lines, &mirror) }
        }
    }

    @discardableResult
    public func removeRecord(forKey key: CacheKey) throws -> Bool {
        try locked { mirror in
            let existed = try KleptoFileIO.removeFile(entryPath(forKey: key))
            if mirror.keys.contains(key) { try append("-" + key.storageBytes.kleptoHex + "\n", &mirror) }
            return existed
        }
    }

    /// Removes every entry file and empties the index (foreign files are left alone).
    public func removeAll() throws {
        try locked { mirror in
            for name in try entryFileNames() { try KleptoFileIO.removeFile(entriesPath + "/" + name) }
            try KleptoFileIO.replaceFile(indexPath, with: Array((Self.generationLine() + "*\n").utf8), sync: synchronous)
            mirror = IndexMirror()
            try refresh(&mirror)
        }
    }

    /// Whether the entry file of `key` exists (its content is not checked).
    public func contains(_ key: CacheKey) throws -> Bool { access(entryPath(forKey: key), F_OK) == 0 }

    /// The keys in the index (other processes' writes included).
    /// - Complexity: O(new index lines) plus O(keys).
    public func keys() throws -> [CacheKey] {
        try index.withLock { mirror in
            try refresh(&mirror)
            return Array(mirror.keys)
        }
    }

    public func count() throws -> Int {
        try index.withLock { mirror in
            try refresh(&mirror)
            return mirror.keys.count
        }
    }
}
