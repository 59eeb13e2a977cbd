/// An ``AsyncCacheStore`` shared by several processes that can make the load of a missing
/// key exclusive among them (a distributed single-flight): one process loads and stores,
/// the others wait and read its result. ``AsyncCache`` uses it when its store conforms —
/// `CacheRedis`'s `RedisStore` does, with a lease lock.
public protocol ExclusiveLoadingStore<Key, Value>: AsyncCacheStore {
    /// Runs `loadAndStore` for `key` in at most one process at a time among those sharing
    /// the store, and hands the value it stored to the others:
    /// - `.found(value, waited:)` when the value is (or, after waiting for the process
    ///   holding the load, has become) present: `loadAndStore` did not run here;
    /// - `.loaded(result)` when this process held the load and ran `loadAndStore` (which
    ///   stores the value itself);
    /// - `.unavailable` when the store cannot arbitrate (unreachable, or the wait ran out):
    ///   the caller loads on its own, as without a store.
    ///
    /// A failing `loadAndStore` releases the load for the others and its error is rethrown.
    func withExclusiveLoad<Loaded: Sendable>(
        forKey key: Key, _ loadAndStore: @Sendable () async throws -> Loaded
    ) async throws -> ExclusiveLoadOutcome<Value, Loaded>
}

/// The result of ``ExclusiveLoadingStore/withExclusiveLoad(forKey:_:)``.
public enum ExclusiveLoadOutcome<Value: Sendable, Loaded: Sendable>: Sendable {
    /// This process held the load and ran it.
    case loaded(Loaded)
    /// The value was present (`waited`: stored by another process while this one waited).
    case found(Value, waited: Bool)
    /// The store could not arbitrate: load without it.
    case unavailable
}
