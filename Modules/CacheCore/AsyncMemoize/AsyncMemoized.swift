/// The keys an async memoized load is computing in the current task chain, so a
/// function that awaits itself with the same arguments fails instead of waiting forever.
enum AsyncLoadContext {
    @TaskLocal static var loadingKeys: Set<LoadingKey> = []
}

/// One memoized function's key, type-erased for ``AsyncLoadContext``.
// @unchecked Sendable is safe: `key` is only ever made from a value whose static type is
// `Hashable & Sendable` (see `init`), and AnyHashable adds no mutable state of its own.
struct LoadingKey: Hashable, @unchecked Sendable {
    let owner: ObjectIdentifier
    let key: AnyHashable

    init(owner: AnyObject, key: some Hashable & Sendable) {
        self.owner = ObjectIdentifier(owner)
        self.key = AnyHashable(key)
    }
}

/// An `async throws` function whose results are kept in an ``AsyncCache``.
///
/// In memory, with CacheAsync's convenience initializer (it makes the store):
/// ```swift
/// let fetch = try AsyncMemoized(maxEntries: 10_000, options: .init(ttl: .seconds(30))) { (id: Int) in
///     try await api.user(id)
/// }
/// let user = try await fetch(42)
/// ```
/// A hit is one key construction plus one store lookup (for the memory store: one lock,
/// no actor hop, no allocation). Misses are single-flight; refresh-ahead and
/// stale-if-error follow the cache's options.
public final class AsyncMemoized<Store: AsyncCacheStore, Value: Sendable, each Arg: Sendable>: Sendable
where Store.Value == AsyncCacheEntry<Value> {
    public typealias Key = Store.Key
    public typealias Body = @Sendable (AsyncMemoized, repeat each Arg) async throws -> Value

    /// The cache holding the results.
    public let cache: AsyncCache<Store, Value>
    @usableFromInline let makeKey: @Sendable (repeat each Arg) throws -> Key
    @usableFromInline let body: Body

    /// Memoizes `recursive`, which receives this function as its first argument so it
    /// can await itself through the cache. Awaiting itself with the very arguments it is
    /// computing throws ``AsyncMemoizeRecursionError``.
    public init(cache: AsyncCache<Store, Value>, key: @escaping @Sendable (repeat each Arg) throws -> Key, recursive: @escaping Body) {
        self.cache = cache
        self.makeKey = key
        self.body = recursive
    }

    /// Memoizes `function` in `cache`, keyed by `key(arguments)`.
    public convenience init(
        cache: AsyncCache<Store, Value>, key: @escaping @Sendable (repeat each Arg) throws -> Key,
        _ function: @escaping @Sendable (repeat each Arg) async throws -> Value
    ) {
        self.init(cache: cache, key: key) { (_: AsyncMemoized, args: repeat each Arg) in
            try await function(repeat each args)
        }
    }

    /// Calls the function through the cache.
    @inlinable
    public func callAsFunction(_ args: repeat each Arg) async throws -> Value {
        let key = try makeKey(repeat each args)
        let found = await cache.lookup(key)
        if case .fresh(let value, false) = found { return value }
        return try await slowPath(key, found, (repeat each args))
    }

    @usableFromInline
    func slowPath(_ key: Key, _ found: AsyncCache<Store, Value>.Lookup, _ args: (repeat each Arg)) async throws -> Value {
        let loading = AsyncLoadContext.loadingKeys
        let tag = LoadingKey(owner: self, key: key)
        if loading.contains(tag) {
            throw AsyncMemoizeRecursionError(function: cache.name, key: cacheDescribeKey(key))
        }
        let load: @Sendable () async throws -> Value = { [self] in
            try await AsyncLoadContext.$loadingKeys.withValue(loading.union([tag])) {
                try await body(self, repeat each args)
            }
        }
        switch found {
        case .fresh(let value, _):
            cache.refreshInBackground(key, load: load)
            return value
        case .stale(let entry):
            return try await cache.loadMissing(key, stale: entry, load: load)
        case .miss:
            return try await cache.loadMissing(key, stale: nil, load: load)
        }
    }

    /// The cache's counters (hits, misses, loads, failures, load time).
    public var info: CacheStats { get async { await cache.stats } }

    /// Removes every stored result.
    public func clear() async throws { try await cache.removeAll() }
}

extension AsyncMemoized where Key == CacheKey {
    /// Memoizes `function` over a store keyed by ``CacheKey`` (Redis, any registry engine):
    /// `name` and `version` form the key namespace, shared by every process using it.
    public convenience init(
        cache: AsyncCache<Store, Value>, name: String, version: String? = nil,
        _ function: @escaping @Sendable (repeat each Arg) async throws -> Value
    ) throws(CacheConfigurationError) where repeat each Arg: Encodable & SendableMetatype {
        try CacheKey.validateName(name)
        self.init(cache: cache, key: { (args: repeat each Arg) in
            try CacheKey(name: name, version: version, arguments: repeat each args)
        }, function)
    }
}

/// Thrown when an async memoized function awaits itself with the very arguments it is
/// computing: that load could never finish.
public struct AsyncMemoizeRecursionError: Error, Sendable, CustomStringConvertible {
    public var function: String
    public var key: String
    public init(function: String, key: String) {
        self.function = function
        self.key = key
    }
    public var description: String { "async memoized function \(function) awaited itself with the same arguments \(key)" }
}
