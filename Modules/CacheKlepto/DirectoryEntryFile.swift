import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The layout of one ``DirectoryArchive`` entry file: a one-line JSON array header, the
/// payload, then a newline.
///
/// ```
/// ["cacheklepto-entry",1,"json/1",17,"3f2a…(16 hex)","43…(key storage bytes, hex)"]
/// {"name":"a","n":1}
/// ```
/// The header carries the record's format, the payload's length and XXH3-64 checksum,
/// and the key's full storage bytes, so a file renamed, truncated, altered or belonging
/// to another key is detected, never returned. With the JSON serializer the whole file
/// is two JSON texts: `cat` shows it and `jq . file` prints header and value.
package enum DirectoryEntryFile {
    static let magic = "cacheklepto-entry"
    static let version = 1

    /// Whether `format` can be written in the header unescaped.
    static func isValidFormat(_ format: String) -> Bool {
        !format.isEmpty && format.utf8.count <= 128 && format.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 47 || c == 95
        }
    }

    static func checksum(_ payload: [UInt8]) -> UInt64 { payload.withUnsafeBytes { XXH3.hash64($0) } }

    static func hex16(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The file's bytes for `record` under `key`.
    package static func encode(_ record: KleptoRecord, key: CacheKey) -> [UInt8] {
        let header = "[\"\(magic)\",\(version),\"\(record.format)\",\(record.payload.count),\"\(hex16(checksum(record.payload)))\",\"\(key.storageBytes.kleptoHex)\"]\n"
        var out = Array(header.utf8)
        out.reserveCapacity(out.count + record.payload.count + 1)
        out.append(contentsOf: record.payload)
        out.append(10)
        return out
    }

    /// The header's key, format and payload range, checked against the file's length
    /// and the payload's checksum; `reason` says what is wrong otherwise.
    package struct Parsed {
        package var key: CacheKey
        package var format: String
        package var payload: [UInt8]
    }

    /// A parsed header line: the key, the format, the payload's length and checksum.
    struct Header {
        var key: CacheKey
        var format: String
        var length: Int
        var checksum: UInt64
    }

    static func parseHeader(_ line: ArraySlice<UInt8>) -> Result<Header, DamageReason> {
        let header = String(decoding: line, as: UTF8.self)
        guard header.hasPrefix("[\"\(magic)\",") && header.hasSuffix("]") else {
            return .failure(DamageReason("not a cacheklepto entry file (header '\(header.prefix(40))')"))
        }
        let fields = header.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 6 else { return .failure(DamageReason("header has \(fields.count) fields, expected 6")) }
        func unquote(_ s: Substring) -> Substring? {
            s.count >= 2 && s.first == "\"" && s.last == "\"" ? s.dropFirst().dropLast() : nil
        }
        guard Int(fields[1]) == version else { return .failure(DamageReason("entry format version \(fields[1]), expected \(version)")) }
        guard let format = unquote(fields[2]), let length = Int(fields[3]), length >= 0,
              let sumText = unquote(fields[4]), let sum = UInt64(sumText, radix: 16),
              let keyHex = unquote(fields[5]), let keyBytes = [UInt8](kleptoHex: keyHex),
              let key = CacheKey(storageBytes: keyBytes)
        else { return .failure(DamageReason("malformed header")) }
        return .success(Header(key: key, format: String(format), length: length, checksum: sum))
    }

    static func lengthMismatch(_ size: Int, _ length: Int) -> DamageReason {
        DamageReason("length \(size) does not match the header (payload \(length) bytes): truncated or extended")
    }

    package static func decode(_ bytes: [UInt8]) -> Result<Parsed, DamageReason> {
        guard let newline = bytes.firstIndex(of: 10) else { return .failure(DamageReason("no header line")) }
        let header: Header
        switch parseHeader(bytes[..<newline]) {
        case .failure(let reason): return .failure(reason)
        case .success(let h): header = h
        }
        let start = newline + 1
        guard bytes.count == start + header.length + 1, bytes[bytes.count - 1] == 10 else {
            return .failure(lengthMismatch(bytes.count, header.length))
        }
        let payload = Array(bytes[start..<(start + header.length)])
        guard checksum(payload) == header.checksum else { return .failure(DamageReason("payload checksum mismatch: altered")) }
        return .success(Parsed(key: header.key, format: header.format, payload: payload))
    }

    /// How much of a file the first read takes: the header line of every entry whose key
    /// is not unusually long, and the whole of a small entry.
    static let firstReadSize = 4_096

    /// Reads and checks the entry file at `path` (`nil` when it does not exist): the header
    /// from the first block, then the payload straight into its own array — the file is not
    /// read into a buffer and copied out. Symbolic links are not followed.
    /// - Complexity: O(payload): one copy from the kernel and one checksum pass.
    package static func read(_ path: String) throws(CacheFileError) -> Result<Parsed, DamageReason>? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { return .failure(DamageReason("is a symbolic link")) }
            throw CacheFiles.failure("open for reading", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CacheFiles.failure("stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(DamageReason("not a regular file")) }
        let size = Int(info.st_size)
        let head = try CacheFiles.read(fd, at: 0, count: min(size, firstReadSize), path: path)
        guard let newline = head.firstIndex(of: 10) else {
            if size <= firstReadSize { return .failure(DamageReason("no header line")) }
            return decode(try CacheFiles.read(fd, at: 0, count: size, path: path))
        }
        let header: Header
        switch parseHeader(head[..<newline]) {
        case .failure(let reason): return .failure(reason)
        case .success(let h): header = h
        }
        let start = newline + 1
        guard size == start + header.length + 1 else { return .failure(lengthMismatch(size, header.length)) }
        let inHead = min(head.count - start, header.length)
        let payload: [UInt8]
        if inHead == header.length {
            payload = Array(head[start..<(start + inHead)])
        } else {
            // One allocation of the payload's size: the part the first read took, then the
            // rest read from the file into place.
            var readError: Int32?
            payload = [UInt8](unsafeUninitializedCapacity: header.length) { buffer, initialized in
                head.withUnsafeBufferPointer { h in
                    buffer.baseAddress!.update(from: h.baseAddress! + start, count: inHead)
                }
                let rest = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[inHead...])
                let (read, error) = CacheFiles.readFully(fd, into: rest, at: start + inHead)
                (initialized, readError) = (inHead + read, error)
            }
            if let readError { throw CacheFiles.failure("read", path, readError) }
        }
        let last = size - 1 < head.count ? head[size - 1] : try CacheFiles.read(fd, at: size - 1, count: 1, path: path).first
        guard payload.count == header.length, last == 10 else { return .failure(lengthMismatch(size, header.length)) }
        guard checksum(payload) == header.checksum else { return .failure(DamageReason("payload checksum mismatch: altered")) }
        return .success(Parsed(key: header.key, format: header.format, payload: payload))
    }
}

/// Why a file was judged damaged.
package struct DamageReason: Error {
    package var text: String
    init(_ text: String) { self.text = text }
}
