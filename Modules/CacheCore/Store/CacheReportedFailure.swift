import Logging

/// An error its store has already reported — e.g. a Redis outage, logged once when it
/// starts rather than once per call. Caches and memoizers still count it (as a read or
/// store failure) and hand it to `onStoreFailure`, but log it at debug level only.
package protocol CacheReportedFailure: Error {
    var isAlreadyReported: Bool { get }
}

/// The level at which a cache logs `error`: `.debug` when its store already reported it
/// (``CacheReportedFailure``), `.warning` otherwise.
package func cacheFailureLogLevel(_ error: any Error) -> Logger.Level {
    ((error as? any CacheReportedFailure)?.isAlreadyReported ?? false) ? .debug : .warning
}
