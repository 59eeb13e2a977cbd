import CacheCore

extension DiskStore: EarlyRecomputingCacheStore {
    /// How long a load may hold its lease before another process takes over (a crashed
    /// holder blocks the others at most this long), unless the memoizer asks for another.
    public static var leaseTimeout: Duration { .seconds(60) }

    /// Runs `loadAndStore` under the key's lease row, so that one caller among every
    /// process sharing the directory loads a missing key while the others wait for its
    /// result (polling with a back-off up to 50 ms). `.unavailable` when the lease table
    /// cannot be written (e.g. disk full): the caller loads on its own.
    public func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, leaseTimeout: Duration?, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded> {
        let (cache, diskKey) = route(key)
        return try cache.withLease(
            diskKey, timeout: leaseTimeout ?? Self.leaseTimeout, function: key.namespace,
            present: { (try? cache.get(diskKey, codec: codec, counting: false)) ?? nil },
            loadAndStore)
    }

    /// Stores `value` with its compute time in the entry's row (diskcache's `memoize_stampede` field).
    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?, computeTime: Duration) throws {
        let (cache, diskKey) = route(key)
        _ = try cache.store(diskKey, try cache.prepare(value, codec: codec), ttl: ttl, tag: tag,
                            computeTime: computeTime.cacheSeconds, operation: "memoize store")
    }

    public func expiryAndComputeTime(forKey key: CacheKey) -> (remaining: Duration, computeTime: Duration)? {
        let (cache, diskKey) = route(key)
        guard let times = try? cache.entryTimes(diskKey), let expire = times.expire,
              let computeTime = times.computeTime, computeTime > 0 else { return nil }
        return (.seconds(expire - cache.now()), .seconds(computeTime))
    }

    /// Runs `recompute` only when this caller takes the key's lease at once (no other
    /// process or instance is loading it); the lease is released afterwards.
    public func withExclusiveLoadIfFree<Loaded: Sendable>(
        forKey key: CacheKey, leaseTimeout: Duration?, _ recompute: () throws -> Loaded
    ) throws -> Loaded? {
        let (cache, diskKey) = route(key)
        guard (try? cache.acquireLease(diskKey, timeout: leaseTimeout ?? Self.leaseTimeout)) == true else { return nil }
        defer { cache.releaseLease(diskKey, function: key.namespace) }
        return try recompute()
    }

    public var defaultTimeToLive: Duration? { allCaches.first?.options.defaultTTL }

    /// One attempt at the lease row of `key` (what ``AsyncDiskStore`` repeats between its
    /// non-blocking pauses); after `.acquired`, ``releaseLease(forKey:)`` gives it back.
    func leaseAttempt(forKey key: CacheKey, afterWaiting: Bool) -> LeaseAttempt<Value> {
        let (cache, diskKey) = route(key)
        return cache.leaseAttempt(
            diskKey, timeout: Self.leaseTimeout, function: key.namespace, afterWaiting: afterWaiting,
            present: { (try? cache.get(diskKey, codec: codec, counting: false)) ?? nil })
    }

    /// Releases the lease row of `key` this store's cache holds.
    func releaseLease(forKey key: CacheKey) {
        let (cache, diskKey) = route(key)
        cache.releaseLease(diskKey, function: key.namespace)
    }
}
