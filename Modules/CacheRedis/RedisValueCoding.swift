import CacheCompression
import CacheCore

/// Optional compression of the values a Redis store writes. Values of at least
/// `minimumSize` serialized bytes are deflated with zlib, kept only when that saves at
/// least `minimumSaving` of their size. Every store reads compressed and plain values
/// alike, whatever its own setting, so processes with different settings share entries.
public struct RedisCompression: Sendable, Equatable {
    /// zlib level 1 (fastest) … 9 (smallest).
    public var level: Int
    /// Values smaller than this many serialized bytes are stored as they are.
    public var minimumSize: Int
    /// The fraction of its size a value must shrink by to be stored compressed (0…1).
    public var minimumSaving: Double

    /// - Throws: ``CacheConfigurationError`` for a level outside 1…9, a negative size or a saving outside 0…1.
    public init(level: Int = 6, minimumSize: Int = 1_024, minimumSaving: Double = 0.1) throws(CacheConfigurationError) {
        guard (1...9).contains(level) else {
            throw CacheConfigurationError(setting: "compression.level", value: "\(level)", reason: "zlib levels are 1 (fastest) to 9 (smallest)")
        }
        guard minimumSize >= 0 else {
            throw CacheConfigurationError(setting: "compression.minimumSize", value: "\(minimumSize)", reason: "must be ≥ 0")
        }
        guard (0...1).contains(minimumSaving) else {
            throw CacheConfigurationError(setting: "compression.minimumSaving", value: "\(minimumSaving)", reason: "must be between 0 and 1")
        }
        self.init(validated: level, minimumSize: minimumSize, minimumSaving: minimumSaving)
    }

    private init(validated level: Int, minimumSize: Int, minimumSaving: Double) {
        self.level = level
        self.minimumSize = minimumSize
        self.minimumSaving = minimumSaving
    }

    /// zlib level 6 for values of at least 1 KiB that shrink by at least 10 %.
    public static var zlib: RedisCompression { RedisCompression(validated: 6, minimumSize: 1_024, minimumSaving: 0.1) }
}

/// How a Redis store turns values into bytes and back: a ``CacheValueEnvelope``, deflated
/// when compression asks for it. A compressed value is framed as `0xC6`, algorithm `0x01`
/// (zlib), the envelope's length (UInt32 little-endian), then the zlib stream.
enum RedisValueCoding {
    static let compressedMagic: UInt8 = 0xC6
    static let zlibAlgorithm: UInt8 = 1
    /// Redis's own limit on a string value: a longer declared length is damage.
    static let maximumLength = 512 << 20

    static func encode<S: CacheSerializer>(_ value: S.Value, with serializer: S, compression: RedisCompression?) throws -> [UInt8] {
        let envelope = try CacheValueEnvelope.wrap(value, with: serializer)
        guard let compression, envelope.count >= compression.minimumSize, envelope.count <= maximumLength else { return envelope }
        let deflated = try envelope.withUnsafeBytes { raw throws(CacheSerializationError) in
            try ZlibCodec.compress([raw], level: Int32(compression.level), context: "redis value (\(serializer.id))")
        }
        guard Double(deflated.count + 6) <= Double(envelope.count) * (1 - compression.minimumSaving) else { return envelope }
        let length = UInt32(envelope.count)
        var framed: [UInt8] = [compressedMagic, zlibAlgorithm,
                               UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                               UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)]
        framed.reserveCapacity(6 + deflated.count)
        framed.append(contentsOf: deflated)
        return framed
    }

    /// The value in `bytes` (plain or compressed), or a ``CacheSerializationError`` saying what is wrong.
    static func decode<S: CacheSerializer>(_ bytes: [UInt8], with serializer: S) throws -> S.Value {
        guard bytes.first == compressedMagic else { return try CacheValueEnvelope.unwrap(bytes, with: serializer) }
        let type = String(reflecting: S.Value.self)
        guard bytes.count >= 6 else {
            throw CacheSerializationError(.decoding, serializer: "zlib", type: type, position: "byte 0", reason: "truncated compressed frame (\(bytes.count) bytes)")
        }
        guard bytes[1] == zlibAlgorithm else {
            throw CacheSerializationError(.decoding, serializer: "zlib", type: type, position: "byte 1", reason: "unknown compression algorithm \(bytes[1])")
        }
        let length = Int(UInt32(bytes[2]) | UInt32(bytes[3]) << 8 | UInt32(bytes[4]) << 16 | UInt32(bytes[5]) << 24)
        guard length <= maximumLength else {
            throw CacheSerializationError(.decoding, serializer: "zlib", type: type, position: "byte 2", reason: "declared length \(length) exceeds \(maximumLength)")
        }
        var envelope = [UInt8](repeating: 0, count: length)
        try bytes.withUnsafeBytes { raw in
            try envelope.withUnsafeMutableBytes { output in
                try ZlibCodec.decompress(UnsafeRawBufferPointer(rebasing: raw[6...]), into: output, context: type)
            }
        }
        return try CacheValueEnvelope.unwrap(envelope, with: serializer)
    }
}
