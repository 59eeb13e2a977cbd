import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers with typed errors that name the path and the errno text.
enum PosixFile {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func ioError(_ operation: String, _ path: String, _ code: Int32 = errno) -> CacheIOError {
        CacheIOError(operation: operation, location: path, reason: errorText(code), code: code)
    }

    /// Opens `path` read-only; the caller closes it.
    static func openForReading(_ path: String) throws(CacheIOError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", path) }
        return fd
    }

    /// The file's size in bytes.
    static func size(of fd: Int32, path: String) throws(CacheIOError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("fstat", path) }
        return Int(info.st_size)
    }

    /// Reads exactly `buffer.count` bytes from `offset`, retrying short reads.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(CacheIOError) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if n == 0 {
                throw CacheIOError(operation: "read", location: path, reason: "file ended at byte \(offset + done), expected \(offset + buffer.count)")
            }
            done += n
        }
    }

    /// Writes every byte of `bytes`, retrying short writes.
    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(CacheIOError) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            done += n
        }
    }

    /// Creates `path` and its parents with mode 0700 (existing directories are fine).
    static func makeDirectories(_ path: String) throws(CacheIOError) {
        if mkdir(path, 0o700) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw ioError("mkdir", path) }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw ioError("mkdir", path) }
    }

    /// A unique temporary name in `directory` (pid + time + counter + random).
    static func temporaryName(in directory: String, suffix: String) -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let random = UInt64.random(in: 0...UInt64.max)
        return "\(directory)/.tmp-\(getpid())-\(ts.tv_sec)\(ts.tv_nsec)-\(String(random, radix: 36))\(suffix)"
    }

    /// Writes the concatenation of `parts` to a temporary file beside `path`, then renames
    /// it onto `path` (mode 0600): readers see the old file or the whole new one, never half.
    /// - Parameter temporaryDirectory: where the temporary file is made (same file system as `path`).
    static func writeAtomically(_ parts: [UnsafeRawBufferPointer], to path: String, temporaryDirectory: String, sync: Bool) throws(CacheIOError) {
        let temporary = temporaryName(in: temporaryDirectory, suffix: ".part")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("create", temporary) }
        do throws(CacheIOError) {
            for part in parts where part.count > 0 { try writeFully(fd, part, path: temporary) }
            if sync && fsync(fd) != 0 { throw ioError("fsync", temporary) }
            guard close(fd) == 0 else { throw ioError("close", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ioError("rename to \(path)", temporary, code)
        }
    }
}

extension PosixFile {
    /// Removes a file, or a directory and everything in it; a missing path is fine.
    static func removeTree(_ path: String) {
        if unlink(path) == 0 || errno == ENOENT { return }
        guard errno == EISDIR || errno == EPERM else { return }
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                removeTree(path + "/" + name)
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// Names in a directory (without `.` and `..`), or [] when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Seconds since the file was last modified, or nil when it is gone.
    static func age(of path: String, now: Double) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = Double(info.st_mtimespec.tv_sec)
        #else
        let modified = Double(info.st_mtim.tv_sec)
        #endif
        return now - modified
    }
}
