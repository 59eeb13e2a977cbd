@testable import CacheBox
import CacheCore
import Dispatch
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records every removal the listener sees.
final class RemovalLog: Sendable {
    let entries = Mutex<[(key: Int, value: String, cause: RemovalCause)]>([])
    var listener: RemovalListener<Int, String> {
        { key, value, cause in self.entries.withLock { $0.append((key, value, cause)) } }
    }
    func causes(of key: Int) -> [RemovalCause] { entries.withLock { $0.filter { $0.key == key }.map(\.cause) } }
    var count: Int { entries.withLock { $0.count } }
}

@Suite struct BoxExpiryTests {
    @Test func afterWrite() throws {
        let clock = ManualCacheClock(start: 100)
        let log = RemovalLog()
        let cache = try BoxCache<Int, String>(maximumWeight: 100, expiry: .afterWrite(.seconds(10)), clock: clock, onRemoval: log.listener)
        try cache.setValue("a", forKey: 1)
        clock.advance(by: 5)
        #expect(cache.value(forKey: 1) == "a")
        clock.advance(by: 4.9)
        #expect(cache.value(forKey: 1) == "a", "reads do not extend a write expiry")
        clock.advance(by: 0.1)
        #expect(cache.value(forKey: 1) == nil, "expired exactly at write + 10 s")
        #expect(log.causes(of: 1) == [.expired])
        #expect(cache.stats.evictions[.expired] == 1)
    }

    @Test func afterAccess() throws {
        let clock = ManualCacheClock(start: 0)
        let cache = try BoxCache<Int, String>(maximumWeight: 100, expiry: .afterAccess(.seconds(10)), clock: clock)
        try cache.setValue("a", forKey: 1)
        try cache.setValue("b", forKey: 2)
        for _ in 0..<5 {
            clock.advance(by: 8)
            #expect(cache.value(forKey: 1) == "a", "each read extends the idle time")
        }
        #expect(cache.value(forKey: 2) == nil, "the unread entry expired")
        clock.advance(by: 10)
        #expect(cache.value(forKey: 1) == nil)
    }

    @Test func variablePerEntry() throws {
        let clock = ManualCacheClock(start: 0)
        let cache = try BoxCache<Int, String>(
            maximumWeight: 100, expiry: .variable { key, _ in key == 0 ? nil : .seconds(key) }, clock: clock)
        for k in 0..<10 { try cache.setValue("v\(k)", forKey: k) }
        clock.advance(by: 4.5)
        #expect((0..<10).filter { cache.value(forKey: $0) != nil } == [0, 5, 6, 7, 8, 9])
        clock.advance(by: 1_000_000)
        #expect((0..<10).filter { cache.value(forKey: $0) != nil } == [0], "nil means never")
    }

    @Test func perEntryTTLOverridesTheDefault() throws {
        let clock = ManualCacheClock(start: 0)
        let cache = try BoxCache<Int, String>(maximumWeight: 100, expiry: .afterWrite(.seconds(100)), clock: clock)
        try cache.setValue("short", forKey: 1, ttl: .seconds(1))
        try cache.setValue("default", forKey: 2)
        let plain = try BoxCache<Int, String>(maximumWeight: 100, clock: clock)
        try plain.setValue("ttl", forKey: 3, ttl: .seconds(2))
        clock.advance(by: 1.5)
        #expect(cache.value(forKey: 1) == nil && cache.value(forKey: 2) == "default")
        #expect(plain.value(forKey: 3) == "ttl")
        clock.advance(by: 1)
        #expect(plain.value(forKey: 3) == nil, "a cache without default expiry honours a per-entry ttl")
        #expect(throws: CacheStoreError.self) { try plain.setValue("x", forKey: 4, ttl: .seconds(-1)) }
    }

    @Test func wheelReclaimsWithoutReads() throws {
        let clock = ManualCacheClock(start: 0)
        let log = RemovalLog()
        let cache = try BoxCache<Int, String>(maximumWeight: 10_000, expiry: .afterWrite(.seconds(30)), clock: clock, onRemoval: log.listener)
        for k in 0..<1_000 { try cache.setValue("v\(k)", forKey: k) }
        clock.advance(by: 20)
        for k in 1_000..<1_500 { try cache.setValue("v\(k)", forKey: k) }
        clock.advance(by: 12)
        // No key is read: the wheel alone finds the first thousand due.
        #expect(cache.count == 500)
        #expect(log.count == 1_000)
        #expect(log.entries.withLock { $0.allSatisfy { $0.cause == .expired && $0.key < 1_000 } })
        #expect(cache.invariantViolation() == nil)
    }
}

@Suite struct BoxWeightTests {
    @Test func weightsBoundTheCache() throws {
        let log = RemovalLog()
        let cache = try BoxCache<Int, String>(maximumWeight: 100, weigher: { _, v in v.count }, onRemoval: log.listener)
        #expect(cache.capabilities.contains(.weighted))
        for k in 0..<50 { try cache.setValue(String(repeating: "x", count: 1 + k % 20), forKey: k) }
        #expect(cache.totalWeight <= 100)
        #expect(cache.stats.bytes == cache.totalWeight)
        #expect(log.entries.withLock { $0.allSatisfy { $0.cause == .size } })
        #expect(cache.invariantViolation() == nil)
    }

