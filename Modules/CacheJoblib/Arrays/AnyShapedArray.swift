/// A shaped array whose element type is known only at run time (a file read from disk
/// before anyone said what it holds).
public struct AnyShapedArray: Sendable {
    public let elementType: NumPyElementType
    public let shape: [Int]
    public let storage: ArrayStorage

    public init<Element>(_ array: ShapedArray<Element>) {
        elementType = Element.numpyType
        shape = array.shape
        storage = array.storage
    }

    init(elementType: NumPyElementType, shape: [Int], storage: ArrayStorage) {
        self.elementType = elementType
        self.shape = shape
        self.storage = storage
    }

    /// Element count.
    public var count: Int { storage.byteCount / elementType.byteSize }

    /// The array typed as `Element`, without copying. Throws ``NumPyFormatError``
    /// (`.typeMismatch`) when the stored type differs, and (`.invalidBoolean`) for a
    /// `Bool` array holding a byte other than 0 or 1.
    public func typed<Element: NumPyElement>(as type: Element.Type = Element.self, path: String = "<memory>") throws -> ShapedArray<Element> {
        guard elementType == Element.numpyType, MemoryLayout<Element>.stride == elementType.byteSize else {
            throw NumPyFormatError(.typeMismatch(expected: Element.numpyType, found: elementType), path: path, offset: 0)
        }
        if elementType == .bool {
            let bytes = storage.bytes
            if let bad = bytes.firstIndex(where: { $0 > 1 }) {
                throw NumPyFormatError(.invalidBoolean(index: bad, byte: bytes[bad]), path: path, offset: bad)
            }
        }
        return ShapedArray(uncheckedShape: shape, storage: storage)
    }

    /// Element bytes (little-endian), without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(storage.bytes)
    }
}
