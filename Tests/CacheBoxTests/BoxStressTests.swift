@testable import CacheBox
import CacheCore
import CacheTestKit
import Dispatch
import Foundation
import Synchronization
import Testing

/// How hard the stress test pushes: 8 threads × 1,000,000 operations each with
/// `SWIFT_CACHE_STRESS_FULL=1`; 8 × 100,000 by default (CI's suite). It does not run in the
/// Thread Sanitizer pass (stress loops stay out of it; the conformance suite's concurrency
/// check runs there).
enum BoxStressSize {
    static let threads = 8
    static var batches: Int { stressAtFullSize ? 100 : 10 }
    static let operationsPerBatch = 10_000
}

@Suite struct BoxStressTests {
    /// ``BoxStressSize`` threads × batches × mixed operations; after each batch: the
    /// structures are consistent, the weight is within the bound, the stats add up, and
    /// every entry that left reached the listener exactly once.
    @Test(.disabled(if: runningUnderThreadSanitizer, "stress loops stay out of the Thread Sanitizer pass"),
          arguments: [BoxPolicy.adaptive, .lru, .random])
    func mixedOperationsKeepTheInvariants(_ policy: BoxPolicy) throws {
        let clock = ManualCacheClock(start: 0)
        let sets = Atomic<Int>(0)  // setValue calls that stored
        let removed = Atomic<Int>(0)
        let replaced = Atomic<Int>(0)
        let cache = try BoxCache<Int, Int>(
            maximumWeight: 2_000, policy: policy, weigher: { _, v in 1 + v % 7 }, expiry: .afterWrite(.seconds(50)),
            shards: 4, clock: clock,
            onRemoval: { _, _, cause in
                if cause == .replaced { replaced.add(1, ordering: .relaxed) } else { removed.add(1, ordering: .relaxed) }
            })
        let wrong = Atomic<Int>(0)
        let gets = Atomic<Int>(0)
        for batch in 0..<BoxStressSize.batches {
            DispatchQueue.concurrentPerform(iterations: BoxStressSize.threads) { thread in
                var random = TestRandom(state: UInt64(batch * 16 + thread))
                for _ in 0..<BoxStressSize.operationsPerBatch {
                    let k = random.skewed(5_000)
                    switch random.next() % 10 {
                    case 0: cache.removeValue(forKey: k)
                    case 1, 2, 3:
                        let v = k * 10 + Int(random.next() % 7)
                        if (try? cache.setValue(v, forKey: k)) != nil { sets.add(1, ordering: .relaxed) }
                    case 4: clock.advance(by: 0.01)
                    default:
                        gets.add(1, ordering: .relaxed)
                        if let v = cache.value(forKey: k), v / 10 != k { wrong.add(1, ordering: .relaxed) }
                    }
                }
            }
            #expect(cache.invariantViolation() == nil, "batch \(batch): \(cache.invariantViolation() ?? "")")
            let stats = cache.stats
            #expect(stats.hits + stats.misses == gets.load(ordering: .relaxed), "batch \(batch): hits + misses")
            #expect(cache.totalWeight <= 2_000)
            // Each store made a new entry or replaced one; each new entry is held or was
            // reported removed exactly once.
            let held = cache.count
            let newEntries = sets.load(ordering: .relaxed) - replaced.load(ordering: .relaxed)
            #expect(held + removed.load(ordering: .relaxed) == newEntries, "batch \(batch): removals reported once")
        }
        #expect(wrong.load(ordering: .relaxed) == 0, "a read returned another key's value")
        #expect(cache.stats.evictionCount <= removed.load(ordering: .relaxed))
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(removed.load(ordering: .relaxed) == sets.load(ordering: .relaxed) - replaced.load(ordering: .relaxed))
    }
}
