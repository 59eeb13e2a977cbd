import CacheCore
import CacheTestKit
import Foundation
import Synchronization
import Testing
@testable import CacheDisk

@Suite struct DiskStoreConformanceTests {
    @Test func diskCacheConformance() throws {
        try CacheConformance(
            makeStore: { _ in try DiskStore<String>(directory: temporaryDirectory("conf")) },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { "v\($0)" },
            isBounded: false
        ).runWithKeyChecks()
    }

    @Test func fanoutConformance() throws {
        try CacheConformance(
            makeStore: { _ in DiskStore<Int>(cache: try FanoutDiskCache(directory: temporaryDirectory("fanconf"), shardCount: 4)) },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { $0 * 10 },
            isBounded: false
        ).runWithKeyChecks()
    }

    @Test func namespacedStoresShareADirectoryApart() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        let a = DiskStore<Int>(cache: cache, namespace: "a")
        let b = DiskStore<Int>(cache: cache, namespace: "b")
        let key = try CacheKey(name: "f", arguments: 1)
        try a.setValue(1, forKey: key)
        try b.setValue(2, forKey: key)
        #expect(try a.value(forKey: key) == 1)
        #expect(try b.value(forKey: key) == 2)
        try a.removeAll()
        #expect(a.count == 0 && b.count == 1)
    }

    @Test func memoizedOverTheStoreRecursesAndPersists() throws {
        let dir = temporaryDirectory()
        let calls = Atomic<Int>(0)
        do {
            let store = try DiskStore<Int>(directory: dir)
            let fib = try Memoized(store: store, name: "fib") { (fib, n: Int) throws -> Int in
                calls.add(1, ordering: .relaxed)
                return n < 2 ? n : try fib(n - 1) + fib(n - 2)
            }
            #expect(try fib(40) == 102_334_155)
            #expect(calls.load(ordering: .relaxed) == 41)
        }
        let reopened = try DiskStore<Int>(directory: dir)
        let fib = try Memoized(store: reopened, name: "fib") { (fib, n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            return n < 2 ? n : try fib(n - 1) + fib(n - 2)
        }
        #expect(try fib(40) == 102_334_155)
        #expect(calls.load(ordering: .relaxed) == 41, "a new process (instance) reads the persisted results")
    }

    @Test func engineRegistrationHonoursTheConfiguration() throws {
        let registry = CacheRegistry()
        CacheDiskEngine.register(in: registry)
        #expect(registry.isRegistered("CacheDisk"))
        let dir = temporaryDirectory()
        let store = try registry.makeStore(engine: "CacheDisk", of: [UInt8].self, configuration: CacheConfiguration(
            maxSize: 2_000, policy: .fifo, ttl: .seconds(3600), directory: dir))
        for i in 0..<10 { try store.setValue(bytes(500, seed: UInt8(i)), forKey: try CacheKey(name: "e", arguments: i)) }
        #expect(store.stats.bytes <= 2_000, "maxSize is a byte limit")
        #expect(store.capabilities.contains(.persistent))
        let fanout = try registry.makeStore(engine: "CacheDisk", of: String.self, configuration: CacheConfiguration(
            directory: temporaryDirectory(), options: ["shards": "4"]))
        try fanout.setValue("x", forKey: try CacheKey(name: "e", arguments: 1))
        #expect(try fanout.value(forKey: try CacheKey(name: "e", arguments: 1)) == "x")
        #expect(throws: CacheConfigurationError.self) {
            _ = try registry.makeStore(engine: "CacheDisk", of: Int.self, configuration: CacheConfiguration(policy: .lru))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try registry.makeStore(engine: "CacheDisk", of: Int.self, configuration: CacheConfiguration(policy: .rr, directory: dir))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try registry.makeStore(engine: "CacheDisk", of: Int.self, configuration: CacheConfiguration(directory: dir, options: ["bogus": "1"]))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: -1))
        }
    }

    @Test func asyncAdapterRoundTrips() async throws {
        let registry = CacheRegistry()
        CacheDiskEngine.register(in: registry)
        let store = try registry.makeAsyncStore(engine: "CacheDisk", of: String.self, configuration: CacheConfiguration(directory: temporaryDirectory()))
        let keys = try (0..<20).map { try CacheKey(name: "a", arguments: $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, key) in keys.enumerated() { group.addTask { try await store.setValue("v\(i)", forKey: key, ttl: nil) } }
            try await group.waitForAll()
        }
        let found = try await store.values(forKeys: keys)
        #expect(found.count == 20)
        #expect(found[keys[3]] == "v3")
        #expect(try await store.removeValue(forKey: keys[0]) != nil)
        #expect(try await store.value(forKey: keys[0]) == nil)
        #expect(await store.stats.count == 19)
        try await store.removeAll()
        #expect(await store.stats.count == 0)
    }
}

/// CacheTestKit's async conformance suite over the async adapter (SQLite off the cooperative pool).
@Suite struct AsyncDiskStoreConformanceTests {
    @Test func asyncDiskStore() async throws {
        try await AsyncCacheConformance(
            makeStore: { _ in AsyncDiskStore(try DiskStore<String>(directory: temporaryDirectory("aconf"))) },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { "v\($0)" },
            isBounded: false
        ).runWithKeyChecks()
    }

    @Test func asyncFanoutDiskStore() async throws {
        try await AsyncCacheConformance(
            makeStore: { _ in AsyncDiskStore(DiskStore<Int>(cache: try FanoutDiskCache(directory: temporaryDirectory("afanconf"), shardCount: 4))) },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { $0 * 10 },
            isBounded: false
        ).runWithKeyChecks()
    }
}
