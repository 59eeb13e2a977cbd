import CacheAutoSelect
import CacheCore
import CacheRESP
import CacheRedis
import Foundation
import Synchronization
import Testing

/// Issue 11 point 8: `name@version` appears in a Redis key once. Each test lists the raw
/// keys on a real redis-server (`KEYS *`, on a server of its own) rather than the store's view.
/// Calls through the synchronous store (`RedisSyncStore`, what `memoize` makes) run on a
/// dedicated thread, never blocking the cooperative pool.
@Suite(.serialized) struct RedisNamespaceOnceTests {
    func rawKeys(_ server: RedisServer) async throws -> [[UInt8]] {
        let client = try RedisClient(url: server.url + "?timeout=2000")
        let reply = try await client.send([Array("KEYS".utf8), Array("*".utf8)])
        await client.close()
        guard case .array(let items?) = reply else {
            Issue.record("KEYS did not answer an array: \(reply)")
            return []
        }
        return items.compactMap(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }
    }

    func occurrences(of needle: String, in haystack: [UInt8]) -> Int {
        let pattern = Array(needle.utf8)
        guard haystack.count >= pattern.count else { return 0 }
        return (0...(haystack.count - pattern.count)).filter { haystack[$0..<($0 + pattern.count)].elementsEqual(pattern) }.count
    }

    /// The namespace of a raw value key under `prefix`.
    func namespace(of raw: [UInt8], prefix: String) -> String? {
        guard raw.starts(with: Array(prefix.utf8)) else { return nil }
        return CacheKey(storageBytes: Array(raw.dropFirst(prefix.utf8.count)))?.namespace
    }

    func redisOnly() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheRedisEngine.register(in: registry)
        return registry
    }

    @Test func memoizeThroughAutoSelectWritesNameAtVersionOnce() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let square = try memoize(name: "fib", version: "1", hints: .init(concurrency: .distributed), registry: redisOnly(),
                                 settings: [.redis(url: server.url + "?prefix=app:")]) { (n: Int) -> Int in n * n }
        #expect(square.engine == CacheRedisEngine.id)
        #expect(try await onDedicatedThread { try square(7) } == 49)
        let keys = try await rawKeys(server)
        #expect(keys.count == 1)
        for raw in keys {
            #expect(occurrences(of: "fib@1", in: raw) == 1, "raw key \(String(decoding: raw, as: UTF8.self))")
            #expect(namespace(of: raw, prefix: "app:") == "fib@1")
        }
        #expect(try await onDedicatedThread { try square(7) } == 49)
        #expect(try await onDedicatedThread { square.info.hits } == 1)
    }

    @Test func directStoresWriteNameAtVersionOnceAndScopeTheirClearing() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try RedisClient(url: server.url + "?timeout=2000&prefix=p:")
        let own = try Memoized(store: RedisSyncStore<Int>(client: client, namespace: "fib@1"), name: "fib", version: "1") { (n: Int) in n + 1 }
        let plain = try Memoized(store: RedisSyncStore<Int>(client: client), name: "inc", version: "2") { (n: Int) in n + 2 }
        let tenant = RedisStore<Int>(client: client, namespace: "tenant")
        #expect(try await onDedicatedThread { try own(1) } == 2)
        #expect(try await onDedicatedThread { try plain(1) } == 3)
        try await tenant.setValue(4, forKey: try CacheKey(name: "fib", version: "1", arguments: 1), ttl: nil)
        let namespaces = try await rawKeys(server).map { raw in
            #expect(occurrences(of: "fib@1", in: raw) + occurrences(of: "inc@2", in: raw) == 1,
                    "raw key \(String(decoding: raw, as: UTF8.self))")
            return namespace(of: raw, prefix: "p:")
        }
        #expect(Set(namespaces.compactMap { $0 }) == ["fib@1", "inc@2", "tenant/fib@1"])
        #expect(try await onDedicatedThread { try own(1) } == 2, "the tenant's equal key is a different entry")
        #expect(try await tenant.countEntries() == 1)
        #expect(try await onDedicatedThread { own.store.count } == 1)
        try await onDedicatedThread { try own.clear() }
        #expect(Set(try await rawKeys(server).compactMap { namespace(of: $0, prefix: "p:") }) == ["inc@2", "tenant/fib@1"],
                "clear() covers its namespace only")
        #expect(try await tenant.removeAll(inNamespace: "fib@1") == 1, "a key namespace within the store's")
        #expect(Set(try await rawKeys(server).compactMap { namespace(of: $0, prefix: "p:") }) == ["inc@2"])
        await client.close()
    }

    /// A key written by the old layout (`<prefix>fib@1:` + the key, which carries `fib@1`
    /// again) is never read as the new key: the first call computes.
    @Test func keysWithTheDoubledNamespaceMiss() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let key = try CacheKey(name: "fib", version: "1", arguments: 7)
        // The old engine appended the namespace to the prefix: a store on prefix `app:fib@1:`
        // writes exactly the old layout.
        let legacy = RedisStore<Int>(client: try RedisClient(url: server.url + "?timeout=2000&prefix=app:fib@1:"))
        try await legacy.setValue(-1, forKey: key, ttl: nil)
        #expect(try await rawKeys(server).contains { occurrences(of: "fib@1", in: $0) == 2 })
        let calls = Atomic<Int>(0)
        let square = try memoize(name: "fib", version: "1", hints: .init(concurrency: .distributed), registry: redisOnly(),
                                 settings: [.redis(url: server.url + "?prefix=app:")]) { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            return n * n
        }
        #expect(try await onDedicatedThread { try square(7) } == 49, "never the old key's -1")
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(try await rawKeys(server).count == 2)
        await legacy.client.close()
    }
}
