// libFuzzer entry point for the `.npy` header parser (CacheJoblib/NumPy/NumPyHeader.swift).
// Built by run.sh with `swiftc -sanitize=fuzzer,address` from the module's own sources.
// Any input must either parse into a header whose invariants hold, or throw
// NumPyFormatError — never trap, overflow or read out of bounds.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let header = try? NumPyHeader.parse(bytes) else { return 0 }
    precondition(header.dataOffset <= size, "data offset beyond the input")
    precondition(header.shape.allSatisfy { $0 >= 0 }, "negative dimension accepted")
    precondition(header.shape.reduce(1, *) == header.elementCount, "element count disagrees with the shape")
    precondition(header.elementCount * header.elementType.byteSize == header.dataByteCount, "byte count disagrees")
    // What we accept, we can write back and read again identically.
    let encoded = NumPyHeader.encode(elementType: header.elementType, shape: header.shape)
    precondition(encoded.count % 64 == 0, "written header not 64-byte aligned")
    let again = encoded.withUnsafeBytes { try? NumPyHeader.parse($0) }
    precondition(again?.shape == header.shape && again?.elementType == header.elementType, "round trip changed the header")
    return 0
}
