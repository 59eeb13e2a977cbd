/// A ``CacheStore`` that records how long each value took to compute and can say how long
/// it has left, so that ``Memoized`` with ``MemoizeOptions/beta`` > 0 recomputes a value
/// *before* it expires (probabilistic early expiration, Vattani et al.): a hit recomputes
/// with probability rising as expiry nears — `computeTime × beta × -ln(random) ≥ remaining` —
/// in one caller at a time, while the others keep getting the current value. A
/// stampede at expiry is then rare. `CacheDisk`'s `DiskStore` conforms.
public protocol EarlyRecomputingCacheStore<Key, Value>: ExclusiveLoadingCacheStore {
    /// Stores `value`, recording that computing it took `computeTime`.
    func setValue(_ value: Value, forKey key: Key, ttl: Duration?, computeTime: Duration) throws

    /// How long the live entry for `key` has left and how long it took to compute, or `nil`
    /// when it is absent, never expires or has no compute time.
    func expiryAndComputeTime(forKey key: Key) -> (remaining: Duration, computeTime: Duration)?

    /// Runs `recompute` only when no caller, in any process sharing the store, is loading
    /// `key` now; `nil` when one is (the caller keeps serving the current value).
    func withExclusiveLoadIfFree<Loaded: Sendable>(
        forKey key: Key, leaseTimeout: Duration?, _ recompute: () throws -> Loaded
    ) throws -> Loaded?

    /// The time to live a write without one gets (`nil`: entries never expire by default).
    var defaultTimeToLive: Duration? { get }
}

extension CacheStore {
    /// This store's early-recomputation support, looking through ``AnyCacheStore``.
    package var earlyRecomputer: (any EarlyRecomputingCacheStore<Key, Value>)? {
        if let direct = self as? any EarlyRecomputingCacheStore<Key, Value> { return direct }
        if let erased = self as? AnyCacheStore<Key, Value> { return erased.base.earlyRecomputer }
        return nil
    }
}
