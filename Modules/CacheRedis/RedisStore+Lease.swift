import CacheCore
import CacheRESP

/// How the distributed single-flight waits for another process's load.
public struct RedisLeaseOptions: Sendable {
    /// How long the lease lock lives if its holder dies without releasing it.
    public var leaseDuration: Duration
    /// The first poll interval of a waiter; doubled after each poll up to `maxPollInterval`.
    public var initialPollInterval: Duration
    public var maxPollInterval: Duration
    /// A waiter that has waited this long computes the value itself.
    public var maxWait: Duration

    public init(
        leaseDuration: Duration = .seconds(30), initialPollInterval: Duration = .milliseconds(2),
        maxPollInterval: Duration = .milliseconds(50), maxWait: Duration = .seconds(30)
    ) {
        self.leaseDuration = leaseDuration
        self.initialPollInterval = initialPollInterval
        self.maxPollInterval = maxPollInterval
        self.maxWait = maxWait
    }
}

/// What happened in a ``RedisStore/value(forKey:ttl:lease:orLoad:)`` call.
public enum RedisLoadOutcome: Sendable, Equatable {
    /// The value was in Redis.
    case hit
    /// This process held the lease and ran the loader.
    case loaded
    /// Another process loaded it while this one waited.
    case waited
    /// Redis was unreachable, or the wait ran out: this process computed without the lease.
    case computedWithoutLease
}

extension RedisStore {
    /// Releases a lease only if this holder's token still owns it.
    static var releaseScript: [UInt8] {
        Array("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end".utf8)
    }

    /// The value for `key`, loading it at most once across every process sharing the server:
    /// the process that wins `SET lease token NX PX` runs `load`, stores the result and
    /// releases the lease with a script that deletes it only if the token is still its own;
    /// the others poll (with exponential backoff) until the value appears, the lease goes
    /// away (then they compete again), or `maxWait` passes (then they compute themselves).
    ///
    /// When Redis fails, the value is computed locally and the failure counted: a cache
    /// outage never loses or fails the caller's computation.
    public func value(
        forKey key: CacheKey, ttl: Duration?, lease: RedisLeaseOptions = .init(),
        orLoad load: @Sendable () async throws -> Value
    ) async throws -> (value: Value, outcome: RedisLoadOutcome) {
        let start = ContinuousClock.now
        var pollInterval = lease.initialPollInterval
        while true {
            let found: Value?
            do { found = try await value(forKey: key) } catch {
                logger.warning("redis unavailable; computing without the cache", metadata: ["key": "\(key)", "error": "\(error)"])
                return (try await load(), .computedWithoutLease)
            }
            if let found { return (found, .hit) }

            var tokenBytes = [UInt8](repeating: 0, count: 16)
            var rng = SystemRandomNumberGenerator()
            for i in tokenBytes.indices { tokenBytes[i] = UInt8.random(in: 0...255, using: &rng) }
            let token = Array(tokenBytes.map { String($0, radix: 16) }.joined().utf8)
            let leaseKey = keys.leaseKey(key)
            let ms = Array(String(max(1, Int(lease.leaseDuration.cacheSeconds * 1_000))).utf8)
            let acquired: Bool
            do {
                let reply = try await client.send([Array("SET".utf8), leaseKey, token, Array("NX".utf8), Array("PX".utf8), ms])
                acquired = reply == .simpleString("OK")
            } catch {
                errors.add(1, ordering: .relaxed)
                return (try await load(), .computedWithoutLease)
            }
            if acquired {
                let value: Value
                do {
                    value = try await load()
                } catch {
                    _ = try? await client.send([Array("EVAL".utf8), RedisStore.releaseScript, Array("1".utf8), leaseKey, token])
                    throw error
                }
                do { try await setValue(value, forKey: key, ttl: ttl) } catch {
                    logger.warning("could not store a loaded value in redis", metadata: ["key": "\(key)", "error": "\(error)"])
                }
                _ = try? await client.send([Array("EVAL".utf8), RedisStore.releaseScript, Array("1".utf8), leaseKey, token])
                return (value, .loaded)
            }
            // Someone else holds the lease: wait for its value.
            while true {
                if ContinuousClock.now - start >= lease.maxWait {
                    return (try await load(), .computedWithoutLease)
                }
                try await Task.sleep(for: pollInterval)
                pollInterval = min(pollInterval * 2, lease.maxPollInterval)
                let replies: [RESPValue]
                do {
                    replies = try await client.pipeline([[Array("GET".utf8), keys.redisKey(key)], [Array("EXISTS".utf8), leaseKey]])
                } catch {
                    errors.add(1, ordering: .relaxed)
                    return (try await load(), .computedWithoutLease)
                }
                if let value = await decode(replies[0], key: key) {
                    counters.withLock { $0.hits += 1 }
                    return (value, .waited)
                }
                if replies[1].integer == 0 { break } // the holder gave up: compete again
            }
        }
    }
}
