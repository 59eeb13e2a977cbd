import CacheCore
import CacheTools
import Testing

/// Issue 18, case 4: a TTL given as a `Duration` expires at exactly the `Double` nearest
/// its end (cachetools: `time + ttl` with `ttl = 0.3`).
@Suite struct ExactExpiryBoundaryTests {
    @Test func ttlCache300msIsLiveJustBelow0point3AndExpiredAtIt() throws {
        let clock = ManualCacheClock()
        let c = try TTLCache<String, Int>(maxSize: 4, ttl: .milliseconds(300), clock: clock)
        c["a"] = 1
        clock.set(0.3.nextDown)
        #expect(c["a"] == 1)
        clock.set(0.3)
        #expect(c["a"] == nil)
        #expect(c.expire().map(\.key) == ["a"])
    }

    @Test func engineTLRUWithConfiguredTTLExpiresAtTheExactBoundary() throws {
        // The engine's TLRU time to use is now + ttl seconds: the same correctly rounded value.
        let clock = ManualCacheClock()
        let ttl = Duration.milliseconds(300).cacheSeconds
        let c = try TLRUCache<String, Int>(maxSize: 4, ttu: { _, _, now in now + ttl }, clock: clock)
        c["a"] = 1
        clock.set(0.3)
        #expect(c["a"] == nil)
    }
}
