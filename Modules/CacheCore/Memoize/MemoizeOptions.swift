import Logging

/// How a memoized function uses its store.
public struct MemoizeOptions<Value: Sendable>: Sendable {
    /// Time to live of stored results; the store must support per-entry TTL.
    public var ttl: Duration?
    /// Cache a result only when this returns `true` (e.g. skip empty results).
    public var shouldCache: (@Sendable (Value) -> Bool)?
    /// Also remember thrown errors, in this process only (off by default, like every
    /// memoizer that treats errors as transient). Errors are never persisted.
    public var cacheErrors: Bool
    /// How many thrown errors are remembered at most (oldest forgotten first).
    public var errorCacheLimit: Int
    /// Called when a computed result could not be stored. The caller still gets the
    /// value; the failure is also counted in `info.storeFailures` and logged.
    public var onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)?
    /// Where failures are logged.
    public var logger: Logger
    /// Early recomputation strength (``EarlyRecomputingCacheStore``): 0 disables it, 1 is
    /// the paper's default, larger recomputes earlier. Needs a store that records compute
    /// times and a time to live (``ttl`` or the store's default).
    public var beta: Double
    /// How long a load may hold a key against the other processes sharing the store before
    /// one of them takes over (``ExclusiveLoadingCacheStore``); `nil`: the store's default.
    public var leaseTimeout: Duration?

    public init(
        ttl: Duration? = nil,
        shouldCache: (@Sendable (Value) -> Bool)? = nil,
        cacheErrors: Bool = false,
        errorCacheLimit: Int = 1024,
        onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)? = nil,
        logger: Logger = Logger(label: "swift-cache.memoize"),
        beta: Double = 0,
        leaseTimeout: Duration? = nil
    ) {
        self.ttl = ttl
        self.shouldCache = shouldCache
        self.cacheErrors = cacheErrors
        self.errorCacheLimit = errorCacheLimit
        self.onStoreFailure = onStoreFailure
        self.logger = logger
        self.beta = beta
        self.leaseTimeout = leaseTimeout
    }

    /// Throws ``CacheConfigurationError`` for a non-positive TTL or negative error limit,
    /// or when a TTL is asked of a store that cannot expire entries.
    package func validate(storeCapabilities: CacheStoreCapabilities) throws(CacheConfigurationError) {
        if let ttl {
            try CacheConfiguration.checkTTL(ttl, setting: "ttl")
            if !storeCapabilities.contains(.perEntryTTL) {
                throw CacheConfigurationError(
                    setting: "ttl", value: "\(ttl)", reason: "the store does not support per-entry time to live")
            }
        }
        try CacheConfiguration.checkSize(errorCacheLimit, setting: "errorCacheLimit")
        if beta < 0 || !beta.isFinite {
            throw CacheConfigurationError(setting: "beta", value: "\(beta)", reason: "must be a finite value ≥ 0")
        }
        if let leaseTimeout, leaseTimeout <= .zero {
            throw CacheConfigurationError(setting: "leaseTimeout", value: "\(leaseTimeout)", reason: "must be > 0")
        }
    }
}

/// Thrown when a memoized function calls itself, on the same thread, with the very
/// arguments it is computing: that recursion could never finish.
public struct MemoizeRecursionError: Error, Sendable, CustomStringConvertible {
    public var function: String
    public var key: String
    public var description: String { "memoized function \(function) called itself with the same arguments \(key)" }
}
