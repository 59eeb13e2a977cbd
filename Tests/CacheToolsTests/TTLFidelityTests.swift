import CacheCore
import CacheTools
import Testing

/// Issue 18: the scripts where TTLCache/TLRUCache parted from cachetools 8.0.2, each with
/// cachetools' outcome (checked against cachetools 8.0.2 with the same script) and, where
/// CacheTools differs on purpose, the documented difference. `weighted` means weight = value.
@Suite("TTL/TLRU fidelity with cachetools 8")
struct TTLFidelityTests {
    static let byValue: @Sendable (Int, Int) -> Int = { _, v in v }

    // Case 1: `new ttl 2 3; set 1 1; tick 3; get 1; expire`.
    @Test func ttlGetOfExpiredEntryMissesAndLeavesItForExpireNotRemovedOnRead() throws {
        let clock = ManualCacheClock()
        let log = RemovalLog<Int>()
        let c = try TTLCache<Int, Int>(maxSize: 2, ttl: .seconds(3), clock: clock, onRemoval: log.listener)
        c[1] = 1
        clock.advance(by: .seconds(3))
        #expect(c.value(forKey: 1) == nil)
        #expect(log.all.isEmpty, "the read removes nothing")
        let expired = c.expire()
        #expect(expired.map(\.key) == [1] && expired.map(\.value) == [1])
        #expect(log.causes == [.expired])
        #expect(c.stats.misses == 1 && c.stats.evictions[.expired] == 1)
    }

    // Case 1: `new tlru 2 (ttu = now + 2); set 4 1; tick 2; pop 4; expire`.
    @Test func tlruPopOfExpiredEntryReturnsNilAndLeavesItForExpireNotRemovedOnPop() throws {
        let clock = ManualCacheClock()
        let c = try TLRUCache<Int, Int>(maxSize: 2, ttu: { _, _, now in now + 2 }, clock: clock)
        c[4] = 1
        clock.advance(by: .seconds(2))
        #expect(c.removeValue(forKey: 4) == nil)
        #expect(c.expire().map(\.key) == [4])
    }

    @Test func ttlRemoveValueOfExpiredEntryLeavesItForExpire() throws {
        let clock = ManualCacheClock()
        let c = try TTLCache<Int, Int>(maxSize: 2, ttl: .seconds(3), clock: clock)
        c[1] = 1
        clock.advance(by: .seconds(3))
        #expect(c.removeValue(forKey: 1) == nil && c.peekValue(forKey: 1) == nil && !c.contains(1))
        #expect(c.expire().map(\.key) == [1])
    }

    // Case 2: `new ttl 2 3 weighted; set 1 1; tick 3; set 2 5; expire`.
    @Test func ttlTooLargeStoreExpiresFirstThenRefusesNotRefusesWithoutExpiring() throws {
        let clock = ManualCacheClock()
        let log = RemovalLog<Int>()
        let c = try TTLCache<Int, Int>(maxSize: 2, ttl: .seconds(3), weigher: Self.byValue, clock: clock, onRemoval: log.listener)
        try c.setValue(1, forKey: 1)
        clock.advance(by: .seconds(3))
        #expect(throws: CacheStoreError.self) { try c.setValue(5, forKey: 2) }
        #expect(log.all.map(\.0) == [1] && log.causes == [.expired], "expired before the refusal")
        #expect(c.expire().isEmpty)
        #expect(c.count == 0 && c.stats.storeFailures == 1)
    }

    // Case 3: `new tlru 5 -3 weighted` (ttu = now + value % 7 + 1 - 3); `set 1 5; set 1 7; get 1`.
    @Test func tlruOverwriteTooLargeAndExpiredOnArrivalRemovesOldKeyNotKeepsIt() throws {
        let clock = ManualCacheClock()
        let log = RemovalLog<Int>()
        let c = try TLRUCache<Int, Int>(
            maxSize: 5, ttu: { _, v, now in now + Double(v % 7) + 1 - 3 }, weigher: Self.byValue, clock: clock,
            onRemoval: log.listener)
        try c.setValue(5, forKey: 1)
        try c.setValue(7, forKey: 1)   // expired on arrival: not refused, the old value goes
        #expect(c.value(forKey: 1) == nil)
        #expect(log.causes == [.replaced] && c.count == 0)
    }