    @Test func anItemHeavierThanTheCapacityIsRefused() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 10, weigher: { _, v in v.count })
        try cache.setValue("small", forKey: 1)
        #expect {
            try cache.setValue(String(repeating: "x", count: 11), forKey: 1)
        } throws: { error in
            guard let e = error as? CacheStoreError else { return false }
            return e.kind == .itemTooLarge && e.key == "1" && e.detail.contains("previous value remains")
        }
        #expect(cache.value(forKey: 1) == "small", "the previous value remains")
        #expect(throws: CacheStoreError.self) { try cache.setValue(String(repeating: "y", count: 11), forKey: 2) }
        #expect(cache.stats.storeFailures == 2)
        try cache.setValue(String(repeating: "z", count: 10), forKey: 3)
        #expect(cache.value(forKey: 3)?.count == 10, "an item of exactly the capacity fits")
        let negative = try BoxCache<Int, String>(maximumWeight: 10, weigher: { _, _ in -1 })
        #expect(throws: CacheStoreError.self) { try negative.setValue("n", forKey: 1) }
    }

    @Test func zeroCapacityStoresNothing() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 0)
        #expect(throws: CacheStoreError.self) { try cache.setValue("a", forKey: 1) }
        #expect(cache.count == 0)
    }
}

@Suite struct BoxRemovalListenerTests {
    @Test func everyCauseReachesTheListener() throws {
        let clock = ManualCacheClock(start: 0)
        let log = RemovalLog()
        let cache = try BoxCache<Int, String>(maximumWeight: 3, policy: .lru, clock: clock, onRemoval: log.listener)
        try cache.setValue("a", forKey: 1)
        try cache.setValue("a2", forKey: 1)  // replaced
        try cache.setValue("b", forKey: 2)
        try cache.setValue("c", forKey: 3)
        try cache.setValue("d", forKey: 4)  // evicts 1 (size)
        #expect(cache.removeValue(forKey: 2) == "b")  // explicit
        try cache.setValue("e", forKey: 5, ttl: .seconds(1))
        clock.advance(by: 2)
        #expect(cache.value(forKey: 5) == nil)  // expired
        cache.removeAll()  // cleared: 3 and 4
        #expect(log.causes(of: 1) == [.replaced, .size])
        #expect(log.entries.withLock { $0.first!.value } == "a", "the replaced value is the old one")
        #expect(log.causes(of: 2) == [.explicit])
        #expect(log.causes(of: 5) == [.expired])
        #expect(log.causes(of: 3) == [.cleared] && log.causes(of: 4) == [.cleared])
        #expect(log.count == 6)
    }

    @Test func theListenerMayCallBackIntoTheCache() throws {
        let seen = Mutex(0)
        let box = Mutex<BoxCache<Int, String>?>(nil)
        let cache = try BoxCache<Int, String>(maximumWeight: 2, policy: .fifo, onRemoval: { key, _, _ in
            // Runs with no lock held: reading the cache from here must not deadlock.
            let c = box.withLock { $0 }
            _ = c?.value(forKey: key)
            _ = c?.count
            seen.withLock { $0 += 1 }
        })
        box.withLock { $0 = cache }
        for k in 0..<10 { try cache.setValue("v\(k)", forKey: k) }
        #expect(seen.withLock { $0 } == 8)
        box.withLock { $0 = nil }
    }
}

@Suite struct BoxLoadingTests {
    @Test func loadsOnceUnderContention() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 100)
        let runs = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for k in 0..<20 {
                let v = try? cache.value(forKey: k) { key in
                    runs.add(1, ordering: .relaxed)
                    usleep(2_000)  // widen the window in which others miss the same key
                    return "v\(key)"
                }
                if v != "v\(k)" { wrong.add(1, ordering: .relaxed) }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(runs.load(ordering: .relaxed) == 20, "one load per key")
        #expect(cache.stats.loadSuccesses == 20)
    }

    @Test func aFailedLoadStoresNothingAndIsCounted() throws {
        struct Boom: Error {}
        let cache = try BoxCache<Int, String>(maximumWeight: 100)
        #expect(throws: Boom.self) { _ = try cache.value(forKey: 1) { _ in throw Boom() } }
        #expect(cache.count == 0)
        #expect(cache.stats.loadFailures == 1)
        #expect(try cache.value(forKey: 1) { "v\($0)" } == "v1")
    }

    @Test func aValueTooHeavyToStoreIsStillReturned() throws {
        let cache = try BoxCache<Int, String>(maximumWeight: 3, weigher: { _, v in v.count })
        #expect(try cache.value(forKey: 1) { _ in "too heavy" } == "too heavy")
        #expect(cache.count == 0)
        #expect(cache.stats.storeFailures == 1)
    }
}
