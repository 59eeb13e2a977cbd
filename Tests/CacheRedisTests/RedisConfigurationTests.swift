import CacheCore
import CacheRedis
import Testing

@Suite struct RedisConfigurationTests {
    @Test func parsesURLs() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.host == "localhost" && plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let full = try RedisConfiguration(url: "redis://alice:p%40ss@10.0.0.5:6380/3?timeout=250&connectTimeout=100&pool=4&prefix=app:")
        #expect(full.username == "alice" && full.password == "p@ss")
        #expect(full.host == "10.0.0.5" && full.port == 6380 && full.database == 3)
        #expect(full.commandTimeout == .milliseconds(250) && full.connectTimeout == .milliseconds(100))
        #expect(full.poolSize == 4 && full.keyPrefix == "app:")
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@127.0.0.1:7000")
        #expect(passwordOnly.username == nil && passwordOnly.password == "secret" && passwordOnly.port == 7000)
        let v6 = try RedisConfiguration(url: "redis://[::1]:7001/2")
        #expect(v6.host == "::1" && v6.port == 7001 && v6.database == 2)
    }

    @Test func rejectsBadURLs() {
        for url in ["http://x", "redis://host:notaport", "redis://host:70000", "redis://host/db", "redis://h?timeout=-1",
                    "redis://h?pool=0", "redis://[::1", "redis://h?junk", "redis://u%zz:p@h"] {
            #expect(throws: CacheConfigurationError.self, "\(url)") { try RedisConfiguration(url: url) }
        }
    }
}
