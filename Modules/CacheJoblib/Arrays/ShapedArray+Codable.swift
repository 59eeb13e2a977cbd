import CacheCore

extension ShapedArray: Codable {
    enum CodingKeys: String, CodingKey { case dtype, shape, elements }

    /// Encodes dtype, shape and the elements (for serializers other than `.npy`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Element.numpyType, forKey: .dtype)
        try container.encode(shape, forKey: .shape)
        try container.encode(elements, forKey: .elements)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let dtype = try container.decode(NumPyElementType.self, forKey: .dtype)
        guard dtype == Element.numpyType else {
            throw DecodingError.dataCorruptedError(forKey: .dtype, in: container, debugDescription: "holds \(dtype), expected \(Element.numpyType)")
        }
        let shape = try container.decode([Int].self, forKey: .shape)
        let elements = try container.decode([Element].self, forKey: .elements)
        do {
            try self.init(elements, shape: shape)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: container, debugDescription: "\(error)")
        }
    }
}

extension ShapedArray: CanonicalKeyEncodable {
    /// The array's key: its element type, shape and the XXH3-128 digest of its bytes
    /// (never the elements themselves), plus the hash algorithm's id, so a changed
    /// algorithm can never produce a false hit. Collision odds 2⁻¹²⁸ per pair of arrays.
    ///
    /// Bytes are hashed as stored: `-0.0` and `0.0` (or two NaN payloads) are two keys —
    /// at worst a miss, never a wrong hit.
    /// - Complexity: O(n), at memory bandwidth (one pass of XXH3 over the bytes).
    public func encodeCanonicalKey(into encoder: inout CanonicalKeyEncoder) {
        ArrayArgumentKey.encode(elementType: Element.numpyType, shape: shape, bytes: storage.bytes, into: &encoder)
    }
}

/// How array arguments enter a ``CacheKey``.
public enum ArrayArgumentKey {
    /// Appends the key of an array argument: a digest tag, the type name, the shape,
    /// the byte length, the hash algorithm id, then the 16-byte digest.
    public static func encode(elementType: NumPyElementType, shape: [Int], bytes: UnsafeRawBufferPointer, into encoder: inout CanonicalKeyEncoder) {
        encoder.writeTag(.digest)
        encoder.writeRaw(CanonicalTag.array.rawValue)
        encoder.writeString("ndarray<\(elementType.rawValue)>")
        encoder.writeLength(shape.count)
        for dimension in shape { encoder.writeLength(dimension) }
        encoder.writeLength(bytes.count)
        encoder.writeString(CacheHash.algorithmID)
        encoder.writeEncoded(CacheHash.digest(bytes).bytes)
    }
}
