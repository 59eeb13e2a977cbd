/// An ``AsyncCacheStore`` shared by several processes that can make the load of a missing
/// key exclusive among them (a distributed single-flight): one process loads and stores,
/// the others wait and read its result. ``AsyncCache`` (and so ``AsyncMemoized``) uses it
/// when its store conforms or wraps one in ``AnyAsyncCacheStore`` — `CacheRedis`'s
/// `RedisStore` does, with a lease lock; `CacheDisk`'s `AsyncDiskStore`, with lease rows.
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

/// A ``CacheStore`` shared by several processes that can make the load of a missing key
/// exclusive among them: the synchronous counterpart of ``ExclusiveLoadingStore``.
/// ``Memoized`` uses it when its store conforms (or wraps one in ``AnyCacheStore``):
/// single-flight among the threads of a process first, then this, so one caller on the
/// machine computes. `CacheDisk`'s `DiskStore` conforms, with lease rows in its database.
public protocol ExclusiveLoadingCacheStore<Key, Value>: CacheStore {
    /// Runs `loadAndStore` for `key` in at most one process at a time among those sharing
    /// the store (the same outcomes as ``ExclusiveLoadingStore/withExclusiveLoad(forKey:_:)``):
    /// `.found` when the value is, or has become, present; `.loaded` when this caller ran
    /// `loadAndStore` (which stores the value itself); `.unavailable` when the store
    /// cannot arbitrate, so the caller loads on its own. A failing `loadAndStore`
    /// releases the load for the others and its error is rethrown.
    /// - Parameter leaseTimeout: how long the load may hold the key before another caller
    ///   takes over (a crashed holder blocks the others at most this long); `nil`: the
    ///   store's default.
    func withExclusiveLoad<Loaded: Sendable>(
        forKey key: Key, leaseTimeout: Duration?, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded>
}

extension ExclusiveLoadingCacheStore {
    /// ``withExclusiveLoad(forKey:leaseTimeout:_:)`` with the store's default lease timeout.
    public func withExclusiveLoad<Loaded: Sendable>(
        forKey key: Key, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded> {
        try withExclusiveLoad(forKey: key, leaseTimeout: nil, loadAndStore)
    }
}

extension CacheStore {
    /// This store's cross-process load coordination, looking through ``AnyCacheStore``.
    package var exclusiveLoader: (any ExclusiveLoadingCacheStore<Key, Value>)? {
        if let direct = self as? any ExclusiveLoadingCacheStore<Key, Value> { return direct }
        if let erased = self as? AnyCacheStore<Key, Value> { return erased.base.exclusiveLoader }
        return nil
    }
}

extension AsyncCacheStore {
    /// This store's cross-process load coordination, looking through ``AnyAsyncCacheStore``.
    package var exclusiveLoader: (any ExclusiveLoadingStore<Key, Value>)? {
        if let direct = self as? any ExclusiveLoadingStore<Key, Value> { return direct }
        if let erased = self as? AnyAsyncCacheStore<Key, Value> { return erased.base.exclusiveLoader }
        return nil
    }
}
