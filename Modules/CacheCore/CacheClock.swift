import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time source for everything with TTL, expiry or refresh. Inject a
/// `ManualCacheClock` in tests so they never sleep.
///
/// Time is seconds as a `Double`. Memory caches use a monotonic clock; caches whose
/// entries outlive the process use wall-clock seconds since 1970 so that other
/// processes agree on expiry.
public protocol CacheClock: Sendable {
    /// The current time in seconds.
    func now() -> Double
}

/// Monotonic seconds since an arbitrary origin (never goes back; not shared across processes).
public struct MonotonicCacheClock: CacheClock {
    public init() {}
    @inlinable
    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Wall-clock seconds since 1970-01-01 UTC: use it for anything persisted or shared.
public struct WallCacheClock: CacheClock {
    public init() {}
    @inlinable
    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// A clock that moves only when told to. Thread-safe.
public final class ManualCacheClock: CacheClock {
    private let current: Mutex<Double>

    public init(start: Double = 0) { current = Mutex(start) }

    public func now() -> Double { current.withLock { $0 } }

    /// Moves time forward (or backward, to test clock skew).
    public func advance(by seconds: Double) { current.withLock { $0 += seconds } }

    public func advance(by duration: Duration) { advance(by: duration.cacheSeconds) }

    public func set(_ seconds: Double) { current.withLock { $0 = seconds } }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    @inlinable
    public var cacheSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }

    /// A duration from seconds.
    @inlinable
    public static func cacheSeconds(_ value: Double) -> Duration {
        .nanoseconds(Int64((value * 1e9).rounded()))
    }
}
