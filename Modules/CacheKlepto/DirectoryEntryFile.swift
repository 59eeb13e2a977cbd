import CacheCore

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

    package static func decode(_ bytes: [UInt8]) -> Result<Parsed, DamageReason> {
        guard let newline = bytes.firstIndex(of: 10) else { return .failure(DamageReason("no header line")) }
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
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
        let start = newline + 1
        guard bytes.count == start + length + 1, bytes[bytes.count - 1] == 10 else {
            return .failure(DamageReason("length \(bytes.count) does not match the header (payload \(length) bytes): truncated or extended"))
        }
        let payload = Array(bytes[start..<(start + length)])
        guard checksum(payload) == sum else { return .failure(DamageReason("payload checksum mismatch: altered")) }
        return .success(Parsed(key: key, format: String(format), payload: payload))
    }
}

/// Why a file was judged damaged.
package struct DamageReason: Error {
    package var text: String
    init(_ text: String) { self.text = text }
}
