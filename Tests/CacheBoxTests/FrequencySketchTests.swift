@testable import CacheBox
import CachePolicies
import Testing

@Suite struct FrequencySketchTests {
    @Test func growingKeepsEveryEstimate() {
        var sketch = BoxFrequencySketch(capacity: 16)
        let hashes: [UInt32] = (0..<12).map { UInt32(truncatingIfNeeded: $0 &* 0x9E37_79B9) }
        for (i, h) in hashes.enumerated() { for _ in 0...(i % 8) { sketch.increment(h) } }
        let before = hashes.map { sketch.frequency($0) }
        sketch.ensureCapacity(5_000)
        #expect(sketch.designCapacity == 5_000)
        let after = hashes.map { sketch.frequency($0) }
        #expect(zip(before, after).allSatisfy { $1 >= $0 }, "no estimate is lost: \(before) → \(after)")
        #expect(after.count == before.count)
    }

    @Test func aFullCacheForgetsOnlyItsWarmUpCounts() {
        var core = BoxPolicyCore<Int, Int>(policy: .adaptive, maximum: 100, expectedEntries: 100)
        var removed = Removals<Int, Int>()
        for k in 0..<99 { core.set(k, hashValue: k.hashValue, k, weight: 1, &removed) }
        for _ in 0..<5 { _ = core.get(1, hashValue: 1.hashValue, now: 0, &removed) }
        let startedEarly = core.sketchStarted
        #expect(!startedEarly)
        core.set(99, hashValue: 99.hashValue, 99, weight: 1, &removed)
        let started = core.sketchStarted
        #expect(started, "full: the sketch counts from now on")
        let h = UInt32(truncatingIfNeeded: 1.hashValue)
        let forgotten = core.sketch.frequency(h)
        #expect(forgotten == 0, "the warm-up's counts are forgotten")
        for _ in 0..<5 { _ = core.get(1, hashValue: 1.hashValue, now: 0, &removed) }
        let counted = core.sketch.frequency(h)
        #expect(counted == 5)
        // One more key: the table briefly holds 101 entries, and the sketch keeps its counts.
        core.set(500, hashValue: 500.hashValue, 500, weight: 1, &removed)
        let kept = core.sketch.frequency(h)
        #expect(kept == 5)
    }
}
