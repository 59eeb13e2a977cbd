@testable import CacheBox
import CacheCore
import CachePolicies
import Testing

/// A small deterministic generator for the tests' workloads.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A Zipf-like skewed key in 0..<n (the square of a uniform draw favours small keys).
    mutating func skewed(_ n: Int) -> Int {
        let u = Double(next() >> 11) * 0x1p-53
        return Int(u * u * u * Double(n))
    }
}

/// A hash that is the same in every process (`hashValue` is seeded per process), so the
/// hit-ratio tests replay the same sketch collisions and jitter draws on every run.
func stableHash(_ key: Int) -> Int {
    var random = TestRandom(state: UInt64(bitPattern: Int64(key)))
    return Int(truncatingIfNeeded: random.next())
}

/// Drives a core the way `BoxReplay` does: a lookup, and a store on a miss. Returns the hits.
func replay(_ core: inout BoxPolicyCore<Int, Int>, _ keys: [Int]) -> Int {
    var hits = 0
    for k in keys {
        var r = Removals<Int, Int>()
        let h = stableHash(k)
        if core.get(k, hashValue: h, now: 0, &r) != nil { hits += 1 } else { core.set(k, hashValue: h, k, weight: 1, &r) }
    }
    return hits
}

func has(_ core: borrowing BoxPolicyCore<Int, Int>, _ key: Int) -> Bool {
    core.contains(key, hashValue: stableHash(key), now: 0)
}

@Suite struct BoxPolicyCoreTests {
    @Test func admissionProtectsFrequentKeysAgainstAScan() {
        var core = BoxPolicyCore<Int, Int>(policy: .adaptive, maximum: 100, expectedEntries: 100)
        var lru = BoxPolicyCore<Int, Int>(policy: .lru, maximum: 100, expectedEntries: 100)
        var warm: [Int] = []
        for round in 0..<40 { for k in 0..<20 { warm.append(k); warm.append(1_000 + round * 20 + k) } }
        _ = replay(&core, warm)
        _ = replay(&lru, warm)
        let scan = Array(100_000..<105_000)
        _ = replay(&core, scan)
        _ = replay(&lru, scan)
        let keptByBox = (0..<20).filter { has(core, $0) }.count
        let keptByLRU = (0..<20).filter { has(lru, $0) }.count
        #expect(keptByBox == 20, "W-TinyLFU kept \(keptByBox) of 20 frequent keys through a scan")
        #expect(keptByLRU == 0, "LRU is expected to lose them (kept \(keptByLRU))")
        #expect(core.invariantViolation() == nil)
    }

    @Test func climberGrowsTheWindowForRecencyWork() {
        // Each key is used three times within a short span, then never again: only recency
        // pays, so the climber must grow the LRU window from its initial 1 %.
        var core = BoxPolicyCore<Int, Int>(policy: .adaptive, maximum: 200, expectedEntries: 200)
        let initial = core.windowMax
        var keys: [Int] = []
        for i in 0..<200_000 {
            keys.append(i)
            if i >= 10 { keys.append(i - 10) }
            if i >= 30 { keys.append(i - 30) }
        }
        let hits = replay(&core, keys)
        #expect(core.climber.samples > 10)
        #expect(core.windowMax > initial * 20, "window \(core.windowMax), initially \(initial)")
        var lru = BoxPolicyCore<Int, Int>(policy: .lru, maximum: 200, expectedEntries: 200)
        let lruHits = replay(&lru, keys)
        #expect(Double(hits) >= 0.8 * Double(lruHits), "adaptive \(hits) vs LRU \(lruHits) hits")
        #expect(core.invariantViolation() == nil)
    }

    @Test func adaptiveBeatsLRUOnSkewedWork() {
        var random = TestRandom(state: 7)
        let keys = (0..<300_000).map { _ in random.skewed(50_000) }
        var core = BoxPolicyCore<Int, Int>(policy: .adaptive, maximum: 500, expectedEntries: 500)
        var lru = BoxPolicyCore<Int, Int>(policy: .lru, maximum: 500, expectedEntries: 500)
        let hits = replay(&core, keys), lruHits = replay(&lru, keys)
        #expect(hits > lruHits, "adaptive \(hits) vs LRU \(lruHits)")
        #expect(core.windowMax < 250, "the window should stay small for frequency work (\(core.windowMax))")
        #expect(core.invariantViolation() == nil)
    }

    @Test func sketchCountsSaturatesAndAges() {
        var sketch = BoxFrequencySketch(capacity: 64)
        let hot = SlotTable<Int, Int>.hash32(42)
        for _ in 0..<5 { sketch.increment(hot) }
        #expect(sketch.frequency(hot) == 5)
        for _ in 0..<20 { sketch.increment(hot) }
        #expect(sketch.frequency(hot) == 15, "4-bit counters saturate at 15")
        #expect(sketch.agings == 0)
        var k = 1_000
        while sketch.agings == 0 {
            sketch.increment(SlotTable<Int, Int>.hash32(k))
            k += 1
        }
        #expect(sketch.frequency(hot) <= 7, "aging halves the counters (\(sketch.frequency(hot)))")
        #expect(sketch.frequency(hot) >= 6)
    }

    @Test func lruEvictsTheLeastRecentlyUsed() {
        var core = BoxPolicyCore<Int, Int>(policy: .lru, maximum: 3, expectedEntries: 3)
        _ = replay(&core, [1, 2, 3, 1, 4])
        #expect(!has(core, 2) && has(core, 1) && has(core, 3) && has(core, 4))
    }

