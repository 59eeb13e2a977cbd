import CacheCore

extension DiskStore: ExclusiveLoadingCacheStore {
    /// How long a load may hold its lease before another process takes over (a crashed
    /// holder blocks the others at most this long).
    public static var leaseTimeout: Duration { .seconds(60) }

    /// Runs `loadAndStore` under the key's lease row, so that one caller among every
    /// process sharing the directory loads a missing key while the others wait for its
    /// result (polling with a back-off up to 50 ms). `.unavailable` when the lease table
    /// cannot be written (e.g. disk full): the caller loads on its own.
    public func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded> {
        let (cache, diskKey) = route(key)
        return try cache.withLease(
            diskKey, timeout: Self.leaseTimeout, function: key.namespace,
            present: { (try? cache.get(diskKey, codec: codec, counting: false)) ?? nil },
            loadAndStore)
    }

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
