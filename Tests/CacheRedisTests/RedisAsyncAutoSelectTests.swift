import CacheAsync
import CacheAutoSelect
import CacheCore
import CacheRedis
import Foundation
import Synchronization
import Testing

/// Async auto-selection over a real redis-server: a `distributed` hint on an `async`
/// function chooses CacheRedis's `RedisStore`; a second instance (as on another machine) is
/// served what the first stored, and two instances loading one missing key run it once
/// (the lease lock, reached through the type-erased store).
@Suite(.serialized) struct RedisAsyncAutoSelectTests {
    final class Calls: Sendable { let count = Atomic<Int>(0) }

    func registry() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheAsyncEngine.register(in: registry)
        CacheRedisEngine.register(in: registry)
        return registry
    }

    func slowSquare(_ server: RedisServer, calls: Calls) throws -> SelectedAsyncMemoized<Int, Int> {
        try memoize(name: "square", version: "1", hints: CacheHints(concurrency: .distributed), registry: registry(),
                    settings: [.redis(url: server.url)]) { (n: Int) async throws -> Int in
            calls.count.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))  // the other instance arrives and waits on the lease
            return n * n
        }
    }

    @Test func aDistributedHintChoosesRedisAndLoadsOnceAcrossInstances() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let calls = Calls()
        let first = try slowSquare(server, calls: calls)
        let second = try slowSquare(server, calls: calls)
        #expect(first.engine == CacheRedisEngine.id)
        #expect(first.explanation.storeKind == .async)
        #expect(first.memoized.cache.store.base is RedisStore<AsyncCacheEntry<Int>>)
        async let a = first(9)
        async let b = second(9)
        #expect(await [try a, try b] == [81, 81])
        #expect(calls.count.load(ordering: .relaxed) == 1)
        // A third instance is served from the server.
        let third = try slowSquare(server, calls: calls)
        #expect(try await third(9) == 81)
        #expect(calls.count.load(ordering: .relaxed) == 1)
        #expect(await third.info.hits == 1)
    }

    @Test func asyncAutoMemoizeOverRedisKeepsItsResultsOnTheServer() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let calls = Calls()
        func make() throws -> AsyncAutoMemoized<String, String> {
            try autoMemoize(name: "greet", hints: CacheHints(concurrency: .distributed), registry: registry(),
                            settings: [.redis(url: server.url)]) { (who: String) async throws -> String in
                calls.count.add(1, ordering: .relaxed)
                return "hello \(who)"
            }
        }
        let f = try make()
        #expect(f.tiers.map(\.choice.engine) == [CacheRedisEngine.id])
        #expect(try await f("ada") == "hello ada")
        #expect(try await make()("ada") == "hello ada")
        #expect(calls.count.load(ordering: .relaxed) == 1)
    }
}
