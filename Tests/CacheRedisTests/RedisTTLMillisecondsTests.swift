import CacheCore
import CacheRESP
@testable import CacheRedis
import Testing

/// Issue 18, case 4 for CacheRedis: TTLs go to Redis as whole milliseconds rounded up
/// from the exact `Duration` (never expiring early, never a spurious extra millisecond).
@Suite(.serialized) struct RedisTTLMillisecondsTests {
    @Test func setCommandSendsPX300For300msNot301() {
        func px(_ ttl: Duration) -> String? {
            RedisStore<Int>.setCommand([], [], ttl: ttl).last.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(px(.milliseconds(300)) == "300")
        #expect(px(.microseconds(300_001)) == "301")
        #expect(px(.nanoseconds(1)) == "1")
        #expect(px(.seconds(90)) == "90000")
    }

    @Test func pxIsExactMillisecondsRoundedUpNotDoubleRoundedOrTruncated() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try RedisClient(url: server.url + "?timeout=1000&connectTimeout=500&prefix=ms:")
        let store = RedisStore<Int>(client: client)
        func pttl(_ key: CacheKey) async throws -> Int64 {
            try await client.send([Array("PTTL".utf8), store.keys.redisKey(key)]).integer ?? -9
        }
        let exact = try CacheKey(name: "ms", arguments: 1), up = try CacheKey(name: "ms", arguments: 2)
        let tiny = try CacheKey(name: "ms", arguments: 3)
        // .milliseconds(300) used to become 0.30000000000000004 s, sent as PX 301. TTLs of
        // about 30 s keep the check independent of how busy the machine is.
        try await store.setValue(1, forKey: exact, ttl: .milliseconds(30_300))
        try await store.setValue(2, forKey: up, ttl: .microseconds(30_300_001))
        try await store.setValue(3, forKey: tiny, ttl: .nanoseconds(1))
        let t1 = try await pttl(exact), t2 = try await pttl(up)
        #expect(t1 > 20_000 && t1 <= 30_300, "PTTL \(t1)")
        #expect(t2 > 20_000 && t2 <= 30_301, "PTTL \(t2)")
        #expect(try await store.value(forKey: up) == 2)
        await client.close()
    }
}
