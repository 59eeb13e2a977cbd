import CacheAsync
import CacheCore
import CacheRedis
import Foundation
import Synchronization
import Testing

/// The outages a real server has besides dying (which `serverKilledMidRunDegradesToComputingThenResumes`
/// covers, restart empty included): paused past the timeout (SIGSTOP), and full
/// (`maxmemory` with `noeviction`). Calls degrade to computing, return right values, never
/// hang past the configured timeout, count each failure, and resume when the server does.
@Suite struct RedisOutageCasesTests {
    @Test func aPausedServerDegradesToComputingWithinTheTimeoutThenResumes() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.resume(); server.stop() }
        let client = try RedisClient(url: server.url + "?timeout=300&connectTimeout=300&prefix=paused:")
        let store = RedisStore<AsyncCacheEntry<Int>>(client: client)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60)))
        let computed = Atomic<Int>(0)
        let cube = try AsyncMemoized(cache: cache, name: "cube") { (n: Int) async throws -> Int in
            computed.add(1, ordering: .relaxed)
            return n * n * n
        }
        for i in 0..<10 { #expect(try await cube(i) == i * i * i) }
        #expect(computed.load(ordering: .relaxed) == 10)

        server.pause()
        let start = ContinuousClock.now
        for i in 10..<16 { #expect(try await cube(i) == i * i * i, "values stay right while Redis is paused") }
        let paused = ContinuousClock.now - start
        // 6 calls, each a read and a write that each give up after the 300 ms timeout.
        #expect(paused < .seconds(12), "calls must not hang past the timeout while the server is paused (took \(paused))")
        #expect(computed.load(ordering: .relaxed) == 16)
        #expect(store.errorCount >= 6, "each failed call is counted (\(store.errorCount))")

        server.resume()
        // The first pass after the pause may still compute (the connections reconnect); a
        // second pass is served by Redis again.
        for i in 0..<16 { #expect(try await cube(i) == i * i * i) }
        let afterResume = computed.load(ordering: .relaxed)
        for i in 0..<16 { #expect(try await cube(i) == i * i * i) }
        #expect(computed.load(ordering: .relaxed) == afterResume, "after the resume the cache serves from Redis again")
        await client.close()
    }

    @Test func aFullServerRefusesWritesAndCallsStillReturnTheirValues() async throws {
        guard let server = try RedisServer.startIfAvailable(["--maxmemory", "3mb", "--maxmemory-policy", "noeviction"]) else { return }
        defer { server.stop() }
        let client = try RedisClient(url: server.url + "?timeout=1000&connectTimeout=500&prefix=full:")
        let store = RedisStore<AsyncCacheEntry<[UInt8]>>(client: client)
        let failures = Atomic<Int>(0)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(600), onStoreFailure: { _, _ in failures.add(1, ordering: .relaxed) }))
        let computed = Atomic<Int>(0)
        let blob = try AsyncMemoized(cache: cache, name: "blob") { (n: Int) async throws -> [UInt8] in
            computed.add(1, ordering: .relaxed)
            return [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: 64 * 1_024)
        }
        var stored = 0
        for i in 0..<200 {
            #expect(try await blob(i) == [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 64 * 1_024), "value \(i)")
            if failures.load(ordering: .relaxed) == 0 { stored = i + 1 }
        }
        #expect(failures.load(ordering: .relaxed) > 0, "3 MB never filled up")
        #expect(stored > 0, "nothing was stored before the server was full")
        #expect(computed.load(ordering: .relaxed) == 200)
        // What was stored before the server filled up is still served by it.
        for i in 0..<min(stored, 10) {
            #expect(try await blob(i) == [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 64 * 1_024))
        }
        #expect(computed.load(ordering: .relaxed) == 200, "entries stored before the server was full are hits")
        await client.close()
    }
}
