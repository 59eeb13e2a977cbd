@testable import CacheBox
import CacheCore
import CachePolicies
import Testing

@Suite struct TimerWheelTests {
    /// Entries due at `deadlines`; after each advance, only due entries are gone, and every
    /// entry due before the start of the current ≈1.07 s tick is gone.
    func check(deadlines: [Double], advances: [Double]) {
        var core = BoxPolicyCore<Int, Double>(policy: .lru, maximum: 100_000, expectedEntries: 1_024, tracksExpiry: true)
        for (k, d) in deadlines.enumerated() {
            var r = Removals<Int, Double>()
            core.set(k, hashValue: k.hashValue, d, weight: 1, deadline: d, &r)
        }
        var expired = Set<Int>()
        for now in advances {
            var r = Removals<Int, Double>()
            core.expire(now: now, &r)
            if let f = r.first {
                #expect(f.cause == .expired)
                expired.insert(f.key)
                for x in r.rest { #expect(x.cause == .expired); expired.insert(x.key) }
            }
            let due = Set(deadlines.indices.filter { deadlines[$0] <= now })
            let tickStart = Double((BoxTimerWheel.nanos(now) >> 30) << 30) * 1e-9
            let surelyDue = Set(deadlines.indices.filter { deadlines[$0] < tickStart })
            #expect(expired.isSubset(of: due), "at \(now): reclaimed an entry not yet due")
            #expect(surelyDue.isSubset(of: expired), "at \(now): \(surelyDue.subtracting(expired).count) due entries left")
            #expect(core.count == deadlines.count - expired.count)
            #expect(core.invariantViolation() == nil)
        }
    }

    @Test func secondsLevel() {
        check(deadlines: (0..<500).map { 0.1 * Double($0) + 0.05 }, advances: [0.5, 1.2, 7.7, 20, 49.99, 60])
    }

    @Test func coarseLevelsCascade() {
        // Minutes, hours and days: entries move down the levels as the wheel turns.
        let deadlines = (0..<300).map { Double($0) * 997.0 }  // up to ~3.5 days
        check(deadlines: deadlines, advances: [59, 3_600, 3_700, 40_000, 86_400, 150_000, 250_000, 300_000])
    }

    @Test func oneLargeJump() {
        check(deadlines: (0..<200).map { Double($0 * $0) * 37.0 }, advances: [10_000_000])
    }

    @Test func cancelledAndRescheduledEntries() {
        var core = BoxPolicyCore<Int, Int>(policy: .fifo, maximum: 100, expectedEntries: 100, tracksExpiry: true)
        var r = Removals<Int, Int>()
        core.set(1, hashValue: 1.hashValue, 1, weight: 1, deadline: 5, &r)
        core.set(2, hashValue: 2.hashValue, 2, weight: 1, deadline: 5, &r)
        core.set(1, hashValue: 1.hashValue, 10, weight: 1, deadline: 500, &r)  // rescheduled
        _ = core.remove(2, hashValue: 2.hashValue, now: 0, &r)  // cancelled
        #expect(core.wheel.scheduled == 1)
        r = Removals()
        core.expire(now: 100, &r)
        #expect(r.first == nil)
        core.expire(now: 600, &r)
        #expect(r.first?.key == 1 && r.first?.cause == .expired)
        #expect(core.count == 0 && core.wheel.scheduled == 0)
    }
}
