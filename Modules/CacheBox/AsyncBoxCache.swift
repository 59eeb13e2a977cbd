import CacheCore

/// A ``BoxCache`` seen through the asynchronous store contract, with async loaders.
///
/// Every operation is the cache's own (one short lock, never a suspension while it is
/// held), so the async face costs no actor hop. Async callers missing the same key share
/// one load (CacheCore's async single-flight: it suspends, never blocks a thread); a
/// synchronous caller of ``BoxCache/value(forKey:orLoad:)`` does not join that load.
public struct AsyncBoxCache<Key: Hashable & Sendable, Value: Sendable>: AsyncCacheStore {
    /// The cache underneath: the same entries, policy and counters.
    public let cache: BoxCache<Key, Value>

    public init(_ cache: BoxCache<Key, Value>) { self.cache = cache }

    public func value(forKey key: Key) async -> Value? { cache.value(forKey: key) }

    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws {
        try cache.setValue(value, forKey: key, ttl: ttl)
    }

    @discardableResult
    public func removeValue(forKey key: Key) async -> Value? { cache.removeValue(forKey: key) }

    public func removeAll() async { cache.removeAll() }

    public func contains(_ key: Key) async -> Bool { cache.contains(key) }

    public func peekValue(forKey key: Key) async -> Value? { cache.peekValue(forKey: key) }

    public var count: Int { get async { cache.count } }

    public func values(forKeys keys: [Key]) async -> [Key: Value] {
        var found: [Key: Value] = [:]
        for key in keys { if let value = cache.value(forKey: key) { found[key] = value } }
        return found
    }

    public var stats: CacheStats { get async { cache.stats } }

    public var capabilities: CacheStoreCapabilities { cache.capabilities.union([.asyncStores]) }

    /// The value for `key`, loading it with `load` on a miss; concurrent async callers of a
    /// missing key run `load` once and share its result or error. A loaded value that
    /// cannot be stored (too heavy) is still returned and counted in `stats.storeFailures`.
    /// Cancelling one waiter does not cancel the load for the others.
    /// - Throws: what `load` throws (nothing is stored; counted in `stats.loadFailures`), or
    ///   `CancellationError` when this caller's task is cancelled while it waits.
    public func value(forKey key: Key, orLoad load: @escaping @Sendable (Key) async throws -> Value) async throws -> Value {
        if let found = cache.value(forKey: key) { return found }
        let cache = self.cache
        let (value, _) = try await cache.asyncLoads.run(key) {
            if let landed = cache.peekValue(forKey: key) { return landed }
            let (value, _) = try await cacheTimedLoad({ try await load(key) }) { failure, elapsed in
                cache.loadCounters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
            }
            try? cache.setValue(value, forKey: key, ttl: nil)
            return value
        }
        return value
    }

    /// ``BoxCache/values(forKeys:orLoadAll:)`` with an async bulk loader.
    public func values<Keys: Sequence<Key>>(
        forKeys keys: Keys, orLoadAll load: (Set<Key>) async throws -> [Key: Value]
    ) async throws -> [Key: Value] {
        var (found, missing) = cache.lookUpAll(keys)
        if missing.isEmpty { return found }
        let (loaded, _) = try await cacheTimedLoad({ try await load(missing) }) { failure, elapsed in
            cache.loadCounters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
        }
        cache.storeLoaded(loaded, requested: missing, into: &found)
        return found
    }
}

extension BoxCache {
    /// This cache as an ``AsyncBoxCache``: the async store contract and async loaders over
    /// the same entries.
    public var asynchronous: AsyncBoxCache<Key, Value> { AsyncBoxCache(self) }
}
