/// An n-dimensional array in C (row-major) order whose elements live in owned memory
/// or in a read-only memory map of a `.npy` file, with zero-copy access to them.
///
/// Values are immutable: a cached result can be shared between threads freely.
public struct ShapedArray<Element: NumPyElement>: Sendable {
    /// The size of each dimension; `[]` is a scalar (one element).
    public let shape: [Int]
    /// The element bytes.
    public let storage: ArrayStorage

    /// The number of elements (the product of ``shape``).
    public var count: Int { storage.byteCount / MemoryLayout<Element>.stride }

    /// Whether the elements are read from a memory-mapped file.
    public var isMemoryMapped: Bool { storage.isMemoryMapped }

    /// Wraps storage already checked to hold `shape` elements.
    init(uncheckedShape shape: [Int], storage: ArrayStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// An array of `shape` whose elements `initializer` writes (it must write them all).
    /// Throws ``NumPyFormatError`` (`.invalidShape`) for a negative or overflowing shape.
    public init(shape: [Int], initializingWith initializer: (UnsafeMutableBufferPointer<Element>) throws -> Void) throws {
        let count = try ShapedArray.elementCount(of: shape)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        if overflow { throw NumPyFormatError(.invalidShape("\(shape) overflows"), offset: 0) }
        self.shape = shape
        self.storage = try ArrayStorage.owned(byteCount: bytes) { raw in
            let typed = raw.bindMemory(to: Element.self)
            try initializer(typed)
        }
    }

    /// A copy of `elements` with `shape` (default: one dimension).
    /// Throws when the shape's element count differs from `elements.count`.
    public init(_ elements: some Collection<Element>, shape: [Int]? = nil) throws {
        let shape = shape ?? [elements.count]
        let count = try ShapedArray.elementCount(of: shape)
        guard count == elements.count else {
            throw NumPyFormatError(.invalidShape("shape \(shape) holds \(count) elements, given \(elements.count)"), offset: 0)
        }
        try self.init(shape: shape) { buffer in
            if let done = elements.withContiguousStorageIfAvailable({ source in
                if let base = source.baseAddress { buffer.baseAddress!.initialize(from: base, count: source.count) }
                return true
            }), done { return }
            _ = buffer.initialize(from: elements)
        }
    }

    /// `shape` filled with `value`.
    public init(repeating value: Element, shape: [Int]) throws {
        try self.init(shape: shape) { $0.initialize(repeating: value) }
    }

    /// Calls `body` with the elements, in C order, without copying.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.baseAddress.assumingMemoryBound(to: Element.self), count: count))
    }

    /// Calls `body` with the element bytes, without copying.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.baseAddress, count: storage.byteCount))
    }

    /// The element at flat (C-order) position `index`.
    @inlinable
    public subscript(flat index: Int) -> Element {
        precondition(index >= 0 && index < count, "index \(index) out of range 0..<\(count)")
        return storage.baseAddress.load(fromByteOffset: index * MemoryLayout<Element>.stride, as: Element.self)
    }

    /// The element at `indices` (one per dimension).
    public subscript(_ indices: Int...) -> Element {
        precondition(indices.count == shape.count, "\(indices.count) indices for a \(shape.count)-dimensional array")
        var flat = 0
        for (index, dimension) in zip(indices, shape) {
            precondition(index >= 0 && index < dimension, "index \(index) out of range 0..<\(dimension)")
            flat = flat * dimension + index
        }
        return self[flat: flat]
    }

    /// The elements in C order, copied into an `Array`.
    /// - Complexity: O(n): this copies; use ``withUnsafeBufferPointer(_:)`` to read in place.
    public var elements: [Element] { withUnsafeBufferPointer { Array($0) } }

    /// The product of `shape`, checked.
    static func elementCount(of shape: [Int]) throws -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw NumPyFormatError(.invalidShape("negative dimension in \(shape)"), offset: 0) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { throw NumPyFormatError(.invalidShape("\(shape) overflows"), offset: 0) }
            count = product
        }
        return count
    }
}

extension ShapedArray: Equatable {
    /// Same shape and equal elements (by `==`, so arrays holding NaN are never equal).
    public static func == (a: ShapedArray, b: ShapedArray) -> Bool {
        guard a.shape == b.shape else { return false }
        if a.storage === b.storage { return true }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

extension ShapedArray: CustomStringConvertible {
    public var description: String {
        let head = withUnsafeBufferPointer { $0.prefix(6).map { "\($0)" }.joined(separator: ", ") }
        return "ShapedArray<\(Element.numpyType)>(shape: \(shape), [\(head)\(count > 6 ? ", …" : "")])"
    }
}
