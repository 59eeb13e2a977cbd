import CacheCore

/// Wraps an array argument (`[Double]`, `ContiguousArray`, your own type) so its key is
/// the XXH3-128 digest of its bytes plus element type and shape — one pass at memory
/// speed — instead of the element-by-element canonical encoding plain `Array`s get.
///
/// ```swift
/// let f = try memory.cached(name: "fft") { (x: ArrayArgument<[Double]>) in try fft(x.value) }
/// let spectrum = try f(ArrayArgument(samples))
/// ```
/// An `ArrayArgument` and a ``ShapedArray`` of the same type, shape and bytes give the same key.
public struct ArrayArgument<Wrapped: CacheArrayConvertible>: Sendable, Encodable, CanonicalKeyEncodable {
    public let value: Wrapped

    public init(_ value: Wrapped) { self.value = value }

    public func encodeCanonicalKey(into encoder: inout CanonicalKeyEncoder) {
        value.withCacheArrayElements { elements in
            ArrayArgumentKey.encode(
                elementType: Wrapped.Element.numpyType, shape: value.cacheArrayShape,
                bytes: UnsafeRawBufferPointer(elements), into: &encoder)
        }
    }

    /// Encodes the wrapped array's shape and elements (for encoders other than the key's).
    public func encode(to encoder: any Encoder) throws {
        try value.withCacheArrayElements { elements in
            try ShapedArray(elements, shape: value.cacheArrayShape).encode(to: encoder)
        }
    }
}
