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

extension RedisStore: ExclusiveLoadingStore {
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
        let outcome = try await withExclusiveLoad(forKey: key, lease: lease, readFirst: true) { () async throws -> Value in
            let value = try await load()
            do { try await setValue(value, forKey: key, ttl: ttl) } catch {
                logger.log(level: cacheFailureLogLevel(error), "could not store a loaded value in redis", metadata: ["key": "\(key)", "error": "\(error)"])
            }
            return value
        }
        switch outcome {
        case .loaded(let value): return (value, .loaded)
        case .found(let value, let waited): return (value, waited ? .waited : .hit)
        case .unavailable: return (try await load(), .computedWithoutLease)
        }
    }

    /// ``ExclusiveLoadingStore`` with this store's ``leaseOptions``: how ``AsyncCache`` (and
    /// so `AsyncMemoized`) over a `RedisStore` loads a missing key once across processes.
    /// The caller has just missed `key`, so the lease is tried first: with the server down
    /// a miss costs one failed command, not two.
    public func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, _ loadAndStore: @Sendable () async throws -> Loaded
    ) async throws -> ExclusiveLoadOutcome<Value, Loaded> {
        try await withExclusiveLoad(forKey: key, lease: leaseOptions, readFirst: false, loadAndStore)
    }

    /// The lease protocol behind both entry points: `loadAndStore` runs only while this
    /// process holds `key`'s lease. `readFirst`: look the value up before competing.
    func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, lease: RedisLeaseOptions, readFirst: Bool, _ loadAndStore: @Sendable () async throws -> Loaded
    ) async throws -> ExclusiveLoadOutcome<Value, Loaded> {
        let start = ContinuousClock.now
        var pollInterval = lease.initialPollInterval
        let leaseKey = keys.leaseKey(key)
        var waited = false
        var read = readFirst
        while true {
            if read {
                switch await currentValue(key) {
                case .absent: break
                case .present(let value): return .found(value, waited: waited)
                case .failed: return .unavailable
                }
            }
            read = true

            let token = RedisStore.leaseToken()
            // Rounded up like entry TTLs: a lease never lapses before `leaseDuration`.
            let ms = Array(String(max(1, lease.leaseDuration.cacheMillisecondsRoundedUp)).utf8)
            let acquired: Bool
            do {
                let reply = try await client.send([Array("SET".utf8), leaseKey, token, Array("NX".utf8), Array("PX".utf8), ms])
                acquired = reply == .simpleString("OK")
            } catch {
                errors.add(1, ordering: .relaxed)
                return .unavailable
            }
            if acquired {
                // Released by its holder only (the script compares tokens); a failure to
                // release leaves the lease to expire after leaseDuration.
                let release = [Array("EVAL".utf8), RedisStore.releaseScript, Array("1".utf8), leaseKey, token]
                // Another holder may have stored the value between this caller's miss and
                // this lease: look once more rather than load twice.
                switch await currentValue(key) {
                case .absent: break
                case .present(let value):
                    _ = try? await client.send(release)
                    return .found(value, waited: waited)
                case .failed:
                    _ = try? await client.send(release)
                    return .unavailable
                }
                let loaded: Loaded
                do {
                    loaded = try await loadAndStore()
                } catch {
                    _ = try? await client.send(release)
                    throw error
                }
                _ = try? await client.send(release)
                return .loaded(loaded)
            }
            // Someone else holds the lease: wait for its value.
            waited = true
            while true {
                if ContinuousClock.now - start >= lease.maxWait { return .unavailable }
                try await Task.sleep(for: pollInterval)
                pollInterval = min(pollInterval * 2, lease.maxPollInterval)
                let replies: [RESPValue]
                do {
                    replies = try await client.pipeline([[Array("GET".utf8), keys.redisKey(key)], [Array("EXISTS".utf8), leaseKey]])
                } catch {
                    errors.add(1, ordering: .relaxed)
                    return .unavailable
                }
                if let value = await decode(replies[0], key: key) {
                    counters.withLock { $0.hits += 1 }
                    return .found(value, waited: true)
                }
                if replies[1].integer == 0 { break } // the holder gave up: compete again
            }
        }
    }

    private enum CurrentValue { case absent, present(Value), failed }

    /// `key`'s value, or `.failed` when Redis failed (logged).
    private func currentValue(_ key: CacheKey) async -> CurrentValue {
        do {
            guard let value = try await value(forKey: key) else { return .absent }
            return .present(value)
        } catch {
            logger.log(level: cacheFailureLogLevel(error), "redis unavailable; computing without the cache", metadata: ["key": "\(key)", "error": "\(error)"])
            return .failed
        }
    }

    /// 128 random bits in hex: a lease holder's token.
    static func leaseToken() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var token: [UInt8] = []
        token.reserveCapacity(32)
        for _ in 0..<2 {
            let word = rng.next()
            for shift in stride(from: 60, through: 0, by: -4) { token.append(hex[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return token
    }
}
