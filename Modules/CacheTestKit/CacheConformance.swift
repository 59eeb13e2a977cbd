import CacheCore
import Dispatch
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The conformance suite every backend's tests run (like fluent-kit's FluentBenchmark):
/// get/set/remove/clear, overwrite, stats consistency, the bound never exceeded,
/// a concurrency smoke, recursion and single-flight through ``Memoized``, and —
/// for ``CacheKey`` stores — key-type distinctness.
///
/// ```swift
/// @Test func conformance() throws {
///     try CacheConformance(
///         makeStore: { capacity in try MyStore<Int, String>(maxSize: capacity ?? 1_000) },
///         key: { $0 }, value: { "v\($0)" }
///     ).run()
/// }
/// ```
/// Failures are reported through Swift Testing's `#expect`, with the check's name.
public struct CacheConformance<Store: CacheStore>: Sendable where Store.Value: Equatable {
    /// Makes a fresh, empty store bounded to `capacity` entries (or unbounded for `nil`).
    public let makeStore: @Sendable (_ capacity: Int?) throws -> Store
    /// The key for test item `i`; distinct `i` must give distinct keys.
    public let key: @Sendable (Int) -> Store.Key
    /// The value for test item `i`; distinct `i` must give distinct values.
    public let value: @Sendable (Int) -> Store.Value
    /// Whether the store bounds its size (some, like a disk cache without a limit, do not).
    public let isBounded: Bool
    /// Whether stats report hits and misses exactly (a shared server may not).
    public let exactStats: Bool

    public init(
        makeStore: @escaping @Sendable (_ capacity: Int?) throws -> Store,
        key: @escaping @Sendable (Int) -> Store.Key,
        value: @escaping @Sendable (Int) -> Store.Value,
        isBounded: Bool = true,
        exactStats: Bool = true
    ) {
        self.makeStore = makeStore
        self.key = key
        self.value = value
        self.isBounded = isBounded
        self.exactStats = exactStats
    }

    /// Runs every check.
    public func run() throws {
        try getSetRemoveClear()
        try overwrite()
        try statsConsistency()
        if isBounded { try boundNeverExceeded() }
        try concurrencySmoke()
        try recursionThroughMemoize()
        try singleFlight()
    }

    public func getSetRemoveClear() throws {
        let store = try makeStore(nil)
        #expect(try store.value(forKey: key(1)) == nil, "empty store returned a value")
        try store.setValue(value(1), forKey: key(1))
        try store.setValue(value(2), forKey: key(2))
        #expect(try store.value(forKey: key(1)) == value(1), "get after set")
        #expect(try store.contains(key(2)), "contains after set")
        #expect(try !store.contains(key(3)), "contains of an absent key")
        #expect(store.count == 2, "count after two sets")
        #expect(try store.removeValue(forKey: key(1)) == value(1), "remove returns the value")
        #expect(try store.value(forKey: key(1)) == nil, "get after remove")
        #expect(try store.removeValue(forKey: key(1)) == nil, "remove of an absent key")
        try store.removeAll()
        #expect(store.count == 0, "count after removeAll")
        #expect(try store.value(forKey: key(2)) == nil, "get after removeAll")
    }

    public func overwrite() throws {
        let store = try makeStore(nil)
        try store.setValue(value(1), forKey: key(7))
        try store.setValue(value(2), forKey: key(7))
        #expect(try store.value(forKey: key(7)) == value(2), "overwrite keeps the newest value")
        #expect(store.count == 1, "overwrite does not add an entry")
    }

    public func statsConsistency() throws {
        let store = try makeStore(nil)
        for i in 0..<10 { try store.setValue(value(i), forKey: key(i)) }
        for i in 0..<15 { _ = try store.value(forKey: key(i)) }
        let stats = store.stats
        #expect(stats.count == 10, "stats.count")
        if exactStats {
            #expect(stats.hits == 10, "stats.hits after 10 hits")
            #expect(stats.misses == 5, "stats.misses after 5 misses")
        }
        _ = try store.contains(key(0))
        _ = try store.peekValue(forKey: key(0))
        if exactStats {
            #expect(store.stats.hits == 10 && store.stats.misses == 5, "contains/peek must not count")
        }
    }

