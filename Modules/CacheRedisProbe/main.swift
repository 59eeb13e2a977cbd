import CacheAsync
import CacheCore
import CacheRedis
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A child process for the cross-process Redis tests:
//   cache-redis-probe memo  URL ARG   sync Memoized over RedisSyncStore: prints "computed V" or "hit V"
//   cache-redis-probe lease URL ARG   RedisStore's distributed single-flight (300 ms loader): prints the outcome
//   cache-redis-probe async-memo URL ARG   AsyncMemoized over AsyncCache over RedisStore (300 ms loader):
//                                          prints "computed V" or "hit V"
let arguments = CommandLine.arguments
guard arguments.count == 4, let argument = Int(arguments[3]) else {
    print("usage: cache-redis-probe memo|lease|async-memo URL ARG")
    exit(2)
}
let client: RedisClient
do {
    client = try RedisClient(url: arguments[2])
} catch {
    print("error \(error)")
    exit(2)
}

switch arguments[1] {
case "memo":
    let computed = Atomic<Bool>(false)
    let store = RedisSyncStore<Int>(client: client)
    let square = try Memoized(store: store, name: "probe-square", version: "1") { (n: Int) -> Int in
        computed.store(true, ordering: .relaxed)
        return n * n
    }
    let value = try square(argument)
    print("\(computed.load(ordering: .relaxed) ? "computed" : "hit") \(value)")
case "lease":
    let store = RedisStore<Int>(client: client)
    let key = try CacheKey(name: "probe-lease", arguments: argument)
    let (value, outcome) = try await store.value(forKey: key, ttl: .seconds(60)) {
        try await Task.sleep(for: .milliseconds(300))
        return argument + 1
    }
    print("\(outcome) \(value)")
case "async-memo":
    let computed = Atomic<Bool>(false)
    let store = RedisStore<AsyncCacheEntry<Int>>(client: client)
    let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60)))
    let plusOne = try AsyncMemoized(cache: cache, name: "probe-async", version: "1") { (n: Int) async throws -> Int in
        computed.store(true, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(300))
        return n + 1
    }
    let value = try await plusOne(argument)
    print("\(computed.load(ordering: .relaxed) ? "computed" : "hit") \(value)")
default:
    print("unknown command \(arguments[1])")
    exit(2)
}
await client.close()
