import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations the file-backed archives share: whole-file reads, atomic
/// replacement (temporary name, optional `fsync`, `rename`) and advisory locks.
/// Every failure is a ``KleptoArchiveError`` naming the path.
enum KleptoFileIO {
    /// The text of `errno` value `code`.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func ioError(_ operation: String, _ path: String, _ code: Int32 = errno) -> KleptoArchiveError {
        KleptoArchiveError(kind(ofErrno: code), path: path, detail: "\(operation): \(describe(code))", code: code)
    }

    /// `.diskFull` for a file system or quota out of space, else `.io`.
    static func kind(ofErrno code: Int32) -> KleptoArchiveError.Kind { code == ENOSPC || code == EDQUOT ? .diskFull : .io }

    /// Creates `path` (mode 0700) unless it exists as a directory.
    static func makeDirectory(_ path: String) throws(KleptoArchiveError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        var info = stat()
        if code == EEXIST && stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return }
        throw ioError("create directory", path, code)
    }

    /// The whole content of `path`, or `nil` when it does not exist.
    static func readFile(_ path: String) throws(KleptoArchiveError) -> [UInt8]? {
        do { return try CacheFiles.readFile(path) } catch { throw archiveError(error) }
    }

    /// Writes `bytes` to a fresh temporary file beside `path`, `fsync`s it when `sync`,
    /// then renames it over `path`: a reader sees the old content or the new, never a mix.
    static func replaceFile(_ path: String, with bytes: [UInt8], sync: Bool) throws(KleptoArchiveError) {
        do { try CacheFiles.replaceFile(path, with: bytes, sync: sync) } catch { throw archiveError(error) }
    }

    /// A shared file operation's failure as an archive error naming the same path.
    static func archiveError(_ error: CacheFileError) -> KleptoArchiveError {
        if error.kind == .notARegularFile { return KleptoArchiveError(.damaged, path: error.path, detail: error.detail) }
        return KleptoArchiveError(kind(ofErrno: error.code), path: error.path, detail: error.detail, code: error.code)
    }

    /// Removes `path`; returns whether it existed.
    @discardableResult
    static func removeFile(_ path: String) throws(KleptoArchiveError) -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw ioError("remove", path)
    }

    /// Inode, size and modification time of `path`, or `nil` when it does not exist: a
    /// change means another writer replaced the file.
    static func identity(_ path: String) throws(KleptoArchiveError) -> FileIdentity? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw ioError("stat", path)
        }
        #if canImport(Darwin)
        let nanos = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let nanos = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: nanos)
    }

    /// The size of `path` in bytes (0 when it cannot be read).
    static func fileSize(_ path: String) -> Int {
        (try? identity(path)).flatMap { $0.map { Int($0.size) } } ?? 0
    }

    /// The modification time of `path` in seconds since 1970, or `nil` when it is gone.
    static func modificationTime(_ path: String) -> Double? {
        (try? identity(path)).flatMap { $0.map { Double($0.modified) / 1e9 } }
    }

    /// The names in directory `path` (without `.` and `..`).
    static func directoryNames(_ path: String) throws(KleptoArchiveError) -> [String] {
        guard let dir = opendir(path) else { throw ioError("list", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Runs `body` holding an advisory `flock` on the lock file `path` (created if
    /// missing): exclusive for writers, shared for readers. Other processes using the same
    /// archive take the same lock, so the body's read-modify-write is atomic across them.
    static func withLock<R>(_ path: String, exclusive: Bool, _ body: () throws -> R) throws -> R {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("open lock file", path) }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno == EINTR { continue }
            throw ioError("lock", path)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// What identifies one version of a file: a rename gives a new inode, a write a new size or time.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
}

extension Array where Element == UInt8 {
    /// Lowercase hex digits.
    var kleptoHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of lowercase or uppercase hex text, or `nil` for anything else.
    init?(kleptoHex text: Substring) {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}

extension KleptoFileIO {
    /// Creates `path` (which must not exist) with `bytes`, `fsync`ed when `sync`.
    static func writeNewFile(_ path: String, _ bytes: [UInt8], sync: Bool) throws(KleptoArchiveError) {
        do { try CacheFiles.writeNewFile(path, bytes, sync: sync) } catch { throw archiveError(error) }
    }
}

extension KleptoFileIO {
    /// Creates `path` and its missing parents (mode 0700).
    static func makeDirectories(_ path: String) throws(KleptoArchiveError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            try makeDirectory(current)
        }
    }
}

extension KleptoFileIO {
    /// The bytes of open file `fd` from `offset` to its end (or `limit` bytes), with `pread`.
    static func readAll(_ fd: Int32, from offset: Int, limit: Int?, path: String) throws(KleptoArchiveError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit ?? 65_536, 65_536))
        var position = offset
        while limit.map({ out.count < $0 }) ?? true {
            let want = min(chunk.count, (limit ?? Int.max) - out.count)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(position)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            position += n
        }
        return out
    }
}
