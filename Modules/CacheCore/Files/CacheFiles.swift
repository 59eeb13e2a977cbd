#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: what was done, to which path, and the `errno` it ended with.
package struct CacheFileError: Error, Sendable {
    package enum Kind: Sendable {
        /// A system call failed (`code` is its `errno`).
        case system
        /// The path exists but is not a regular file.
        case notARegularFile
    }
    package var kind: Kind
    package var operation: String
    package var path: String
    package var code: Int32

    /// `"<operation>: <strerror>"`, or "not a regular file".
    package var detail: String {
        kind == .notARegularFile ? "not a regular file" : "\(operation): \(String(cString: strerror(code)))"
    }
}

/// The whole-file reads and atomic writes the file-backed stores share.
package enum CacheFiles {
    package static func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> CacheFileError {
        CacheFileError(kind: .system, operation: operation, path: path, code: code)
    }

    /// The whole content of `path`, or `nil` when it does not exist. Symbolic links are
    /// not followed.
    package static func readFile(_ path: String) throws(CacheFileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open for reading", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CacheFileError(kind: .notARegularFile, operation: "read", path: path, code: EINVAL)
        }
        return try read(fd, at: 0, count: Int(info.st_size), path: path)
    }

    /// Up to `count` bytes of `fd` from `offset` (fewer only at the end of the file), read
    /// straight into the returned array (no zero fill, no copy).
    package static func read(_ fd: Int32, at offset: Int, count: Int, path: String) throws(CacheFileError) -> [UInt8] {
        // Not for 0 bytes: Array(unsafeUninitializedCapacity: 0) writes into the shared empty-array object.
        if count <= 0 { return [] }
        var readError: Int32?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            (initialized, readError) = readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        }
        if let readError { throw failure("read", path, readError) }
        return bytes
    }

    /// Fills `buffer` from `fd` at `offset` with `pread`, retrying on EINTR: the bytes read
    /// (fewer than asked only at the end of the file) and the `errno` of a failed read.
    package static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> (count: Int, error: Int32?) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errno)
            }
            if n == 0 { break }
            done += n
        }
        return (done, nil)
    }

    /// Creates `path`, which must not exist, holding `bytes`; `fsync`s it when `sync`.
    /// On failure the partial file is removed.
    package static func writeNewFile(_ path: String, _ bytes: [UInt8], sync: Bool) throws(CacheFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", path) }
        do { try writeAll(fd, bytes, path: path, operation: "write") } catch {
            close(fd)
            unlink(path)
            throw error
        }
        if sync && fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(path)
            throw failure("fsync", path, code)
        }
        close(fd)
    }

    /// Writes every byte of `bytes` to open file `fd` (retrying short writes and `EINTR`);
    /// a failure names `path` and `operation`. The caller closes `fd`.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, operation: String) throws(CacheFileError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(operation, path)
            }
            done += n
        }
    }

    /// Writes `bytes` to a fresh temporary file beside `path` (`fsync`ed when `sync`), then
    /// renames it over `path`: a reader sees the old content or the new, never a mix, and a
    /// failed write leaves the old file as it was.
    package static func replaceFile(_ path: String, with bytes: [UInt8], sync: Bool) throws(CacheFileError) {
        let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        try writeNewFile(temporary, bytes, sync: sync)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw failure("rename into place", path, code)
        }
    }
}
