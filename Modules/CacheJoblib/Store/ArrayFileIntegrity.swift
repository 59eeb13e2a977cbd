import CacheCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a stored entry is: device, inode, size and modification time (to the
/// nanosecond), as `fstat` reports them. Recorded in the index when the file is renamed
/// into place; a memory-mapped load refuses a file whose identity is not the recorded one
/// (replaced, rewritten, truncated or grown since it was stored).
struct ArrayFileIdentity: Hashable, Sendable, CustomStringConvertible {
    var device: UInt64
    var inode: UInt64
    var size: Int
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
        size = Int(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int(info.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        #endif
    }

    /// The identity of the file at `path`.
    static func of(path: String) throws(CacheIOError) -> ArrayFileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else { throw PosixFile.ioError("stat", path) }
        return ArrayFileIdentity(info)
    }

    /// `device:inode:size:seconds.nanoseconds`, as the index stores it.
    var description: String { "\(device):\(inode):\(size):\(modifiedSeconds).\(modifiedNanoseconds)" }
}

/// A whole file in memory, as read for a load: a read-only private map or a copy in
/// 64-byte-aligned owned memory. Whoever holds it either hands it to
/// ``NumPyFile`` (which then owns it) or calls ``release()``.
struct RawArrayFile {
    let base: UnsafeMutableRawPointer
    let size: Int
    let mapped: Bool
    let identity: ArrayFileIdentity

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Reads `path`: mapped when `map(size)` says so (and the file holds at least a `.npy`
    /// preamble), copied otherwise. The identity is that of the open file, so the bytes and
    /// the identity belong to the same file even when the path is replaced meanwhile.
    static func read(_ path: String, map: (Int) -> Bool) throws -> RawArrayFile {
        let fd = try PosixFile.openForReading(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw PosixFile.ioError("fstat", path) }
        let identity = ArrayFileIdentity(info)
        let size = identity.size
        if map(size) && size >= NumPyHeader.preambleLength {
            guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
                throw PosixFile.ioError("mmap", path)
            }
            return RawArrayFile(base: mapping, size: size, mapped: true, identity: identity)
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 64)
        do {
            try PosixFile.readFully(fd, into: UnsafeMutableRawBufferPointer(start: buffer, count: size), at: 0, path: path)
        } catch {
            buffer.deallocate()
            throw error
        }
        return RawArrayFile(base: buffer, size: size, mapped: false, identity: identity)
    }

    func release() {
        if mapped { munmap(base, size) } else { base.deallocate() }
    }

    /// The `.npy` array these bytes hold; the array owns them from here on (released when
    /// this throws).
    func adoptArray(path: String) throws -> AnyShapedArray {
        mapped ? try NumPyFile.adoptMapping(base, size: size, path: path) : try NumPyFile.adopt(base, size: size, path: path)
    }
}

/// The content checks of an array cache entry.
///
/// Every file's XXH3-128 checksum is recorded at store time (for a table: of its column
/// files in order, for a compressed file: of the compressed bytes). A copied load hashes
/// what it read, every time. A memory-mapped load — which must stay far cheaper than
/// reading the file — first compares the open file's identity (``ArrayFileIdentity``)
/// with the recorded one and refuses any other file, then hashes the mapped content once
/// per file identity per process: later mapped loads of the same, unchanged file skip the
/// hash. The one change only the content hash sees is bytes rewritten in place with the
/// modification time set back (same inode, size and mtime); a mapped load catches it in
/// the first load of each process, a copied load at once.
enum ArrayFileIntegrity {
    struct Verified: Hashable {
        var path: String
        var identity: String
        var checksum: Hash128
    }

    /// Files whose content this process has hashed and found as stored (path, identity,
    /// checksum). Shared by every cache instance in the process.
    static let verified = Mutex<Set<Verified>>([])
    /// Emptied when it reaches this many files (a later load of each hashes once more).
    static let verifiedLimit = 65_536

    static func isVerified(_ record: Verified) -> Bool {
        verified.withLock { $0.contains(record) }
    }

    static func markVerified(_ record: Verified) {
        verified.withLock { set in
            if set.count >= verifiedLimit { set.removeAll(keepingCapacity: true) }
            set.insert(record)
        }
    }

    /// Forgets every verification (tests: a fresh process's first load).
    static func forgetVerifications() {
        verified.withLock { $0.removeAll() }
    }

    /// The checksum of a file written as the concatenation of `parts`.
    static func checksum(_ parts: [UnsafeRawBufferPointer]) -> Hash128 {
        var hasher = XXH3Hasher128()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }
}
