/// A ``CacheSerializer`` for any `Codable` value, using the compact binary-codable format
/// of ``BinaryCodableEncoder`` and ``BinaryCodableDecoder``.
public struct BinaryCodableSerializer<Value: Codable>: CacheSerializer {
    /// `"binary-codable"`.
    public var id: String { "binary-codable" }
    /// The byte format version; matches the version byte in every encoding's header.
    public var formatVersion: UInt16 { 1 }
    /// The encoder used by ``encode(_:)``.
    public var encoder: BinaryCodableEncoder
    /// The decoder used by ``decode(_:)``.
    public var decoder: BinaryCodableDecoder

    /// Creates a serializer; pass configured coders to supply `userInfo` or a depth limit.
    public init(encoder: BinaryCodableEncoder = .init(), decoder: BinaryCodableDecoder = .init()) {
        self.encoder = encoder
        self.decoder = decoder
    }

    /// The bytes of `value`; throws ``CacheSerializationError``.
    public func encode(_ value: Value) throws -> [UInt8] {
        try encoder.encode(value)
    }

    /// The value stored in `bytes`; throws ``CacheSerializationError`` for anything malformed.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value {
        try decoder.decode(Value.self, from: bytes)
    }
}
