import CacheCore
import Testing

/// The conformance suite of ``AsyncCacheStore``s, the async counterpart of
/// ``CacheConformance``: get/set/remove/clear, overwrite, bulk get and set, per-entry TTL
/// where the store offers it, stats consistency, the bound never exceeded, a concurrency
/// smoke of hundreds of tasks, and — for ``CacheKey`` stores — key-type distinctness.
///
/// ```swift
/// @Test func conformance() async throws {
///     try await AsyncCacheConformance(
///         makeStore: { capacity in try AsyncMemoryStore<Int, String>(maxEntries: capacity) },
///         key: { $0 }, value: { "v\($0)" }
///     ).run()
/// }
/// ```
/// Failures are reported through Swift Testing's `#expect`, with the check's name.
public struct AsyncCacheConformance<Store: AsyncCacheStore>: Sendable where Store.Value: Equatable {
    /// Makes a fresh, empty store bounded to `capacity` entries (or unbounded for `nil`).
    public let makeStore: @Sendable (_ capacity: Int?) async throws -> Store
    /// The key for test item `i`; distinct `i` must give distinct keys.
    public let key: @Sendable (Int) -> Store.Key
    /// The value for test item `i`; distinct `i` must give distinct values.
    public let value: @Sendable (Int) -> Store.Value
    /// Whether the store bounds its size.
    public let isBounded: Bool
    /// Whether stats report hits, misses and count exactly (a shared server may not).
    public let exactStats: Bool

