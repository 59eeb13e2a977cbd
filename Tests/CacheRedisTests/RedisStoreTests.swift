import CacheAsync
import CacheCore
import CacheRESP
import CacheRedis
import CacheTestKit
import Foundation
import Synchronization
import Testing

/// Every test here starts its own redis-server (skipping with a printed reason when the
/// binary is missing, unless SWIFT_CACHE_REQUIRE_SERVICES=1).
@Suite(.serialized) struct RedisStoreTests {
    func client(_ server: RedisServer, query: String = "timeout=1000&connectTimeout=500", prefix: String = "t:") throws -> RedisClient {
        try RedisClient(url: server.url + "?\(query)&prefix=\(prefix)")
    }

    @Test func getSetTTLBulkAndInfo() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server)
        let store = RedisStore<String>(client: client)
        let k1 = try CacheKey(name: "f", arguments: 1), k2 = try CacheKey(name: "f", arguments: 2)
        #expect(try await store.value(forKey: k1) == nil)
        try await store.setValue("one", forKey: k1, ttl: nil)
        try await store.setValue("two", forKey: k2, ttl: .milliseconds(30_000))
        #expect(try await store.value(forKey: k1) == "one")
        // TTL: read the server's remaining time instead of sleeping.
        let pttl = try await client.send([Array("PTTL".utf8), store.keys.redisKey(k2)]).integer ?? -9
        #expect(pttl > 29_000 && pttl <= 30_000)
        #expect(try await client.send([Array("PTTL".utf8), store.keys.redisKey(k1)]).integer == -1)

        let k3 = try CacheKey(name: "f", arguments: 3)
        try await store.setValues([k3: "three", try CacheKey(name: "f", arguments: 4): "four"], ttl: .seconds(60))
        let found = try await store.values(forKeys: [k1, k2, k3, try CacheKey(name: "f", arguments: 99)])
        #expect(found == [k1: "one", k2: "two", k3: "three"])
        #expect(try await store.removeValue(forKey: k1) != nil)
        #expect(try await store.removeValue(forKey: k1) == nil)
        let stats = await store.stats
        #expect(stats.hits == 4 && stats.misses == 2)
        #expect(stats.count == 3 && stats.bytes > 0)
        let info = try await store.serverInfo()
        #expect(info["redis_version"] != nil)
        await client.close()
    }

    @Test func keysAreCanonicalAndNamespacesClearWithScan() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server)
        let store = RedisStore<Int>(client: client)
        for i in 0..<2_500 { try await store.setValue(i, forKey: try CacheKey(name: "users", arguments: i), ttl: nil) }
        // "users*" must not match a namespace that merely starts with "users".
        try await store.setValue(-1, forKey: try CacheKey(name: "users2", arguments: 0), ttl: nil)
        try await store.setValue(-2, forKey: try CacheKey(name: "posts", arguments: "1"), ttl: nil)
        #expect(try await store.countEntries() == 2_502)
        #expect(try await store.removeAll(inNamespace: "users") == 2_500)
        #expect(try await store.value(forKey: try CacheKey(name: "users2", arguments: 0)) == -1)
        #expect(try await store.value(forKey: try CacheKey(name: "posts", arguments: "1")) == -2)
        // Another prefix on the same server is untouched by removeAll().
        let other = RedisStore<Int>(client: try self.client(server, prefix: "other:"))
        try await other.setValue(5, forKey: try CacheKey(name: "x", arguments: 1), ttl: nil)
        try await store.removeAll()
        #expect(try await store.countEntries() == 0)
        #expect(try await other.value(forKey: try CacheKey(name: "x", arguments: 1)) == 5)
        await client.close()
    }

    @Test func undecodableValuesAreMissesAndRemoved() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server)
        let store = RedisStore<[Int]>(client: client)
        let key = try CacheKey(name: "arr", arguments: 1)
        _ = try await client.send([Array("SET".utf8), store.keys.redisKey(key), Array("not an envelope".utf8)])
        #expect(try await store.value(forKey: key) == nil)
        #expect(try await client.send([Array("EXISTS".utf8), store.keys.redisKey(key)]).integer == 0)
        // Another type's entry under the same key: a miss too.
        try await RedisStore<String>(client: client).setValue("text", forKey: key, ttl: nil)
        #expect(try await store.value(forKey: key) == nil)
        #expect(await store.stats.decodeFailures == 2)
        await client.close()
    }

    @Test func syncBridgePassesTheConformanceSuite() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let url = server.url
        let counter = Atomic<Int>(0)
        try await onDedicatedThread {
            let conformance = CacheConformance(
                makeStore: { _ in
                    let n = counter.add(1, ordering: .relaxed).newValue
                    return RedisSyncStore<String>(client: try RedisClient(url: url + "?prefix=conf\(n):"))
                },
                key: { try! CacheKey(name: "conformance", arguments: $0) },
                value: { "value-\($0)" },
                isBounded: false)
            try conformance.runWithKeyChecks()
        }
    }

    @Test func authWithPasswordAndACLUserAndSelect() async throws {
        guard let server = try RedisServer.startIfAvailable(["--requirepass", "s3cret"]) else { return }
        defer { server.stop() }
        let admin = try RedisClient(url: "redis://:s3cret@127.0.0.1:\(server.port)")
        #expect(try await admin.send("PING") == .simpleString("PONG"))
        _ = try await admin.send("ACL", "SETUSER", "alice", "on", ">wonder", "~*", "+@all")
        let alice = try RedisClient(url: "redis://alice:wonder@127.0.0.1:\(server.port)/3")
        let store = RedisStore<Int>(client: alice)
        let key = try CacheKey(name: "db", arguments: 1)
        try await store.setValue(7, forKey: key, ttl: nil)
        #expect(try await store.value(forKey: key) == 7)
        // SELECT 3: database 0 does not see it.
        #expect(try await RedisStore<Int>(client: admin).value(forKey: key) == nil)

        let wrong = try RedisClient(url: "redis://:nope@127.0.0.1:\(server.port)?timeout=1000")
        do {
            _ = try await wrong.send("PING")
            Issue.record("a wrong password was accepted")
        } catch let error as RedisError {
            #expect(error.kind == .authenticationFailed)
        }
        let wrongUser = try RedisClient(url: "redis://alice:bad@127.0.0.1:\(server.port)")
        await #expect(throws: RedisError.self) { _ = try await wrongUser.send("PING") }
        for c in [admin, alice, wrong, wrongUser] { await c.close() }
    }

    @Test func unreachableSilentAndBrokenServersFailWithTypedErrorsInTime() async throws {
        // Nothing listens: connection refused.
        let closedPort = try freePort()
        let refused = try RedisClient(url: "redis://127.0.0.1:\(closedPort)?connectTimeout=300&timeout=300")
        do { _ = try await refused.send("PING"); Issue.record("no server, yet a reply") } catch let error as RedisError {
            #expect(error.kind == .connectionFailed)
        }
        // Accepts but never answers: the command times out.
        let silent = try FakeServer(reply: nil)
        defer { silent.stop() }
        let slow = try RedisClient(url: "redis://127.0.0.1:\(silent.port)?timeout=200")
        let start = ContinuousClock.now
        do { _ = try await slow.send("PING"); Issue.record("a silent server replied") } catch let error as RedisError {
            #expect(error.kind == .timeout)
        }
        #expect(ContinuousClock.now - start < .seconds(5), "the timeout was not honoured")
        // Garbage and truncated replies: protocol errors or a closed connection, never a hang.
        for (reply, expected) in [(Array("!garbage\r\n".utf8), RedisError.Kind.protocolError),
                                  (Array("$5\r\nab".utf8), RedisError.Kind.connectionClosed),
                                  (Array(":12x\r\n".utf8), RedisError.Kind.protocolError)] {
            let broken = try FakeServer(reply: reply)
            defer { broken.stop() }
            let client = try RedisClient(url: "redis://127.0.0.1:\(broken.port)?timeout=1000")
            do { _ = try await client.send("GET", "k"); Issue.record("a broken reply parsed") } catch let error as RedisError {
                #expect(error.kind == expected, "\(reply): \(error)")
            }
            await client.close()
        }
        // Through a cache, an unreachable server is a miss and the value is computed.
        let store = RedisStore<AsyncCacheEntry<Int>>(client: refused)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(10)))
        #expect(try await cache.value(forKey: try CacheKey(name: "f", arguments: 1)) { 41 + 1 } == 42)
        #expect(cache.refreshStats.storeReadFailures == 1)
        #expect(await cache.stats.storeFailures == 1)
        await refused.close()
        await slow.close()
    }

    @Test func serverKilledMidRunDegradesToComputingThenResumes() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server, query: "timeout=500&connectTimeout=300")
        let store = RedisStore<AsyncCacheEntry<Int>>(client: client)
        let cache = try AsyncCache(store: store, options: .init(ttl: .seconds(60)))
        let computed = Atomic<Int>(0)
        let square = try AsyncMemoized(cache: cache, name: "square") { (n: Int) async throws -> Int in
            computed.add(1, ordering: .relaxed)
            return n * n
        }
        for i in 0..<20 { #expect(try await square(i) == i * i) }
        for i in 0..<20 { #expect(try await square(i) == i * i) }
        #expect(computed.load(ordering: .relaxed) == 20)

        server.kill()
        let start = ContinuousClock.now
        for i in 0..<20 { #expect(try await square(i) == i * i, "values stay right while Redis is down") }
        #expect(ContinuousClock.now - start < .seconds(20), "calls must not hang while the server is down")
        #expect(computed.load(ordering: .relaxed) == 40)
        #expect(cache.refreshStats.storeReadFailures >= 20)
        #expect(store.errorCount >= 20)

        try server.start() // same port: the pool reconnects on the next command
        for i in 0..<20 { #expect(try await square(i) == i * i) } // recomputed (the restart lost the data) and stored
        for i in 0..<20 { #expect(try await square(i) == i * i) }
        #expect(computed.load(ordering: .relaxed) == 60, "after the restart the cache resumes: second pass all hits")
        await client.close()
    }

    static func probePath() -> String? { BuiltExecutable.path("CacheRedisProbe") }

    static func runProbe(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probePath()!)
        process.arguments = arguments
        process.standardOutput = Pipe()
        try process.run()
        return process
    }

    static func output(of process: Process) -> String {
        let pipe = process.standardOutput as! Pipe
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func twoProcessesShareOneMemoizedFunction() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        guard Self.probePath() != nil else {
            Issue.record("the CacheRedisProbe executable was not built beside the tests")
            return
        }
        let url = server.url + "?prefix=xp:"
        let (first, second) = try await onDedicatedThread {
            let a = Self.output(of: try Self.runProbe(["memo", url, "12"]))
            let b = Self.output(of: try Self.runProbe(["memo", url, "12"]))
            return (a, b)
        }
        #expect(first == "computed 144")
        #expect(second == "hit 144")
        // The value is visible to this process too, under the same canonical key.
        let store = RedisStore<Int>(client: try RedisClient(url: url))
        #expect(try await store.value(forKey: try CacheKey(name: "probe-square", version: "1", arguments: 12)) == 144)
    }

    @Test func distributedSingleFlightRunsOneLoaderAcrossProcesses() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        guard Self.probePath() != nil else {
            Issue.record("the CacheRedisProbe executable was not built beside the tests")
            return
        }
        let url = server.url + "?prefix=lease:"
        let outputs = try await onDedicatedThread {
            let processes = try (0..<3).map { _ in try Self.runProbe(["lease", url, "7"]) }
            return processes.map(Self.output(of:))
        }
        #expect(outputs.filter { $0 == "loaded 8" }.count == 1, "\(outputs)")
        #expect(outputs.filter { $0 == "waited 8" || $0 == "hit 8" }.count == 2, "\(outputs)")
        // The lease was released by its holder.
        let client = try RedisClient(url: url)
        let store = RedisStore<Int>(client: client)
        let key = try CacheKey(name: "probe-lease", arguments: 7)
        #expect(try await client.send([Array("EXISTS".utf8), store.keys.leaseKey(key)]).integer == 0)
        await client.close()
    }

    @Test func asyncMemoizedLoadsOnceAcrossProcesses() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        guard Self.probePath() != nil else {
            Issue.record("the CacheRedisProbe executable was not built beside the tests")
            return
        }
        let url = server.url + "?prefix=am:"
        let outputs = try await onDedicatedThread {
            let processes = try (0..<3).map { _ in try Self.runProbe(["async-memo", url, "41"]) }
            return processes.map(Self.output(of:))
        }
        #expect(outputs.filter { $0 == "computed 42" }.count == 1, "AsyncCache over RedisStore runs one loader across processes: \(outputs)")
        #expect(outputs.filter { $0 == "hit 42" }.count == 2, "\(outputs)")
        let again = try await onDedicatedThread { Self.output(of: try Self.runProbe(["async-memo", url, "41"])) }
        #expect(again == "hit 42")
    }

    @Test func defaultTTLAppliesToWritesWithoutOne() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server)
        let store = RedisStore<String>(client: client, defaultTTL: .seconds(90))
        let sync = RedisSyncStore<String>(client: client, defaultTTL: .seconds(30))
        let k1 = try CacheKey(name: "ttl", arguments: 1), k2 = try CacheKey(name: "ttl", arguments: 2)
        let k3 = try CacheKey(name: "ttl", arguments: 3)
        try await store.setValue("a", forKey: k1, ttl: nil)
        try await store.setValue("b", forKey: k2, ttl: .seconds(5))
        try await onDedicatedThread { try sync.setValue("c", forKey: k3, ttl: nil) }
        func pttl(_ key: CacheKey) async throws -> Int64 {
            try await client.send([Array("PTTL".utf8), store.keys.redisKey(key)]).integer ?? -9
        }
        let (t1, t2, t3) = (try await pttl(k1), try await pttl(k2), try await pttl(k3))
        #expect(t1 > 89_000 && t1 <= 90_000)
        #expect(t2 > 4_000 && t2 <= 5_000, "an explicit TTL wins")
        #expect(t3 > 29_000 && t3 <= 30_000)
        // The engine passes CacheConfiguration.ttl through.
        let registry = CacheRegistry()
        CacheRedisEngine.register(in: registry)
        let engineStore = try registry.makeAsyncStore(
            engine: CacheRedisEngine.id, of: String.self,
            configuration: try CacheConfiguration(ttl: .seconds(60), options: ["url": server.url + "?prefix=t:"]))
        try await engineStore.setValue("d", forKey: k1, ttl: nil)
        let t4 = try await pttl(k1)
        #expect(t4 > 59_000 && t4 <= 60_000)
        await client.close()
    }

    @Test func compressionShrinksLargeValuesAndEveryStoreReadsBoth() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let client = try client(server)
        let compressing = RedisStore<String>(client: client, compression: try RedisCompression(level: 6, minimumSize: 512))
        let plain = RedisStore<String>(client: client)
        let syncPlain = RedisSyncStore<String>(client: client)
        let text = String(repeating: "the same words again and again; ", count: 400)  // 12.8 KB, very compressible
        let big = try CacheKey(name: "z", arguments: 1), small = try CacheKey(name: "z", arguments: 2)
        let noisy = try CacheKey(name: "z", arguments: 3)
        try await compressing.setValue(text, forKey: big, ttl: nil)
        try await compressing.setValue("short", forKey: small, ttl: nil)
        var rng = SystemRandomNumberGenerator()
        let random = (0..<4_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let compressingBytes = RedisStore<[UInt8]>(client: client, compression: .zlib)
        try await compressingBytes.setValue(random, forKey: noisy, ttl: nil)
        func strlen(_ key: CacheKey) async throws -> Int64 {
            try await client.send([Array("STRLEN".utf8), compressing.keys.redisKey(key)]).integer ?? -1
        }
        let (bigLength, smallLength, noisyLength) = (try await strlen(big), try await strlen(small), try await strlen(noisy))
        #expect(bigLength < Int64(text.utf8.count) / 10, "compressible text shrinks: \(bigLength) bytes stored")
        #expect(smallLength < 512 && smallLength > 5, "below minimumSize: stored as is")
        #expect(noisyLength >= 4_000, "random text does not pay off: stored as is (\(noisyLength) bytes)")
        // Every store reads compressed and plain entries, whatever its own setting.
        #expect(try await plain.value(forKey: big) == text)
        #expect(try await compressing.value(forKey: big) == text)
        #expect(try await compressingBytes.value(forKey: noisy) == random)
        #expect(try await onDedicatedThread { try syncPlain.value(forKey: big) } == text)

        // A damaged compressed entry is a miss, counted and removed — never wrong text.
        let redisKey = compressing.keys.redisKey(big)
        var stored = try #require(try await client.send([Array("GET".utf8), redisKey]).bytes)
        for i in stride(from: 12, to: stored.count, by: 5) { stored[i] ^= 0x33 }
        _ = try await client.send([Array("SET".utf8), redisKey, stored])
        #expect(try await plain.value(forKey: big) == nil)
        #expect(await plain.stats.decodeFailures == 1)
        #expect(try await client.send([Array("EXISTS".utf8), redisKey]).integer == 0, "the damaged entry was unlinked")
        // A frame that declares an absurd length is refused before allocating it.
        _ = try await client.send([Array("SET".utf8), redisKey, [0xC6, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x9C]])
        #expect(try await plain.value(forKey: big) == nil)

        #expect(throws: CacheConfigurationError.self) { try RedisCompression(level: 0) }
        #expect(throws: CacheConfigurationError.self) { try RedisCompression(minimumSize: -1) }
        #expect(throws: CacheConfigurationError.self) { try RedisCompression(minimumSaving: 1.5) }
        await client.close()
    }

    @Test func asyncStorePassesTheConformanceSuite() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let url = server.url
        let made = Atomic<Int>(0)
        // Each store gets its own key prefix on the shared server; counts are the whole
        // database's (DBSIZE), so only hits and misses are exact.
        try await AsyncCacheConformance(
            makeStore: { _ in
                let n = made.add(1, ordering: .relaxed).newValue
                return RedisStore<String>(client: try RedisClient(url: url + "?prefix=conf\(n):&timeout=2000"))
            },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { "v\($0)" },
            isBounded: false, exactStats: false
        ).runWithKeyChecks()
        // The same with compression on every value (minimum size 0).
        try await AsyncCacheConformance(
            makeStore: { _ in
                let n = made.add(1, ordering: .relaxed).newValue
                return RedisStore<String>(client: try RedisClient(url: url + "?prefix=confz\(n):&timeout=2000"),
                                          compression: try RedisCompression(level: 1, minimumSize: 0, minimumSaving: 0))
            },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { "v\($0)" },
            isBounded: false, exactStats: false
        ).runWithKeyChecks()
    }

    @Test func engineRegistration() async throws {
        guard let server = try RedisServer.startIfAvailable() else { return }
        defer { server.stop() }
        let registry = CacheRegistry()
        CacheRedisEngine.register(in: registry)
        let configuration = try CacheConfiguration(namespace: "eng", options: ["url": server.url])
        let store = try registry.makeAsyncStore(engine: "CacheRedis", of: [Double].self, configuration: configuration)
        let key = try CacheKey(name: "vec", arguments: 3)
        try await store.setValue([1, 2, 3], forKey: key, ttl: .seconds(5))
        #expect(try await store.value(forKey: key) == [1, 2, 3])
        #expect(throws: CacheConfigurationError.self) {
            try registry.makeAsyncStore(engine: "CacheRedis", of: Int.self, configuration: .init(options: ["url": "http://nope"]))
        }
    }
}
