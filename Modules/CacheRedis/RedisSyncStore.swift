import CacheCore
import CacheRESP
import Logging
import Synchronization

/// A synchronous ``CacheStore`` on Redis, for CacheCore's `Memoized` and other sync callers.
///
/// Each call runs on NIO's event loop while the calling thread waits on a semaphore
/// (`EventLoopFuture.wait()`), bounded by the command timeout.
///
/// - Important: do not call it from async code (tasks, actors): blocking a thread of the
///   cooperative pool can stall every task in the process. From async code use
///   ``RedisStore`` instead.
public final class RedisSyncStore<Value: Sendable>: CacheStore, Sendable {
    public typealias Key = CacheKey

    public let client: RedisClient
    public let keys: RedisKeys
    public let serializer: AnyCacheSerializer<Value>
    let logger: Logger
    let counters = Mutex(CacheStats())
    let errors = Atomic<Int>(0)

    /// The TTL of entries written without one (`setValue(_:forKey:ttl: nil)`); `nil`: none.
    public let defaultTTL: Duration?
    /// Compression of the values this store writes (`nil`: none); every store reads both.
    public let compression: RedisCompression?

    /// - Parameter namespace: keeps this store's keys apart from other stores on the same
    ///   prefix (applied once, ``CacheKey/scoped(in:)``); ``removeAll()`` and ``count`` then
    ///   cover only it.
    public init<S: CacheSerializer>(
        client: RedisClient, namespace: String? = nil, serializer: S, defaultTTL: Duration? = nil,
        compression: RedisCompression? = nil, logger: Logger = Logger(label: "swift-cache.redis")
    ) where S.Value == Value {
        self.compression = compression
        self.client = client
        self.keys = RedisKeys(prefix: client.configuration.keyPrefix, namespace: namespace)
        self.serializer = AnyCacheSerializer(serializer)
        self.defaultTTL = defaultTTL
        self.logger = logger
    }

    public var capabilities: CacheStoreCapabilities { [.perEntryTTL, .persistent, .multiProcess, .distributed] }
    var server: String { client.configuration.address }

    /// Operations that failed with a ``RedisError``.
    public var errorCount: Int { errors.load(ordering: .relaxed) }

    func send(_ command: [[UInt8]], name: String) throws -> RESPValue {
        do {
            return try client.sendBlocking(command).checked(server: server, command: name)
        } catch {
            errors.add(1, ordering: .relaxed)
            // An outage is logged once by the client's RedisOutageLog; other failures here.
            logger.log(level: cacheFailureLogLevel(error), "redis command failed", metadata: ["command": "\(name)", "error": "\(error)"])
            throw error
        }
    }

    func decode(_ reply: RESPValue, key: CacheKey) -> Value? {
        guard case .bulkString(let bytes?) = reply else { return nil }
        do {
            return try RedisValueCoding.decode(bytes, with: serializer)
        } catch {
            counters.withLock { $0.decodeFailures += 1 }
            logger.warning("dropping a Redis entry that does not decode", metadata: ["key": "\(key)", "error": "\(error)"])
            _ = try? send([Array("UNLINK".utf8), keys.redisKey(key)], name: "UNLINK")
            return nil
        }
    }

    /// A failed read is counted as a miss and a `readFailures`, then thrown.
    public func value(forKey key: CacheKey) throws -> Value? {
        let reply: RESPValue
        do {
            reply = try send([Array("GET".utf8), keys.redisKey(key)], name: "GET")
        } catch {
            counters.withLock { $0.misses += 1; $0.readFailures += 1 }
            throw error
        }
        let value = decode(reply, key: key)
        counters.withLock { if value == nil { $0.misses += 1 } else { $0.hits += 1 } }
        return value
    }

    public func peekValue(forKey key: CacheKey) throws -> Value? {
        decode(try send([Array("GET".utf8), keys.redisKey(key)], name: "GET"), key: key)
    }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) throws {
        if let ttl, ttl <= .zero { throw CacheStoreError(.unsupported, key: "\(key)", detail: "ttl \(ttl) must be > 0") }
        let bytes = try RedisValueCoding.encode(value, with: serializer, compression: compression)
        _ = try send(RedisStore<Value>.setCommand(keys.redisKey(key), bytes, ttl: ttl ?? defaultTTL), name: "SET")
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) throws -> Value? {
        let replies: [RESPValue]
        do {
            replies = try client.pipelineBlocking([[Array("GET".utf8), keys.redisKey(key)], [Array("UNLINK".utf8), keys.redisKey(key)]])
        } catch {
            errors.add(1, ordering: .relaxed)
            throw error
        }
        _ = try replies[1].checked(server: server, command: "UNLINK")
        guard case .bulkString(let bytes?) = replies[0] else { return nil }
        return try? RedisValueCoding.decode(bytes, with: serializer)
    }

    public func removeAll() throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let (next, found) = try scan(cursor)
            if !found.isEmpty { _ = try send([Array("UNLINK".utf8)] + found, name: "UNLINK") }
            cursor = next
        } while cursor != Array("0".utf8)
    }

    func scan(_ cursor: [UInt8]) throws -> (next: [UInt8], keys: [[UInt8]]) {
        let reply = try send([Array("SCAN".utf8), cursor, Array("MATCH".utf8), keys.allPattern, Array("COUNT".utf8), Array("1000".utf8)], name: "SCAN")
        guard case .array(let parts?) = reply, parts.count == 2, let next = parts[0].bytes, case .array(let found?) = parts[1] else {
            throw RedisError(.unexpectedReply, server: server, command: "SCAN", detail: "\(reply)")
        }
        return (next, found.compactMap(\.bytes).filter(keys.isInScope))
    }

    public func contains(_ key: CacheKey) throws -> Bool {
        try send([Array("EXISTS".utf8), keys.redisKey(key)], name: "EXISTS").integer == 1
    }

    /// Keys under the prefix (with a namespace, those in its scope), counted with SCAN
    /// (O(keys in the database)); 0 if Redis is down.
    public var count: Int {
        var cursor: [UInt8] = Array("0".utf8)
        var total = 0
        repeat {
            guard let (next, found) = try? scan(cursor) else { return total }
            total += found.count
            cursor = next
        } while cursor != Array("0".utf8)
        return total
    }

    public var stats: CacheStats {
        var stats = counters.withLock { $0 }
        stats.count = count
        return stats
    }
}

extension RedisSyncStore where Value: Codable {
    /// A store using the default serializer for `Value`.
    public convenience init(
        client: RedisClient, namespace: String? = nil, defaultTTL: Duration? = nil, compression: RedisCompression? = nil,
        logger: Logger = Logger(label: "swift-cache.redis")
    ) {
        self.init(client: client, namespace: namespace, serializer: CacheSerializers.default(for: Value.self), defaultTTL: defaultTTL,
                  compression: compression, logger: logger)
    }
}
