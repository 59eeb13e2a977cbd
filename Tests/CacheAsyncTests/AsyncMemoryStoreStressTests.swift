import CacheAsync
import CacheCore
import CacheTestKit
import Dispatch
import Foundation
import Synchronization
import Testing

/// CacheAsync's memory store under 8 threads of mixed operations through its synchronous
/// core (what every async call runs): entries and bytes within their bounds after each
/// batch, hits and misses add up to the reads, no read returns another key's value, and
/// every entry that left reached the listener exactly once. 8 × 100,000 operations in the
/// suite; `SWIFT_CACHE_STRESS_FULL=1` runs 8 × 1,000,000. Out of the TSan pass.
@Suite(.disabled(if: runningUnderThreadSanitizer, "stress loops stay out of the Thread Sanitizer pass"))
struct AsyncMemoryStoreStressTests {
    static var batches: Int { stressAtFullSize ? 100 : 10 }

    @Test func mixedOperationsKeepTheInvariants() throws {
        let clock = ManualCacheClock(start: 0)
        let stored = Atomic<Int>(0), replaced = Atomic<Int>(0), left = Atomic<Int>(0)
        let reads = Atomic<Int>(0), wrong = Atomic<Int>(0)
        let store = try AsyncMemoryStore<Int, [Int]>(
            maxEntries: 1_000, maxBytes: 40_000, defaultTTL: .seconds(30), clock: clock,
            onRemoval: { _, _, cause in
                if cause == .replaced { replaced.add(1, ordering: .relaxed) } else { left.add(1, ordering: .relaxed) }
            })
        for batch in 0..<Self.batches {
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                var random = SplitMix64(seed: UInt64(batch * 64 + thread))
                for _ in 0..<10_000 {
                    let draw = random.next()
                    let k = Int((draw >> 16) % 3_000) * Int((draw >> 40) % 2 + 1) / 2
                    switch draw % 10 {
                    case 0: _ = store.removeValueNow(forKey: k)
                    case 1, 2, 3:
                        let value = [k] + Array(repeating: 0, count: Int(draw >> 58))  // 8 to 128 bytes
                        let ttl: Duration? = draw >> 57 & 1 == 0 ? nil : .seconds(Int64(draw >> 50 & 15) + 1)
                        if (try? store.setValueNow(value, forKey: k, ttl: ttl)) != nil { stored.add(1, ordering: .relaxed) }
                    case 4: clock.advance(by: 0.05)
                    default:
                        reads.add(1, ordering: .relaxed)
                        if let v = store.valueNow(forKey: k), v.first != k { wrong.add(1, ordering: .relaxed) }
                    }
                }
            }
            _ = store.purgeExpired()
            let stats = store.statsNow
            #expect(store.count <= 1_000 && stats.bytes <= 40_000, "batch \(batch): \(store.count) entries, \(stats.bytes) bytes")
            #expect(stats.hits + stats.misses == reads.load(ordering: .relaxed), "batch \(batch): hits + misses")
            let newEntries = stored.load(ordering: .relaxed) - replaced.load(ordering: .relaxed)
            #expect(store.count + left.load(ordering: .relaxed) == newEntries, "batch \(batch): removals reported once")
        }
        #expect(wrong.load(ordering: .relaxed) == 0, "a read returned another key's value")
        store.removeAllNow()
        #expect(store.count == 0)
        #expect(left.load(ordering: .relaxed) == stored.load(ordering: .relaxed) - replaced.load(ordering: .relaxed))
    }
}
