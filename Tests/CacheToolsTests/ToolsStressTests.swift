import CacheCore
import CacheTestKit
import CacheTools
import Dispatch
import Foundation
import Synchronization
import Testing

/// Every CacheTools policy under 8 threads of mixed operations (reads, writes with weights,
/// removals, TTL clock moves): after each batch the weight is within the bound, hits and
/// misses add up to the reads, no read returns another key's value, and every entry that
/// left the cache reached the removal listener exactly once. 8 × 100,000 operations per
/// policy in the suite; `SWIFT_CACHE_STRESS_FULL=1` runs 8 × 1,000,000. Out of the TSan pass.
@Suite(.disabled(if: runningUnderThreadSanitizer, "stress loops stay out of the Thread Sanitizer pass"))
struct ToolsStressTests {
    static let threads = 8
    static var batches: Int { stressAtFullSize ? 100 : 10 }
    static let operationsPerBatch = 10_000
    static let bound = 1_500

    /// What the listener saw.
    final class Ledger: Sendable {
        let stored = Atomic<Int>(0)
        let replaced = Atomic<Int>(0)
        let left = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        var listener: RemovalListener<Int, Int> {
            { [self] _, _, cause in
                if cause == .replaced { replaced.add(1, ordering: .relaxed) } else { left.add(1, ordering: .relaxed) }
            }
        }
    }

    static func make(_ policy: String, _ ledger: Ledger, _ clock: ManualCacheClock) throws -> any StressedCache {
        let weigher: @Sendable (Int, Int) -> Int = { _, v in 1 + v % 5 }
        switch policy {
        case "lru": return (try LRUCache<Int, Int>(maxSize: bound, weigher: weigher, onRemoval: ledger.listener))
        case "lfu": return (try LFUCache<Int, Int>(maxSize: bound, weigher: weigher, onRemoval: ledger.listener))
        case "fifo": return (try FIFOCache<Int, Int>(maxSize: bound, weigher: weigher, onRemoval: ledger.listener))
        case "mru": return (try MRUCache<Int, Int>(maxSize: bound, weigher: weigher, onRemoval: ledger.listener))
        case "rr": return (try RRCache<Int, Int>(maxSize: bound, weigher: weigher, seed: 3, onRemoval: ledger.listener))
        case "ttl":
            return (try TTLCache<Int, Int>(maxSize: bound, ttl: .seconds(20), weigher: weigher, clock: clock, onRemoval: ledger.listener))
        default:
            return (try TLRUCache<Int, Int>(maxSize: bound, ttu: { _, v, now in now + Double(5 + v % 30) },
                                                           weigher: weigher, clock: clock, onRemoval: ledger.listener))
        }
    }

    @Test(arguments: ["lru", "lfu", "fifo", "mru", "rr", "ttl", "tlru"])
    func mixedOperationsKeepTheInvariants(policy: String) throws {
        let clock = ManualCacheClock(start: 0)
        let ledger = Ledger()
        let cache = try Self.make(policy, ledger, clock)
        for batch in 0..<Self.batches {
            DispatchQueue.concurrentPerform(iterations: Self.threads) { thread in
                var random = SplitMix64(seed: UInt64(batch * 64 + thread))
                for _ in 0..<Self.operationsPerBatch {
                    let draw = random.next()
                    let k = Int((draw >> 16) % 4_000) * Int((draw >> 40) % 2 + 1) / 2  // skewed toward small keys
                    switch draw % 10 {
                    case 0: _ = cache.removeValue(forKey: k)
                    case 1, 2, 3:
                        if (try? cache.setValue(k * 10 + Int(draw >> 60) % 5, forKey: k)) != nil { ledger.stored.add(1, ordering: .relaxed) }
                    case 4: clock.advance(by: 0.05)
                    default:
                        ledger.reads.add(1, ordering: .relaxed)
                        if let v = cache.value(forKey: k), v / 10 != k { ledger.wrong.add(1, ordering: .relaxed) }
                    }
                }
            }
            let held = cache.count
            #expect(cache.currentSize <= Self.bound, "\(policy) batch \(batch): weight \(cache.currentSize) over \(Self.bound)")
            let stats = cache.stats
            #expect(stats.hits + stats.misses == ledger.reads.load(ordering: .relaxed), "\(policy) batch \(batch): hits + misses")
            // Each store made a new entry or replaced one; each new entry is held or left once.
            let newEntries = ledger.stored.load(ordering: .relaxed) - ledger.replaced.load(ordering: .relaxed)
            #expect(held + ledger.left.load(ordering: .relaxed) == newEntries, "\(policy) batch \(batch): removals reported once")
        }
        #expect(ledger.wrong.load(ordering: .relaxed) == 0, "\(policy): a read returned another key's value")
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(ledger.left.load(ordering: .relaxed) == ledger.stored.load(ordering: .relaxed) - ledger.replaced.load(ordering: .relaxed))
    }
}

/// What the stress loop needs of a cache (every CacheTools policy has it).
protocol StressedCache: Sendable {
    func value(forKey key: Int) -> Int?
    func setValue(_ value: Int, forKey key: Int) throws(CacheStoreError)
    func removeValue(forKey key: Int) -> Int?
    func removeAll()
    var count: Int { get }
    var currentSize: Int { get }
    var stats: CacheStats { get }
}

extension PolicyCache: StressedCache where Key == Int, Value == Int, State: ~Copyable {}