    /// The refusal rule for every policy: `setValue` throws and keeps the old value (and
    /// says so); the subscript setter, which cannot tell its caller, removes it.
    @Test(arguments: ["lru", "lfu", "fifo", "mru", "rr", "ttl", "tlru"])
    func refusedOverwriteSetValueKeepsOldAndSaysSoSubscriptRemovesOld(policy: String) throws {
        func make(_ log: RemovalLog<Int>) throws -> any RefusalProbe {
            let w = Self.byValue, l = log.listener
            switch policy {
            case "lru": return try LRUCache<Int, Int>(maxSize: 5, weigher: w, onRemoval: l)
            case "lfu": return try LFUCache<Int, Int>(maxSize: 5, weigher: w, onRemoval: l)
            case "fifo": return try FIFOCache<Int, Int>(maxSize: 5, weigher: w, onRemoval: l)
            case "mru": return try MRUCache<Int, Int>(maxSize: 5, weigher: w, onRemoval: l)
            case "rr": return try RRCache<Int, Int>(maxSize: 5, weigher: w, onRemoval: l)
            case "ttl": return try TTLCache<Int, Int>(maxSize: 5, ttl: .seconds(60), weigher: w, clock: ManualCacheClock(), onRemoval: l)
            default: return try TLRUCache<Int, Int>(maxSize: 5, ttu: { _, _, now in now + 60 }, weigher: w, clock: ManualCacheClock(), onRemoval: l)
            }
        }
        let log = RemovalLog<Int>()
        let c = try make(log)
        try c.setValue(2, forKey: 1)
        do {
            try c.setValue(7, forKey: 1)
            Issue.record("a too-large item was stored")
        } catch {
            #expect(error.kind == .itemTooLarge)
            #expect(error.detail.hasSuffix("the previous value remains"), "\(error.detail)")
        }
        #expect(c.peekValue(forKey: 1) == 2 && log.all.isEmpty)
        do {
            try c.setValue(-1, forKey: 1)
            Issue.record("a negative weight was accepted")
        } catch {
            #expect(error.kind == .unsupported && error.detail.hasSuffix("the previous value remains"))
        }
        // A refusal without an old value says nothing about one.
        do { try c.setValue(9, forKey: 2) } catch { #expect(!error.detail.contains("previous")) }
        c.assign(7, forKey: 1)
        #expect(c.peekValue(forKey: 1) == nil, "the subscript setter removed the value it could not replace")
        #expect(log.all.map(\.0) == [1] && log.causes == [.replaced])
        #expect(c.storeFailures == 4)
    }

    // Case 4: `.milliseconds(300)` stored at 0 has expired at exactly t = 0.3.
    @Test func ttlOf300msExpiredAtExactly0point3NotStillAlive() throws {
        let clock = ManualCacheClock()
        let c = try TTLCache<Int, Int>(maxSize: 2, ttl: .milliseconds(300), clock: clock)
        c[1] = 1
        clock.set(0.3.nextDown)
        #expect(c.peekValue(forKey: 1) == 1)
        clock.set(0.3)
        #expect(c.peekValue(forKey: 1) == nil && c.expire().map(\.key) == [1])
        #expect(c.ttl == .milliseconds(300))
    }

    // Case 5: cachetools accepts `ttl <= 0`; CacheTools refuses it (documented).
    @Test func ttlZeroOrNegativeRefusedNotAcceptedAsEverythingExpired() {
        #expect(throws: CacheConfigurationError.self) { try TTLCache<Int, Int>(maxSize: 2, ttl: .zero) }
        #expect(throws: CacheConfigurationError.self) { try TTLCache<Int, Int>(maxSize: 2, ttl: .seconds(-3)) }
    }

    // Case 6: a clock that moves backwards: nothing traps, the bound holds.
    @Test(arguments: ["ttl", "tlru"])
    func backwardsClockNeitherCrashesNorExceedsTheBound(policy: String) throws {
        let clock = ManualCacheClock(start: 50)
        let c: any RefusalProbe = policy == "ttl"
            ? try TTLCache<Int, Int>(maxSize: 6, ttl: .seconds(3), weigher: Self.byValue, clock: clock)
            : try TLRUCache<Int, Int>(maxSize: 6, ttu: { _, v, now in now + Double(v % 4) }, weigher: Self.byValue, clock: clock)
        var rng = SplitMix64(seed: 18)
        for _ in 0..<5_000 {
            let key = Int(rng.next() % 8), value = Int(rng.next() % 7)
            switch rng.next() % 6 {
            case 0: clock.advance(by: Double(Int(rng.next() % 9)) - 5)   // mostly backwards
            case 1: _ = c.peekValue(forKey: key)
            case 2: _ = c.removeValue(forKey: key)
            case 3: _ = c.expireAll()
            default: c.assign(value, forKey: key)
            }
            #expect(c.currentSize <= 6)
        }
    }
}

/// The operations the tests above need from any of the seven caches.
protocol RefusalProbe {
    func setValue(_ value: Int, forKey key: Int) throws(CacheStoreError)
    func peekValue(forKey key: Int) -> Int?
    @discardableResult func removeValue(forKey key: Int) -> Int?
    var currentSize: Int { get }
    func assign(_ value: Int, forKey key: Int)
    var storeFailures: Int { get }
    func expireAll() -> Int
}

extension PolicyCache: RefusalProbe where Key == Int, Value == Int, State: ~Copyable {
    func assign(_ value: Int, forKey key: Int) { self[key] = value }
    var storeFailures: Int { stats.storeFailures }
    func expireAll() -> Int { count }
}