    public init(
        makeStore: @escaping @Sendable (_ capacity: Int?) async throws -> Store,
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
    public func run() async throws {
        try await getSetRemoveClear()
        try await overwrite()
        try await bulkGetAndSet()
        try await perEntryTTL()
        try await statsConsistency()
        if isBounded { try await boundNeverExceeded() }
        try await concurrencySmoke()
    }

    public func getSetRemoveClear() async throws {
        let store = try await makeStore(nil)
        #expect(try await store.value(forKey: key(1)) == nil, "empty store returned a value")
        try await store.setValue(value(1), forKey: key(1), ttl: nil)
        try await store.setValue(value(2), forKey: key(2), ttl: nil)
        #expect(try await store.value(forKey: key(1)) == value(1), "get after set")
        #expect(try await store.value(forKey: key(2)) == value(2), "get after set")
        #expect(try await store.contains(key(1)), "contains after set")
        #expect(try await store.peekValue(forKey: key(2)) == value(2), "peek after set")
        #expect(await store.count == 2, "count after two sets")
        #expect(try await store.removeValue(forKey: key(1)) == value(1), "remove of a present key returns its value")
        #expect(try await store.value(forKey: key(1)) == nil, "get after remove")
        #expect(try await !store.contains(key(1)), "contains after remove")
        #expect(try await store.peekValue(forKey: key(1)) == nil, "peek after remove")
        #expect(try await store.removeValue(forKey: key(1)) == nil, "remove of an absent key returns nil")
        #expect(await store.count == 1, "count after remove")
        try await store.removeAll()
        #expect(try await store.value(forKey: key(2)) == nil, "get after removeAll")
        #expect(await store.count == 0, "count after removeAll")
        if exactStats { #expect(await store.stats.count == 0, "stats count after removeAll") }
    }

    public func overwrite() async throws {
        let store = try await makeStore(nil)
        try await store.setValue(value(1), forKey: key(7), ttl: nil)
        try await store.setValue(value(2), forKey: key(7), ttl: nil)
        #expect(try await store.value(forKey: key(7)) == value(2), "overwrite keeps the newest value")
        if exactStats { #expect(await store.stats.count == 1, "overwrite does not add an entry") }
    }

    public func bulkGetAndSet() async throws {
        let store = try await makeStore(nil)
        var entries: [Store.Key: Store.Value] = [:]
        for i in 0..<20 { entries[key(i)] = value(i) }
        try await store.setValues(entries, ttl: nil)
        let found = try await store.values(forKeys: (10..<30).map(key))
        #expect(found.count == 10, "bulk get found \(found.count) of the 10 present keys")
        for i in 10..<20 { #expect(found[key(i)] == value(i), "bulk get returned a wrong value for item \(i)") }
        #expect(try await store.values(forKeys: []).isEmpty, "bulk get of no keys")
        try await store.setValues([:], ttl: nil)
    }

    /// With `.perEntryTTL`: entries written with a long TTL (one by one and in bulk) are served.
    /// (Expiry itself needs the store's clock; each backend's own tests drive it.)
    public func perEntryTTL() async throws {
        let store = try await makeStore(nil)
        guard store.capabilities.contains(.perEntryTTL) else { return }
        try await store.setValue(value(3), forKey: key(3), ttl: .seconds(3_600))
        #expect(try await store.value(forKey: key(3)) == value(3), "an entry with a TTL of an hour is served")
        var entries: [Store.Key: Store.Value] = [:]
        for i in 40..<45 { entries[key(i)] = value(i) }
        try await store.setValues(entries, ttl: .seconds(3_600))
        #expect(try await store.values(forKeys: (40..<45).map(key)).count == 5, "bulk set with a TTL")
    }

    public func statsConsistency() async throws {
        let store = try await makeStore(nil)
        for i in 0..<10 { try await store.setValue(value(i), forKey: key(i), ttl: nil) }
        for i in 0..<15 { _ = try await store.value(forKey: key(i)) }
        let stats = await store.stats
        if exactStats {
            #expect(stats.count == 10, "stats.count")
            #expect(stats.hits == 10, "stats.hits after 10 hits")
            #expect(stats.misses == 5, "stats.misses after 5 misses")
        } else {
            #expect(stats.hits >= 10, "stats.hits after 10 hits")
        }
    }

    public func boundNeverExceeded() async throws {
        let capacity = 16
        let store = try await makeStore(capacity)
        for i in 0..<(capacity * 10) {
            try await store.setValue(value(i), forKey: key(i), ttl: nil)
            let count = await store.stats.count
            #expect(count <= capacity, "count \(count) exceeded the bound \(capacity) after \(i + 1) sets")
            if i % 3 == 0 { _ = try await store.value(forKey: key(i / 2)) }
        }
        let stats = await store.stats
        #expect(stats.count > 0, "a bounded store kept nothing")
        #expect(stats.evictionCount >= capacity * 9 || !exactStats, "evictions were not counted")
    }

    /// 200 tasks mixing sets, removes and gets over 128 keys: no read returns another
    /// key's value, nothing fails.
    public func concurrencySmoke() async throws {
        let store = try await makeStore(64)
        let key = self.key, value = self.value
        // Each task returns (wrong reads, failed operations).
        let (wrong, failures) = await withTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<200 {
                group.addTask {
                    var seed = UInt64(task + 1)
                    var wrong = 0, failures = 0
                    for _ in 0..<50 {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        let i = Int(seed >> 33) % 128
                        do {
                            switch seed >> 61 {
                            case 0, 1, 2: try await store.setValue(value(i), forKey: key(i), ttl: nil)
                            case 3: _ = try await store.removeValue(forKey: key(i))
                            default:
                                if let v = try await store.value(forKey: key(i)), v != value(i) { wrong += 1 }
                            }
                        } catch {
                            failures += 1
                        }
                    }
                    return (wrong, failures)
                }
            }
            var totals = (0, 0)
            for await (wrong, failures) in group { totals.0 += wrong; totals.1 += failures }
            return totals
        }
        #expect(wrong == 0, "\(wrong) reads returned another key's value")
        #expect(failures == 0, "\(failures) operations failed under concurrency")
        if exactStats { #expect(await store.stats.count <= 128, "count beyond the keys written") }
    }
}

extension AsyncCacheConformance where Store.Key == CacheKey {
    /// `"1"`, `1`, `1.0` and `true` are four keys; so are `[1, 2]` and `[2, 1]`.
    public func keyTypeDistinctness() async throws {
        let store = try await makeStore(nil)
        let keys = try [
            CacheKey(name: "f", arguments: "1"), CacheKey(name: "f", arguments: 1),
            CacheKey(name: "f", arguments: 1.0), CacheKey(name: "f", arguments: true),
            CacheKey(name: "f", arguments: [1, 2]), CacheKey(name: "f", arguments: [2, 1]),
            CacheKey(name: "g", arguments: 1), CacheKey(name: "f", version: "2", arguments: 1),
        ]
        for (i, k) in keys.enumerated() { try await store.setValue(value(i), forKey: k, ttl: nil) }
        for (i, k) in keys.enumerated() {
            #expect(try await store.value(forKey: k) == value(i), "key \(k) returned another key's value")
        }
    }

    /// Every check, plus key-type distinctness.
    public func runWithKeyChecks() async throws {
        try await run()
        try await keyTypeDistinctness()
    }
}
