import CacheCore

/// A typed view of a ``DiskCache`` or ``FanoutDiskCache`` as a ``CacheStore`` keyed by
/// ``CacheKey``, so ``Memoized`` and every generic consumer work over a disk cache.
///
/// With a `namespace`, keys are kept apart from other users of the same directory and
/// ``count`` and ``removeAll()`` cover only this namespace (entries carry a tag `ns:<namespace>`).
/// The namespace is applied to a key once, by ``CacheKey/scoped(in:)``: a key that already
/// carries it (`Memoized(store:name:version:)` over a store whose namespace is `name@version`,
/// as `memoize(name:version:)` makes it) is kept as `name@version`, any other key as
/// `<namespace>/<key namespace>`.
public final class DiskStore<Value: Codable & Sendable>: CacheStore {
    public typealias Key = CacheKey

    enum Backend: Sendable {
        case single(DiskCache)
        case fanout(FanoutDiskCache)
    }

    let backend: Backend
    let codec: ValueCodec<Value>
    public let namespace: String?
    let tag: String?

    /// A store over `cache`, with `serializer` (the default for `Value` when `nil`).
    public init(cache: DiskCache, namespace: String? = nil, serializer: AnyCacheSerializer<Value>? = nil) {
        backend = .single(cache)
        codec = ValueCodec(serializer ?? CacheSerializers.default(for: Value.self))
        self.namespace = namespace
        tag = namespace.map { "ns:" + $0 }
    }

    /// A store over a sharded cache.
    public init(cache: FanoutDiskCache, namespace: String? = nil, serializer: AnyCacheSerializer<Value>? = nil) {
        backend = .fanout(cache)
        codec = ValueCodec(serializer ?? CacheSerializers.default(for: Value.self))
        self.namespace = namespace
        tag = namespace.map { "ns:" + $0 }
    }

    /// Opens a cache in `directory` and returns a store over it.
    public convenience init(directory: String, options: DiskCacheOptions = DiskCacheOptions()) throws {
        self.init(cache: try DiskCache(directory: directory, options: options))
    }

    var allCaches: [DiskCache] {
        switch backend {
        case .single(let cache): [cache]
        case .fanout(let fanout): fanout.shards
        }
    }

    @inline(__always)
    func route(_ key: CacheKey) -> (DiskCache, DiskCacheKey) {
        let diskKey = DiskCacheKey(key.scoped(in: namespace))
        switch backend {
        case .single(let cache): return (cache, diskKey)
        case .fanout(let fanout): return (fanout.shard(for: diskKey), diskKey)
        }
    }

    public func value(forKey key: CacheKey) throws -> Value? {
        let (cache, diskKey) = route(key)
        return try cache.get(diskKey, codec: codec)
    }

    public func peekValue(forKey key: CacheKey) throws -> Value? {
        let (cache, diskKey) = route(key)
        return try cache.get(diskKey, codec: codec, counting: false)
    }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) throws {
        let (cache, diskKey) = route(key)
        _ = try cache.store(diskKey, try cache.prepare(value, codec: codec), ttl: ttl, tag: tag, operation: "set")
    }

    /// Stores only if absent; returns whether it was stored.
    public func addValue(_ value: Value, forKey key: CacheKey, ttl: Duration? = nil) throws -> Bool {
        let (cache, diskKey) = route(key)
        if try cache.contains(diskKey) { return false }
        let encoded = try cache.prepare(value, codec: codec)
        let stored = try cache.store(diskKey, encoded, ttl: ttl, tag: tag, onlyIfAbsent: true, operation: "add")
        if !stored, let name = encoded.fileName { cache.files.remove(name) }
        return stored
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) throws -> Value? {
        let (cache, diskKey) = route(key)
        return try cache.withDatabase("pop") { database in
            try database.write { () throws -> Value? in
                let now = cache.now()
                let found = try database.lookup(diskKey, codec: codec, now: now, counting: false, touch: false)
                var value: Value?
                switch found {
                case .miss: return nil
                case .hit(let v): value = v
                case .file(let reference):
                    if let bytes = try? cache.files.read(reference.name, expectedSize: reference.valueSize, checksum: reference.checksum) {
                        value = try? codec.decode(owned: bytes, serializerID: reference.serializerID)
                    }
                }
                _ = try database.delete(diskKey, now: now)
                return value
            }
        }
    }

    public func removeAll() throws {
        for cache in allCaches {
            if let tag { try cache.evict(tag: tag) } else { try cache.clear() }
        }
    }

    public func contains(_ key: CacheKey) throws -> Bool {
        let (cache, diskKey) = route(key)
        return try cache.contains(diskKey)
    }

    public var count: Int {
        allCaches.reduce(0) { total, cache in
            total + (tag.map { (try? cache.count(tag: $0)) ?? 0 } ?? cache.count)
        }
    }

    public var stats: CacheStats {
        var total = CacheStats()
        for cache in allCaches { total.merge(cache.stats) }
        if tag != nil { total.count = count }
        return total
    }

    public var capabilities: CacheStoreCapabilities { [.perEntryTTL, .persistent, .multiProcess, .weighted] }
}
