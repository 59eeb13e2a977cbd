import CacheCore
import CacheTools
import Synchronization
import Testing

/// One step of a hand-written operation sequence.
enum Op: Sendable {
    /// set key = value (weight = value in weighted runs; TLRU lifetime = value seconds)
    case s(Int, Int)
    case g(Int)
    case d(Int)
    /// set the manual clock
    case t(Double)
}

func S(_ k: Int, _ v: Int? = nil) -> Op { .s(k, v ?? k * 10) }
func G(_ k: Int) -> Op { .g(k) }
func D(_ k: Int) -> Op { .d(k) }
func T(_ t: Double) -> Op { .t(t) }

/// The sequences of the cachetools oracle script (keep the two in step).
let sequences: [String: (maxSize: Int, weighted: Bool, ops: [Op])] = [
    "basic": (3, false, [S(1), S(2), S(3), G(1), S(4), G(3), S(2), S(5), G(1), S(6), G(4), S(7), D(5), S(8),
                         G(2), S(9), S(1), G(8), S(3), G(9), G(7)]),
    "ties": (3, false, [S(1), S(2), S(3), G(3), G(2), G(1), S(4), G(4), S(5), G(5), G(5), S(6), S(2), S(7),
                        G(6), S(8), G(1), G(2)]),
    "weighted": (10, true, [S(1, 3), S(2, 3), S(3, 3), G(1), S(4, 2), S(2, 5), S(5, 1), S(1, 1), S(6, 4),
                            S(3, 9), S(7, 0), S(8, 11), G(7), S(9, 6), G(3), S(2, 2), S(4, 10), G(1)]),
    "timed": (3, false, [T(0), S(1, 10), T(1), S(2, 5), T(2), S(3, 20), T(3), G(1), T(4), S(4, 8), G(2),
                         T(5), G(2), T(6), S(5, 30), T(10), G(1), T(11), S(6, 15), G(3), T(13), S(7, 3),
                         S(3, 0), G(6), T(16), S(8, 12), G(7), T(20), S(9, 40)]),
]

