/// The header every serialized entry carries, so a reader whose serializer differs
/// (another id, another format version) treats the entry as a miss instead of guessing:
/// `0xC5 0x01`, the serializer id's length (1 byte) and UTF-8, the format version
/// (UInt16 little-endian), then the payload.
public enum CacheValueEnvelope {
    public static let magic: UInt8 = 0xC5
    public static let version: UInt8 = 1

    /// The header for a serializer.
    public static func header(id: String, formatVersion: UInt16) -> [UInt8] {
        let idBytes = Array(id.utf8.prefix(255))
        var out: [UInt8] = [magic, version, UInt8(idBytes.count)]
        out.append(contentsOf: idBytes)
        out.append(UInt8(truncatingIfNeeded: formatVersion))
        out.append(UInt8(truncatingIfNeeded: formatVersion >> 8))
        return out
    }

    /// `value` serialized and wrapped in its header.
    public static func wrap<S: CacheSerializer>(_ value: S.Value, with serializer: S) throws -> [UInt8] {
        var out = header(id: serializer.id, formatVersion: serializer.formatVersion)
        out.append(contentsOf: try serializer.encode(value))
        return out
    }

    /// The value in `bytes`, or a ``CacheSerializationError`` saying what did not match.
    public static func unwrap<S: CacheSerializer>(_ bytes: [UInt8], with serializer: S) throws -> S.Value {
        let type = String(reflecting: S.Value.self)
        guard bytes.count >= 5, bytes[0] == magic else {
            throw CacheSerializationError(.decoding, serializer: serializer.id, type: type, position: "byte 0", reason: "no swift-cache envelope (magic byte missing)")
        }
        guard bytes[1] == version else {
            throw CacheSerializationError(.decoding, serializer: serializer.id, type: type, position: "byte 1", reason: "envelope version \(bytes[1]) is not \(version)")
        }
        let idLength = Int(bytes[2])
        guard bytes.count >= 3 + idLength + 2 else {
            throw CacheSerializationError(.decoding, serializer: serializer.id, type: type, position: "byte 2", reason: "truncated envelope (\(bytes.count) bytes)")
        }
        let id = String(decoding: bytes[3..<(3 + idLength)], as: UTF8.self)
        guard id == serializer.id else {
            throw CacheSerializationError(.decoding, serializer: serializer.id, type: type, position: "byte 3", reason: "written by serializer '\(id)'")
        }
        let at = 3 + idLength
        let formatVersion = UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        guard formatVersion == serializer.formatVersion else {
            throw CacheSerializationError(.decoding, serializer: serializer.id, type: type, position: "byte \(at)", reason: "format version \(formatVersion), expected \(serializer.formatVersion)")
        }
        return try bytes.withUnsafeBytes { try serializer.decode(UnsafeRawBufferPointer(rebasing: $0[(at + 2)...])) }
    }
}
