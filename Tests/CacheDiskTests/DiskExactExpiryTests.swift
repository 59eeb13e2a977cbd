import CacheCore
import Testing
@testable import CacheDisk

/// Issue 18, case 4 for CacheDisk: an entry set (or touched) with `.milliseconds(300)` at
/// t = 0 is live just below 0.3 and expired at exactly 0.3.
@Suite struct DiskExactExpiryTests {
    @Test func set300msExpiredAtExactly0point3NotStillAlive() throws {
        let clock = ManualCacheClock()
        let cache = try DiskCache(directory: temporaryDirectory("exact"), options: DiskCacheOptions(clock: clock))
        try cache.set(7, forKey: "a", ttl: .milliseconds(300))
        clock.set(0.3.nextDown)
        #expect(try cache.get("a", as: Int.self) == 7)
        clock.set(0.3)
        #expect(try cache.get("a", as: Int.self) == nil)
    }

    @Test func touch300msExpiredAtExactly0point3() throws {
        let clock = ManualCacheClock()
        let cache = try DiskCache(directory: temporaryDirectory("exact"), options: DiskCacheOptions(clock: clock))
        try cache.set(7, forKey: "a")
        #expect(try cache.touch("a", ttl: .milliseconds(300)))
        clock.set(0.3)
        #expect(try cache.get("a", as: Int.self) == nil)
        #expect(try cache.expire() >= 0)
    }

    @Test func defaultTTLExpiredAtExactBoundary() throws {
        let clock = ManualCacheClock()
        let cache = try DiskCache(
            directory: temporaryDirectory("exact"), options: DiskCacheOptions(defaultTTL: .milliseconds(300), clock: clock))
        try cache.set(7, forKey: "a")
        clock.set(0.3)
        #expect(try cache.get("a", as: Int.self) == nil)
    }
}
