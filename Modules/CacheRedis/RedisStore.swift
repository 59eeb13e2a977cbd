import CacheCore
import CacheRESP
import Logging
import Synchronization

/// A distributed ``AsyncCacheStore`` on a Redis server, keyed by ``CacheKey`` so that
/// every process (and host) computing the same key shares the entry.
///
/// - Values go through a ``CacheSerializer`` inside a ``CacheValueEnvelope``, deflated
///   with zlib when ``RedisCompression`` is on and it pays off; an entry
///   that does not decode is a miss: it is unlinked, counted and logged.
/// - TTL is `SET … PX`; bulk reads are one `MGET`, bulk writes one pipelined batch.
/// - ``removeAll(inNamespace:)`` and ``removeAll()`` walk `SCAN` and `UNLINK` (never `KEYS`).
/// - ``value(forKey:ttl:lease:orLoad:)`` is a distributed single-flight: one process
///   loads under a lease lock while the others wait for its result.
///
/// Connection failures and timeouts throw ``RedisError``; ``AsyncCache`` and memoize
/// turn them into misses (reads) or counted store failures (writes), so callers
/// degrade to computing while the server is down and resume when it is back. A read
/// that fails is counted here as a miss and a `readFailures`; the outage is logged once
/// (a warning when it starts, an info when the server answers again) by the client's
/// ``RedisOutageLog``, not once per call.
public final class RedisStore<Value: Sendable>: AsyncCacheStore, NamespaceClearingStore, Sendable {
    public typealias Key = CacheKey

    public let client: RedisClient
    public let keys: RedisKeys
    public let serializer: AnyCacheSerializer<Value>
    let logger: Logger
    let counters = Mutex(CacheStats())
    let errors = Atomic<Int>(0)

    /// How ``withExclusiveLoad(forKey:_:)`` (used by ``AsyncCache`` on a miss) waits for
    /// another process's load.
    public let leaseOptions: RedisLeaseOptions
    /// The TTL of entries written without one (`setValue(_:forKey:ttl: nil)`); `nil`: none.
    public let defaultTTL: Duration?
    /// Compression of the values this store writes (`nil`: none); every store reads both.
    public let compression: RedisCompression?

    /// - Parameters:
    ///   - namespace: keeps this store's keys apart from other stores on the same prefix
    ///     (applied once, ``CacheKey/scoped(in:)``); ``removeAll()`` and ``countEntries()``
    ///     then cover only it.
    ///   - defaultTTL: applied to writes that give no TTL.
    ///   - leaseOptions: the distributed single-flight's lease and wait limits.
    ///   - compression: deflate large values before writing them.
    public init<S: CacheSerializer>(
        client: RedisClient, namespace: String? = nil, serializer: S, defaultTTL: Duration? = nil,
        leaseOptions: RedisLeaseOptions = .init(), compression: RedisCompression? = nil,
        logger: Logger = Logger(label: "swift-cache.redis")
    ) where S.Value == Value {
        self.compression = compression
        self.client = client
        self.keys = RedisKeys(prefix: client.configuration.keyPrefix, namespace: namespace)
        self.serializer = AnyCacheSerializer(serializer)
        self.defaultTTL = defaultTTL
        self.leaseOptions = leaseOptions
        self.logger = logger
    }

    public var capabilities: CacheStoreCapabilities { [.perEntryTTL, .persistent, .multiProcess, .distributed] }

    var server: String { client.configuration.address }

    /// Operations that failed with a ``RedisError`` (connection, timeout, server error).
    public var errorCount: Int { errors.load(ordering: .relaxed) }

