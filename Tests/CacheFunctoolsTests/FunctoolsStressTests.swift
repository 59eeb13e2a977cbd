import CacheCore
import CacheTestKit
import CacheFunctools
import Dispatch
import Foundation
import Synchronization
import Testing

/// `lruCache` under 8 threads calling one memoized function on skewed keys: every call
/// returns its key's value, hits and misses add up to the calls, the store stays within its
/// bound, and every miss ran the function once (single-flight: no two threads computed the
/// same missing key at once). 8 × 100,000 calls in the suite; `SWIFT_CACHE_STRESS_FULL=1`
/// runs 8 × 1,000,000. Out of the TSan pass.
@Suite(.disabled(if: runningUnderThreadSanitizer, "stress loops stay out of the Thread Sanitizer pass"))
struct FunctoolsStressTests {
    static var calls: Int { stressAtFullSize ? 1_000_000 : 100_000 }

    @Test(arguments: [64, 1_024])
    func concurrentCallsStayRightAndBounded(maxSize: Int) throws {
        let computed = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        let inFlight = Mutex<Set<Int>>([])
        let overlapped = Atomic<Int>(0)
        let f = try lruCache(maxSize: maxSize) { (k: Int) -> Int in
            computed.add(1, ordering: .relaxed)
            if !inFlight.withLock({ $0.insert(k).inserted }) { overlapped.add(1, ordering: .relaxed) }
            defer { _ = inFlight.withLock { $0.remove(k) } }
            return k &* 3 &+ 1
        }
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var random = SplitMix64(seed: UInt64(thread + 1))
            for _ in 0..<Self.calls {
                let draw = random.next()
                let k = Int(draw % 2_000) * Int((draw >> 32) % 3 + 1) / 3
                if (try? f(k)) != k &* 3 &+ 1 { wrong.add(1, ordering: .relaxed) }
            }
        }
        let info = f.info
        #expect(wrong.load(ordering: .relaxed) == 0, "a call returned another key's value")
        #expect(info.hits + info.misses == 8 * Self.calls, "hits \(info.hits) + misses \(info.misses)")
        #expect(info.count <= maxSize, "count \(info.count) over \(maxSize)")
        #expect(info.loadSuccesses == computed.load(ordering: .relaxed))
        #expect(computed.load(ordering: .relaxed) <= info.misses)
        #expect(overlapped.load(ordering: .relaxed) == 0, "two threads computed the same missing key at once")
    }
}
