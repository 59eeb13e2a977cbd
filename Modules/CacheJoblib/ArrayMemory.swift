import CacheCore

/// joblib's `Memory` for Swift: memoizes functions over large arrays into one
/// ``ArrayCache`` directory.
///
/// ```swift
/// let memory = try ArrayMemory(directory: "/var/cache/myapp")
/// let smooth = try memory.cached(name: "smooth", version: "2") { (signal: ShapedArray<Double>, width: Int) in
///     try ShapedArray(movingAverage(signal, width), shape: signal.shape)
/// }
/// let result = try smooth(signal, 5)   // computed once; later calls map the stored .npy
/// ```
/// Keys: the stable `name` plus `version` (change it when the function's meaning
/// changes: older results then miss; `clear(function:)` removes them), and the
/// arguments' canonical encoding — array arguments by the XXH3-128 digest of their
/// bytes plus element type and shape (see ``ShapedArray``'s key encoding).
public final class ArrayMemory: Sendable {
    public let cache: ArrayCache

    public init(directory: String, options: ArrayCacheOptions = ArrayCacheOptions()) throws {
        cache = try ArrayCache(directory: directory, options: options)
    }

    public init(cache: ArrayCache) { self.cache = cache }

    /// Memoizes a function returning an array (stored as `.npy`).
    public func cached<each Arg: Encodable & Sendable & SendableMetatype, Result: CacheArrayConvertible>(
        name: String, version: String? = nil, options: MemoizeOptions<Result> = .init(),
        _ function: @escaping @Sendable (repeat each Arg) throws -> Result
    ) throws -> Memoized<ArrayCacheStore<Result>, repeat each Arg> {
        try Memoized(store: ArrayCacheStore<Result>(cache: cache), name: name, version: version, options: options, function)
    }

    /// Memoizes a function returning any other `Codable` value (a scalar, a summary),
    /// stored through CacheCore's default serializer in the same directory.
    public func cachedValue<each Arg: Encodable & Sendable & SendableMetatype, Result: Codable & Sendable>(
        name: String, version: String? = nil, options: MemoizeOptions<Result> = .init(),
        _ function: @escaping @Sendable (repeat each Arg) throws -> Result
    ) throws -> Memoized<ArrayCacheStore<Result>, repeat each Arg> {
        try Memoized(store: ArrayCacheStore<Result>(codableValuesIn: cache), name: name, version: version, options: options, function)
    }

    /// Removes every result of `name`, at every version.
    @discardableResult
    public func clear(function name: String) throws -> Int { try cache.clear(function: name) }

    /// See ``ArrayCache/reduceSize(bytesLimit:itemsLimit:ageLimit:)``.
    @discardableResult
    public func reduceSize(bytesLimit: Int? = nil, itemsLimit: Int? = nil, ageLimit: Duration? = nil) throws -> Int {
        try cache.reduceSize(bytesLimit: bytesLimit, itemsLimit: itemsLimit, ageLimit: ageLimit)
    }
}