    func counted<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            errors.add(1, ordering: .relaxed)
            throw error
        }
    }

    // MARK: Encoding

    func encode(_ value: Value) throws -> [UInt8] { try RedisValueCoding.encode(value, with: serializer, compression: compression) }

    /// Decodes a reply; a value that does not decode is a miss (and is unlinked).
    func decode(_ reply: RESPValue, key: CacheKey) async -> Value? {
        guard case .bulkString(let bytes?) = reply else { return nil }
        do {
            return try RedisValueCoding.decode(bytes, with: serializer)
        } catch {
            counters.withLock { $0.decodeFailures += 1 }
            logger.warning("dropping a Redis entry that does not decode", metadata: ["key": "\(key)", "error": "\(error)"])
            _ = try? await client.send([Array("UNLINK".utf8), keys.redisKey(key)])
            return nil
        }
    }

    static func setCommand(_ key: [UInt8], _ value: [UInt8], ttl: Duration?) -> [[UInt8]] {
        guard let ttl else { return [Array("SET".utf8), key, value] }
        // Whole milliseconds rounded up from the exact duration, so a key never expires
        // before its TTL (`.milliseconds(300)` is PX 300, `.microseconds(300_001)` PX 301).
        let ms = max(1, ttl.cacheMillisecondsRoundedUp)
        return [Array("SET".utf8), key, value, Array("PX".utf8), Array(String(ms).utf8)]
    }

    // MARK: AsyncCacheStore

    /// Counts a lookup of `count` keys that the server did not answer: misses and read failures.
    func countReadFailure(_ count: Int = 1) {
        counters.withLock { $0.misses += count; $0.readFailures += count }
    }

    public func value(forKey key: CacheKey) async throws -> Value? {
        let reply: RESPValue
        do {
            reply = try await counted { try await client.send([Array("GET".utf8), keys.redisKey(key)]) }
        } catch {
            countReadFailure()
            throw error
        }
        _ = try reply.checked(server: server, command: "GET")
        let value = await decode(reply, key: key)
        counters.withLock { if value == nil { $0.misses += 1 } else { $0.hits += 1 } }
        return value
    }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) async throws {
        if let ttl, ttl <= .zero { throw CacheStoreError(.unsupported, key: "\(key)", detail: "ttl \(ttl) must be > 0") }
        let command = RedisStore.setCommand(keys.redisKey(key), try encode(value), ttl: ttl ?? defaultTTL)
        _ = try await counted { try await client.send(command) }.checked(server: server, command: "SET")
    }

    /// `GET` and `UNLINK` in one pipelined round trip; returns the value the key held (nil
    /// when it held none, or one that does not decode).
    @discardableResult
    public func removeValue(forKey key: CacheKey) async throws -> Value? {
        let redisKey = keys.redisKey(key)
        let replies = try await counted { try await client.pipeline([[Array("GET".utf8), redisKey], [Array("UNLINK".utf8), redisKey]]) }
        guard replies.count == 2 else {
            throw RedisError(.unexpectedReply, server: server, command: "GET+UNLINK", detail: "\(replies)")
        }
        _ = try replies[1].checked(server: server, command: "UNLINK")
        guard case .bulkString(let bytes?) = try replies[0].checked(server: server, command: "GET") else { return nil }
        return try? RedisValueCoding.decode(bytes, with: serializer)
    }

    public func contains(_ key: CacheKey) async throws -> Bool {
        let reply = try await counted { try await client.send([Array("EXISTS".utf8), keys.redisKey(key)]) }
        return try reply.checked(server: server, command: "EXISTS").integer == 1
    }

    /// `GET` without counting a hit or a miss.
    public func peekValue(forKey key: CacheKey) async throws -> Value? {
        let reply = try await counted { try await client.send([Array("GET".utf8), keys.redisKey(key)]) }
        return await decode(try reply.checked(server: server, command: "GET"), key: key)
    }

    /// Keys under the prefix (with a namespace, those in its scope), counted with SCAN
    /// (O(keys in the database)); 0 if Redis is down (``countEntries()`` throws instead).
    public var count: Int { get async { (try? await countEntries()) ?? 0 } }

    /// Removes every entry under the configured key prefix (SCAN + UNLINK); with a
    /// namespace, only the entries in its scope.
    public func removeAll() async throws {
        _ = try await unlinkMatching(keys.allPattern, where: keys.isInScope)
    }

    /// Removes every entry of one namespace (SCAN + UNLINK, never KEYS).
    @discardableResult
    public func removeAll(inNamespace namespace: String) async throws -> Int {
        try await unlinkMatching(keys.pattern(namespace: namespace))
    }

    func unlinkMatching(_ pattern: [UInt8], where keep: ([UInt8]) -> Bool = { _ in true }) async throws -> Int {
        var cursor: [UInt8] = Array("0".utf8)
        var removed = 0
        repeat {
            let reply = try await counted {
                try await client.send([Array("SCAN".utf8), cursor, Array("MATCH".utf8), pattern, Array("COUNT".utf8), Array("1000".utf8)])
            }
            guard case .array(let parts?) = try reply.checked(server: server, command: "SCAN"), parts.count == 2,
                  let next = parts[0].bytes, case .array(let found?) = parts[1] else {
                throw RedisError(.unexpectedReply, server: server, command: "SCAN", detail: "\(reply)")
            }
            let batch = found.compactMap(\.bytes).filter(keep)
            if !batch.isEmpty {
                let unlinked = try await counted { try await client.send([Array("UNLINK".utf8)] + batch) }
                removed += Int(try unlinked.checked(server: server, command: "UNLINK").integer ?? 0)
            }
            cursor = next
        } while cursor != Array("0".utf8)
        return removed
    }

    /// Counts the keys under the prefix (SCAN; O(keys in the database)); with a namespace,
    /// only those in its scope.
    public func countEntries() async throws -> Int {
        var cursor: [UInt8] = Array("0".utf8)
        var count = 0
        repeat {
            let reply = try await counted {
                try await client.send([Array("SCAN".utf8), cursor, Array("MATCH".utf8), keys.allPattern, Array("COUNT".utf8), Array("1000".utf8)])
            }
            guard case .array(let parts?) = try reply.checked(server: server, command: "SCAN"), parts.count == 2,
                  let next = parts[0].bytes, case .array(let found?) = parts[1] else {
                throw RedisError(.unexpectedReply, server: server, command: "SCAN", detail: "\(reply)")
            }
            count += found.lazy.compactMap(\.bytes).filter(keys.isInScope).count
            cursor = next
        } while cursor != Array("0".utf8)
        return count
    }

    /// One `MGET` for every key.
    public func values(forKeys keyList: [CacheKey]) async throws -> [CacheKey: Value] {
        guard !keyList.isEmpty else { return [:] }
        let reply: RESPValue
        do {
            reply = try await counted { try await client.send([Array("MGET".utf8)] + keyList.map(keys.redisKey)) }
        } catch {
            countReadFailure(keyList.count)
            throw error
        }
        guard case .array(let items?) = try reply.checked(server: server, command: "MGET"), items.count == keyList.count else {
            throw RedisError(.unexpectedReply, server: server, command: "MGET", detail: "\(reply)")
        }
        var out: [CacheKey: Value] = [:]
        for (key, item) in zip(keyList, items) {
            if let value = await decode(item, key: key) { out[key] = value }
        }
        let found = out.count
        counters.withLock { $0.hits += found; $0.misses += keyList.count - found }
        return out
    }

    /// One pipelined batch of `SET … PX`.
    public func setValues(_ entries: [CacheKey: Value], ttl: Duration?) async throws {
        guard !entries.isEmpty else { return }
        let commands = try entries.map { RedisStore.setCommand(keys.redisKey($0.key), try encode($0.value), ttl: ttl ?? defaultTTL) }
        let replies = try await counted { try await client.pipeline(commands) }
        for reply in replies { _ = try reply.checked(server: server, command: "SET") }
    }

    /// This store's hits, misses, decode and read failures; `count` is the server's `DBSIZE`
    /// (the whole database) and `bytes` its `used_memory`.
    public var stats: CacheStats {
        get async {
            var stats = counters.withLock { $0 }
            if let size = try? await client.send("DBSIZE").integer { stats.count = Int(size) }
            if let info = try? await client.serverInfo(), let used = info["used_memory"].flatMap(Int.init) { stats.bytes = used }
            return stats
        }
    }

    /// The server's `INFO`, every section, as `field: value`.
    public func serverInfo() async throws -> [String: String] { try await client.serverInfo() }
}

extension RedisStore where Value: Codable {
    /// A store using the default serializer for `Value`.
    public convenience init(
        client: RedisClient, namespace: String? = nil, defaultTTL: Duration? = nil, leaseOptions: RedisLeaseOptions = .init(),
        compression: RedisCompression? = nil, logger: Logger = Logger(label: "swift-cache.redis")
    ) {
        self.init(client: client, namespace: namespace, serializer: CacheSerializers.default(for: Value.self), defaultTTL: defaultTTL,
                  leaseOptions: leaseOptions, compression: compression, logger: logger)
    }
}
