import CacheCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A function memoized in a ``DiskCache`` with stampede protection:
///
/// - **single flight** across threads of this process (CacheCore's ``SingleFlight``) and
///   across processes: the computing caller holds a *lease row* (`leases` table) that
///   expires after `leaseTimeout`, so a crashed holder blocks others at most that long;
///   waiting callers poll for the result with a short back-off;
/// - optional **early recomputation** (Vattani et al., diskcache's `memoize_stampede`):
///   with `beta > 0`, a hit recomputes before expiry with probability rising as expiry
///   nears — `now - computeTime × beta × ln(rand) ≥ expiry` — by one caller holding the
///   lease, while others keep getting the current value;
/// - a result that cannot be stored (disk full, too large) is still returned: the failure
///   is counted in ``info``, logged and passed to `onStoreFailure`.
///
/// Keys are ``CacheKey``s of (`name`, `version`, arguments): choose a stable name.
public final class DiskMemoized<each Arg: Encodable & Sendable, Value: Codable & Sendable>: Sendable {
    public typealias Function = @Sendable (repeat each Arg) throws -> Value

    public let name: String
    public let version: String?
    let cache: DiskCache
    let function: Function
    let ttl: Duration?
    let beta: Double
    let leaseTimeout: Duration
    let codec: ValueCodec<Value>
    let flights = SingleFlight<DiskCacheKey, Value>()
    let counters = Mutex(CacheStats())
    let onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)?
    /// Times this instance recomputed a value early (for tests and stats).
    let earlyRecomputations = Atomic<Int>(0)

    /// - Parameters:
    ///   - ttl: time to live of results (`nil`: the cache's default).
    ///   - beta: early recomputation strength; 0 disables it, 1 is the paper's default. Needs a ttl.
    ///   - leaseTimeout: how long another caller may wait on a computation before taking over.
    public init(
        cache: DiskCache, name: String, version: String? = nil, ttl: Duration? = nil, beta: Double = 0,
        leaseTimeout: Duration = .seconds(60),
        onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)? = nil,
        _ function: @escaping Function
    ) throws(CacheConfigurationError) {
        try CacheKey.validateName(name)
        if let ttl { try CacheConfiguration.checkTTL(ttl, setting: "ttl") }
        if beta < 0 || !beta.isFinite { throw CacheConfigurationError(setting: "beta", value: "\(beta)", reason: "must be a finite value ≥ 0") }
        if beta > 0 && ttl == nil && cache.options.defaultTTL == nil {
            throw CacheConfigurationError(setting: "beta", value: "\(beta)", reason: "early recomputation needs a ttl")
        }
        if leaseTimeout <= .zero { throw CacheConfigurationError(setting: "leaseTimeout", value: "\(leaseTimeout)", reason: "must be > 0") }
        self.cache = cache
        self.name = name
        self.version = version
        self.ttl = ttl
        self.beta = beta
        self.leaseTimeout = leaseTimeout
        self.onStoreFailure = onStoreFailure
        self.function = function
        codec = ValueCodec(CacheSerializers.default(for: Value.self))
    }

    /// Calls the function through the cache.
    public func callAsFunction(_ args: repeat each Arg) throws -> Value {
        let key = DiskCacheKey(try CacheKey(name: name, version: version, arguments: repeat each args))
        if let value = try? cache.get(key, codec: codec) {
            if beta > 0, shouldRecomputeEarly(key) {
                return try recomputeEarly(key, current: value, repeat each args)
            }
            return value
        }
        let (value, _) = try flights.run(
            key, function: name,
            recheck: { (try? cache.get(key, codec: codec, counting: false)) ?? nil },
            compute: { try computeUnderLease(key, repeat each args) })
        return value
    }

    /// The cache's counters plus this function's loads, failures and load time.
    public var info: CacheStats {
        cache.stats.addingLoadCounters(of: counters.withLock { $0 })
    }

    /// How many times a hit was recomputed early by this instance.
    public var earlyRecomputationCount: Int { earlyRecomputations.load(ordering: .relaxed) }

    // MARK: Early recomputation

    func shouldRecomputeEarly(_ key: DiskCacheKey) -> Bool {
        guard let times = try? cache.entryTimes(key), let expire = times.expire, let delta = times.computeTime, delta > 0 else {
            return false
        }
        let random = Double.random(in: Double.leastNonzeroMagnitude..<1)
        return cache.now() - delta * beta * log(random) >= expire
    }

    func recomputeEarly(_ key: DiskCacheKey, current: Value, _ args: repeat each Arg) throws -> Value {
        guard (try? acquireLease(key)) == true else { return current }
        defer { releaseLease(key) }
        earlyRecomputations.add(1, ordering: .relaxed)
        do {
            return try computeAndStore(key, repeat each args)
        } catch {
            // The current value is still valid until it expires.
            return current
        }
    }

    // MARK: Leases

    func computeUnderLease(_ key: DiskCacheKey, _ args: repeat each Arg) throws -> Value {
        let outcome = try cache.withLease(
            key, timeout: leaseTimeout, function: name,
            present: { (try? cache.get(key, codec: codec, counting: false)) ?? nil },
            { try computeAndStore(key, repeat each args) })
        switch outcome {
        case .loaded(let value), .found(let value, _): return value
        case .unavailable: return try computeAndStore(key, repeat each args)
        }
    }

    func acquireLease(_ key: DiskCacheKey) throws -> Bool { try cache.acquireLease(key, timeout: leaseTimeout) }

    func releaseLease(_ key: DiskCacheKey) { cache.releaseLease(key, function: name) }

    // MARK: Computing

    func computeAndStore(_ key: DiskCacheKey, _ args: repeat each Arg) throws -> Value {
        let (value, elapsed) = try cacheTimedLoad({ try function(repeat each args) }) { failure, elapsed in
            counters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
        }
        do {
            let encoded = try cache.prepare(value, codec: codec)
            _ = try cache.store(key, encoded, ttl: ttl, tag: nil, computeTime: elapsed.cacheSeconds, operation: "memoize store")
        } catch {
            counters.withLock { $0.storeFailures += 1 }
            let described = key.description
            cache.options.logger.warning("memoize could not store a result; returning it uncached",
                                         metadata: ["function": "\(name)", "key": "\(described)", "error": "\(error)"])
            onStoreFailure?(error, described)
        }
        return value
    }
}

extension DiskCache {
    /// Memoizes `function` in this cache; see ``DiskMemoized``.
    public func memoize<each Arg: Encodable & Sendable, Value: Codable & Sendable>(
        name: String, version: String? = nil, ttl: Duration? = nil, beta: Double = 0, leaseTimeout: Duration = .seconds(60),
        onStoreFailure: (@Sendable (_ error: any Error, _ key: String) -> Void)? = nil,
        _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws(CacheConfigurationError) -> DiskMemoized<repeat each Arg, Value> {
        try DiskMemoized(cache: self, name: name, version: version, ttl: ttl, beta: beta, leaseTimeout: leaseTimeout,
                         onStoreFailure: onStoreFailure, function)
    }
}
