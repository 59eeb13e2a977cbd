/// A value an array cache stores as a `.npy` file: a shape, elements in C order, and
/// a way back from a ``ShapedArray``.
///
/// `ShapedArray` itself round-trips without copying (a memory-mapped hit stays mapped).
/// `[Double]`, `[Float]`, `ContiguousArray` and your own types conform by copying:
/// returning a plain `[Double]` from a cache hit copies every element out of the file
/// (O(n)); return a `ShapedArray` to read the mapped file in place.
///
/// ```swift
/// struct Matrix: CacheArrayConvertible {
///     var rows: Int, columns: Int, values: [Double]
///     var cacheArrayShape: [Int] { [rows, columns] }
///     func withCacheArrayElements<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
///         try values.withUnsafeBufferPointer(body)
///     }
///     init(cacheArray: ShapedArray<Double>) throws {
///         guard cacheArray.shape.count == 2 else { throw MatrixError.notTwoDimensional }
///         (rows, columns, values) = (cacheArray.shape[0], cacheArray.shape[1], cacheArray.elements)
///     }
/// }
/// ```
public protocol CacheArrayConvertible: Sendable {
    associatedtype Element: NumPyElement
    /// The dimensions, C order; their product is the element count.
    var cacheArrayShape: [Int] { get }
    /// Calls `body` with every element in C order.
    func withCacheArrayElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R
    /// Rebuilds the value from a loaded array (throw when the shape does not fit).
    init(cacheArray: ShapedArray<Element>) throws
}

extension ShapedArray: CacheArrayConvertible {
    public var cacheArrayShape: [Int] { shape }
    public func withCacheArrayElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer(body)
    }
    /// No copy: the loaded array itself.
    public init(cacheArray: ShapedArray<Element>) { self = cacheArray }
}

extension Array: CacheArrayConvertible where Element: NumPyElement {
    public var cacheArrayShape: [Int] { [count] }
    public func withCacheArrayElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer(body)
    }
    /// Copies the elements (O(n)); any shape is flattened in C order.
    public init(cacheArray: ShapedArray<Element>) { self = cacheArray.elements }
}

extension ContiguousArray: CacheArrayConvertible where Element: NumPyElement {
    public var cacheArrayShape: [Int] { [count] }
    public func withCacheArrayElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer(body)
    }
    /// Copies the elements (O(n)); any shape is flattened in C order.
    public init(cacheArray: ShapedArray<Element>) {
        self = cacheArray.withUnsafeBufferPointer { ContiguousArray($0) }
    }
}

extension CacheArrayConvertible {
    /// The value as a ``ShapedArray`` (no copy when it is one).
    public func shapedArray() throws -> ShapedArray<Element> {
        if let same = self as? ShapedArray<Element> { return same }
        return try withCacheArrayElements { try ShapedArray($0, shape: cacheArrayShape) }
    }
}
