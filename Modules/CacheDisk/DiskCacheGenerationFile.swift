import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cache.db-gen`: two 64-bit counters in a small file every process maps shared, so that
/// an in-process front (``DiskCacheFront``) can tell in two atomic loads whether any
/// process has written to the cache since the front was last known to be current.
///
/// Every write transaction of the library, while it holds SQLite's write lock (inside
/// `BEGIN IMMEDIATE`), takes a ticket `t = begun + 1` (stores `begun = t`) before it changes
/// anything, and after its COMMIT or ROLLBACK sets `ended = max(ended, t)`. Writers are
/// serialized by the lock, so a writer finding `ended < begun` knows the previous writer's
/// transaction is over (committed, rolled back, or its process died in between) and repairs
/// it (`ended = begun`). A reader's snapshot is current while `begun == ended == stamp`.
///
/// Layout: bytes 0..<8 `begun`, 8..<16 `ended`, native-endian `UInt64`, accessed only with
/// atomic operations. Like SQLite's `-shm`, the file must not be truncated while in use: a
/// process touching a mapping whose file shrank would fault (`SIGBUS`).
final class GenerationFile {
    static let byteCount = 16
    let path: String
    private let base: UnsafeMutableRawPointer
    private let cells: UnsafeMutablePointer<Atomic<UInt64>>

    private init(path: String, base: UnsafeMutableRawPointer) {
        self.path = path
        self.base = base
        cells = base.bindMemory(to: Atomic<UInt64>.self, capacity: 2)
    }

    /// Opens (creating 0600, never following a symlink) and maps `path`.
    ///
    /// - Throws: ``DiskCacheError`` naming the file when it cannot be used (a symlink, not a
    ///   regular file, unwritable, out of descriptors …). The cache refuses to open then
    ///   rather than write without bumping the counters, which would let other processes'
    ///   fronts serve values it has replaced.
    static func open(path: String) throws(DiskCacheError) -> GenerationFile {
        func failure(_ operation: String, _ code: Int32, _ detail: String? = nil) -> DiskCacheError {
            let kind: DiskCacheError.Kind = switch code {
            case ELOOP, EISDIR, EINVAL: .notADirectory
            case EACCES, EPERM, EROFS: .notWritable
            case ENOSPC, EDQUOT: .diskFull
            default: .database
            }
            return DiskCacheError(kind, path: path, operation: operation,
                                  detail: detail ?? (code == ELOOP ? "it is a symbolic link, which the cache does not follow" : String(cString: strerror(code))),
                                  code: code)
        }
        let fd = systemOpen(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw failure("open the generation file", errno) }
        defer { _ = posixClose(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw failure("stat the generation file", errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw failure("open the generation file", EINVAL, "it is not a regular file")
        }
        // Grow a new (or short) file to its size before mapping it: zero-filled, so a fresh
        // file starts at begun = ended = 0. A longer file is left as it is (only the first
        // 16 bytes are used), so no process ever shrinks it under another's mapping.
        if Int(info.st_size) < byteCount, ftruncate(fd, off_t(byteCount)) != 0 { throw failure("size the generation file", errno) }
        guard let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw failure("map the generation file", errno)
        }
        return GenerationFile(path: path, base: mapped)
    }

    private var isClosed = false

    /// Unmaps the file (once; also on deinit). The counters must not be used afterwards.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        munmap(base, GenerationFile.byteCount)
    }

    deinit { close() }

    /// `(begun, ended)` now.
    @inline(__always)
    func snapshot() -> (begun: UInt64, ended: UInt64) {
        (cells[0].load(ordering: .acquiring), cells[1].load(ordering: .acquiring))
    }

    /// `(begun, ended)` after reads that must be ordered before these loads (a seqlock's second read).
    @inline(__always)
    func snapshotAfterReads() -> (begun: UInt64, ended: UInt64) {
        atomicMemoryFence(ordering: .acquiring)
        return snapshot()
    }

    /// Takes a ticket; call only while holding SQLite's write lock, before changing anything.
    /// `previous` is the generation before the ticket; `settled` whether every earlier
    /// writer had ended (no repair was needed).
    func beginWrite() -> (ticket: UInt64, previous: UInt64, settled: Bool) {
        let begun = cells[0].load(ordering: .sequentiallyConsistent)
        let ended = cells[1].load(ordering: .sequentiallyConsistent)
        let previous = max(begun, ended)
        // The writer before us is done (we hold the lock it held): close its ticket.
        if ended != previous { cells[1].store(previous, ordering: .sequentiallyConsistent) }
        if begun != previous { cells[0].store(previous, ordering: .sequentiallyConsistent) }
        let ticket = previous &+ 1
        cells[0].store(ticket, ordering: .sequentiallyConsistent)
        return (ticket, previous, begun == ended)
    }

    /// Ends `ticket` after COMMIT or ROLLBACK: `ended = max(ended, ticket)`.
    func endWrite(_ ticket: UInt64) {
        var current = cells[1].load(ordering: .sequentiallyConsistent)
        while current < ticket {
            let (exchanged, original) = cells[1].compareExchange(
                expected: current, desired: ticket, ordering: .sequentiallyConsistent)
            if exchanged { return }
            current = original
        }
    }

    /// Tests: leaves a ticket open, as a writer killed between its ticket and its end would.
    func simulateCrashedWriter() {
        _ = cells[0].wrappingAdd(1, ordering: .sequentiallyConsistent)
    }
}

@inline(__always)
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
