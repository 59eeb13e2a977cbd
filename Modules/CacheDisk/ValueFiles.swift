import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `values/` directory of a cache: one file per large value, created 0600 under a
/// temporary name and renamed into place, never modified afterwards. Every access goes
/// through a directory descriptor opened with `O_NOFOLLOW`, and every file is opened
/// with `O_NOFOLLOW`, so symbolic links planted in the directory are never followed.
///
/// Immutable after init: its only state is the directory descriptor, closed by ``close()``.
struct ValueFiles: Sendable {
    let path: String
    let directoryFD: Int32
    let syncFiles: Bool

    enum ReadFailure: Error {
        /// The file is gone (deleted by another process, or behind the cache's back).
        case missing
        /// Wrong length, wrong checksum, not a regular file: damaged.
        case damaged(String)
        /// An I/O error other than a missing file.
        case io(String, Int32)
    }

    init(cacheDirectory: String, syncFiles: Bool) throws(DiskCacheError) {
        path = cacheDirectory + "/values"
        self.syncFiles = syncFiles
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            let code = errno
            throw DiskCacheError(code == EACCES || code == EROFS || code == EPERM ? .notWritable : .valueFile,
                                 path: path, operation: "create the values directory", detail: ValueFiles.describe(code), code: code)
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw DiskCacheError(code == ELOOP || code == ENOTDIR ? .notADirectory : .valueFile,
                                 path: path, operation: "open the values directory",
                                 detail: code == ELOOP ? "it is a symbolic link, which the cache does not follow" : ValueFiles.describe(code),
                                 code: code)
        }
        directoryFD = fd
    }

    func close() { _ = posixClose(directoryFD) }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A fresh file name: 128 random bits in hex plus `.val`.
    static func newName() -> String {
        var generator = SystemRandomNumberGenerator()
        let hash = Hash128(low: generator.next(), high: generator.next())
        return hash.hex + ".val"
    }

    /// Writes `bytes` to a new file (temporary name, then rename) and returns its name.
    /// On failure nothing is left behind.
    /// - Complexity: O(bytes).
    func write(_ bytes: UnsafeRawBufferPointer) throws(DiskCacheError) -> String {
        let name = ValueFiles.newName()
        let temporary = name + ".tmp"
        let fd = openat(directoryFD, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(errno, "create value file", temporary) }
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                _ = posixClose(fd)
                unlinkat(directoryFD, temporary, 0)
                throw failure(code, "write value file", temporary)
            }
            offset += n
        }
        if syncFiles && fsync(fd) != 0 {
            let code = errno
            _ = posixClose(fd)
            unlinkat(directoryFD, temporary, 0)
            throw failure(code, "fsync value file", temporary)
        }
        if posixClose(fd) != 0 {
            let code = errno
            unlinkat(directoryFD, temporary, 0)
            throw failure(code, "close value file", temporary)
        }
        if renameat(directoryFD, temporary, directoryFD, name) != 0 {
            let code = errno
            unlinkat(directoryFD, temporary, 0)
            throw failure(code, "rename value file", name)
        }
        return name
    }

    func failure(_ code: Int32, _ operation: String, _ name: String) -> DiskCacheError {
        let kind: DiskCacheError.Kind = switch code {
        case ENOSPC, EDQUOT: .diskFull
        case EACCES, EPERM, EROFS: .notWritable
        default: .valueFile
        }
        return DiskCacheError(kind, path: path + "/" + name, operation: operation, detail: ValueFiles.describe(code), code: code)
    }

    /// Opens `name` and checks it is a regular file of `expectedSize` bytes.
    private func openChecked(_ name: String, expectedSize: Int) throws(ReadFailure) -> Int32 {
        guard ValueFiles.isValidName(name) else { throw .damaged("invalid value file name '\(name)'") }
        let fd = openat(directoryFD, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .missing }
            if code == ELOOP { throw .damaged("is a symbolic link") }
            throw .io(ValueFiles.describe(code), code)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            _ = posixClose(fd)
            throw .io(ValueFiles.describe(code), code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            _ = posixClose(fd)
            throw .damaged("not a regular file")
        }
        guard Int(info.st_size) == expectedSize else {
            _ = posixClose(fd)
            throw .damaged("length \(info.st_size) bytes, recorded \(expectedSize)")
        }
        return fd
    }

    /// The file's bytes, verified against the recorded length and XXH3-128 checksum.
    /// - Complexity: O(size): one read and one hash pass.
    func read(_ name: String, expectedSize: Int, checksum: Hash128) throws(ReadFailure) -> [UInt8] {
        let fd = try openChecked(name, expectedSize: expectedSize)
        defer { _ = posixClose(fd) }
        let bytes: [UInt8]
        do { bytes = try CacheFiles.read(fd, at: 0, count: expectedSize, path: path + "/" + name) } catch {
            throw .io(ValueFiles.describe(error.code), error.code)
        }
        guard bytes.count == expectedSize else { throw .damaged("short read: \(bytes.count) of \(expectedSize) bytes") }
        let actual = bytes.withUnsafeBytes { XXH3.hash128($0) }
        guard actual == checksum else { throw .damaged("checksum \(actual.hex) differs from the recorded \(checksum.hex)") }
        return bytes
    }

    /// The file mapped read-only (no copy), verified against length and checksum.
    /// Safe against replacement and deletion (files are renamed over and unlinked, never
    /// modified in place); a file truncated *while mapped* by another program would fault.
    func map(_ name: String, expectedSize: Int, checksum: Hash128) throws(ReadFailure) -> Data {
        if expectedSize == 0 {
            let empty: [UInt8] = try read(name, expectedSize: 0, checksum: checksum)
            return Data(empty)
        }
        let fd = try openChecked(name, expectedSize: expectedSize)
        defer { _ = posixClose(fd) }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, expectedSize, PROT_READ, flags, fd, 0), address != MAP_FAILED else {
            let code = errno
            throw .io(ValueFiles.describe(code), code)
        }
        let actual = XXH3.hash128(UnsafeRawBufferPointer(start: address, count: expectedSize))
        guard actual == checksum else {
            munmap(address, expectedSize)
            throw .damaged("checksum \(actual.hex) differs from the recorded \(checksum.hex)")
        }
        return Data(bytesNoCopy: address, count: expectedSize, deallocator: .custom { pointer, count in
            munmap(pointer, count)
        })
    }

    /// Removes a value file; a missing file is not an error.
    func remove(_ name: String) {
        guard ValueFiles.isValidName(name) else { return }
        unlinkat(directoryFD, name, 0)
    }

    /// Names in the directory with their kind and age, for `check` and orphan cleanup.
    func listing() -> [(name: String, isTemporary: Bool, modified: Double, size: Int)] {
        let dupFD = dup(directoryFD)
        guard dupFD >= 0, let dir = fdopendir(dupFD) else { return [] }
        defer { closedir(dir) }
        rewinddir(dir)
        var result: [(String, Bool, Double, Int)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            #if canImport(Darwin)
            let modified = Double(info.st_mtimespec.tv_sec)
            #else
            let modified = Double(info.st_mtim.tv_sec)
            #endif
            result.append((name, name.hasSuffix(".tmp"), modified, Int(info.st_size)))
        }
        return result
    }

    /// 32 lowercase hex digits + `.val`: the only names the cache reads or deletes.
    static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == 36, name.hasSuffix(".val") else { return false }
        return utf8.prefix(32).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

@inline(__always) func posixClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

@inline(__always) func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
