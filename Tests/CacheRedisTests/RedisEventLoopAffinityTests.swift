import CacheAsync
import CacheCore
import CacheRESP
import CacheRedis
import NIOPosix
import Testing

/// `RedisClient.withEventLoopAffinity`: the task runs on its connection's event loop,
/// every command goes to that one connection, and failures behave as elsewhere.
@Suite(.serialized) struct RedisEventLoopAffinityTests {
    static func clientID(_ client: RedisClient) async throws -> Int {
        let reply = try await client.send("CLIENT", "ID")
        return try #require(reply.integer.map(Int.init))
    }

    @Test func bodyRunsOnTheConnectionsEventLoopAndUsesOneConnection() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try RedisClient(url: server.url + "?pool=2&timeout=1000")
        // Outside: an ordinary task runs on the cooperative pool and commands rotate over the pool.
        #expect(MultiThreadedEventLoopGroup.currentEventLoop == nil)
        var outside = Set<Int>()
        for _ in 0..<4 { outside.insert(try await Self.clientID(client)) }
        #expect(outside.count == 2, "round robin over a pool of 2")

        let (ids, onLoopThroughout) = try await client.withEventLoopAffinity { () async throws -> (Set<Int>, Bool) in
            var ids = Set<Int>(), onLoop = true
            for i in 0..<50 {
                ids.insert(try await Self.clientID(client))
                onLoop = onLoop && MultiThreadedEventLoopGroup.currentEventLoop != nil
                _ = try await client.send([Array("SET".utf8), Array("affinity:\(i)".utf8), Array("v\(i)".utf8)])
                onLoop = onLoop && MultiThreadedEventLoopGroup.currentEventLoop != nil
            }
            return (ids, onLoop)
        }
        #expect(ids.count == 1, "every command of the body goes to the pinned connection")
        #expect(onLoopThroughout, "the body resumes on the event loop after every reply")
        #expect(MultiThreadedEventLoopGroup.currentEventLoop == nil, "back on the pool afterwards")

        // Pipelines and a store work inside, with the right values.
        let store = RedisStore<String>(client: client)
        let key = try CacheKey(name: "affinity", arguments: 1)
        let (replies, stored) = try await client.withEventLoopAffinity {
            let replies = try await client.pipeline((0..<50).map { [Array("GET".utf8), Array("affinity:\($0)".utf8)] })
            try await store.setValue("through the store", forKey: key, ttl: .seconds(60))
            return (replies, try await store.value(forKey: key))
        }
        #expect(replies.map { $0.text } == (0..<50).map { "v\($0)" })
        #expect(stored == "through the store")
        await client.close()
    }

    @Test func failuresInsideAreTypedAndTheSlotReconnectsAfterARestart() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try RedisClient(url: server.url + "?timeout=500&connectTimeout=300")
        _ = try await client.send("PING")
        server.kill()
        let start = ContinuousClock.now
        await #expect(throws: RedisError.self) {
            try await client.withEventLoopAffinity { try await client.send("PING") }
        }
        #expect(ContinuousClock.now - start < .seconds(10), "no hang past the timeouts")
        try server.start()
        let pong = try await client.withEventLoopAffinity { () async throws -> RESPValue in
            // The first command may still meet the dead connection; the next one reconnects.
            if let reply = try? await client.send("PING") { return reply }
            return try await client.send("PING")
        }
        #expect(pong.text == "PONG")
        await client.close()
    }
}
