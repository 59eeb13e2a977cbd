import CacheCore

/// A function memoized with `functools.lru_cache` semantics.
public typealias LRUCachedFunction<each Arg: Hashable & Sendable, Value: Sendable> =
    Memoized<LRUMemoStore<ArgumentsKey<repeat each Arg>, Value>, repeat each Arg>

/// `functools.lru_cache`'s `cache_info()`.
public struct CacheInfo: Sendable, Hashable, CustomStringConvertible {
    public var hits: Int
    public var misses: Int
    /// `nil` = unbounded.
    public var maxSize: Int?
    public var currentSize: Int

    public init(hits: Int, misses: Int, maxSize: Int?, currentSize: Int) {
        self.hits = hits
        self.misses = misses
        self.maxSize = maxSize
        self.currentSize = currentSize
    }

    public var description: String {
        "CacheInfo(hits=\(hits), misses=\(misses), maxsize=\(maxSize.map(String.init) ?? "None"), currsize=\(currentSize))"
    }
}

/// Memoizes `function` like Python's `@functools.lru_cache(maxsize=…)`.
///
/// - `maxSize`: the bound (default 128); `nil` = unbounded; `0` = no caching.
/// - Thread-safe; concurrent callers of one missing key run `function` once.
/// - Python's `typed=` has no counterpart: Swift arguments are typed, and keys of
///   different types never compare equal.
///
/// ```swift
/// let square = try lruCache(maxSize: 1000) { (n: Int) in n * n }
/// square(12)              // computed
/// square(12)              // hit
/// square.cacheInfo        // CacheInfo(hits=1, misses=1, maxsize=1000, currsize=1)
/// ```
/// - Complexity: a hit is O(1): one lock, one hash lookup.
@inlinable
public func lruCache<each Arg: Hashable & Sendable, Value: Sendable>(
    maxSize: Int? = 128, options: MemoizeOptions<Value> = .init(),
    _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws(CacheConfigurationError) -> LRUCachedFunction<repeat each Arg, Value> {
    try Memoized(store: LRUMemoStore(maxSize: maxSize), name: "lruCache", options: options, function)
}

extension Memoized {
    /// `functools.lru_cache`'s `cache_info()`: hits, misses, bound and size.
    public func cacheInfo<K, V>() -> CacheInfo where Store == LRUMemoStore<K, V> {
        let s = store.stats
        return CacheInfo(hits: s.hits, misses: s.misses, maxSize: store.maxSize, currentSize: s.count)
    }
}

/// A one-argument function memoized with `functools.lru_cache` semantics, keyed by
/// its argument itself (no wrapper: standard types keep their fast hashing).
public typealias LRUCachedFunction1<Arg: Hashable & Sendable, Value: Sendable> = Memoized<LRUMemoStore<Arg, Value>, Arg>

/// Memoizes a one-argument `function` like `@functools.lru_cache(maxsize=…)`.
/// Chosen over the variadic overload for one argument; same semantics.
/// - Complexity: a hit is O(1): one lock, one hash lookup.
@inlinable
public func lruCache<Arg: Hashable & Sendable, Value: Sendable>(
    maxSize: Int? = 128, options: MemoizeOptions<Value> = .init(),
    _ function: @escaping @Sendable (Arg) throws -> Value
) throws(CacheConfigurationError) -> LRUCachedFunction1<Arg, Value> {
    try Memoized(store: LRUMemoStore(maxSize: maxSize), name: "lruCache", key: { (arg: Arg) in arg }, options: options, function)
}

/// Memoizes a recursive function: it receives the memoized function as its first
/// argument and calls itself through it. (Recursive functions of several arguments:
/// `Memoized(store: LRUMemoStore(maxSize:), recursive:)`.)
///
/// ```swift
/// let fib = try lruCache(maxSize: nil) { (fib, n: Int) -> Int in
///     n < 2 ? n : try fib(n - 1) + fib(n - 2)
/// }
/// ```
@inlinable
public func lruCache<Arg: Hashable & Sendable, Value: Sendable>(
    maxSize: Int? = 128, options: MemoizeOptions<Value> = .init(),
    recursive: @escaping LRUCachedFunction1<Arg, Value>.Body
) throws(CacheConfigurationError) -> LRUCachedFunction1<Arg, Value> {
    try Memoized(store: LRUMemoStore(maxSize: maxSize), name: "lruCache", key: { (arg: Arg) in arg }, options: options, recursive: recursive)
}
