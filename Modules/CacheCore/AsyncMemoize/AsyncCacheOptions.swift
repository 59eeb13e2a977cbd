import Logging

/// How an ``AsyncCache`` (and an ``AsyncMemoized`` function) loads, expires and refreshes.
public struct AsyncCacheOptions<Value: Sendable>: Sendable {
    /// Time to live of loaded values (the store must support per-entry TTL).
    public var ttl: Duration?
    /// Refresh-ahead: an entry older than this is still served, while one background
    /// reload replaces it (Caffeine's `refreshAfterWrite`). Should be shorter than `ttl`.
    public var refreshAfter: Duration?
    /// Stale-if-error: when a value has expired and reloading it fails, serve the old
    /// value for up to this long past its expiry instead of the error. Needs `ttl`.
    public var staleIfError: Duration?
    /// Remember a failed load's error for this long (in this process) and throw it
    /// to callers without reloading. `nil` (the default): failures are never cached.
    public var failureTTL: Duration?
    /// Store a loaded value only when this returns `true`.
    public var shouldCache: (@Sendable (Value) -> Bool)?
    /// Called when a loaded value could not be stored (the caller still gets it).
    public var onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)?
    /// Where store failures, refresh failures and stale serving are logged.
    public var logger: Logger

    public init(
        ttl: Duration? = nil, refreshAfter: Duration? = nil, staleIfError: Duration? = nil,
        failureTTL: Duration? = nil, shouldCache: (@Sendable (Value) -> Bool)? = nil,
        onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)? = nil,
        logger: Logger = Logger(label: "swift-cache.async")
    ) {
        self.ttl = ttl
        self.refreshAfter = refreshAfter
        self.staleIfError = staleIfError
        self.failureTTL = failureTTL
        self.shouldCache = shouldCache
        self.onStoreFailure = onStoreFailure
        self.logger = logger
    }

    /// Throws ``CacheConfigurationError`` for settings that cannot work together.
    public func validate(storeCapabilities: CacheStoreCapabilities) throws(CacheConfigurationError) {
        if let ttl {
            try CacheConfiguration.checkTTL(ttl, setting: "ttl")
            if !storeCapabilities.contains(.perEntryTTL) {
                throw CacheConfigurationError(setting: "ttl", value: "\(ttl)", reason: "the store does not support per-entry time to live")
            }
        }
        if let refreshAfter {
            try CacheConfiguration.checkTTL(refreshAfter, setting: "refreshAfter")
            if let ttl, refreshAfter >= ttl {
                throw CacheConfigurationError(setting: "refreshAfter", value: "\(refreshAfter)", reason: "must be shorter than ttl \(ttl), or entries expire before they are refreshed")
            }
        }
        if let staleIfError {
            try CacheConfiguration.checkTTL(staleIfError, setting: "staleIfError")
            if ttl == nil {
                throw CacheConfigurationError(setting: "staleIfError", value: "\(staleIfError)", reason: "needs a ttl: without expiry nothing is ever stale")
            }
        }
        if let failureTTL { try CacheConfiguration.checkTTL(failureTTL, setting: "failureTTL") }
    }
}

/// Counters an ``AsyncCache`` keeps beyond ``CacheStats``.
public struct AsyncCacheRefreshStats: Sendable, Hashable {
    /// Background refreshes that replaced an entry.
    public var refreshes = 0
    /// Background refreshes whose load failed (the old entry stayed).
    public var refreshFailures = 0
    /// Expired values served because reloading them failed (stale-if-error).
    public var staleServed = 0
    /// Store reads that failed (treated as misses).
    public var storeReadFailures = 0
    /// Remembered load failures thrown without reloading (`failureTTL`).
    public var cachedFailuresThrown = 0

    public init() {}
}
