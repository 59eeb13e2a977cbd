import CacheAsync
import CacheCore
import CacheRedis
import CacheTestKit
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 10, defect 6: with Redis unreachable a read is a miss plus a counted read
/// failure, and an outage is logged once (a warning when the first command fails, an
/// info at the next success), not once per call — through the async store and
/// AsyncCache/AsyncMemoized, and through the sync store and Memoized. A real
/// redis-server is killed and restarted on the same port.
@Suite(.serialized) struct RedisOutageAccountingTests {
    @Test func asyncStoreCountsFailedReadsAndWarnsOncePerOutage() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let log = CapturedLog()
        let client = try RedisClient(url: server.url + "?timeout=500&connectTimeout=300&prefix=outage:", logger: log.logger)
        let store = RedisStore<AsyncCacheEntry<Int>>(client: client, logger: log.logger)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60), logger: log.logger))
        let computed = Atomic<Int>(0)
        let square = try AsyncMemoized(cache: cache, name: "square") { (n: Int) async throws -> Int in
            computed.add(1, ordering: .relaxed)
            return n * n
        }
        for i in 0..<5 { #expect(try await square(i) == i * i) }
        for i in 0..<5 { #expect(try await square(i) == i * i) }
        let before = await cache.stats
        #expect(before.hits == 5 && before.readFailures == 0)   // misses: the lookup and the re-check under the lease
        #expect(log.count(.warning) == 0)

        server.kill()
        for i in 0..<10 { #expect(try await square(i) == i * i, "values stay right while Redis is down") }
        let during = await cache.stats
        #expect(during.misses - before.misses == 10, "every failed read is a miss")
        #expect(during.readFailures == 10, "and a counted read failure")
        #expect(during.hits == before.hits)
        #expect(log.count(.warning) == 1, "one warning for the outage, not one per call: \(log.warnings)")
        #expect(log.warnings.first?.contains("unreachable") == true)

        try server.start() // the outage ends at the next command that gets a reply
        #expect(try await square(20) == 400)
        #expect(log.count(.info) == 1, "the recovery is logged once")
        for i in 0..<3 { #expect(try await square(i) == i * i) }

        server.kill() // a second outage: a second warning
        for i in 0..<3 { #expect(try await square(i) == i * i) }
        #expect(log.count(.warning) == 2, "\(log.warnings)")
        #expect((await cache.stats).readFailures == 13)
        await client.close()
    }

    @Test func syncStoreCountsFailedReadsAndWarnsOncePerOutage() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let log = CapturedLog()
        let client = try RedisClient(url: server.url + "?timeout=500&connectTimeout=300&prefix=outage-sync:", logger: log.logger)
        let store = RedisSyncStore<Int>(client: client, serializer: CacheSerializers.default(for: Int.self), logger: log.logger)
        let computed = Atomic<Int>(0)
        let cube = try Memoized(store: store, name: "cube", options: MemoizeOptions(logger: log.logger)) { (n: Int) -> Int in
            computed.add(1, ordering: .relaxed)
            return n * n * n
        }
        let cubes = (0..<5).map { $0 * $0 * $0 }
        #expect(try await onDedicatedThread { try (0..<5).map { try cube($0) } } == cubes)
        #expect(try await onDedicatedThread { try (0..<5).map { try cube($0) } } == cubes)
        #expect(store.stats.hits == 5 && store.stats.misses == 5)
        #expect(computed.load(ordering: .relaxed) == 5)

        server.kill()
        #expect(try await onDedicatedThread { try (0..<10).map { try cube($0) } } == (0..<10).map { $0 * $0 * $0 },
                "values stay right while Redis is down")
        #expect(store.stats.misses == 15, "every failed read is a miss")
        #expect(store.stats.readFailures == 10)
        #expect(cube.info.storeFailures == 10, "results not stored are counted")
        #expect(log.count(.warning) == 1, "one warning for the outage, not one per call: \(log.warnings)")

        try server.start()
        #expect(try await onDedicatedThread { try cube(30) } == 27_000)
        #expect(log.count(.info) == 1)
        #expect(log.count(.warning) == 1)
        await client.close()
    }
}
