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
/// processes agree on expiry. TTLs given as `Duration` are converted with the correctly
/// rounded ``Swift/Duration/cacheSeconds``, and an entry is expired once
/// `now() >= storedAt + ttl`.
///
/// Expiry order is defined only for a clock that never goes back. A cache given one that
/// does (a wall clock being set back, a `ManualCacheClock` moved backwards) judges each
/// entry by the readings it gets — an entry may read as live again — but stays within
/// its bounds and never traps.
public protocol CacheClock: Sendable {
    /// The current time in seconds.
    func now() -> Double

    /// Whether `now() >= deadline`. A clock may answer from a cheaper reading when that
    /// answer is certain (``MonotonicCacheClock`` does, for deadlines well ahead); the
    /// answer is always the one `now() >= deadline` would give.
    func hasReached(_ deadline: Double) -> Bool
}

extension CacheClock {
    @inlinable
    public func hasReached(_ deadline: Double) -> Bool { now() >= deadline }
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

    /// On Linux, first reads `CLOCK_MONOTONIC_COARSE` (the monotonic clock as of the last
    /// timer tick: never ahead of `CLOCK_MONOTONIC`, behind it by at most one tick), a few
    /// nanoseconds cheaper than the precise reading that dominates a TTL cache's hit. A
    /// deadline more than ``coarseMargin`` beyond that reading has certainly not been
    /// reached; any other deadline is judged by the precise clock. Elsewhere: `now() >= deadline`.
    @inlinable
    public func hasReached(_ deadline: Double) -> Bool {
        #if os(Linux)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        if Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 + Self.coarseMargin < deadline { return false }
        #endif
        return now() >= deadline
    }

    /// How far the coarse reading may trail the precise one, with room to spare: twice the
    /// coarse clock's resolution (one timer tick) plus 1 ms, at least 20 ms.
    public static let coarseMargin: Double = {
        #if os(Linux)
        var res = timespec()
        if clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 {
            return max(0.020, 2 * (Double(res.tv_sec) + Double(res.tv_nsec) * 1e-9) + 0.001)
        }
        #endif
        return 0.020
    }()
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
///
/// The time is kept as an exact `Duration` since 0, so advancing by `Duration`s never
/// drifts: three `advance(by: .milliseconds(100))` read exactly as `now() == 0.3`, the
/// `Double` nearest 0.3 s (``Swift/Duration/cacheSeconds`` rounds correctly). A `Double`
/// given to ``init(start:)``, ``set(_:)`` or ``advance(by:)-(Double)`` is converted with
/// ``Swift/Duration/cacheSeconds(_:)`` (nearest attosecond; NaN reads as 0, infinities and
/// values beyond ±9.2e18 s clamp to the `Duration` range), so `set(x); now()` returns `x`
/// for every finite `x` with `|x| >= 1/128` in that range.
///
/// It may be moved backwards, to test clock skew. The caches that take a clock define
/// expiry order only for a clock that never goes back; with one that does they stay
/// within their bounds and never crash, but which entries count as expired follows the
/// readings they get.
public final class ManualCacheClock: CacheClock {
    private let current: Mutex<Duration>

    public init(start: Double = 0) { current = Mutex(.cacheSeconds(start)) }

    public func now() -> Double { current.withLock { $0 }.cacheSeconds }

    /// The current time as an exact `Duration` since 0.
    public func nowDuration() -> Duration { current.withLock { $0 } }

    /// Moves time forward (or backward, to test clock skew).
    public func advance(by seconds: Double) { advance(by: .cacheSeconds(seconds)) }

    /// Moves time forward (or backward) by exactly `duration`; saturates at the `Duration` range.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.cacheSaturatingAdd(duration) }
    }

    public func set(_ seconds: Double) { current.withLock { $0 = .cacheSeconds(seconds) } }

    /// Sets the time to exactly `time` since 0.
    public func set(_ time: Duration) { current.withLock { $0 = time } }
}

