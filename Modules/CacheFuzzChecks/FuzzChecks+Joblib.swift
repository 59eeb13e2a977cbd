import CacheJoblib

extension FuzzChecks {
    /// A header parses into one whose invariants hold and that round-trips, or throws.
    static func npyHeader(_ bytes: UnsafeRawBufferPointer) {
        guard let header = try? NumPyHeader.parse(bytes) else { return }
        precondition(header.dataOffset <= bytes.count, "data offset beyond the input")
        precondition(header.shape.allSatisfy { $0 >= 0 }, "negative dimension accepted")
        precondition(header.shape.reduce(1, *) == header.elementCount, "element count disagrees with the shape")
        precondition(header.elementCount * header.elementType.byteSize == header.dataByteCount, "byte count disagrees")
        let encoded = NumPyHeader.encode(elementType: header.elementType, shape: header.shape)
        precondition(encoded.count % 64 == 0, "written header not 64-byte aligned")
        let again = encoded.withUnsafeBytes { try? NumPyHeader.parse($0) }
        precondition(again?.shape == header.shape && again?.elementType == header.elementType, "round trip changed the header")
    }

    /// A whole file decodes into an array whose size agrees with its shape, or throws.
    static func npyArray(_ bytes: UnsafeRawBufferPointer) {
        guard let array = try? NumPyFile.decode(bytes) else { return }
        precondition(array.shape.reduce(1, *) == array.count, "element count \(array.count) disagrees with shape \(array.shape)")
        precondition(array.storage.byteCount <= bytes.count, "more data than the input")
    }
}