    public func boundNeverExceeded() throws {
        let capacity = 16
        let store = try makeStore(capacity)
        for i in 0..<(capacity * 10) {
            try store.setValue(value(i), forKey: key(i))
            #expect(store.count <= capacity, "count \(store.count) exceeded the bound \(capacity) after \(i + 1) sets")
            if i % 3 == 0 { _ = try store.value(forKey: key(i / 2)) }
        }
        #expect(store.count > 0, "a bounded store kept nothing")
        #expect(store.stats.evictionCount >= capacity * 9 || !exactStats, "evictions were not counted")
    }

    public func concurrencySmoke() throws {
        let store = try makeStore(64)
        let wrong = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let key = self.key, value = self.value
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var seed = UInt64(thread + 1)
            for _ in 0..<2_000 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let i = Int(seed >> 33) % 128
                do {
                    switch seed >> 61 {
                    case 0, 1, 2: try store.setValue(value(i), forKey: key(i))
                    case 3: _ = try store.removeValue(forKey: key(i))
                    default:
                        if let v = try store.value(forKey: key(i)), v != value(i) { wrong.add(1, ordering: .relaxed) }
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0, "a read returned another key's value")
        #expect(failures.load(ordering: .relaxed) == 0, "operations failed under concurrency")
        #expect(store.count <= 128, "count beyond the keys written")
    }

    public func recursionThroughMemoize() throws {
        let store = try makeStore(nil)
        let key = self.key, value = self.value
        let calls = Atomic<Int>(0)
        // chain(n) needs chain(n - 1) first: 50 nested memoized calls.
        let chain = try Memoized(store: store, name: "conformance-chain", key: { (n: Int) in key(n) }) {
            (chain, n: Int) throws -> Store.Value in
            calls.add(1, ordering: .relaxed)
            if n > 0 {
                let previous = try chain(n - 1)
                #expect(previous == value(n - 1), "recursive call returned a wrong value")
            }
            return value(n)
        }
        #expect(try chain(50) == value(50))
        #expect(try chain(50) == value(50))
        #expect(calls.load(ordering: .relaxed) == 51, "each step computed once")
    }

    public func singleFlight() throws {
        let store = try makeStore(nil)
        let value = self.value
        let calls = Atomic<Int>(0)
        let slow = try Memoized(store: store, name: "conformance-single-flight", key: { [key] (n: Int) in key(n) }) { (n: Int) in
            calls.add(1, ordering: .relaxed)
            usleep(30_000)
            return value(n)
        }
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if (try? slow(99)) != value(99) { wrong.add(1, ordering: .relaxed) }
        }
        #expect(calls.load(ordering: .relaxed) == 1, "16 concurrent callers of one key ran the function \(calls.load(ordering: .relaxed)) times")
        #expect(wrong.load(ordering: .relaxed) == 0, "a caller got a wrong value")
    }
}

extension CacheConformance where Store.Key == CacheKey {
    /// `"1"`, `1`, `1.0` and `true` are four keys; so are `[1, 2]` and `[2, 1]`.
    public func keyTypeDistinctness() throws {
        let store = try makeStore(nil)
        let keys = try [
            CacheKey(name: "f", arguments: "1"), CacheKey(name: "f", arguments: 1),
            CacheKey(name: "f", arguments: 1.0), CacheKey(name: "f", arguments: true),
            CacheKey(name: "f", arguments: [1, 2]), CacheKey(name: "f", arguments: [2, 1]),
            CacheKey(name: "g", arguments: 1), CacheKey(name: "f", version: "2", arguments: 1),
        ]
        for (i, k) in keys.enumerated() { try store.setValue(value(i), forKey: k) }
        #expect(store.count == keys.count, "distinct keys collided")
        for (i, k) in keys.enumerated() {
            #expect(try store.value(forKey: k) == value(i), "key \(k) returned another key's value")
        }
    }

    /// Every check, plus key-type distinctness.
    public func runWithKeyChecks() throws {
        try run()
        try keyTypeDistinctness()
    }
}
