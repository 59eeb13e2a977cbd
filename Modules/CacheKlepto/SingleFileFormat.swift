import CacheCore

/// The byte layout of a ``SingleFileArchive``: `CKLEPTOF`, version (UInt32 LE), entry
/// count (UInt64 LE), then per entry the key's storage bytes (UInt32 length), the
/// format (UInt16 length) and the payload (UInt64 length), and last the XXH3-64 of
/// every byte before it (UInt64 LE).
package enum SingleFileFormat {
    static let magic = Array("CKLEPTOF".utf8)
    static let version: UInt32 = 1

    package static func encode(_ records: [CacheKey: KleptoRecord]) -> [UInt8] {
        var out = magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(version)
        put(UInt64(records.count))
        for key in records.keys.sorted() {
            let record = records[key]!
            let keyBytes = key.storageBytes
            put(UInt32(keyBytes.count))
            out.append(contentsOf: keyBytes)
            let format = Array(record.format.utf8)
            put(UInt16(truncatingIfNeeded: format.count))
            out.append(contentsOf: format.prefix(Int(UInt16.max)))
            put(UInt64(record.payload.count))
            out.append(contentsOf: record.payload)
        }
        put(out.withUnsafeBytes { XXH3.hash64($0) })
        return out
    }

    /// The records in `bytes`, or why the bytes are not a whole, unaltered archive file.
    package static func decode(_ bytes: [UInt8]) -> Result<[CacheKey: KleptoRecord], DamageReason> {
        guard bytes.count >= magic.count + 4 + 8 + 8 else {
            return .failure(DamageReason("\(bytes.count) bytes: too short for an archive file (cut short?)"))
        }
        guard Array(bytes[0..<magic.count]) == magic else { return .failure(DamageReason("not a cacheklepto single-file archive (no CKLEPTOF magic)")) }
        let body = bytes.count - 8
        var position = magic.count
        func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard position + size <= body else { return nil }
            var v: T = 0
            for i in 0..<size { v |= T(bytes[position + i]) << (8 * i) }
            position += size
            return v
        }
        func takeBytes(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= body - position else { return nil }
            defer { position += n }
            return bytes[position..<(position + n)]
        }
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[body + i]) << (8 * i) }
        guard bytes.withUnsafeBytes({ XXH3.hash64(UnsafeRawBufferPointer(rebasing: $0[..<body])) }) == stored else {
            return .failure(DamageReason("checksum mismatch: the file was cut short or altered"))
        }
        guard let version = take(UInt32.self), version == Self.version else { return .failure(DamageReason("unsupported archive file version")) }
        guard let count = take(UInt64.self), count <= UInt64(body) else { return .failure(DamageReason("bad entry count")) }
        var records: [CacheKey: KleptoRecord] = [:]
        records.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            guard let keyLength = take(UInt32.self), let keyBytes = takeBytes(Int(keyLength)),
                  let key = CacheKey(storageBytes: Array(keyBytes)),
                  let formatLength = take(UInt16.self), let format = takeBytes(Int(formatLength)),
                  let payloadLength = take(UInt64.self), payloadLength <= UInt64(body), let payload = takeBytes(Int(payloadLength))
            else { return .failure(DamageReason("entry \(i) is malformed")) }
            records[key] = KleptoRecord(format: String(decoding: format, as: UTF8.self), payload: Array(payload))
        }
        guard position == body else { return .failure(DamageReason("\(body - position) stray bytes after the last entry")) }
        return .success(records)
    }
}
