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

    /// Opens (creating 0600, never following a symlink) and maps `path`; `nil` with an error
    /// logged when it cannot (a symlink, not a regular file, a read-only directory, …).
    static func open(path: String, logger: Logger) -> GenerationFile? {
        func fail(_ what: String, _ code: Int32) -> GenerationFile? {
            logger.error("disk cache cannot use its generation file; the in-process front is off for this instance",
                         metadata: ["path": "\(path)", "problem": "\(what): \(String(cString: strerror(code)))"])
            return nil
        }
        let fd = systemOpen(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { return fail("open", errno) }
        defer { _ = posixClose(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { return fail("fstat", errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return fail("not a regular file", EINVAL) }
        // Grow a new (or short) file to its size before mapping it: zero-filled, so a fresh
        // file starts at begun = ended = 0. A longer file is left as it is (only the first
        // 16 bytes are used), so no process ever shrinks it under another's mapping.
        if Int(info.st_size) < byteCount, ftruncate(fd, off_t(byteCount)) != 0 { return fail("ftruncate", errno) }
        guard let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            return fail("mmap", errno)
        }
        return GenerationFile(path: path, base: mapped)
    }

    func close() { munmap(base, GenerationFile.byteCount) }

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