/// Expected event logs and final key orders, produced once by a differential script that
/// runs the same sequences through real cachetools 8.0.2 (`cachetools_orders.py`, kept
/// outside the package so `swift test` needs no Python) and pasted here.
/// Events: "h1"/"m1" get hit/miss, "e1" size eviction (popitem), "E1" item too large.
/// Final keys are in eviction order (RR: cachetools' key list). MRU is cachetools
/// `LRUCache` with `popitem` taking the most recent key (cachetools 8 has no MRUCache);
/// RR uses `choice=lambda keys: keys[SplitMix64(7).below(len(keys))]`; TTL has ttl 10;
/// TLRU has `ttu = now + value`.
let cachetoolsExpected: [String: (events: [String], keys: [Int])] = [
    "basic/lru": (["h1", "e2", "h3", "e1", "e4", "m1", "e3", "m4", "e2", "m2", "e6", "e7", "h8", "e9", "m9", "m7"], [1, 8, 3]),
    "basic/fifo": (["h1", "e1", "h3", "e3", "m1", "e4", "m4", "e2", "m2", "e6", "e7", "h8", "e8", "h9", "m7"], [9, 1, 3]),
    "basic/lfu": (["h1", "e2", "h3", "e4", "e2", "h1", "e5", "m4", "e6", "e7", "m2", "e8", "m8", "h9", "m7"], [9, 3, 1]),
    "basic/mru": (["h1", "e1", "h3", "e2", "m1", "e5", "h4", "e4", "e7", "m2", "e8", "e9", "m8", "m9", "m7"], [3, 1, 6]),
    "basic/rr": (["h1", "e2", "h3", "e1", "e2", "m1", "e3", "h4", "e5", "e4", "m2", "e6", "e7", "h8", "e9", "m9", "m7"], [1, 8, 3]),
    "basic/ttl": (["h1", "e2", "h3", "e1", "e4", "m1", "e3", "m4", "e2", "m2", "e6", "e7", "h8", "e9", "m9", "m7"], [1, 8, 3]),
    "basic/tlru": (["h1", "e2", "h3", "e1", "e4", "m1", "e3", "m4", "e2", "m2", "e6", "e7", "h8", "e9", "m9", "m7"], [1, 8, 3]),
    "ties/lru": (["h3", "h2", "h1", "e3", "h4", "e2", "h5", "h5", "e1", "e4", "e5", "h6", "e2", "m1", "m2"], [7, 6, 8]),
    "ties/fifo": (["h3", "h2", "h1", "e1", "h4", "e2", "h5", "h5", "e3", "e4", "e5", "h6", "e6", "m1", "h2"], [2, 7, 8]),
    "ties/lfu": (["h3", "h2", "h1", "e3", "h4", "e2", "h5", "h5", "e1", "e6", "e2", "m6", "e7", "m1", "m2"], [8, 4, 5]),
    "ties/mru": (["h3", "h2", "h1", "e1", "h4", "e4", "h5", "h5", "e5", "e2", "h6", "e6", "m1", "m2"], [8, 7, 3]),
    "ties/rr": (["h3", "h2", "h1", "e2", "h4", "e1", "h5", "h5", "e5", "e3", "e6", "m6", "e4", "m1", "h2"], [7, 2, 8]),
    "ties/ttl": (["h3", "h2", "h1", "e3", "h4", "e2", "h5", "h5", "e1", "e4", "e5", "h6", "e2", "m1", "m2"], [7, 6, 8]),
    "ties/tlru": (["h3", "h2", "h1", "e3", "h4", "e2", "h5", "h5", "e1", "e4", "e5", "h6", "e2", "m1", "m2"], [7, 6, 8]),
    "weighted/lru": (["h1", "e2", "e3", "e1", "e4", "e2", "e5", "e1", "e6", "E8", "h7", "e3", "m3", "e7", "e9", "e2", "m1"], [4]),
    "weighted/fifo": (["h1", "e1", "e3", "e4", "e2", "e5", "e1", "e6", "E8", "h7", "e3", "m3", "e7", "e9", "e2", "m1"], [4]),
    "weighted/lfu": (["h1", "e2", "e3", "e4", "e2", "e5", "e6", "E8", "h7", "e3", "m3", "e9", "e2", "e7", "e1", "m1"], [4]),
    "weighted/mru": (["h1", "e1", "e2", "e1", "e6", "e5", "e4", "E8", "h7", "e7", "e3", "m3", "e2", "e9", "m1"], [4]),
    "weighted/rr": (["h1", "e2", "e1", "e2", "e5", "e3", "e4", "e1", "e6", "E8", "h7", "e3", "m3", "e9", "e7", "e2", "m1"], [4]),
    "weighted/ttl": (["h1", "e2", "e3", "e1", "e4", "e2", "e5", "e1", "e6", "E8", "h7", "e3", "m3", "e7", "e9", "e2", "m1"], [4]),
    "weighted/tlru": (["h1", "e2", "e3", "e1", "e4", "e2", "e5", "e1", "e6", "E8", "m7", "e3", "m3", "e9", "e2", "m1"], [4]),
    "timed/lru": (["h1", "e2", "m2", "m2", "e3", "h1", "e4", "m3", "e5", "e1", "h6", "e7", "m7", "e3"], [6, 8, 9]),
    "timed/fifo": (["h1", "e1", "h2", "h2", "e2", "m1", "e3", "m3", "e4", "e5", "h6", "e6", "h7", "e7"], [3, 8, 9]),
    "timed/lfu": (["h1", "e2", "m2", "m2", "e3", "h1", "e4", "m3", "e5", "e6", "m6", "e7", "m7", "e3"], [8, 9, 1]),
    "timed/mru": (["h1", "e1", "h2", "h2", "e2", "m1", "e5", "h3", "e3", "e7", "h6", "e6", "m7", "e8"], [9, 3, 4]),
    "timed/rr": (["h1", "e2", "m2", "m2", "e1", "m1", "e5", "h3", "e3", "e6", "m6", "e4", "h7", "e7"], [3, 8, 9]),
    "timed/ttl": (["h1", "e2", "m2", "m2", "e3", "m1", "m3", "e4", "e5", "h6", "e7", "m7", "e3"], [6, 8, 9]),
    "timed/tlru": (["h1", "e2", "m2", "m2", "e3", "m1", "m3", "h6", "m7", "e5"], [6, 8, 9])
]

final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    func add(_ e: String) { events.withLock { $0.append(e) } }
    var all: [String] { events.withLock { $0 } }
}

