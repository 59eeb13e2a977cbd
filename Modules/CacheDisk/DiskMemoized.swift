import CacheCore

/// A function memoized in a ``DiskCache``: CacheCore's ``Memoized`` over a ``DiskStore``,
/// so it has every ``MemoizeOptions`` (`shouldCache`, `cacheErrors`, logger…) and:
///
/// - **single flight** across the threads of this process and across processes: the
///   computing caller holds a *lease row* (`leases` table) that expires after
///   `leaseTimeout`, so a crashed holder blocks the others at most that long; waiting
///   callers poll for the result with a short back-off;
/// - optional **early recomputation** (Vattani et al., diskcache's `memoize_stampede`):
///   with `beta > 0`, a hit recomputes before expiry with probability rising as expiry
///   nears — `now - computeTime × beta × ln(rand) ≥ expiry` — by one caller holding the
///   lease, while the others keep getting the current value;
/// - a result that cannot be stored (disk full, too large) is still returned: the failure
///   is counted in `info`, logged and passed to `onStoreFailure`.
///
/// Keys are ``CacheKey``s of (`name`, `version`, arguments): choose a stable name.
public typealias DiskMemoized<each Arg, Value: Codable & Sendable> = Memoized<DiskStore<Value>, repeat each Arg>

extension DiskCache {
    /// Memoizes `function` in this cache; see ``DiskMemoized``.
    /// - Parameters:
    ///   - ttl: time to live of results (`nil`: the cache's default).
    ///   - beta: early recomputation strength; 0 disables it, 1 is the paper's default. Needs a ttl.
    ///   - leaseTimeout: how long another caller may wait on a computation before taking over.
    ///   - options: the rest of ``MemoizeOptions`` (default: failures logged to the cache's
    ///     logger); `ttl`, `beta`, `leaseTimeout` and `onStoreFailure` given here win over the options' own.
    public func memoize<each Arg: Encodable & Sendable & SendableMetatype, Value: Codable & Sendable>(
        name: String, version: String? = nil, ttl: Duration? = nil, beta: Double = 0, leaseTimeout: Duration = DiskStore<Value>.leaseTimeout,
        onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)? = nil,
        options: MemoizeOptions<Value>? = nil,
        _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws(CacheConfigurationError) -> DiskMemoized<repeat each Arg, Value> {
        var options = options ?? MemoizeOptions(logger: self.options.logger)
        if let ttl { options.ttl = ttl }
        if beta != 0 { options.beta = beta }
        options.leaseTimeout = leaseTimeout
        if let onStoreFailure { options.onStoreFailure = onStoreFailure }
        return try Memoized(store: DiskStore(cache: self), name: name, version: version, options: options, function)
    }
}
