import CacheCore

/// An ``ArrayCache`` seen as a `CacheStore<CacheKey, Value>`: arrays as `.npy` files,
/// any other `Codable` value through a CacheCore serializer, in the same directory.
/// Use it with ``Memoized`` or through the registry (``CacheJoblibEngine``).
///
/// With a `namespace`, keys are kept apart from other users of the same directory
/// (applied once, by ``CacheKey/scoped(in:)``) and ``count`` and ``removeAll()`` cover only
/// this namespace; without one they cover the whole directory.
public final class ArrayCacheStore<Value: Sendable>: CacheStore {
    public typealias Key = CacheKey

    /// The cache the entries live in (shared with other stores over the same directory).
    public let cache: ArrayCache
    /// The namespace this store's keys are kept under, or `nil` for the whole directory.
    public let namespace: String?
    let load: @Sendable (ArrayCache, CacheKey, Bool) throws -> Value?
    let store: @Sendable (ArrayCache, Value, CacheKey) throws -> Void

    /// A store of arrays (`ShapedArray`, `[Double]`, your own ``CacheArrayConvertible`` types).
    public init(cache: ArrayCache, namespace: String? = nil) where Value: CacheArrayConvertible {
        self.cache = cache
        self.namespace = namespace
        load = { cache, key, count in
            count ? try cache.array(forKey: key, as: Value.self) : try cache.peekArray(forKey: key, as: Value.self)
        }
        store = { cache, value, key in try cache.setArray(value, forKey: key) }
    }

    /// A store of other values, written by `serializer` (default: CacheCore's choice for the type).
    public init<S: CacheSerializer>(cache: ArrayCache, namespace: String? = nil, serializer: S) where S.Value == Value {
        self.cache = cache
        self.namespace = namespace
        load = { cache, key, count in
            count ? try cache.value(forKey: key, serializer: serializer) : try cache.peekValue(forKey: key, serializer: serializer)
        }
        store = { cache, value, key in try cache.setValue(value, forKey: key, serializer: serializer) }
    }

    /// A store of `Codable` values through `CacheSerializers.default(for:)` (for array
    /// types too: then they are serialized, not written as `.npy`).
    public convenience init(codableValuesIn cache: ArrayCache, namespace: String? = nil) where Value: Codable {
        self.init(cache: cache, namespace: namespace, serializer: CacheSerializers.default(for: Value.self))
    }

    public func value(forKey key: CacheKey) throws -> Value? { try load(cache, key.scoped(in: namespace), true) }

    /// Stores `value`. An array cache has no per-entry time to live: a non-nil `ttl`
    /// throws `CacheStoreError.unsupported` (use `reduceSize(ageLimit:)`).
    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) throws {
        if let ttl {
            throw CacheStoreError(.unsupported, key: cacheDescribeKey(key), detail: "array caches have no per-entry TTL (\(ttl)); use reduceSize(ageLimit:)")
        }
        try store(cache, value, key.scoped(in: namespace))
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) throws -> Value? {
        let kept = key.scoped(in: namespace)
        let value = try? load(cache, kept, false)
        try cache.removeEntry(forKey: kept)
        return value ?? nil
    }

    /// Removes this store's entries: the namespace's when it has one, else the directory's.
    public func removeAll() throws {
        if let namespace { try cache.removeAll(inNamespace: namespace) } else { try cache.removeAll() }
    }

    public func contains(_ key: CacheKey) throws -> Bool { try cache.contains(key.scoped(in: namespace)) }

    public func peekValue(forKey key: CacheKey) throws -> Value? { try load(cache, key.scoped(in: namespace), false) }

    /// Entries in this store's namespace (the directory's without one).
    public var count: Int { namespace.map { cache.count(inNamespace: $0) } ?? cache.count }

    public var stats: CacheStats { cache.stats }

    public var capabilities: CacheStoreCapabilities {
        var capabilities: CacheStoreCapabilities = [.persistent, .multiProcess]
        if cache.options.bytesLimit != nil { capabilities.insert(.weighted) }
        return capabilities
    }
}

extension ArrayCache {
    /// Like ``array(forKey:as:)`` without counting a hit or miss or touching recency.
    public func peekArray<A: CacheArrayConvertible>(forKey key: CacheKey, as type: A.Type = A.self) throws -> A? {
        try lookup(key, count: false) { entry, path in
            guard entry.kind == .array else { throw mismatch(entry, "holds a \(entry.kind.rawValue), not an array") }
            return try A(cacheArray: loadArray(entry, path: path).typed(as: A.Element.self, path: path))
        }
    }

    /// Like ``value(forKey:serializer:)`` without counting a hit or miss or touching recency.
    public func peekValue<S: CacheSerializer>(forKey key: CacheKey, serializer: S) throws -> S.Value? {
        try lookup(key, count: false) { entry, path in
            guard entry.kind == .value, entry.serializer == serializer.id, entry.formatVersion == Int(serializer.formatVersion) else {
                throw mismatch(entry, "written by \(entry.serializer ?? entry.kind.rawValue), read with \(serializer.id)")
            }
            let bytes = try readFile(entry, path: path)
            return try bytes.withUnsafeBytes { try serializer.decode($0) }
        }
    }
}