    @Test func fifoIgnoresHits() {
        var core = BoxPolicyCore<Int, Int>(policy: .fifo, maximum: 3, expectedEntries: 3)
        _ = replay(&core, [1, 2, 3, 1, 4])
        #expect(!has(core, 1) && has(core, 2) && has(core, 3) && has(core, 4))
    }

    @Test func lfuEvictsTheLeastUsed() {
        var core = BoxPolicyCore<Int, Int>(policy: .lfu, maximum: 3, expectedEntries: 3)
        _ = replay(&core, [1, 1, 1, 1, 2, 2, 2, 3, 4])
        #expect(!has(core, 3) && has(core, 1) && has(core, 2) && has(core, 4))
    }

    @Test(arguments: BoxPolicy.allCases)
    func weightedOperationsKeepTheInvariants(_ policy: BoxPolicy) {
        var core = BoxPolicyCore<Int, Int>(policy: policy, maximum: 1_000, expectedEntries: 64, tracksExpiry: true)
        var random = TestRandom(state: 11)
        var removedCount = 0
        var stored = 0
        for step in 0..<50_000 {
            var r = Removals<Int, Int>()
            let k = random.skewed(2_000)
            switch random.next() % 8 {
            case 0:
                _ = core.remove(k, hashValue: k.hashValue, now: Double(step), &r)
            case 1, 2, 3:
                let deadline = random.next() % 3 == 0 ? Double(step) + Double(random.next() % 500) : .infinity
                core.set(k, hashValue: k.hashValue, k * 2, weight: Int(random.next() % 40), deadline: deadline, &r)
                stored += 1
            default:
                if let v = core.get(k, hashValue: k.hashValue, now: Double(step), &r) { #expect(v == k * 2) }
            }
            core.expire(now: Double(step), &r)
            if let first = r.first { removedCount += 1 + r.rest.count; #expect(first.value == first.key * 2) }
            if step % 1_000 == 0, let v = core.invariantViolation() {
                Issue.record("\(policy) step \(step): \(v)")
                return
            }
        }
        #expect(core.invariantViolation() == nil)
        #expect(core.totalWeight <= 1_000)
        #expect(removedCount > 0 && stored > 0)
    }
}

extension BoxPolicyCoreTests {
    /// A core that has held only entries without deadlines carries no expiry buffers; the
    /// first deadline adds them (every earlier entry: no deadline), and expiry then works.
    @Test(arguments: [BoxPolicy.adaptive, .lru, .lfu, .fifo, .random])
    func theFirstDeadlineTurnsExpiryOn(_ policy: BoxPolicy) {
        var core = BoxPolicyCore<Int, Int>(policy: policy, maximum: 1_000, expectedEntries: 16)
        var removed = Removals<Int, Int>()
        for k in 0..<300 { core.set(k, hashValue: stableHash(k), k, weight: 1, &removed) }
        let untracked = !core.tracksExpiry && core.table.expiry == nil && core.table.prev2 == nil
        #expect(untracked)
        for k in 300..<400 { core.set(k, hashValue: stableHash(k), k, weight: 1, deadline: 10, &removed) }
        let tracked = core.tracksExpiry && core.table.expiry != nil
        #expect(tracked)
        // More entries after it (the table grows with the new buffers), then a rewrite of an old
        // entry with a deadline and of a timed one without.
        for k in 400..<700 { core.set(k, hashValue: stableHash(k), k, weight: 1, &removed) }
        core.set(0, hashValue: stableHash(0), 0, weight: 1, deadline: 5, &removed)
        core.set(300, hashValue: stableHash(300), 300, weight: 1, &removed)
        let violation = core.invariantViolation()
        #expect(violation == nil)
        var expired = Removals<Int, Int>()
        core.expire(now: 11, &expired)
        let gone = Set(expired.pairs(.expired).map(\.key))
        #expect(gone == Set([0] + Array(301..<400)), "expired \(gone.count)")
        for k in [1, 299, 300, 400, 699] {
            let held = core.contains(k, hashValue: stableHash(k), now: 11)
            #expect(held, "key \(k)")
        }
        #expect(core.invariantViolation() == nil)
    }
}

extension BoxPolicyCoreTests {
    /// Weights are stored only once one differs from 1: entries stored before keep weight 1,
    /// the bound counts every weight, and evictions follow it.
    @Test(arguments: [BoxPolicy.adaptive, .lru, .lfu, .fifo, .random])
    func theFirstWeightOtherThanOneIsCountedFromThen(_ policy: BoxPolicy) {
        var core = BoxPolicyCore<Int, Int>(policy: policy, maximum: 500, expectedEntries: 16)
        var removed = Removals<Int, Int>()
        for k in 0..<200 { core.set(k, hashValue: stableHash(k), k, weight: 1, &removed) }
        let unweighted = core.table.weights == nil && core.table.totalWeight == 200
        #expect(unweighted)
        for k in 200..<250 { core.set(k, hashValue: stableHash(k), k, weight: 5, &removed) }
        let weighted = core.table.weights != nil && core.table.totalWeight == 450 && core.table.weight(Int(core.table.find(0, hashValue: stableHash(0)))) == 1
        #expect(weighted, "total \(core.table.totalWeight)")
        for k in 250..<400 { core.set(k, hashValue: stableHash(k), k, weight: 3, &removed) }
        let bounded = core.table.totalWeight <= 500 && !removed.pairs(.size).isEmpty
        #expect(bounded, "total \(core.table.totalWeight)")
        let violation = core.invariantViolation()
        #expect(violation == nil)
    }
}
