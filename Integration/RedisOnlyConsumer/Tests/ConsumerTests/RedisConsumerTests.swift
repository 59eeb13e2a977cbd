import CacheCore
import CacheRedis
import Testing

@Test func configuresRedisWithOnlyCacheRedisLinked() throws {
    let server = try RedisConfiguration(url: "redis://reader:s%40cret@cache.internal:6380/2")
    #expect(server.address == "cache.internal:6380")
    #expect(server.database == 2)
    #expect(server.password == "s@cret")
    // The contracts the store keeps come from CacheCore, not from another backend.
    #expect(RedisStore<Int>.self is any ExclusiveLoadingStore.Type)
    #expect(RedisStore<Int>.self is any NamespaceClearingStore.Type)
    let registry = CacheRegistry()
    CacheRedisEngine.register(in: registry)
    #expect(registry.engine(CacheRedisEngine.id)?.traits.capabilities.contains(.distributed) == true)
}