/// Runs a sequence through one policy, logging what cachetools' oracle logs.
func runSequence(policy: String, maxSize: Int, weighted: Bool, ops: [Op]) throws -> (events: [String], keys: [Int]) {
    let clock = ManualCacheClock(start: 0)
    let log = EventLog()
    var weigher: (@Sendable (Int, Int) -> Int)? = nil
    if weighted { weigher = { _, v in v } }
    let listener: RemovalListener<Int, Int> = { k, _, cause in if cause == .size { log.add("e\(k)") } }
    let cache: any CacheStore<Int, Int>
    let keys: () -> [Int]
    switch policy {
    case "lru":
        let c = try LRUCache<Int, Int>(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "fifo":
        let c = try FIFOCache<Int, Int>(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "lfu":
        let c = try LFUCache<Int, Int>(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "mru":
        let c = try MRUCache<Int, Int>(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "rr":
        let c = try RRCache<Int, Int>(maxSize: maxSize, weigher: weigher, clock: clock, seed: 7, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "ttl":
        let c = try TTLCache<Int, Int>(maxSize: maxSize, ttl: .seconds(10), weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    case "tlru":
        let c = try TLRUCache<Int, Int>(
            maxSize: maxSize, ttu: { _, v, now in now + Double(v) }, weigher: weigher, clock: clock, onRemoval: listener)
        cache = c
        keys = { c.keys }
    default:
        fatalError("unknown policy \(policy)")
    }
    for op in ops {
        switch op {
        case .t(let t): clock.set(t)
        case .g(let k): log.add(try cache.value(forKey: k) != nil ? "h\(k)" : "m\(k)")
        case .d(let k): _ = try cache.removeValue(forKey: k)
        case .s(let k, let v):
            do { try cache.setValue(v, forKey: k) } catch let e as CacheStoreError where e.kind == .itemTooLarge {
                log.add("E\(k)")
            }
        }
    }
    return (log.all, keys())
}

@Suite("Eviction order matches cachetools 8.0.2")
struct EvictionOrderTests {
    @Test(arguments: cachetoolsExpected.keys.sorted())
    func sequenceMatchesCachetools(_ name: String) throws {
        let parts = name.split(separator: "/").map(String.init)
        let seq = try #require(sequences[parts[0]])
        let expected = try #require(cachetoolsExpected[name])
        let got = try runSequence(policy: parts[1], maxSize: seq.maxSize, weighted: seq.weighted, ops: seq.ops)
        #expect(got.events == expected.events, "\(name) events")
        #expect(got.keys == expected.keys, "\(name) final keys")
    }

    @Test func lfuTieBreakIsArrivalAtCount() throws {
        let c = try LFUCache<String, Int>(maxSize: 3)
        c["a"] = 1; c["b"] = 2; c["c"] = 3
        _ = c["c"]; _ = c["a"]  // c reaches 2 before a
        #expect(c.keys == ["b", "c", "a"])
        #expect(c.useCount(forKey: "a") == 2)
        #expect(c.contains("b"))  // contains does not count a use
        #expect(c.peekValue(forKey: "b") == 2)  // nor does peekValue
        #expect(c.stats.hits == 2)
        #expect(c.useCount(forKey: "b") == 1)
        c["d"] = 4  // evicts b (count 1)
        #expect(c.keys == ["d", "c", "a"])
        c["e"] = 5  // evicts d: the only count-1 key
        #expect(c.keys == ["e", "c", "a"])
    }

    @Test func rrIsReproducibleWithASeed() throws {
        func evictions(seed: UInt64) throws -> [Int] {
            let log = EventLog()
            let c = try RRCache<Int, Int>(maxSize: 16, seed: seed, onRemoval: { k, _, _ in log.add("\(k)") })
            for i in 0..<200 { c[i] = i }
            return log.all.map { Int($0)! }
        }
        #expect(try evictions(seed: 1) == evictions(seed: 1))
        #expect(try evictions(seed: 1) != evictions(seed: 2))
        #expect(try evictions(seed: 1).count == 184)
    }

    @Test func fifoHitDoesNotReorderButUpdateDoes() throws {
        let c = try FIFOCache<Int, Int>(maxSize: 3)
        c[1] = 1; c[2] = 2; c[3] = 3
        _ = c[1]
        #expect(c.keys == [1, 2, 3])
        c[1] = 10
        #expect(c.keys == [2, 3, 1])
    }

    @Test func mruEvictsMostRecentlyUsed() throws {
        let c = try MRUCache<Int, Int>(maxSize: 3)
        c[1] = 1; c[2] = 2; c[3] = 3
        _ = c[1]
        #expect(c.keys == [1, 3, 2])
        c[4] = 4  // evicts 1, the most recently used
        #expect(c.keys == [4, 3, 2])
    }
}
