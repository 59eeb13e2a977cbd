import CacheCore
import Testing

@Suite struct CacheClockTests {
    /// `hasReached` must give the answer `now() >= deadline` gives: a `true` only once the
    /// precise clock read after it has reached the deadline, a `false` only if the precise
    /// clock read before it had not — for deadlines behind, around and ahead of now.
    @Test func monotonicHasReachedAgreesWithThePreciseClock() {
        let clock = MonotonicCacheClock()
        let start = clock.now()
        #expect(clock.hasReached(start - 1))
        #expect(clock.hasReached(start))
        #expect(!clock.hasReached(start + 3_600))
        #expect(!clock.hasReached(.infinity))
        #expect(clock.hasReached(-.infinity))
        #expect(MonotonicCacheClock.coarseMargin >= 0.020)
        var checked = 0
        var offset = -0.030
        while offset <= 0.030 {
            let deadline = clock.now() + offset
            for _ in 0..<200 {
                let before = clock.now()
                let reached = clock.hasReached(deadline)
                let after = clock.now()
                if reached { #expect(after >= deadline) } else { #expect(before < deadline) }
                checked += 1
            }
            offset += 0.001
        }
        #expect(checked > 10_000)
    }

    @Test func manualClockHasReachedFollowsItsReading() {
        let clock = ManualCacheClock(start: 10)
        #expect(clock.hasReached(10))
        #expect(!clock.hasReached(10.5))
        clock.advance(by: .milliseconds(500))
        #expect(clock.hasReached(10.5))
    }
}
