import CacheCore
import Dispatch

/// Refresh-after-write for a ``BoxCache``: a read of an entry older than `interval` still
/// returns it at once, and starts one background `reload` of that key; the reloaded value
/// replaces the entry (restarting its expiry) unless the entry was written or removed in
/// the meantime. A failed reload keeps the old value (until it expires, if it expires) and
/// is counted in ``BoxCache/refreshStats`` and `stats.loadFailures`.
///
/// Choose `interval` shorter than any expiry: an expired entry is a miss, not stale.
public struct BoxRefresh<Key, Value>: Sendable {
    let seconds: Double
    let reload: @Sendable (Key, Value) throws -> Value
    let executor: BoxRefreshExecutor

    /// Refreshes an entry read more than `interval` after its write.
    /// - Parameters:
    ///   - reload: computes the new value from the key and the value held now; it runs on
    ///     `executor`, outside every lock of the cache, so it may use the cache.
    ///   - executor: where reloads run (a global dispatch queue by default).
    public static func afterWrite(
        _ interval: Duration, executor: BoxRefreshExecutor = .dispatch,
        reload: @escaping @Sendable (Key, Value) throws -> Value
    ) -> Self {
        Self(seconds: interval.cacheSeconds, reload: reload, executor: executor)
    }
}

/// Where a ``BoxRefresh`` runs its reloads.
public struct BoxRefreshExecutor: Sendable {
    let submit: @Sendable (@escaping @Sendable () -> Void) -> Void

    /// Runs each job however `submit` decides (a thread pool, a queue, a test's list).
    public init(_ submit: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.submit = submit
    }

    /// Dispatch's global queue at utility priority.
    public static var dispatch: Self {
        Self { job in DispatchQueue.global(qos: .utility).async(execute: job) }
    }
}

/// What refresh-after-write has done.
public struct BoxRefreshStats: Sendable, Hashable {
    /// Reloads started (one per stale key at a time).
    public var started = 0
    /// Reloads whose value replaced the entry.
    public var succeeded = 0
    /// Reloads that threw: the old value stayed.
    public var failed = 0
    /// Reloads whose value was dropped because the entry was written, removed, expired or
    /// evicted while they ran.
    public var discarded = 0

    public init() {}
}
